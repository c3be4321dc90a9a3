"""Regenerate every file under examples/ (deterministic: byte-identical on every run).

    python examples/generate.py

Writes the 庄头营子村 registry in three layouts (flat .xlsx with title rows, GBK .csv, two-sheet
.xlsx), the clean 东营子村 registry, and the expected findings of each (rule_id, household_id,
person_id; UTF-8 with BOM). The households and their planted problems are in households.py.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

import xlsxwriter

from households import clean_village, zhuangtouyingzi
from village import ExcelNumber, Household, Person, check_char

HERE = Path(__file__).resolve().parent
FIXED_TIME = datetime(2020, 1, 8, 9, 30, 0)
COUNTY, TOWNSHIP, YEAR = "翁牛特旗", "梧桐花镇", 2019

Cell = str | int | float | ExcelNumber | None
Getter = Callable[[Household, Person, int], Cell]


def yn(h: Household, value: bool) -> str:
    return ("√" if value else "×") if h.ticks else ("是" if value else "否")


def money(h: Household, value: float | None) -> Cell:
    if value is None:
        return None
    if h.separators:
        return f"{value:,.2f}" if isinstance(value, float) else f"{value:,}"
    return value


def component(i: int) -> Getter:
    return lambda h, p, k: money(h, h.incomes[i]) if h.incomes is not None else None


def per_capita(h: Household, p: Person, k: int) -> Cell:
    if h.conflict_last_row is not None and k == len(h.members) - 1:
        return money(h, h.conflict_last_row)
    return money(h, h.income_per_capita)


def head_name(h: Household) -> str:
    return next((m.name for m in h.members if m.relation == "户主"), "")


LOCATION: list[tuple[str, Getter]] = [
    ("县(市、区、旗)", lambda h, p, k: COUNTY),
    ("乡(镇)", lambda h, p, k: TOWNSHIP),
    ("行政村", lambda h, p, k: h.village),
    ("自然村", lambda h, p, k: h.natural),
    ("户编号", lambda h, p, k: h.hid),
]
MEMBER: list[tuple[str, Getter]] = [
    ("人编号", lambda h, p, k: f"{h.hid}{k + 1:02d}"),
    ("姓名", lambda h, p, k: p.name),
    ("证件号码", lambda h, p, k: p.id_cell),
    ("与户主关系", lambda h, p, k: p.relation),
    ("民族", lambda h, p, k: p.ethnic),
    ("文化程度", lambda h, p, k: p.education),
    ("在校生状况", lambda h, p, k: p.school),
    ("健康状况", lambda h, p, k: p.health),
    ("劳动技能", lambda h, p, k: p.labour),
    ("务工状况", lambda h, p, k: p.work),
    ("务工时间（月）", lambda h, p, k: p.work_months),
    ("参加大病医疗", lambda h, p, k: yn(h, p.serious_ins)),
    ("是否参加城乡居民基本医疗保险", lambda h, p, k: yn(h, p.resident_ins)),
    ("是否参加城镇职工基本医疗保险", lambda h, p, k: yn(h, p.staff_ins)),
    ("是否义务教育阶段适龄儿童少年失学辍学", lambda h, p, k: yn(h, p.dropout)),
    ("联系电话", lambda h, p, k: p.phone),
]
HOUSEHOLD: list[tuple[str, Getter]] = [
    ("家庭人口数", lambda h, p, k: h.written_size),
    ("脱贫属性", lambda h, p, k: h.status),
    ("贫困户属性", lambda h, p, k: h.kind),
    ("主要致贫原因", lambda h, p, k: h.cause),
    ("是否危房户", lambda h, p, k: yn(h, h.danger)),
    ("危房级别", lambda h, p, k: h.grade),
    ("是否解决安全饮用水", lambda h, p, k: yn(h, h.water_safe)),
    ("饮水困难", lambda h, p, k: yn(h, h.water_hard)),
    ("人均纯收入", per_capita),
    ("脱贫年度", lambda h, p, k: h.exit_year),
    ("首次识别时间", lambda h, p, k: h.identified),
    ("工资性收入", component(0)),
    ("生产经营性收入", component(1)),
    ("财产性收入", component(2)),
    ("转移性收入", component(3)),
    ("生产经营性支出", component(4)),
    ("年度", lambda h, p, k: YEAR),
    ("签字确认", lambda h, p, k: yn(h, h.signed) if h.exited else None),
    ("公示天数", lambda h, p, k: h.notice if h.exited else None),
]
GET: dict[str, Getter] = dict(LOCATION + MEMBER + HOUSEHOLD)

# the national flat export: DOMAIN.md §1 order, with the aliases villages use
FLAT: list[tuple[str, str]] = [
    ("县(市、区、旗)", "县(市、区、旗)"), ("乡(镇)", "乡(镇)"), ("行政村", "行政村"), ("自然村", "自然村"),
    ("户编号", "户编号"), ("人编号", "人编号"), ("姓名", "姓名"), ("身份证号码", "证件号码"),
    ("人数", "家庭人口数"), ("与户主关系", "与户主关系"), ("民族", "民族"), ("文化程度", "文化程度"),
    ("在校生状况", "在校生状况"), ("健康状况", "健康状况"), ("劳动技能", "劳动技能"), ("务工状况", "务工状况"),
    ("务工时间（月）", "务工时间（月）"), ("参加大病医疗", "参加大病医疗"), ("脱贫属性", "脱贫属性"),
    ("贫困户属性", "贫困户属性"), ("主要致贫原因", "主要致贫原因"), ("危房户", "是否危房户"),
    ("危房级别", "危房级别"), ("饮水安全", "是否解决安全饮用水"), ("饮水困难", "饮水困难"),
    ("人均纯收入（元）", "人均纯收入"), ("联系电话", "联系电话"), ("脱贫年度", "脱贫年度"),
    ("首次识别时间", "首次识别时间"), ("是否参加城乡居民基本医疗保险", "是否参加城乡居民基本医疗保险"),
    ("是否参加城镇职工基本医疗保险", "是否参加城镇职工基本医疗保险"),
    ("是否义务教育阶段适龄儿童少年失学辍学", "是否义务教育阶段适龄儿童少年失学辍学"),
    ("工资性收入", "工资性收入"), ("生产经营性收入", "生产经营性收入"), ("财产性收入", "财产性收入"),
    ("转移性收入", "转移性收入"), ("生产经营性支出", "生产经营性支出"), ("年度", "年度"),
    ("签字确认", "签字确认"), ("公示天数", "公示天数"),
]
HOUSEHOLD_SHEET = [name for name, _ in LOCATION] + ["户主姓名"] + [name for name, _ in HOUSEHOLD]
MEMBER_SHEET = ["户编号"] + [name for name, _ in MEMBER]


def flat_rows(households: Sequence[Household]) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    for h in households:
        for k, p in enumerate(h.members):
            rows.append([len(rows) + 1] + [GET[field](h, p, k) for _, field in FLAT])
    return rows


def write_cells(ws: xlsxwriter.workbook.Worksheet, row: int, cells: Sequence[Cell]) -> None:
    for col, value in enumerate(cells):
        if isinstance(value, ExcelNumber):
            ws.write_number(row, col, value.value)
        elif isinstance(value, str):
            ws.write_string(row, col, value)
        elif value is not None:
            ws.write_number(row, col, value)


def new_workbook(path: Path) -> xlsxwriter.Workbook:
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"title": path.stem, "author": "fupin-audit examples", "created": FIXED_TIME})
    return wb


def write_sheet(wb: xlsxwriter.Workbook, name: str, headers: Sequence[str], rows: Sequence[Sequence[Cell]],
                title: str = "", note: str = "") -> None:
    ws = wb.add_worksheet(name)
    bold = wb.add_format({"bold": True, "align": "center", "valign": "vcenter", "text_wrap": True, "border": 1})
    first = 0
    if title:
        ws.merge_range(0, 0, 0, len(headers) - 1, title, wb.add_format({"bold": True, "font_size": 16, "align": "center"}))
        ws.merge_range(1, 0, 1, len(headers) - 1, note, wb.add_format({"align": "left"}))
        first = 2
    for col, header in enumerate(headers):
        ws.write_string(first, col, header, bold)
        ws.set_column(col, col, 20 if header in ("身份证号码", "证件号码", "户编号", "人编号") else 11)
    for i, cells in enumerate(rows):
        write_cells(ws, first + 1 + i, cells)
    ws.freeze_panes(first + 1, 0)


def flat_xlsx(path: Path, village: str, households: Sequence[Household], titled: bool) -> None:
    wb = new_workbook(path)
    headers = ["序号"] + [header for header, _ in FLAT]
    title = f"{COUNTY}{TOWNSHIP}{village}建档立卡贫困人口明细表" if titled else ""
    note = f"导出日期：{FIXED_TIME:%Y-%m-%d}    数据年度：{YEAR}    金额单位：元"
    write_sheet(wb, "贫困人口", headers, flat_rows(households), title, note)
    wb.close()


def two_sheet_xlsx(path: Path, households: Sequence[Household]) -> None:
    wb = new_workbook(path)
    hh_rows = [[head_name(h) if f == "户主姓名" else GET[f](h, h.members[0], 0) for f in HOUSEHOLD_SHEET]
               for h in households]
    member_rows = [[GET[f](h, p, k) for f in MEMBER_SHEET] for h in households for k, p in enumerate(h.members)]
    write_sheet(wb, "户信息", HOUSEHOLD_SHEET, hh_rows)
    write_sheet(wb, "人员信息", MEMBER_SHEET, member_rows)
    wb.close()


def csv_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, ExcelNumber):
        return value.csv_text
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


def flat_csv(path: Path, households: Sequence[Household]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["序号"] + [header for header, _ in FLAT])
    writer.writerows([csv_text(v) for v in row] for row in flat_rows(households))
    path.write_bytes(buffer.getvalue().encode("gbk"))


def age_at(p: Person) -> int:
    y, m, d = int(p.birth[:4]), int(p.birth[4:6]), int(p.birth[6:8])
    return YEAR - y - ((12, 31) < (m, d))


def readable_birth(p: Person) -> bool:
    """The ID gives the birth date: a valid 18-digit number (or a 15-digit one), born by the reference date."""
    if not isinstance(p.id_cell, str):
        return False
    number = p.id_cell.strip().upper()
    if len(number) == 15 and number.isdigit():
        return True
    try:
        datetime.strptime(p.birth, "%Y%m%d")
    except ValueError:
        return False
    return (len(number) == 18 and number[:17].isdigit() and check_char(number[:17]) == number[17]
            and number[6:14] == p.birth and p.birth <= f"{YEAR}1231")


def similar_groups(households: Sequence[Household]) -> list[list[Household]]:
    """inconsistent_treatment (rules.yaml defaults): per village, households alike in housing, water,
    schooling, insurance and able-bodied members (普通/技能劳动力), sorted by 人均纯收入 and grouped while
    within max(300, 10 % of the group's lowest income) of it; the groups mixing exited and not exited."""
    buckets: dict[tuple[object, ...], list[Household]] = {}
    for h in households:
        if h.income_per_capita is None or h.status not in ("已脱贫", "未脱贫", "贫困户"):
            continue
        out = [p.dropout or p.school == "非在校生" for p in h.members]
        if any(o and not readable_birth(p) for o, p in zip(out, h.members, strict=True)):
            continue  # schooling cannot be judged: the age is unknown
        school = not any(o and 6 <= age_at(p) <= 15 and p.health not in ("残疾", "患有大病")
                         for o, p in zip(out, h.members, strict=True))
        insured = all(p.resident_ins or p.staff_ins for p in h.members)
        labour = sum(p.labour in ("普通劳动力", "技能劳动力") for p in h.members)
        key = (h.village, not (h.danger or h.grade in ("C", "D")), h.water_safe and not h.water_hard,
               school, insured, labour)
        buckets.setdefault(key, []).append(h)
    groups: list[list[Household]] = []
    for bucket in buckets.values():
        start: float | None = None
        for h in sorted(bucket, key=lambda h: (h.income_per_capita, h.hid)):
            income = h.income_per_capita
            assert income is not None
            if start is None or income - start > max(300, start * 10 / 100):
                start = income
                groups.append([])
            groups[-1].append(h)
    return [g for g in groups if len({h.exited for h in g}) == 2]


def expected(path: Path, households: Sequence[Household], layout: str = "xlsx") -> int:
    rows = {("inconsistent_treatment", min(h.hid for h in group), "") for group in similar_groups(households)}
    for h in households:
        for rule, person in h.expected:
            if layout == "two_sheets" and rule == "household_conflict":
                continue  # one row per household: nothing can disagree
            if layout == "csv":
                numeric = next((m.id_cell for m in h.members if isinstance(m.id_cell, ExcelNumber)), None)
                if numeric is not None and person == str(numeric.value):
                    person = numeric.csv_text
            rows.add((rule, h.hid, person))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["rule_id", "household_id", "person_id"])
    writer.writerows(sorted(rows))
    path.write_text(buffer.getvalue(), encoding="utf-8-sig", newline="")
    return len(rows)


