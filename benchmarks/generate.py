"""Generate a synthetic county registry (national flat layout) and the seven reference lists.

    python benchmarks/generate.py --members 500000 --refs 100000 --out benchmarks/data --format parquet

Deterministic for a given --seed. The county is 云南省曲靖市会泽县 (530326); ID numbers carry its
code and those of its neighbours (曲靖市 counties, old codes of merged ones, 昭通市昭阳区). Reference
year 2019 (line 3747). A few percent of the rows carry planted problems (wrong check characters, one
person in households of two villages, exits below the line or with an out-of-school child or an
uninsured member, households that should exit); each planted row is listed in planted.csv and the
counts in manifest.json. Usable as a library: ``generate(members, refs, out, fmt, seed)``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

sys.path.insert(0, str(Path(__file__).resolve().parent))
from references import reference_lists  # noqa: E402
from synth import (  # noqa: E402
    SURNAMES,
    choose,
    date_text,
    id_codes,
    id_text,
    join,
    member_sequences,
    names,
    number_text,
    pick,
)
from writers import write_csv, write_table  # noqa: E402

YEAR, LINE = 2019, 3747
COUNTY, COUNTY_CODE = "会泽县", 530326
REGIONS = np.array([530326, 530302, 530303, 530304, 530321, 530322, 530323, 530324, 530325, 530328,
                    530381, 530602])
REGION_P = np.array([0.86] + [0.14 / 11] * 11)
TOWNSHIPS = ["古城街道", "金钟街道", "宝云街道", "以礼街道", "娜姑镇", "迤车镇", "乐业镇", "者海镇", "大井镇",
             "待补镇", "雨碌乡", "大桥乡", "马路乡", "火红乡", "老厂乡", "五星乡", "新街回族乡", "上村乡",
             "纸厂乡", "田坝乡", "驾车乡", "鲁纳乡", "大海乡"]
VILLAGE_PARTS = list("大小上下新老东西南北中前后龙凤石水花松竹桃马牛羊")
VILLAGE_ENDS = ["村", "坪村", "沟村", "寨村", "营村", "箐村", "塘村", "河村", "山村", "冲村"]
SIZE_P = [0.17, 0.23, 0.21, 0.18, 0.11, 0.07, 0.03]
YES_NO = ["否", "是"]

Arrays = dict[str, np.ndarray]


def households(rng: np.random.Generator, n_members: int) -> Arrays:
    """One entry per household: location, size, status, guarantees, incomes (plants included)."""
    sizes = rng.choice(np.arange(1, 8), int(n_members / 2.9) + 50, p=SIZE_P)
    sizes = sizes[: np.searchsorted(np.cumsum(sizes), n_members) + 1]
    sizes[-1] -= sizes.sum() - n_members
    n = len(sizes)
    n_villages = max(1, n_members // 1400)
    village = np.arange(n) * n_villages // n
    township = village * min(len(TOWNSHIPS), n_villages) // n_villages
    seq_in_village = np.arange(n) - np.searchsorted(village, village)
    exited = rng.random(n) < 0.72
    should_exit = ~exited & (rng.random(n) < 0.12)
    wrongful = exited & (rng.random(n) < 0.015)
    identified_year = rng.choice([2014, 2014, 2015, 2016], n)
    target = np.where(exited, rng.integers(3800, 14000, n),
                      np.where(should_exit, rng.integers(3800, 9000, n), rng.integers(1500, 3700, n)))
    target = np.where(wrongful, rng.integers(2000, 2800, n), target)  # below the line of any exit year
    net = target * sizes
    transfer = np.minimum(rng.integers(5, 30, n) * 100 * sizes, net)
    expense = rng.integers(2, 20, n) * 100
    prop = np.where(rng.random(n) < 0.2, rng.integers(1, 10, n) * 100, 0)
    rest = np.maximum(net + expense - transfer - prop, 0)
    wage = (rest * rng.uniform(0.2, 0.8, n)).astype(np.int64) // 100 * 100
    poor = ~exited & ~should_exit
    unsafe_house = poor & (rng.random(n) < 0.05)
    return {
        "size": sizes, "village": village, "township": township, "seq": seq_in_village,
        "hid": COUNTY_CODE * 10**11 + (township + 1) * 10**8 + (village + 1) * 10**5 + seq_in_village + 1,
        "exited": exited, "should_exit": should_exit, "wrongful": wrongful,
        "identified": np.array(["2014-01-01", "2015-01-01", "2016-01-01"], dtype="datetime64[D]")[identified_year - 2014]
        + rng.integers(240, 330, n).astype("timedelta64[D]"),
        "exit_year": np.minimum(identified_year + rng.integers(1, 5, n), YEAR),
        "danger": unsafe_house, "grade": np.where(unsafe_house, rng.integers(2, 4, n), rng.integers(0, 2, n)),
        "water_hard": poor & (rng.random(n) < 0.03),
        "wage": wage, "production": rest - wage, "property": prop, "transfer": transfer, "expense": expense,
        "per_capita": np.round((rest + prop + transfer - expense) / sizes, 2),
        "kind": rng.choice(4, n, p=[0.5, 0.2, 0.2, 0.1]), "cause": rng.integers(0, 8, n),
        "notice": 7 + rng.integers(0, 4, n), "surname": rng.integers(0, len(SURNAMES), n),
    }


def members(rng: np.random.Generator, hh: Arrays) -> Arrays:
    """One entry per person: relation, sex, age and ID agree; school status follows the age."""
    sizes = hh["size"]
    h = np.repeat(np.arange(len(sizes)), sizes)
    n = len(h)
    pos = np.arange(n) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    head_age = np.where(sizes == 1, rng.integers(45, 86, len(sizes)),
                        np.where(sizes >= 6, rng.integers(55, 76, len(sizes)), rng.integers(28, 76, len(sizes))))
    head_male = rng.random(len(sizes)) < np.where(sizes == 1, 0.55, 0.85)
    ha = head_age[h]
    male = np.where(pos == 0, head_male[h], np.where(pos == 1, ~head_male[h], rng.random(n) < 0.5))
    age = np.select([pos == 0, pos == 1, pos <= 4],
                    [ha, np.clip(ha + rng.integers(-5, 4, n), 20, 95), rng.integers(0, np.maximum(ha - 19, 1))],
                    rng.integers(0, np.maximum(ha - 41, 1)))
    relation = np.select([pos == 0, pos == 1, (pos <= 4) & male, pos <= 4, male], [0, 1, 2, 3, 4], 5)
    birth = (YEAR - age - 1970).astype("datetime64[Y]").astype("datetime64[D]") + rng.integers(0, 365, n).astype(
        "timedelta64[D]")
    region = np.where(age < 30, COUNTY_CODE, rng.choice(REGIONS, n, p=REGION_P))
    should_exit = hh["should_exit"][h]
    # out-of-school children and uninsured people only where they do not spoil a planted should-exit
    dropout = (age >= 6) & (age <= 15) & (rng.random(n) < 0.004) & ~should_exit
    school = np.select([dropout, age < 6, age < 12, age == 12, age == 13, age < 16, age < 19, age < 23],
                       [0, 1, 2, 3, 4, 5, 6, 7], 0)
    labour = np.select([(age < 16) | ((age < 23) & (school != 0)), age <= 60, age <= 70], [0, 1, 2], 3)
    return {
        "h": h, "pos": pos, "age": age, "male": male, "relation": relation,
        "codes": id_codes(region, birth, member_sequences(region, birth, male)),
        "insured": (rng.random(n) >= 0.003) | should_exit, "dropout": dropout, "school": school,
        "labour": labour, "working": (labour == 1) & (age >= 18) & (rng.random(n) < 0.55),
        "surname": np.where(pos == 1, rng.integers(0, len(SURNAMES), n), hh["surname"][h]),
        "given": rng.integers(0, 1 << 30, n),
    }


def plant(rng: np.random.Generator, hh: Arrays, mem: Arrays) -> dict[str, np.ndarray]:
    """Wrong check characters, and people listed again as the head of a household in another village.

    Returns, per planted rule, the member rows (or household rows) concerned.
    """
    n = len(mem["h"])
    codes = mem["codes"]
    # not in should-exit households, where an unknown age would leave the criteria unknown
    bad = rng.choice(np.flatnonzero(~hh["should_exit"][mem["h"]]), max(1, n // 400), replace=False)
    codes[bad, 17] = np.where(codes[bad, 17] == ord("3"), ord("5"), ord("3"))
    is_bad = np.zeros(n, dtype=bool)
    is_bad[bad] = True
    single_heads = np.flatnonzero((hh["size"][mem["h"]] == 1) & ~is_bad)
    adults = np.flatnonzero((mem["pos"] >= 2) & (mem["age"] >= 23) & ~is_bad)
    k = min(max(1, n // 500), len(single_heads), len(adults))
    src = rng.choice(adults, k, replace=False)
    dst = rng.choice(single_heads, k, replace=False)
    keep = (mem["male"][src] == mem["male"][dst]) & (hh["village"][mem["h"][src]] != hh["village"][mem["h"][dst]])
    src, dst = src[keep], dst[keep]
    for column in ("codes", "age", "surname", "given"):
        mem[column][dst] = mem[column][src]
    exited = hh["exited"][mem["h"]] & ~is_bad
    return {
        "id_check_digit": bad, "duplicate_person": np.concatenate([src, dst]),
        "exit_child_out_of_school": np.flatnonzero(exited & mem["dropout"]),
        "exit_no_medical_insurance": np.flatnonzero(exited & ~mem["insured"]),
        "exit_income_below_line": np.flatnonzero(hh["wrongful"]),
        "should_exit_meets_standard": np.flatnonzero(hh["should_exit"]),
    }


def flat(rng: np.random.Generator, hh: Arrays, mem: Arrays) -> pa.Table:
    """The national flat export: one row per person, household values repeated, every cell text."""
    h, n = mem["h"], len(mem["h"])
    ex = hh["exited"][h]
    hid = number_text(hh["hid"])
    village_names = join(choose(rng, VILLAGE_PARTS, hh["village"].max() + 1),
                         choose(rng, VILLAGE_PARTS, hh["village"].max() + 1),
                         choose(rng, VILLAGE_ENDS, hh["village"].max() + 1))
    h_arr = pa.array(h)
    age = mem["age"]

    def rep(values: pa.Array) -> pa.Array:
        return values.take(h_arr)

    def blank_unless(mask: np.ndarray, values: pa.Array) -> pa.Array:
        return pc.if_else(pa.array(mask), values, "")

    columns: dict[str, pa.Array] = {
        "序号": number_text(np.arange(1, n + 1)),
        "县(市、区、旗)": pick([COUNTY], np.zeros(n, dtype=np.int64)),
        "乡(镇)": pick(TOWNSHIPS, hh["township"][h]),
        "行政村": village_names.take(pa.array(hh["village"][h])),
        "自然村": join(village_names.take(pa.array(hh["village"][h])), pick("一二三四五六", hh["seq"][h] % 6), "组"),
        "户编号": rep(hid),
        "人编号": join(rep(hid), pick([f"{i:02d}" for i in range(1, 8)], mem["pos"])),
        "姓名": names(mem["male"], mem["surname"], mem["given"]),
        "身份证号码": id_text(mem["codes"]),
        "人数": rep(number_text(hh["size"])),
        "与户主关系": pick(["户主", "配偶", "之子", "之女", "之孙子", "之孙女"], mem["relation"]),
        "民族": pick(["汉族", "彝族", "回族"], np.where(mem["given"] % 13 == 0, 1, np.where(mem["given"] % 17 == 0, 2, 0))),
        "文化程度": pick(["", "小学", "初中", "高中", "文盲或半文盲"],
                     np.select([age < 6, age < 12, age < 16, age < 19, age > 65], [0, 1, 2, 3, 4], 1 + (mem["given"] % 2))),
        "在校生状况": pick(["非在校生", "学龄前儿童", "小学", "七年级", "八年级", "九年级", "高中一年级", "大专及以上"],
                      mem["school"]),
        "健康状况": pick(["健康", "长期慢性病"], (age > 70).astype(np.int64)),
        "劳动技能": pick(["无劳动力", "普通劳动力", "弱劳动力或半劳动力", "丧失劳动力"], mem["labour"]),
        "务工状况": blank_unless(mem["working"], pick(["省外务工", "县外省内务工"], mem["given"] % 2)),
        "务工时间（月）": blank_unless(mem["working"], number_text(3 + mem["given"] % 8)),
        "参加大病医疗": pick(YES_NO, mem["insured"].astype(np.int64)),
        "脱贫属性": rep(pick(["未脱贫", "已脱贫"], hh["exited"].astype(np.int64))),
        "贫困户属性": rep(pick(["一般贫困户", "低保贫困户", "特困供养贫困户", "五保贫困户"], hh["kind"])),
        "主要致贫原因": rep(pick(["因病", "因残", "因学", "缺技术", "缺劳动力", "缺资金", "交通条件落后", "自身发展动力不足"],
                           hh["cause"])),
        "危房户": rep(pick(YES_NO, hh["danger"].astype(np.int64))),
        "危房级别": rep(pick(["A", "B", "C", "D"], hh["grade"])),
        "饮水安全": rep(pick(YES_NO, (~hh["water_hard"]).astype(np.int64))),
        "饮水困难": rep(pick(YES_NO, hh["water_hard"].astype(np.int64))),
        "人均纯收入（元）": rep(number_text(hh["per_capita"])),
        "联系电话": blank_unless(mem["pos"] == 0, join("139", number_text(10**7 + mem["given"] % (9 * 10**7)))),
        "脱贫年度": blank_unless(ex, rep(number_text(hh["exit_year"]))),
        "首次识别时间": rep(date_text(hh["identified"])),
        "是否参加城乡居民基本医疗保险": pick(YES_NO, mem["insured"].astype(np.int64)),
        "是否参加城镇职工基本医疗保险": pick(YES_NO, np.zeros(n, dtype=np.int64)),
        "是否义务教育阶段适龄儿童少年失学辍学": pick(YES_NO, mem["dropout"].astype(np.int64)),
        "工资性收入": rep(number_text(hh["wage"])),
        "生产经营性收入": rep(number_text(hh["production"])),
        "财产性收入": rep(number_text(hh["property"])),
        "转移性收入": rep(number_text(hh["transfer"])),
        "生产经营性支出": rep(number_text(hh["expense"])),
        "年度": pick([str(YEAR)], np.zeros(n, dtype=np.int64)),
        "签字确认": blank_unless(ex, pick(YES_NO, np.ones(n, dtype=np.int64))),
        "公示天数": blank_unless(ex, rep(number_text(hh["notice"]))),
    }
    return pa.table(columns)


def generate(members_n: int, refs_n: int, out: Path, fmt: str, seed: int = 2019) -> dict[str, float]:
    """Write registry.<fmt>, the seven reference lists, planted.csv and manifest.json; return timings."""
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    timings: dict[str, float] = {}
    start = time.perf_counter()
    hh = households(rng, members_n)
    mem = members(rng, hh)
    planted = plant(rng, hh, mem)
    registry = flat(rng, hh, mem)
    refs = reference_lists(rng, refs_n, registry["身份证号码"], registry["姓名"], registry["行政村"])
    timings["build"] = time.perf_counter() - start
    start = time.perf_counter()
    write_table(registry, out / f"registry.{fmt}", "贫困人口")
    timings["write registry"] = time.perf_counter() - start
    start = time.perf_counter()
    for name, table in refs.items():
        write_table(table, out / f"{name}.{fmt}", name)
    timings["write references"] = time.perf_counter() - start
    write_csv(planted_table(planted, registry, mem), out / "planted.csv")
    member_ids = registry["身份证号码"]
    manifest = {
        "seed": seed, "format": fmt, "county": COUNTY, "year": YEAR, "line": LINE,
        "members": registry.num_rows, "households": len(hh["size"]), "reference_rows": refs_n,
        "planted": {rule: len(rows) for rule, rows in sorted(planted.items())},
        "reference_matches": {
            name: pc.sum(pc.is_in(table["亲属证件号码" if name == "relatives" else "证件号码"],
                                  value_set=member_ids)).as_py()
            for name, table in refs.items()
        },
    }
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return timings


def planted_table(planted: dict[str, np.ndarray], registry: pa.Table, mem: Arrays) -> pa.Table:
    """rule_id, household_id, person_id of every plant (person_id empty for household-level rules)."""
    parts = []
    first_row = np.flatnonzero(mem["pos"] == 0)  # row of each household's first member
    for rule, rows in planted.items():
        household_level = rule in ("exit_income_below_line", "should_exit_meets_standard")
        taken = pa.array(first_row[rows] if household_level else rows, pa.int64())
        person = (pa.array([""] * len(rows), pa.string()) if household_level
                  else registry["身份证号码"].take(taken).combine_chunks())
        parts.append(pa.table({"rule_id": pa.array([rule] * len(rows), pa.string()),
                               "household_id": registry["户编号"].take(taken).combine_chunks(),
                               "person_id": person}))
    table = pa.concat_tables(parts)
    return table.take(pc.sort_indices(table, [("rule_id", "ascending"), ("household_id", "ascending"),
                                              ("person_id", "ascending")]))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Generate a synthetic county registry and reference lists.")
    parser.add_argument("--members", type=int, default=500_000)
    parser.add_argument("--refs", type=int, default=100_000, help="rows in each reference list")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "data")
    parser.add_argument("--format", choices=("parquet", "csv", "xlsx"), default="parquet")
    parser.add_argument("--seed", type=int, default=2019)
    args = parser.parse_args(argv)
    timings = generate(args.members, args.refs, args.out, args.format, args.seed)
    for step, seconds in timings.items():
        print(f"{step}: {seconds:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
