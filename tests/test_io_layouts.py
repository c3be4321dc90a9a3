"""Layout of a sheet: header row under titles, two-row headers, blank/subtotal rows, merged keys."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa

from fixtures_io import (
    HEADERS,
    blank_and_total_xlsx,
    member_rows,
    merged_keys_xlsx,
    titled_xlsx,
    two_row_header_xlsx,
    write_xlsx,
)
from fupin_audit.io.layout import clean_body, find_header
from fupin_audit.io.reader import read_file


def _frame(rows: list[list[str | None]]) -> pa.Table:
    width = max(len(r) for r in rows)
    return pa.table({f"c{j}": pa.array([r[j] if j < len(r) else None for r in rows], pa.string()) for j in range(width)})


def test_header_found_under_title_rows() -> None:
    head = [["某村花名册", None, None], [None, "制表：扶贫办", None], ["户编号", "姓名", "证件号码"], ["H1", "甲", "x"]]
    header = find_header(head)
    assert header is not None
    assert header.index == 2 and header.row == 3
    assert header.headers == ["户编号", "姓名", "证件号码"]
    assert not header.two_rows


def test_no_header_when_nothing_is_recognized() -> None:
    assert find_header([["甲", "乙"], ["1", "2"]]) is None


def test_two_row_header_joined_whichever_row_matches_more() -> None:
    upper = ["户编号", "收入情况", None, None, None, "人均纯收入"]
    lower = [None, "工资性收入", "生产经营性收入", "财产性收入", "转移性收入", None]
    data = ["H1", "1", "2", "3", "4", "5"]
    header = find_header([["标题"], upper, lower, data])
    assert header is not None and header.two_rows
    assert header.index == 2
    assert header.headers == [
        "户编号", "收入情况/工资性收入", "收入情况/生产经营性收入", "收入情况/财产性收入", "收入情况/转移性收入", "人均纯收入",
    ]


def test_data_row_under_header_is_not_a_second_header_row() -> None:
    header = find_header([["户编号", "姓名", "与户主关系"], ["H1", "甲", "户主"]])
    assert header is not None and not header.two_rows and header.index == 0


def test_blank_and_subtotal_rows_dropped_with_row_numbers() -> None:
    frame = _frame([["1", "H1", "甲"], [None, " ", None], ["2", "H2", "乙"], ["小计", None, None], [None, "总 计：", "3"]])
    body = clean_body(frame, np.arange(5, 10), ["序号", "户编号", "姓名"])
    assert body.rows.tolist() == [5, 7]
    assert body.skipped == {"空行": [6], "合计行": [8, 9]}
    assert body.frame["c1"].tolist() == ["H1", "H2"]
    assert body.kept.tolist() == [0, 2]


def test_name_containing_ji_is_not_a_subtotal() -> None:
    frame = _frame([["H1", "计划"], ["H2", "合作社成员"]])
    body = clean_body(frame, np.arange(2, 4), ["户编号", "姓名"])
    assert body.skipped == {}


def test_merged_household_column_filled_down_on_member_rows() -> None:
    frame = _frame([["H1", "甲", "户主"], [None, "乙", "配偶"], [None, "丙", "之子"], ["H2", "丁", "户主"], [None, "戊", "之女"]])
    body = clean_body(frame, np.arange(2, 7), ["户编号", "姓名", "与户主关系"])
    assert body.frame["c0"].tolist() == ["H1", "H1", "H1", "H2", "H2"]
    assert body.filled == {"户编号": 3}


def test_one_missing_key_in_a_repeated_layout_is_not_filled() -> None:
    frame = _frame([["H1", "甲"], ["H1", "乙"], [None, "丙"], ["H2", "丁"], ["H2", "戊"]])
    body = clean_body(frame, np.arange(2, 7), ["户编号", "姓名"])
    assert body.frame["c0"].isna().sum() == 1
    assert body.filled == {}


def test_non_key_column_never_filled() -> None:
    frame = _frame([["H1", "甲", "户主甲"], [None, "乙", None], ["H2", "丙", "户主丙"], [None, "丁", None]])
    body = clean_body(frame, np.arange(2, 6), ["户编号", "姓名", "户主姓名"])
    assert body.frame["c2"].isna().sum() == 2
    assert body.filled == {"户编号": 2}


def test_title_rows_in_workbook(tmp_path: Path) -> None:
    (raw,) = read_file(titled_xlsx(tmp_path / "t.xlsx")).tables
    assert raw.header_row == 3
    assert raw.headers == HEADERS
    assert raw.rows.tolist() == [4, 5, 6, 7]
    assert raw.frame["c6"].tolist() == [r[6] for r in member_rows()]


def test_two_row_header_in_workbook(tmp_path: Path) -> None:
    (raw,) = read_file(two_row_header_xlsx(tmp_path / "h.xlsx")).tables
    assert raw.header_row == 3
    assert raw.headers[:4] == ["户编号", "户主姓名", "家庭人口数", "收入情况/工资性收入"]
    assert raw.headers[5:] == ["收入情况/转移性收入", "人均纯收入（元）"]
    assert raw.rows.tolist() == [4, 5]
    assert raw.frame["c3"].tolist() == ["6000", "9000"]


def test_merged_keys_in_workbook(tmp_path: Path) -> None:
    (raw,) = read_file(merged_keys_xlsx(tmp_path / "m.xlsx")).tables
    assert raw.frame["c1"].tolist() == ["H001", "H001", "H001", "H002", "H002"]
    assert raw.frame["c0"].tolist() == ["某村"] * 5
    assert raw.filled == {"户编号": 3, "行政村": 4}
    assert raw.frame["c3"].isna().sum() == 1


def test_blank_and_total_rows_in_workbook(tmp_path: Path) -> None:
    (raw,) = read_file(blank_and_total_xlsx(tmp_path / "b.xlsx")).tables
    assert raw.rows.tolist() == [2, 3, 5, 6]
    assert raw.skipped == {"空行": [4], "合计行": [7]}


def test_trailing_columns_without_header_or_data_dropped(tmp_path: Path) -> None:
    rows = [["户编号", "姓名", None, None], ["H1", "甲", None, None], ["H2", "乙", None, "备注"]]
    (raw,) = read_file(write_xlsx(tmp_path / "w.xlsx", {"S": rows})).tables
    assert raw.headers == ["户编号", "姓名", "", ""]
    (raw,) = read_file(write_xlsx(tmp_path / "v.xlsx", {"S": rows[:2]})).tables
    assert raw.headers == ["户编号", "姓名"] and list(raw.frame.columns) == ["c0", "c1"]