README_HEAD = """# Example registries

Generated by `python examples/generate.py` (deterministic: re-running rewrites the same bytes). Do not
edit these files by hand; change `households.py` (the households and their planted problems) or
`generate.py` (the layouts) and regenerate. `tests/test_generators.py` re-reads every file with an
independent reading of CONTRACTS.md and checks that it yields exactly the expected findings.

| file | what it holds |
|---|---|
| `zhuangtouyingzi.xlsx` | 庄头营子村 (内蒙古赤峰市翁牛特旗梧桐花镇), 58 households, 94 member rows, registry 年度 2019. National flat export: sheet 贫困人口, title row, note row (导出日期), header on row 3, aliases (县(市、区、旗), 乡(镇), 身份证号码, 人数, 危房户, 饮水安全, 人均纯收入（元）), yes/no as 是/否 or √/×, a few incomes as text with thousands separators, IDs as text cells except one stored as a number. |
| `zhuangtouyingzi.expected.csv` | its expected findings: rule_id, household_id, person_id (UTF-8 with BOM, sorted; person_id empty for household-level findings, the cleaned text as read for invalid IDs, the upgraded 18-digit number for a 15-digit one). |
| `zhuangtouyingzi_gbk.csv` | the same registry as a GBK CSV, header on line 1. The numeric ID is written as Excel's CSV export writes it: `1.50426E+17`. |
| `zhuangtouyingzi_gbk.expected.csv` | its expected findings: the same, except that id_excel_number's person_id is `1.50426E+17`. |
| `zhuangtouyingzi_two_sheets.xlsx` | the same registry as a two-sheet workbook: 户信息 (one row per household, canonical names such as 家庭人口数, 是否危房户, 是否解决安全饮用水; values taken from the head's row) and 人员信息 (one row per member). |
| `zhuangtouyingzi_two_sheets.expected.csv` | its expected findings: the flat ones without household_conflict, which cannot occur when each household value is written once. |
| `clean_village.xlsx` | 东营子村 (same township), 20 households: 14 exited properly (income above the line, every guarantee, signed, 7+ days of notice), 6 not exited and below the line. Flat layout, header on row 1. |
| `clean_village.expected.csv` | header only: no finding. |

Reference date 2019-12-31 (31 December of 年度); poverty line 3747 (2019), 3535 (2018), 3335 (2017).
Household IDs are `1504261072030NNN` (庄头营子村) and `1504261072150NNN` (东营子村); ID numbers use
the real region code 150426 (翁牛特旗) with valid check characters; names and phone numbers are
invented. Unless listed, every household has its values filled (no criterion unknown), consistent
incomes (人均纯收入 = (工资性 + 生产经营性 + 财产性 + 转移性 − 生产经营性支出) ÷ members, to the fen),
relations that agree with the sex in the ID, and children aged 6–15 in school.

Choices where CONTRACTS.md leaves room, made so that any reasonable reading gives the same result:
ID problems (other than the 15-digit one) sit on households that are not exited and are below the
line, so no rule ever needs the age of a member whose ID is invalid; the 人数-mismatch household has
no income components, so income_arithmetic cannot depend on which size divides; the conflicting
household is below the line on both values and its head's row agrees with the components; the
unreadable value is a member-level cell (务工时间), so person_id is that member's; 危房级别 and
是否参加城镇职工基本医疗保险 are present on every row, so the housing and insurance rules have all their
columns.

## 庄头营子村: households and planted problems

| 户编号 | members | status | planted | expected findings |
|---|---|---|---|---|
"""


