"""The example files regenerate byte for byte, and their expected findings follow CONTRACTS.md.

``contract_findings`` is a small, independent reading of the contract (built-in checks and the exit
rules at reference date 2019-12-31) applied to the files as written, so a planted household that
would trigger more than its declared finding fails here, not in the auditor's golden tests.
"""

from __future__ import annotations

import csv
import importlib.util
import re
import sys
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from python_calamine import CalamineWorkbook

from fupin_audit import fields

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
REF = date(2019, 12, 31)
LINES = {2014: 2800, 2015: 2855, 2016: 2952, 2017: 3335, 2018: 3535, 2019: 3747, 2020: 4000}
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
TRUE, FALSE = {"是", "√", "Y", "1"}, {"否", "×", "N", "0"}
ALIASES = {a: f.name for f in fields.FIELDS for a in (f.name, *f.aliases)}
Finding = tuple[str, str, str]


def load(path: Path, name: str) -> Any:
    sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def canonical(header: str) -> str:
    h = header.replace("（", "(").replace("）", ")")
    return ALIASES.get(h) or ALIASES.get(re.sub(r"\(元\)$", "", h)) or h


def text(value: object) -> tuple[str, bool]:
    if isinstance(value, float):
        return (str(int(value)) if value.is_integer() else repr(value)), True
    return str(value).strip(), False


def sheet(path: Path, name: str) -> list[dict[str, Any]]:
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()
    at = next(i for i, r in enumerate(rows) if "户编号" in [str(c) for c in r])
    headers = [canonical(str(h)) for h in rows[at]]
    out = []
    for r in rows[at + 1:]:
        record: dict[str, Any] = {}
        for h, v in zip(headers, r, strict=False):
            record[h], numeric = text(v)
            if h == "证件号码":
                record["_numeric"] = numeric
        out.append(record)
    return out


def csv_rows(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="gbk", newline="") as f:
        return [{canonical(k): v.strip() for k, v in r.items()} | {"_numeric": False} for r in csv.DictReader(f)]


def two_sheet_rows(path: Path) -> list[dict[str, Any]]:
    households = {h["户编号"]: h for h in sheet(path, "户信息")}
    return [households[m["户编号"]] | m for m in sheet(path, "人员信息")]


def boolean(v: str) -> bool | None:
    return True if v in TRUE else False if v in FALSE else None


def number(v: str) -> float | None:
    try:
        return float(v.replace(",", "")) if v else None
    except ValueError:
        return None


def id_check(raw: str, numeric: bool) -> tuple[str | None, str, date | None]:
    """(data check failed or None, normalized ID, birth date when valid)."""
    s = raw.strip().upper()
    if numeric or re.fullmatch(r"\d{15}0{3}|[\d.]+E\+\d+", s):
        return "id_excel_number", s, None
    if not s:
        return "id_missing", "", None
    if re.fullmatch(r"\d{15}", s):
        s = s[:6] + "19" + s[6:]
        s += "10X98765432"[sum(int(c) * w for c, w in zip(s, WEIGHTS, strict=True)) % 11]
        return "id_15_digit", s, date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    if len(s) != 18:
        return "id_length", s, None
    if not re.fullmatch(r"\d{17}[\dX]", s):
        return "id_chars", s, None
    try:
        born = date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        return "id_birth_date", s, None
    if s[17] != "10X98765432"[sum(int(c) * w for c, w in zip(s, WEIGHTS, strict=False)) % 11]:
        return "id_check_digit", s, None
    if born > REF:
        return "id_future_birth", s, None
    return None, s, born


def contract_findings(rows: list[dict[str, Any]]) -> set[Finding]:
    found: set[Finding] = set()
    by_household: dict[str, list[dict[str, Any]]] = defaultdict(list)
    holders: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        hid = r["户编号"]
        by_household[hid].append(r)
        problem, r["_id"], born = id_check(r["证件号码"], r["_numeric"])
        if problem:
            found.add((problem, hid, r["_id"]))
        r["_age"] = None
        if born and problem in (None, "id_15_digit"):
            holders[r["_id"]].add(hid)
            r["_age"] = REF.year - born.year - ((REF.month, REF.day) < (born.month, born.day))
            sex = "男" if int(r["_id"][16]) % 2 else "女"
            if (r["与户主关系"] in fields.MALE_RELATIONS and sex == "女") or (
                    r["与户主关系"] in fields.FEMALE_RELATIONS and sex == "男"):
                found.add(("relation_sex", hid, r["_id"]))
        for name in ("文化程度", "在校生状况", "健康状况", "劳动技能", "务工状况", "与户主关系"):
            if r.get(name) and r[name] not in fields.BY_NAME[name].vocabulary:
                found.add(("vocabulary", hid, r["_id"]))
        if r.get("务工时间") and number(r["务工时间"]) is None:
            found.add(("unreadable_value", hid, r["_id"]))
    found |= {("duplicate_person", h, i) for i, hs in holders.items() if len(hs) > 1 for h in hs}
    household_fields = [f.name for f in fields.fields_of("household") if f.name in rows[0]]
    for hid, members in by_household.items():
        found |= household_findings(hid, members, household_fields)
    return found | inconsistent_treatment(by_household)


