"""Write the seven reference lists for the 庄头营子村 example (deterministic: same bytes on every run).

    python examples/generate_references.py [OUT_DIR]      (default: examples/)

Reads examples/zhuangtouyingzi.xlsx (written by generate.py) and writes examples/references/
{payroll,cadres,relatives,vehicles,property,business,deaths}.csv: a few hundred rows each about people
who are not on the registry, plus matches planted on households that are otherwise clean. The files
differ on purpose: payroll and business are GBK, vehicles and business use alias headers (车主身份证号,
车牌号, 车型, 登记日期; 企业名称, 职务, 经营状态 …), property has a title row above its header, dates
are written in several styles. Also writes zhuangtouyingzi_refs.expected.csv: the findings the lists
add (rule_id, kind, household_id, person_id; UTF-8 with BOM, sorted). See README.md.
"""

from __future__ import annotations

import csv
import io
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from fupin_audit.idcard import check_character  # noqa: E402
from fupin_audit.io.reader import read_tables  # noqa: E402
from fupin_audit.registry import build_registry  # noqa: E402

VILLAGE, OTHER_VILLAGE = "庄头营子村", "东营子村"
OUTSIDE_REGIONS = ("150402", "150403", "150404", "150421", "150422", "150423", "150424", "150425", "150428")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "国建明华文志军伟海平秀英桂兰凤芳玉珍丽红霞金宝德福山林春梅东亮强磊"


@dataclass
class Lists:
    rows: dict[str, list[list[str]]] = field(default_factory=dict)
    expected: list[tuple[str, str, str, str]] = field(default_factory=list)

    def add(self, name: str, row: list[str]) -> None:
        self.rows.setdefault(name, []).append(row)