def readme(path: Path, households: Sequence[Household]) -> None:
    lines = [README_HEAD]
    for h in households:
        if not h.plant:
            continue
        findings = ", ".join(f"{rule}" + (" (member)" if person else "") for rule, person in h.expected) or "none"
        lines.append(f"| {h.hid} | {len(h.members)} | {h.status} | {h.plant} | {findings} |\n")
    lines.append("\nEvery household not in the table exited properly and produces no finding.\n")
    path.write_text("".join(lines), encoding="utf-8")


def main(out: Path = HERE) -> None:
    village = zhuangtouyingzi()
    clean = clean_village()
    flat_xlsx(out / "zhuangtouyingzi.xlsx", "庄头营子村", village, titled=True)
    flat_csv(out / "zhuangtouyingzi_gbk.csv", village)
    two_sheet_xlsx(out / "zhuangtouyingzi_two_sheets.xlsx", village)
    flat_xlsx(out / "clean_village.xlsx", "东营子村", clean, titled=False)
    counts = {
        "zhuangtouyingzi.expected.csv": expected(out / "zhuangtouyingzi.expected.csv", village),
        "zhuangtouyingzi_gbk.expected.csv": expected(out / "zhuangtouyingzi_gbk.expected.csv", village, "csv"),
        "zhuangtouyingzi_two_sheets.expected.csv": expected(
            out / "zhuangtouyingzi_two_sheets.expected.csv", village, "two_sheets"),
        "clean_village.expected.csv": expected(out / "clean_village.expected.csv", clean),
    }
    readme(out / "README.md", village)
    members = sum(len(h.members) for h in village)
    print(f"庄头营子村: {len(village)} households, {members} member rows; 东营子村: {len(clean)} households")
    for name, n in counts.items():
        print(f"{name}: {n} expected findings")


if __name__ == "__main__":
    main()
