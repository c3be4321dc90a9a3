"""Real-world spreadsheets: the same registry in other layouts gives the same findings, and random
corruptions never crash the tool nor lose a row without saying so."""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from xlsxwriter.worksheet import Worksheet

from fupin_audit import audit
from fupin_audit.errors import FupinAuditError
from fupin_audit.fields import BY_NAME
from fupin_audit.io.headers import match_header
from fupin_audit.io.xlsxtrim import STRAY_ROWS, trim_stray_rows

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SOURCE = EXAMPLES / "zhuangtouyingzi_gbk.csv"
EXPECTED = EXAMPLES / "zhuangtouyingzi_gbk.expected.csv"
INCOMES = ["工资性收入", "生产经营性收入", "财产性收入", "转移性收入", "生产经营性支出"]
TRADITIONAL = {"户编号": "戶編號", "身份证号码": "證件號碼", "与户主关系": "與戶主關係", "脱贫属性": "脫貧屬性", "人数": "家庭人口數"}


def rows() -> pd.DataFrame:
    return pd.read_csv(SOURCE, dtype=str, encoding="gbk", keep_default_na=False)


def keys(frame: pd.DataFrame) -> set[tuple[str, str, str]]:
    return set(zip(frame["rule_id"], frame["household_id"], frame["person_id"], strict=True))


def expected() -> set[tuple[str, str, str]]:
    return keys(pd.read_csv(EXPECTED, dtype=str, encoding="utf-8-sig", keep_default_na=False))


def write_two_row_header_xlsx(frame: pd.DataFrame, path: Path) -> None:
    """Title row, a group cell 收入情况 over the income columns, blank rows between villages'
    halves, and a 合计 row: the layout villages send."""
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("花名册")
    sheet.write_string(0, 0, "庄头营子村建档立卡贫困人口花名册")
    columns = list(frame.columns)
    first_income = columns.index(INCOMES[0])
    for c, name in enumerate(columns):
        if name in INCOMES:
            sheet.write_string(3, c, name)
        else:
            sheet.merge_range(2, c, 3, c, name)
    sheet.merge_range(2, first_income, 2, first_income + len(INCOMES) - 1, "收入情况")
    r = 4
    for i, values in enumerate(frame.itertuples(index=False)):
        if i == len(frame) // 2:
            r += 1  # a blank row
        for c, value in enumerate(values):
            if value:
                sheet.write_string(r, c, str(value))
        r += 1
    sheet.write_string(r, 0, "合计")
    sheet.write_string(r, 9, str(len(frame)))
    workbook.close()


def test_source_columns_sit_together_for_the_two_row_header() -> None:
    columns = list(rows().columns)
    start = columns.index(INCOMES[0])
    assert columns[start : start + len(INCOMES)] == INCOMES


@pytest.mark.parametrize("layout", ["parquet", "utf8_traditional_headers", "gb18030_tab", "two_row_header_xlsx"])
def test_same_registry_in_other_layouts_gives_the_same_findings(tmp_path: Path, layout: str) -> None:
    frame = rows()
    if layout == "parquet":
        path = tmp_path / "村.parquet"
        frame.to_parquet(path)
    elif layout == "utf8_traditional_headers":
        path = tmp_path / "村.csv"
        frame.rename(columns=TRADITIONAL).to_csv(path, index=False, encoding="utf-8")
    elif layout == "gb18030_tab":
        path = tmp_path / "村.txt"
        frame.to_csv(path, index=False, encoding="gb18030", sep="\t")
    else:
        path = tmp_path / "村.xlsx"
        write_two_row_header_xlsx(frame, path)
    result = audit(path)
    assert keys(result.findings) == expected()
    read = result.inputs[0]
    assert read.rows_audited == len(frame)
    if layout == "two_row_header_xlsx":
        assert read.rows_skipped == {"空行": 1, "合计行": 1}


def aliases_of(header: str) -> list[str]:
    canonical = match_header(header)
    return list(BY_NAME[canonical].aliases) if canonical else []


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    seed=st.integers(0, 2**32 - 1),
    blanks=st.integers(0, 40),
    duplicates=st.integers(0, 5),
    renames=st.integers(0, 8),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "gbk"]),
    as_xlsx=st.booleans(),
)
def test_random_corruptions_never_crash_and_never_lose_a_row(
    tmp_path: Path, seed: int, blanks: int, duplicates: int, renames: int, encoding: str, as_xlsx: bool
) -> None:
    rng = random.Random(seed)
    frame = rows()
    for _ in range(blanks):
        frame.iat[rng.randrange(len(frame)), rng.randrange(len(frame.columns))] = ""
    for _ in range(duplicates):
        frame = pd.concat([frame, frame.iloc[[rng.randrange(len(frame))]]], ignore_index=True)
    names = list(frame.columns)
    for _ in range(renames):
        c = rng.randrange(len(names))
        choices = [a for a in aliases_of(names[c]) if a not in names]
        if choices:
            names[c] = rng.choice(choices)
    frame.columns = names
    path = tmp_path / f"村{seed}.{'xlsx' if as_xlsx else 'csv'}"
    if as_xlsx:
        frame.to_excel(path, index=False, engine="xlsxwriter")
    else:
        frame.to_csv(path, index=False, encoding=encoding)
    try:
        result = audit(path)
    except FupinAuditError as error:
        assert str(error).strip(), "an error must say what is wrong"
        return
    read = result.inputs[0]
    blank = (frame == "").all(axis=1).tolist()
    trailing_blank = len(blank) - len("".join("x" if b else "." for b in blank).rstrip("x"))
    # every row is counted: audited, or skipped with a reason; Excel does not store trailing empty rows
    assert read.rows_read == len(frame) - (trailing_blank if as_xlsx else 0)
    assert read.rows_audited + sum(read.rows_skipped.values()) == read.rows_read
    without_household = int((result.findings["rule_id"] == "household_id_missing").sum())
    assert len(result.registry.members) + without_household == read.rows_audited


