"""Two yearly snapshots of 庄头营子村 (2019 → 2020) with one of each kind of change planted, for
``fupin-audit diff`` (deterministic: re-running rewrites the same bytes).

    python examples/generate_snapshots.py

Writes examples/snapshots/: 2019.xlsx, 2020.xlsx (flat exports, header on row 1), deaths.xlsx (死亡注销),
payroll.xlsx (财政供养人员), expected_changes.csv (层级, 变化类型, 户编号, 原户编号, 证件号码 of every
change) and expected_findings.csv (rule_id, household_id, person_id of every diff-rule finding).
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import xlsxwriter

from village import People

OUT = Path(__file__).resolve().parent / "snapshots"
FIXED_TIME = datetime(2021, 1, 8, 9, 30, 0)
PREFIX = "1504261072030"
HEADERS = ["县", "乡镇", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "家庭人口数", "在校生状况", "健康状况",
           "劳动技能", "是否参加城乡居民基本医疗保险", "是否义务教育阶段适龄儿童少年失学辍学", "脱贫属性", "是否危房户",
           "危房级别", "是否解决安全饮用水", "饮水困难", "工资性收入", "生产经营性收入", "财产性收入", "转移性收入",
           "生产经营性支出", "人均纯收入", "首次识别时间", "脱贫年度", "返贫年度", "年度"]


@dataclass
class M:
    name: str
    id: str
    relation: str
    age: int


@dataclass
class H:
    hid: str
    members: list[M]
    status: str
    per_capita: int  # 人均纯收入
    transfer: int | None = 600  # 转移性收入 (household total; None: left blank)
    exit_year: str = ""
    return_year: str = ""
    identified: str = "2016-08-12"
    expense: int = 300


@dataclass
class Plan:
    old: list[H] = field(default_factory=list)
    new: list[H] = field(default_factory=list)
    changes: set[tuple[str, str, str, str, str]] = field(default_factory=set)
    findings: set[tuple[str, str, str]] = field(default_factory=set)
    deaths: list[tuple[M, str]] = field(default_factory=list)
    payroll: list[tuple[M, str]] = field(default_factory=list)


def build() -> Plan:
    rng = random.Random(20201231)
    ppl = People(rng, 300)

    def person(relation: str, sex: str, age: int, birth: str | None = None) -> M:
        b = birth or ppl.birth(age + 1)  # ages at 2020-12-31
        return M(ppl.name(sex), ppl.id_for(b, sex), relation, 2020 - int(b[:4]))

    plan = Plan()

    def both(old: H, new: H, kind: str = "状态未变") -> None:
        plan.old.append(old)
        plan.new.append(new)
        plan.changes.add(("户", kind, new.hid, old.hid, ""))

    def hid(n: int) -> str:
        return f"{PREFIX}{n:03d}"

    def adult_pair() -> list[M]:
        return [person("户主", "男", 52), person("配偶", "女", 50)]

    # 01 birth: a daughter born in 2020 — ordinary, no finding
    a = adult_pair()
    baby = person("之女", "女", 0, birth="20200510")
    both(H(hid(1), a, "未脱贫", 2600), H(hid(1), a + [baby], "未脱贫", 2100))
    plan.changes.add(("成员", "出生", hid(1), hid(1), baby.id))
    # 02 death in the deaths list — ordinary, no finding
    a = adult_pair()
    grandpa = person("之父", "男", 84)
    both(H(hid(2), a + [grandpa], "未脱贫", 2500), H(hid(2), a, "未脱贫", 2900))
    plan.changes.add(("成员", "死亡", hid(2), hid(2), grandpa.id))
    plan.deaths.append((grandpa, "2020-04-02"))
    # 03 a member gone without record: not dead (per the list), not elsewhere
    a = adult_pair()
    son = person("之子", "男", 27)
    both(H(hid(3), a + [son], "未脱贫", 2400), H(hid(3), a, "未脱贫", 2800))
    plan.changes.add(("成员", "迁出", hid(3), hid(3), son.id))
    plan.findings.add(("diff_member_unaccounted", hid(3), son.id))
    # 04 marriage in: a daughter-in-law — ordinary
    a = adult_pair() + [person("之子", "男", 26)]
    bride = person("之儿媳", "女", 24)
    both(H(hid(4), a, "未脱贫", 2700), H(hid(4), a + [bride], "未脱贫", 2600))
    plan.changes.add(("成员", "婚入", hid(4), hid(4), bride.id))
    # 05 数字脱贫: the elderly mother split off into her own new household the year the rest "exited"
    a = adult_pair()
    mother = person("之母", "女", 79)
    both(H(hid(5), a + [mother], "未脱贫", 3000), H(hid(5), a, "已脱贫", 4500, exit_year="2020"), "脱贫")
    plan.changes.add(("成员", "分户", hid(5), hid(5), mother.id))
    plan.findings.add(("diff_exit_by_split", hid(5), ""))
    mother_head = M(mother.name, mother.id, "户主", mother.age)
    plan.new.append(H(hid(21), [mother_head], "未脱贫", 1800, transfer=1800, identified="2020-06-15", expense=0))
    plan.changes.add(("户", "新识别", hid(21), "", ""))
    # 06 exit with real income growth (wages) — ordinary, no finding
    a = adult_pair()
    both(H(hid(6), a, "未脱贫", 3200), H(hid(6), a, "已脱贫", 5200, exit_year="2020"), "脱贫")
    # 07 exited 2019, returned 2020
    a = adult_pair()
    both(H(hid(7), a, "已脱贫", 4200, exit_year="2019"),
         H(hid(7), a, "返贫", 3000, exit_year="2019", return_year="2020"), "返贫")
    plan.findings.add(("diff_exit_then_return", hid(7), ""))
    # 08 renumbered (030008 → 030022), same people, nothing else changed
    a = adult_pair() + [person("之子", "男", 10)]
    both(H(hid(8), a, "未脱贫", 2300), H(hid(22), a, "未脱贫", 2350))
    # 09 removed (清退) while both members now live in household 10
    gone = adult_pair()
    plan.old.append(H(hid(9), gone, "未脱贫", 2200))
    plan.changes.add(("户", "清退", hid(9), hid(9), ""))
    plan.findings.add(("diff_removed_members_elsewhere", hid(9), ""))
    host = [person("户主", "男", 60)]
    moved = [M(m.name, m.id, r, m.age) for m, r in zip(gone, ("之子", "之儿媳"), strict=True)]
    both(H(hid(10), host, "未脱贫", 2600), H(hid(10), host + moved, "未脱贫", 2000))
    for m in moved:
        plan.changes.add(("成员", "迁入", hid(10), hid(10), m.id))
    for m in gone:
        plan.changes.add(("成员", "分户", hid(9), hid(9), m.id))
    # 11 a new household whose head is on the state payroll
    clerk = person("户主", "男", 35)
    plan.new.append(H(hid(23), [clerk, person("配偶", "女", 33)], "未脱贫", 2900, identified="2020-05-20"))
    plan.changes.add(("户", "新识别", hid(23), "", ""))
    plan.payroll.append((clerk, "2012-09-01"))
    plan.findings.add(("diff_new_household_listed", hid(23), clerk.id))
    # 12 exited long ago, unchanged — no finding
    a = adult_pair()
    both(H(hid(12), a, "已脱贫", 6000, exit_year="2018"), H(hid(12), a, "已脱贫", 6400, exit_year="2018"))
    # 13 exit lifted only by a new transfer (a one-off subsidy)
    a = [person("户主", "女", 66)]
    both(H(hid(13), a, "未脱贫", 3000, transfer=1000), H(hid(13), a, "已脱贫", 4100, transfer=2500, exit_year="2020"),
         "脱贫")
    plan.findings.add(("diff_exit_by_transfer", hid(13), ""))
    # 14 removed (清退), its member nowhere else — a plain removal, no finding
    plan.old.append(H(hid(14), [person("户主", "男", 45)], "未脱贫", 2500))
    plan.changes.add(("户", "清退", hid(14), hid(14), ""))
    # 15 exited with this year's transfer income left blank: whether a new transfer carried it cannot be judged
    a = adult_pair()
    both(H(hid(15), a, "未脱贫", 2900, transfer=800), H(hid(15), a, "已脱贫", 4300, transfer=None, exit_year="2020"),
         "脱贫")
    plan.findings.add(("diff_cannot_judge", hid(15), ""))
    # 16 returned, its exit year blank in both snapshots: how soon it returned cannot be judged
    a = adult_pair()
    both(H(hid(16), a, "已脱贫", 4600), H(hid(16), a, "返贫", 3100, return_year="2020"), "返贫")
    plan.findings.add(("diff_cannot_judge", hid(16), ""))
    return plan


def rows(households: list[H], year: int) -> list[list[str | int]]:
    out: list[list[str | int]] = []
    for h in households:
        n = len(h.members)
        net = h.per_capita * n
        transfer = h.transfer or 0
        wage = max(0, net + h.expense - transfer) // 2
        production = net + h.expense - transfer - wage
        for m in h.members:
            school = "小学" if 6 <= m.age <= 12 else "学龄前儿童" if m.age < 6 else "非在校生"
            labour = "无劳动力" if m.age < 16 else "普通劳动力" if m.age <= 60 else "丧失劳动力"
            out.append(["翁牛特旗", "梧桐花镇", "庄头营子村", h.hid, m.name, m.id, m.relation, n, school, "健康", labour,
                        "是", "否", h.status, "否", "B", "是", "否", wage, production, 0,
                        "" if h.transfer is None else h.transfer, h.expense,
                        h.per_capita, h.identified, h.exit_year, h.return_year, year])
    return out


def workbook(path: Path, headers: list[str], data: list[list[str | int]]) -> None:
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"title": path.stem, "author": "fupin-audit examples", "created": FIXED_TIME})
    ws = wb.add_worksheet("Sheet1")
    for r, values in enumerate([headers, *data]):
        for c, value in enumerate(values):
            if isinstance(value, int):
                ws.write_number(r, c, value)
            elif value:
                ws.write_string(r, c, value)
    wb.close()


def write_csv(path: Path, header: list[str], data: set[tuple[str, ...]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(sorted(data))
    path.write_text(buffer.getvalue(), encoding="utf-8-sig", newline="")


def main(out: Path = OUT) -> None:
    out.mkdir(exist_ok=True)
    plan = build()
    workbook(out / "2019.xlsx", HEADERS, rows(plan.old, 2019))
    workbook(out / "2020.xlsx", HEADERS, rows(plan.new, 2020))
    workbook(out / "deaths.xlsx", ["证件号码", "姓名", "死亡日期"], [[m.id, m.name, d] for m, d in plan.deaths])
    workbook(out / "payroll.xlsx", ["证件号码", "姓名", "单位", "入编日期"],
             [[m.id, m.name, "翁牛特旗某局", d] for m, d in plan.payroll])
    write_csv(out / "expected_changes.csv", ["层级", "变化类型", "户编号", "原户编号", "证件号码"], plan.changes)
    write_csv(out / "expected_findings.csv", ["rule_id", "household_id", "person_id"], plan.findings)
    print(f"2019: {len(plan.old)} households; 2020: {len(plan.new)}; {len(plan.changes)} changes, "
          f"{len(plan.findings)} expected diff findings")


if __name__ == "__main__":
    main()