def inconsistent_treatment(by_household: dict[str, list[dict[str, Any]]]) -> set[Finding]:
    """rules.yaml defaults: same village, housing, water, schooling, insurance and number of 普通/技能劳动力;
    人均纯收入 within max(300, 10 %) of the group's lowest; groups mixing exited and not exited, once each."""
    buckets: dict[tuple[Any, ...], list[tuple[float, str, bool]]] = defaultdict(list)
    for hid, members in by_household.items():
        h, income = members[0], number(members[0]["人均纯收入"])
        exited, poor = h["脱贫属性"] in fields.EXIT_STATUSES, h["脱贫属性"] in fields.POOR_STATUSES
        away = [boolean(m["是否义务教育阶段适龄儿童少年失学辍学"]) or m["在校生状况"] == "非在校生" for m in members]
        if income is None or not (exited or poor) or any(a and m["_age"] is None for a, m in zip(away, members, strict=True)):
            continue
        key = (
            h["行政村"], not (boolean(h["是否危房户"]) or h["危房级别"] in ("C", "D")),
            boolean(h["是否解决安全饮用水"]) and not boolean(h["饮水困难"]),
            not any(a and 6 <= m["_age"] <= 15 and m["健康状况"] not in ("残疾", "患有大病") for a, m in zip(away, members, strict=True)),
            all(boolean(m["是否参加城乡居民基本医疗保险"]) or boolean(m["是否参加城镇职工基本医疗保险"]) for m in members),
            sum(m["劳动技能"] in ("普通劳动力", "技能劳动力") for m in members),
        )
        buckets[key].append((income, hid, exited))
    found: set[Finding] = set()
    for bucket in buckets.values():
        groups: list[list[tuple[float, str, bool]]] = []
        for item in sorted(bucket):
            if not groups or item[0] - groups[-1][0][0] > max(300, groups[-1][0][0] / 10):
                groups.append([])
            groups[-1].append(item)
        found |= {("inconsistent_treatment", min(i[1] for i in g), "") for g in groups if len({i[2] for i in g}) == 2}
    return found


def household_findings(hid: str, members: list[dict[str, Any]], household_fields: list[str]) -> set[Finding]:
    found: set[Finding] = set()
    h = members[0]
    if any(len({m[f] for m in members}) > 1 for f in household_fields):
        found.add(("household_conflict", hid, ""))
    heads = sum(m["与户主关系"] == "户主" for m in members)
    if heads != 1:
        found.add(("head_missing" if heads == 0 else "head_multiple", hid, ""))
    if int(h["家庭人口数"]) != len(members):
        found.add(("size_mismatch", hid, ""))
    parts = [number(h[c]) for c in (*fields.INCOME_COMPONENTS, fields.INCOME_EXPENSE)]
    income = number(h["人均纯收入"])
    if income is not None and None not in parts:
        net = sum(p for p in parts[:4] if p is not None) - (parts[4] or 0)
        if abs(income - net / len(members)) > 1:
            found.add(("income_arithmetic", hid, ""))
    if any(p is not None and p < 0 for p in parts[:4]) or (income is not None and income < 0):
        found.add(("negative_income", hid, ""))
    for m in members:
        if m["首次识别时间"] and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", m["首次识别时间"]):
            found.add(("unreadable_value", hid, ""))

    def out_of_school(m: dict[str, Any]) -> bool:
        return (m["_age"] is not None and 6 <= m["_age"] <= 15 and m["健康状况"] not in ("残疾", "患有大病")
                and (boolean(m["是否义务教育阶段适龄儿童少年失学辍学"]) or m["在校生状况"] == "非在校生"))

    def uninsured(m: dict[str, Any]) -> bool:
        return not boolean(m["是否参加城乡居民基本医疗保险"]) and not boolean(m["是否参加城镇职工基本医疗保险"])

    # 在校生状况 still preschool past age 7 is stale (every member here has a 失学辍学 answer, which decides schooling)
    found |= {("school_status_stale", hid, m["_id"]) for m in members
              if m["_age"] is not None and m["_age"] > 7 and m["在校生状况"] in ("学龄前儿童", "学前教育")}

    unsafe_house = boolean(h["是否危房户"]) or h["危房级别"] in ("C", "D")
    unsafe_water = boolean(h["是否解决安全饮用水"]) is False or bool(boolean(h["饮水困难"]))
    if h["脱贫属性"] in fields.EXIT_STATUSES:
        exit_year = int(h["脱贫年度"]) if h["脱贫年度"] else REF.year
        if income is None:
            found.add(("exit_cannot_judge", hid, ""))
        elif income < LINES[exit_year]:
            found.add(("exit_income_below_line", hid, ""))
        found |= {("exit_child_out_of_school", hid, m["_id"]) for m in members if out_of_school(m)}
        found |= {("exit_no_medical_insurance", hid, m["_id"]) for m in members if uninsured(m)}
        if unsafe_house:
            found.add(("exit_unsafe_housing", hid, ""))
        if unsafe_water:
            found.add(("exit_unsafe_water", hid, ""))
        if h["首次识别时间"][:4] == h["脱贫年度"]:
            found.add(("exit_same_year_identified", hid, ""))
        if boolean(h["签字确认"]) is False:
            found.add(("exit_without_signature", hid, ""))
        if int(h["公示天数"]) < 7:
            found.add(("exit_short_public_notice", hid, ""))
    elif h["脱贫属性"] in fields.POOR_STATUSES:
        ages_known = all(m["_age"] is not None for m in members)
        if (income is not None and income >= LINES[REF.year] and ages_known and not unsafe_house
                and not unsafe_water and not any(out_of_school(m) or uninsured(m) for m in members)):
            found.add(("should_exit_meets_standard", hid, ""))
    return found