def test_household_numbers_in_scientific_notation_are_reported_not_merged(tmp_path: Path) -> None:
    """Excel writes a 16-digit 户编号 stored as a number as 1.50426E+15 in a CSV: every household of
    the village then has the same key. Those rows are reported, not audited as one household."""
    frame = rows()
    damaged = frame["户编号"].isin(frame["户编号"].unique()[:3])
    frame.loc[damaged, "户编号"] = "1.50426E+15"
    path = tmp_path / "科学计数法.csv"
    frame.to_csv(path, index=False, encoding="gbk")
    result = audit(path)
    unreadable = result.findings[result.findings["rule_id"] == "unreadable_value"]
    assert (unreadable["message"].str.contains("户编号") & unreadable["message"].str.contains("科学计数法")).sum() == damaged.sum()
    assert "1.50426E+15" not in set(result.registry.households["户编号"])
    assert len(result.registry.households) == frame.loc[~damaged, "户编号"].nunique()


def village_sheet(path: Path, frame: pd.DataFrame, first_data_row: int = 1) -> tuple[xlsxwriter.Workbook, Worksheet]:
    """The village as one sheet 贫困人口 of a workbook left open (a test adds stray cells, then closes
    it): the header in row 1, the data from 0-based row ``first_data_row``, every cell as text."""
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("贫困人口")
    for c, header in enumerate(frame.columns):
        sheet.write_string(0, c, header)
    for r, values in enumerate(frame.itertuples(index=False), start=first_data_row):
        for c, value in enumerate(values):
            sheet.write_string(r, c, str(value))
    return workbook, sheet


def test_a_stray_cell_in_the_last_column_adds_one_column_not_sixteen_thousand(tmp_path: Path) -> None:
    """Someone typed in cell XFD5: the sheet is 16,384 columns wide, all but one empty and unnamed."""
    frame = rows()
    path = tmp_path / "远处有字.xlsx"
    workbook, sheet = village_sheet(path, frame)
    sheet.write_string(4, 16_383, "备注")
    workbook.close()
    result = audit(path)
    assert result.inputs[0].unknown_columns == ("第XFD列",)
    assert keys(result.findings) == expected()


def test_stray_cells_far_below_the_data_are_left_out_and_counted(tmp_path: Path) -> None:
    """Someone typed in row 1,048,576: calamine would load a million empty rows (6 s, 1.5–3 GB for a
    24 KB file). The sheet is read without the rows after a gap of 10,000 empty rows; those holding
    a value are counted as skipped, with their row numbers."""
    frame = rows()
    path = tmp_path / "底部有字.xlsx"
    workbook, sheet = village_sheet(path, frame)
    sheet.write_blank(500_000, 2, None, workbook.add_format({"bold": True}))  # formatting only: nothing lost
    sheet.write_string(900_000, 1, " ")  # a space: counted, as every cell with a value
    sheet.write_string(1_048_575, 4, "张三")
    workbook.close()
    before = path.read_bytes()
    result = audit(path)
    assert result.inputs[0].rows_skipped == {STRAY_ROWS: 2}
    assert result.inputs[0].rows_audited == len(frame)
    assert keys(result.findings) == expected()
    assert path.read_bytes() == before


def test_a_sheet_without_stray_rows_is_read_as_it_is(tmp_path: Path) -> None:
    for example in (EXAMPLES / "zhuangtouyingzi.xlsx", EXAMPLES / "zhuangtouyingzi_two_sheets.xlsx"):
        assert trim_stray_rows(example, tmp_path) is None
    assert list(tmp_path.iterdir()) == []


def test_data_far_below_its_header_is_not_taken_for_stray_rows(tmp_path: Path) -> None:
    frame = rows()
    path = tmp_path / "数据在下.xlsx"
    workbook, _ = village_sheet(path, frame, first_data_row=12_001)
    workbook.close()
    assert trim_stray_rows(path, tmp_path) is None
    result = audit(path)
    assert result.inputs[0].rows_audited == len(frame) and keys(result.findings) == expected()