class People:
    """Random people who are not on the registry: valid IDs from neighbouring regions."""

    def __init__(self, rng: random.Random, taken: set[str]):
        self.rng, self.taken = rng, set(taken)

    def id(self, year_from: int = 1950, year_to: int = 1998) -> str:
        while True:
            first17 = (f"{self.rng.choice(OUTSIDE_REGIONS)}{self.rng.randint(year_from, year_to)}"
                       f"{self.rng.randint(1, 12):02d}{self.rng.randint(1, 28):02d}{self.rng.randint(0, 999):03d}")
            number = first17 + check_character(first17)
            if number not in self.taken:
                self.taken.add(number)
                return number

    def name(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(self.rng.choice(GIVEN) for _ in range(self.rng.randint(1, 2)))

    def date(self, first: int, last: int) -> str:
        year, month, day = self.rng.randint(first, last), self.rng.randint(1, 12), self.rng.randint(1, 28)
        style = self.rng.randrange(3)
        return (f"{year}-{month:02d}-{day:02d}", f"{year}/{month}/{day}", f"{year}年{month}月{day}日")[style]


def registry_people() -> dict[str, dict[str, str]]:
    """户编号 + relation → the member's name and ID, from the example workbook."""
    tables = read_tables(HERE / "zhuangtouyingzi.xlsx")
    members = build_registry(tables).members
    out = {}
    for row in members.itertuples(index=False):
        out[f"{row.户编号[-3:]}{row.与户主关系}"] = {"name": str(row.姓名), "id": str(row.证件号码).strip().upper(),
                                                "hid": str(row.户编号)}
    return out


def wrong_check(number: str) -> str:
    return number[:-1] + ("1" if number[-1] != "1" else "2")


def plant(lists: Lists, reg: dict[str, dict[str, str]], ppl: People) -> None:
    """The planted matches (households that are otherwise clean: 001 002 031–035 056–058)."""
    def who(key: str) -> dict[str, str]:
        return reg[key]

    def expect(rule: str, kind: str, key: str) -> None:
        lists.expected.append((rule, kind, who(key)["hid"], who(key)["id"]))

    # payroll: before identification (034 identified 2015-09-20) → 错评; after (001, 2014-11-03) → 应退未退
    p = who("034之子")
    lists.add("payroll", [p["id"], p["name"], "翁牛特旗乌丹第一中学", "事业编制", "2012-09-01"])
    expect("ref_payroll", "wrongful_inclusion", "034之子")
    p = who("001之子")
    lists.add("payroll", [p["id"], p["name"], "梧桐花镇综合保障中心", "事业编制", "2018/3/1"])
    expect("ref_payroll", "should_exit", "001之子")
    # invalid IDs: a wrong check character on a registry person's number, a 17-digit number, an empty one
    lists.add("payroll", [wrong_check(who("057户主")["id"]), who("057户主")["name"], "翁牛特旗人民医院", "事业编制", "2010-01-01"])
    lists.add("payroll", [ppl.id()[:17], ppl.name(), "翁牛特旗林业和草原局", "行政编制", "2011-05-01"])
    lists.add("payroll", ["", ppl.name(), "翁牛特旗交通运输局", "行政编制", "2009-07-01"])

    # vehicles: a car before identification (056, 2014-10-15) → 错评; a motorcycle → nothing;
    # a car on a registry person's ID with a wrong check character → never matched
    p = who("056户主")
    lists.add("vehicles", [p["id"], p["name"], "蒙D8K261", "小型轿车", "2013年5月20日"])
    expect("ref_vehicles", "wrongful_inclusion", "056户主")
    p = who("057户主")
    lists.add("vehicles", [p["id"], p["name"], "蒙D3J778", "普通二轮摩托车", "2016-04-11"])
    lists.add("vehicles", [wrong_check(p["id"]), p["name"], "蒙D7H902", "小型轿车", "2015-02-02"])

    # property: a town house (033, identified 2015-09-20) → 错评; a shop from 易地扶贫搬迁 (035) → nothing
    p = who("033户主")
    lists.add("property", [p["id"], p["name"], "翁牛特旗乌丹镇玉龙大街锦绣小区3号楼2单元501", "住宅(商品房)", "商品房", "2014-06-10"])
    expect("ref_property", "wrongful_inclusion", "033户主")
    p = who("035户主")
    lists.add("property", [p["id"], p["name"], "翁牛特旗梧桐花镇幸福安置区12号", "商铺", "易地扶贫搬迁安置", "2018-10-09"])

    # business: operating 个体工商户 (058, 2016-08-12) → 错评; deregistered before identification (031) → nothing
    p = who("058户主")
    lists.add("business", [p["id"], p["name"], "翁牛特旗梧桐花镇雪梅百货店", "个体工商户", "经营者", "存续", "2012-04-01", ""])
    expect("ref_business", "wrongful_inclusion", "058户主")
    p = who("031户主")
    lists.add("business", [p["id"], p["name"], "翁牛特旗国庆农机修理部", "个体工商户", "经营者", "注销", "2009-03-15", "2013-05-01"])

    # deaths: before the reference date (032 配偶, household exited 2019) → 死亡未销; after it (057) → nothing
    p = who("032配偶")
    lists.add("deaths", [p["id"], p["name"], "2019-06-01", "死亡"])
    expect("deceased_listed", "deceased_listed", "032配偶")
    p = who("057户主")
    lists.add("deaths", [p["id"], p["name"], "2020-03-01", "死亡"])

    # favoritism: a cadre of 庄头营子村 whose sister is 002's head (cadre → relative) and whose brother
    # is 031's head (written the other way round); a cadre of 东营子村 whose brother is 035's head → nothing
    cadre, other = ppl.id(1965, 1980), ppl.id(1965, 1980)
    lists.add("cadres", [cadre, "李秀峰", VILLAGE, "村党支部书记", "2011-04-01"])
    lists.add("cadres", [other, "朱宝林", OTHER_VILLAGE, "村委会主任", "2014-01-01"])
    lists.add("relatives", [cadre, who("002户主")["id"], "姐妹"])
    lists.add("relatives", [who("031户主")["id"], cadre, "兄弟"])
    lists.add("relatives", [other, who("035户主")["id"], "兄弟"])
    expect("favoritism_relative", "favoritism", "002户主")
    expect("favoritism_relative", "favoritism", "031户主")


def unrelated(lists: Lists, ppl: People, rng: random.Random) -> None:
    """A few hundred rows per list about people who are not on the registry."""
    units = ["翁牛特旗人民医院", "翁牛特旗第一中学", "梧桐花镇人民政府", "翁牛特旗农牧局", "乌丹镇中心小学"]
    villages = ["东营子村", "西营子村", "梧桐花村", "小井子村", "五分地村", VILLAGE]
    posts = ["村党支部书记", "村委会主任", "村委会委员", "村监委会主任", "村会计"]
    vehicle_types = ["小型轿车", "小型普通客车", "轻型普通货车", "普通二轮摩托车", "三轮汽车", "变型拖拉机", "低速货车"]
    cadre_ids = []
    for _ in range(300):
        lists.add("payroll", [ppl.id(), ppl.name(), rng.choice(units), rng.choice(["行政编制", "事业编制"]), ppl.date(1990, 2019)])
    for _ in range(200):
        cadre_ids.append(ppl.id(1960, 1990))
        lists.add("cadres", [cadre_ids[-1], ppl.name(), rng.choice(villages), rng.choice(posts), ppl.date(2008, 2019)])
    for _ in range(300):
        lists.add("relatives", [rng.choice(cadre_ids), ppl.id(), rng.choice(["配偶", "父母", "子女", "兄弟姐妹"])])
    for _ in range(300):
        plate = f"蒙D{rng.choice('ABCDEFGHJK')}{rng.randint(0, 99999):05d}"
        lists.add("vehicles", [ppl.id(), ppl.name(), plate, rng.choice(vehicle_types), ppl.date(2008, 2019)])
    for _ in range(300):
        place = f"翁牛特旗乌丹镇{rng.choice(['玉龙大街', '全宁街', '紫城街'])}{rng.randint(1, 300)}号"
        lists.add("property", [ppl.id(), ppl.name(), place, rng.choice(["住宅", "商品房", "商业", "车库"]), "", ppl.date(2008, 2019)])
    for _ in range(300):
        name = ppl.name()
        status = rng.choice(["存续", "在业", "注销", "吊销"])
        closed = ppl.date(2015, 2019) if status in ("注销", "吊销") else ""
        lists.add("business", [ppl.id(), name, f"翁牛特旗{name}商店", "个体工商户", "经营者", status, ppl.date(2005, 2015), closed])
    for _ in range(300):
        lists.add("deaths", [ppl.id(1925, 1960), ppl.name(), ppl.date(2015, 2020), "死亡"])


HEADERS = {
    "payroll": ["身份证号码", "姓名", "工作单位", "编制类型", "入编时间"],
    "cadres": ["公民身份号码", "姓名", "行政村", "职务", "任职日期"],
    "relatives": ["干部证件号码", "亲属证件号码", "关系"],
    "vehicles": ["车主身份证号", "车主", "车牌号", "车型", "登记日期"],
    "property": ["权利人证件号码", "权利人", "房屋坐落", "规划用途", "房屋性质", "登簿日期"],
    "business": ["证件号码", "姓名", "企业名称", "企业类型", "职务", "经营状态", "成立时间", "吊销日期"],
    "deaths": ["身份证号", "姓名", "死亡日期", "注销原因"],
}
ENCODINGS = {"payroll": "gbk", "business": "gbk", "cadres": "utf-8-sig"}
TITLES = {"property": "翁牛特旗不动产登记信息（截至2019年12月31日）"}


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))


def main(out: Path = HERE) -> None:
    """Write the lists under ``out``/references and the expected findings beside them."""
    rng = random.Random(20191231)
    reg = registry_people()
    ppl = People(rng, {p["id"] for p in reg.values()})
    lists = Lists()
    plant(lists, reg, ppl)
    unrelated(lists, ppl, rng)
    (out / "references").mkdir(parents=True, exist_ok=True)
    for name, rows in lists.rows.items():
        shuffled = rows[:]
        rng.shuffle(shuffled)
        head = [[TITLES[name]]] if name in TITLES else []
        write_csv(out / "references" / f"{name}.csv", head + [HEADERS[name]] + shuffled, ENCODINGS.get(name, "utf-8"))
    expected = sorted(lists.expected)
    write_csv(out / "zhuangtouyingzi_refs.expected.csv",
              [["rule_id", "kind", "household_id", "person_id"], *map(list, expected)], "utf-8-sig")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