def expected(name: str) -> set[Finding]:
    raw = (EXAMPLES / name).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0] == ["rule_id", "household_id", "person_id"]
    assert rows[1:] == sorted(rows[1:])
    return {(r[0], r[1], r[2]) for r in rows[1:]}


@pytest.mark.parametrize(
    ("data", "reader", "expected_file"),
    [
        ("zhuangtouyingzi.xlsx", lambda p: sheet(p, "贫困人口"), "zhuangtouyingzi.expected.csv"),
        ("zhuangtouyingzi_gbk.csv", csv_rows, "zhuangtouyingzi_gbk.expected.csv"),
        ("zhuangtouyingzi_two_sheets.xlsx", two_sheet_rows, "zhuangtouyingzi_two_sheets.expected.csv"),
        ("clean_village.xlsx", lambda p: sheet(p, "贫困人口"), "clean_village.expected.csv"),
    ],
)
def test_expected_findings_follow_the_contract(data: str, reader: Any, expected_file: str) -> None:
    assert contract_findings(reader(EXAMPLES / data)) == expected(expected_file)


def test_every_check_and_exit_rule_is_planted() -> None:
    rules = {r for r, _, _ in expected("zhuangtouyingzi.expected.csv")}
    missing = {
        "id_missing", "id_length", "id_chars", "id_check_digit", "id_birth_date", "id_future_birth",
        "id_15_digit", "id_excel_number", "relation_sex", "head_missing", "head_multiple", "size_mismatch",
        "income_arithmetic", "negative_income", "vocabulary", "household_conflict", "unreadable_value",
        "duplicate_person", "exit_income_below_line", "exit_child_out_of_school", "exit_no_medical_insurance",
        "exit_unsafe_housing", "exit_unsafe_water", "should_exit_meets_standard", "exit_same_year_identified",
        "exit_without_signature", "exit_short_public_notice", "exit_cannot_judge", "school_status_stale",
    } - rules
    assert not missing


def test_examples_regenerate_byte_identical(tmp_path: Path) -> None:
    generate = load(EXAMPLES / "generate.py", "examples_generate")
    generate.main(tmp_path)
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written
    for name in written:
        assert (tmp_path / name).read_bytes() == (EXAMPLES / name).read_bytes(), name


def test_benchmark_is_deterministic_and_plants_are_what_they_claim(tmp_path: Path) -> None:
    bench = load(ROOT / "benchmarks" / "generate.py", "benchmarks_generate")
    for run in ("a", "b"):
        bench.generate(3000, 200, tmp_path / run, "csv", seed=7)
    for name in ("registry.csv", "planted.csv", "payroll.csv", "relatives.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    with (tmp_path / "a" / "registry.csv").open(encoding="utf-8") as f:
        registry = list(csv.DictReader(f))
    assert len(registry) == 3000
    bad = {r["身份证号码"] for r in registry if id_check(r["身份证号码"], False)[0]}
    with (tmp_path / "a" / "planted.csv").open(encoding="utf-8-sig") as f:
        planted = list(csv.DictReader(f))
    assert bad == {p["person_id"] for p in planted if p["rule_id"] == "id_check_digit"}
    assert not any(r["身份证号码"].endswith("000") for r in registry)
