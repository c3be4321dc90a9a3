"""The Excel report: sheets, headers, text-only cells, masking everywhere, splitting, atomic writing."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from fupin_audit import findings
from fupin_audit.errors import UsageError
from fupin_audit.report import xlsxtable
from fupin_audit.report.excel import write_report
from test_report_fixtures import ID_A, ID_B, ID_PATTERN, make_result

SHEETS = ["概览", "问题清单", "错退", "人员重复", "数据错误", "未执行规则", "规则说明", "审计信息", "payroll"]


def cells(path: Path) -> dict[str, list[tuple[object, ...]]]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return {ws.title: [tuple(c.value for c in row) for row in ws.iter_rows()] for ws in book.worksheets}
    finally:
        book.close()


def test_sheets_in_order_with_chinese_headers(tmp_path: Path) -> None:
    path = tmp_path / "报告.xlsx"
    write_report(make_result(tmp_path), path)
    data = cells(path)
    assert list(data) == SHEETS
    header = [findings.CHINESE_HEADERS[c] for c in findings.COLUMNS]
    for name in ["问题清单", "错退", "人员重复", "数据错误"]:
        assert list(data[name][0]) == header
    assert len(data["问题清单"]) == 5 and len(data["数据错误"]) == 3 and len(data["错退"]) == 2
    assert {row[1] for row in data["问题清单"][1:]} == {"错退", "人员重复", "数据错误"}
    assert {row[2] for row in data["问题清单"][1:]} == {"高", "中", "低"}
    assert list(data["规则说明"][0]) == ["规则编号", "规则名称", "问题类型", "严重程度", "启用", "适用", "所需列", "SQL", "参数",
                                     "问题描述", "依据"]
    assert data["规则说明"][1][:5] == ("exit_income_below_line", "已脱贫户收入低于贫困线", "错退", "高", "是")
    assert data["未执行规则"][1] == ("exit_without_signature", "退出未签字确认", "缺少列", "签字确认")
    info = {row[0]: row[1:] for row in data["审计信息"]}
    assert info["规则文件"][1] == "cd" * 32 and info["输入文件"][1] == "ab" * 32
    assert info["基准日期"][0] == "2020-12-31"
    overview = [row[:2] for row in data["概览"]]
    assert ("基准日期", "2020-12-31（来源：登记表年度）") in overview
    assert ("poverty_line.2019", 3747) in overview and ("问题总数", 4) in overview
    assert ("甲县/乙镇/丙村", 2) in overview and ("payroll", "财政供养.xlsx") in overview
    assert ("数据错误", "data_error") in overview
    assert ("exit_income_below_line", "已脱贫户收入低于贫困线") in overview


def test_data_cells_are_strings_never_formulas(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    write_report(make_result(tmp_path), path)
    book = openpyxl.load_workbook(path, read_only=True)
    rows = list(book["问题清单"].iter_rows(min_row=2))
    by_name = {row[8].value: row for row in rows}
    formula = by_name['=HYPERLINK("x")'][8]
    assert formula.data_type == "s"
    assert by_name["<r>李四</r>"][8].data_type == "s"  # not taken for a rich-string fragment
    ids = [row[7] for row in rows if row[7].value]
    assert {c.value for c in ids} == {ID_A, ID_B} and {c.data_type for c in ids} == {"s"}
    evidence = by_name["张三"][10].value
    assert isinstance(evidence, str) and evidence.startswith("{")
    book.close()


def test_mask_ids_leaves_no_id_in_any_cell(tmp_path: Path) -> None:
    plain, masked = tmp_path / "plain.xlsx", tmp_path / "masked.xlsx"
    result = make_result(tmp_path)
    write_report(result, plain)
    write_report(result, masked, mask_ids=True)

    def ids(path: Path) -> set[str]:
        found: set[str] = set()
        for rows in cells(path).values():
            for row in rows:
                for value in row:
                    found.update(m.group(1) for m in re.finditer(ID_PATTERN, str(value)))
        return found

    assert {ID_A, ID_B} <= ids(plain)  # the scan does find IDs when they are there
    assert ids(masked) == set()
    data = cells(masked)
    assert data["payroll"][1][0] == "110101********8035"
    assert "110101********8035" in {row[7] for row in data["人员重复"]}


def test_layout_frozen_header_autofilter_widths_and_chart(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    write_report(make_result(tmp_path), path)
    book = openpyxl.load_workbook(path)
    sheet = book["问题清单"]
    assert sheet.freeze_panes == "A2"
    last = get_column_letter(len(findings.COLUMNS))
    assert sheet.auto_filter.ref == f"A1:{last}5"
    assert sheet.column_dimensions["A"].width >= len("exit_income_below_line")
    assert sheet.column_dimensions["J"].width >= 40  # 问题描述: 2 per Chinese character
    assert all(d.width <= xlsxtable.WIDTH_CAP + 1 for d in sheet.column_dimensions.values())
    assert book["数据错误"].auto_filter.ref == f"A1:{last}3"
    with zipfile.ZipFile(path) as archive:
        assert "xl/charts/chart1.xml" in archive.namelist()


def test_no_findings_still_has_data_error_sheet(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    write_report(make_result(tmp_path, findings.empty()), path)
    data = cells(path)
    assert list(data) == ["概览", "问题清单", "数据错误", "未执行规则", "规则说明", "审计信息", "payroll"]
    assert len(data["问题清单"]) == 1 and len(data["数据错误"]) == 1


def test_findings_past_the_row_limit_go_on_numbered_sheets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsxtable, "EXCEL_ROWS", 3)  # two data rows per sheet
    path = tmp_path / "r.xlsx"
    write_report(make_result(tmp_path), path)
    data = cells(path)
    assert list(data)[:6] == ["概览", "问题清单", "问题清单(2)", "错退", "人员重复", "数据错误"]
    assert len(data["问题清单"]) == 3 and len(data["问题清单(2)"]) == 3
    notes = [row[1] for row in data["概览"] if row[0] == "说明"]
    assert len(notes) == 1 and "问题清单、问题清单(2)" in str(notes[0])


def test_report_never_overwrites_an_input_and_failure_leaves_nothing(tmp_path: Path) -> None:
    result = make_result(tmp_path)
    source = result.inputs[0].path
    before = source.read_bytes()
    with pytest.raises(UsageError):
        write_report(result, source)
    assert source.read_bytes() == before
    result.rules_table = None  # type: ignore[assignment]
    with pytest.raises(AttributeError):
        write_report(result, tmp_path / "r.xlsx")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rules.yaml", "花名册.xlsx"]


def test_to_text_shows_every_dtype_as_plain_text() -> None:
    import pandas as pd

    frame = pd.DataFrame(
        {
            "b": pd.array([True, None, False], dtype="boolean"),
            "d": pd.to_datetime(["2020-01-02", None, "2021-03-04"]),
            "t": pd.to_datetime(["2020-01-02 03:04:05", None, "2021-03-04 00:00:00"]),
            "i": pd.array([1, None, 3], dtype="Int64"),
            "f": [1.5, None, 2.0],
            "o": pd.Series([{"k": "值"}, None, ["a"]], dtype=object),
        }
    )
    texts = {c: xlsxtable.to_text(frame[c]).tolist() for c in frame.columns}
    assert texts == {
        "b": ["是", "", "否"],
        "d": ["2020-01-02", "", "2021-03-04"],
        "t": ["2020-01-02 03:04:05", "", "2021-03-04 00:00:00"],
        "i": ["1", "", "3"],
        "f": ["1.5", "", "2.0"],
        "o": ['{"k": "值"}', "", '["a"]'],
    }
    assert xlsxtable.sheet_name("a/b:c", {"概览"}) == "a_b_c"
    assert xlsxtable.sheet_name("概览", {"概览"}) == "概览(2)"
    assert xlsxtable.text_width(pd.Series(["ab中文", "x"], dtype="str")) == 6


def test_number_columns_are_numbers_a_code_or_infinity_is_not() -> None:
    import pandas as pd

    from fupin_audit.report.xlsxtable import number_columns

    frame = pd.DataFrame({
        "人数": pd.array([1, None], dtype="Int64"), "收入": [1.5, float("inf")], "村": ["甲", "乙"],
        "签字": [True, False], "户编号": pd.array([1504261072030001, 2], dtype="Int64"), "人均": [3000.0, 0.5],
    })
    assert number_columns(frame) == [True, False, False, False, False, True]


def test_list_sheets_print_a4_landscape_one_page_wide_with_the_header_on_every_page(tmp_path: Path) -> None:
    """Inspectors print and file the report: 问题清单 is 14 columns wide and split over 4–5 portrait
    pages per band of rows, the header on the first page only."""
    path = tmp_path / "r.xlsx"
    write_report(make_result(tmp_path), path)
    sheet = openpyxl.load_workbook(path)["问题清单"]
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth in (None, 1)  # 1 is the default
    assert sheet.page_setup.fitToHeight == 0
    assert sheet.print_title_rows == "$1:$1"


def test_built_in_checks_have_a_title_and_a_row_on_the_rules_sheet(tmp_path: Path) -> None:
    """An inspector could not look up what id_excel_number is: 16 of the 25 rules that fired had no
    title on 概览 and no row on 规则说明."""
    from fupin_audit.schema.catalog import BUILT_IN

    path = tmp_path / "r.xlsx"
    write_report(make_result(tmp_path), path)
    book = openpyxl.load_workbook(path)
    header, *rows = book["规则说明"].iter_rows(values_only=True)
    by_id = {row[header.index("规则编号")]: row for row in rows}
    assert set(BUILT_IN) <= set(by_id)
    size = by_id["size_mismatch"]
    assert size[header.index("规则名称")] == "家庭人口数与名单人数不符" and size[header.index("问题类型")] == "数据错误"
    overview = [row for row in book["概览"].iter_rows(values_only=True) if row and row[0] == "size_mismatch"]
    assert overview and overview[0][1] == "家庭人口数与名单人数不符"


def test_the_rules_sheet_says_which_rules_only_diff_runs(tmp_path: Path) -> None:
    """A check report listed the diff rules as 启用 是 among the rest: a reader took them as applied."""
    from fupin_audit import audit

    path = tmp_path / "r.xlsx"
    write_report(audit(Path(__file__).resolve().parents[1] / "examples" / "zhuangtouyingzi.xlsx"), path)
    header, *rows = openpyxl.load_workbook(path)["规则说明"].iter_rows(values_only=True)
    scope = {row[0]: row[header.index("适用")] for row in rows}
    assert scope["diff_exit_by_split"] == "仅动态调整（diff）"
    assert scope["exit_income_below_line"] == scope["id_check_digit"] == "每次核查（check，diff 的本期）"


def test_the_rules_sheet_gives_every_kind_a_rule_s_findings_took(tmp_path: Path) -> None:
    """ref_payroll is declared 错评, but a payroll entry after identification makes its finding 应退未退:
    规则说明 said only 错评."""
    from fupin_audit import audit

    examples = Path(__file__).resolve().parents[1] / "examples"
    result = audit(examples / "zhuangtouyingzi.xlsx", references={"payroll": examples / "references" / "payroll.csv"})
    assert set(result.findings.loc[result.findings["rule_id"].eq("ref_payroll"), "kind"]) == {"wrongful_inclusion", "should_exit"}
    path = tmp_path / "r.xlsx"
    write_report(result, path)
    header, *rows = openpyxl.load_workbook(path)["规则说明"].iter_rows(values_only=True)
    kinds = {row[0]: row[header.index("问题类型")] for row in rows}
    assert kinds["ref_payroll"] == "错评、应退未退"
    assert kinds["ref_cadres"] == "错评" and kinds["exit_income_below_line"] == "错退"
