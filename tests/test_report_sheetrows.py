"""The bulk row writer produces the sheet XML xlsxwriter's own ``write_string`` produces; the
workbook is deflated by ISA-L."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import xlsxwriter.workbook
from isal import isal_zlib
from xlsxwriter.exceptions import FileCreateError
from xlsxwriter.workbook import Workbook

from fupin_audit.report import deflate, sheetrows, xlsxtable

TRICKY = [
    "",
    None,
    "plain",
    "a&b<c>d",
    " &lead",
    "a>b ",
    "&ctrl\x02<",
    "_x0041_&",
    "=SUM(A1:A3)",
    " leading",
    "trailing ",
    "\u3000全角空格",
    "tab\tinside",
    "line\nbreak",
    "ctrl\x01char",
    "\x1fedge",
    "_x0041_ looks escaped",
    "bad\ufffe\uffff",
    "李四 110101199003078035",
    "x" * 40_000,
    "😀" * 20_000,
    "&" * 20_000,
    "end\u00a0",
]


def _sheet_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read("xl/worksheets/sheet1.xml").decode("utf-8")


def _write(path: Path, columns: list[pd.Series], bulk: bool, wrap_first: bool = False) -> str:
    workbook = Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("s")
    wrap = workbook.add_format({"text_wrap": True})
    formats = [wrap if wrap_first and col == 0 else None for col in range(len(columns))]
    sheet.write_string(0, 0, "header")
    if bulk:
        sheetrows.write_rows(sheet, 1, sheetrows.prepare(columns), formats)
    else:
        values = [c.tolist() for c in columns]
        for offset, cells in enumerate(zip(*values, strict=True)):
            for col, value in enumerate(cells):
                if isinstance(value, str) and value:
                    sheet.write_string(1 + offset, col, value, formats[col])
    sheet.freeze_panes(1, 0)
    if bulk:
        xlsxtable.close(workbook)  # the bulk rows are deflated: only it can close the workbook
    else:
        workbook.close()
    return _sheet_xml(path)


@pytest.mark.parametrize("wrap_first", [False, True])
def test_same_xml_as_write_string(tmp_path: Path, wrap_first: bool) -> None:
    first = pd.Series(TRICKY, dtype="str")
    second = pd.Series(list(reversed(TRICKY)), dtype="str")
    blank = pd.Series([None] * len(TRICKY), dtype="str")
    columns = [first, blank, second]
    expected = _write(tmp_path / "slow.xlsx", columns, bulk=False, wrap_first=wrap_first)
    actual = _write(tmp_path / "fast.xlsx", columns, bulk=True, wrap_first=wrap_first)
    assert actual == expected
    assert "_x0001_" in actual and "&amp;b&lt;c&gt;d" in actual and 'xml:space="preserve"' in actual


def test_columns_held_in_several_arrow_chunks_give_the_same_xml(tmp_path: Path) -> None:
    half = len(TRICKY) // 2
    chunked = pa.chunked_array([TRICKY[:half], [], TRICKY[half:]], type=pa.large_string())
    columns = [pd.Series(pd.arrays.ArrowStringArray(chunked)), pd.Series(list(reversed(TRICKY)), dtype="str")]
    assert isinstance(pa.array(columns[0], type=pa.string(), from_pandas=True), pa.ChunkedArray)
    expected = _write(tmp_path / "slow.xlsx", columns, bulk=False)
    assert _write(tmp_path / "fast.xlsx", columns, bulk=True) == expected


@pytest.mark.parametrize("positions", [[1, 3, 4, 9, len(TRICKY) - 1], [2, 3, 4, 5, 6], [0], []])
def test_rows_taken_from_prepared_cells_give_the_xml_of_those_rows(tmp_path: Path, positions: list[int]) -> None:
    """问题清单 and the sheets per kind take their rows from cells prepared once (copied, or sliced
    where the rows follow each other): the XML is that of the same rows written by xlsxwriter."""
    columns = [pd.Series(TRICKY, dtype="str"), pd.Series(list(reversed(TRICKY)), dtype="str")]
    rows = np.array(positions, dtype=np.int64)
    workbook = Workbook(str(tmp_path / "taken.xlsx"), {"constant_memory": True})
    sheet = workbook.add_worksheet("s")
    sheet.write_string(0, 0, "header")
    assert sheetrows.write_rows(sheet, 1, sheetrows.prepare(columns).rows(rows), [None, None]) == 1 + len(rows)
    sheet.freeze_panes(1, 0)
    xlsxtable.close(workbook)
    picked = [column.iloc[rows].reset_index(drop=True) for column in columns]
    assert _sheet_xml(tmp_path / "taken.xlsx") == _write(tmp_path / "slow.xlsx", picked, bulk=False)


def test_rows_with_no_value_are_skipped_and_dimensions_kept(tmp_path: Path) -> None:
    columns = [pd.Series(["", "a", None, ""], dtype="str"), pd.Series([None, "", "b", ""], dtype="str")]
    expected = _write(tmp_path / "slow.xlsx", columns, bulk=False)
    actual = _write(tmp_path / "fast.xlsx", columns, bulk=True)
    assert actual == expected
    assert '<dimension ref="A1:B4"/>' in actual
    assert '<row r="2">' not in actual and '<row r="5">' not in actual


def test_dimensions_without_a_header_start_at_the_first_row_written(tmp_path: Path) -> None:
    workbook = Workbook(str(tmp_path / "x.xlsx"), {"constant_memory": True})
    sheet = workbook.add_worksheet("s")
    sheetrows.write_rows(sheet, 0, sheetrows.prepare([pd.Series(["", None, "a", "", "b", ""], dtype="str")]), [None])
    xlsxtable.close(workbook)
    assert '<dimension ref="A3:A5"/>' in _sheet_xml(tmp_path / "x.xlsx")


def test_chunks_join_into_one_sequence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sheetrows, "CHUNK_ROWS", 3)
    monkeypatch.setattr(sheetrows, "RENDER_THREADS", 3)  # chunks rendered at once are still written in order
    columns = [pd.Series([f"v{i}" if i % 4 else "" for i in range(11)], dtype="str")]
    expected = _write(tmp_path / "slow.xlsx", columns, bulk=False)
    actual = _write(tmp_path / "fast.xlsx", columns, bulk=True)
    assert actual == expected
    assert re.findall(r'<row r="(\d+)"', actual) == ["1", "3", "4", "5", "7", "8", "9", "11", "12"]


def test_rich_string_lookalike_is_escaped(tmp_path: Path) -> None:
    xml = _write(tmp_path / "fast.xlsx", [pd.Series(["<r>李四</r>"], dtype="str")], bulk=True)
    assert "&lt;r&gt;李四&lt;/r&gt;" in xml
    assert "<r>李四</r>" not in xml


def test_row_after_the_last_is_returned_and_earlier_rows_are_closed(tmp_path: Path) -> None:
    workbook = Workbook(str(tmp_path / "x.xlsx"), {"constant_memory": True})
    sheet = workbook.add_worksheet("s")
    sheet.write_string(0, 0, "header")
    assert sheetrows.write_rows(sheet, 1, sheetrows.prepare([pd.Series(["a", "b"], dtype="str")]), [None]) == 3
    assert sheet.write_string(2, 0, "too late") != 0  # rows already written are closed
    assert sheet.write_string(3, 0, "next") == 0
    xlsxtable.close(workbook)
    xml = _sheet_xml(tmp_path / "x.xlsx")
    assert re.findall(r'<row r="(\d+)"', xml) == ["1", "2", "3", "4"] and "too late" not in xml


def _raw_deflate_size(data: bytes, compressobj: Callable[..., Any], level: int) -> int:
    compressor = compressobj(level, zlib.DEFLATED, -15)
    return len(compressor.compress(data) + compressor.flush())


def test_workbook_deflated_by_isal_and_zipfile_restored(tmp_path: Path) -> None:
    path = tmp_path / "fast.xlsx"
    workbook = Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("s")
    sheet.write_string(0, 0, "header")
    sheetrows.write_rows(sheet, 1, sheetrows.prepare([pd.Series([f"值{i} " * 5 for i in range(2000)], dtype="str")]), [None])
    xlsxtable.close(workbook)
    assert xlsxwriter.workbook.ZipFile is zipfile.ZipFile
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None  # every entry's CRC checks
        info = archive.getinfo("xl/worksheets/sheet1.xml")
        data = archive.read(info)
        assert archive.read("[Content_Types].xml").startswith(b"<?xml")
        styles = archive.getinfo("xl/styles.xml")
        style_data = archive.read(styles)
    assert info.compress_type == zipfile.ZIP_DEFLATED
    assert data.count(b"<row ") == 2001
    # rows deflated in pieces on the render threads: as small as deflating the sheet at once, near enough
    whole = _raw_deflate_size(data, isal_zlib.compressobj, deflate.DEFLATE_LEVEL)
    assert abs(info.compress_size - whole) < 0.02 * whole
    assert styles.compress_size == _raw_deflate_size(style_data, isal_zlib.compressobj, deflate.DEFLATE_LEVEL)
    assert styles.compress_size != _raw_deflate_size(style_data, zlib.compressobj, 6)


def test_the_compressor_replaced_is_the_one_zipfile_uses() -> None:
    """``_DeflateZip`` sets ``_compressor`` on the entry zipfile opens: were it renamed, the report
    would silently be deflated by zlib at level 6 (valid, 3x slower)."""
    with zipfile.ZipFile(io.BytesIO(), "w", compression=zipfile.ZIP_DEFLATED) as archive, archive.open("x", "w") as entry:
        assert callable(entry._compressor.compress)  # type: ignore[attr-defined]


def test_zipfile_restored_when_writing_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workbook = Workbook(str(tmp_path / "x.xlsx"))

    def failing() -> None:
        raise OSError("disk full")

    monkeypatch.setattr(workbook, "close", failing)
    with pytest.raises(OSError, match="disk full"):
        xlsxtable.close(workbook)
    assert xlsxwriter.workbook.ZipFile is zipfile.ZipFile


def _workbook(path: Path, bulk: bool = True) -> Workbook:
    workbook = Workbook(str(path), {"constant_memory": True, "tmpdir": str(path.parent)})
    workbook.set_properties({"created": dt.datetime(2024, 1, 2, 3, 4, 5)})
    full = workbook.add_worksheet("rows")
    full.write_string(0, 0, "表头")
    columns = [TRICKY, list(reversed(TRICKY))]
    if bulk:
        sheetrows.write_rows(full, 1, sheetrows.prepare([pd.Series(c, dtype="str") for c in columns]), [None, None])
    else:
        for row, values in enumerate(zip(*columns, strict=True), start=1):  # xlsxwriter's own calls
            for col, value in enumerate(values):
                if value:
                    full.write_string(row, col, value)
    full.write_string(len(TRICKY) + 1, 0, "表尾")  # a row through xlsxwriter after the deflated ones
    workbook.add_worksheet("empty")
    workbook.add_worksheet("header only").write_string(0, 0, "仅表头")
    return workbook


def test_rows_copied_as_bytes_give_the_xml_xlsxwriter_writes(tmp_path: Path) -> None:
    (tmp_path / "ours").mkdir()
    (tmp_path / "theirs").mkdir()
    ours, theirs = tmp_path / "ours" / "x.xlsx", tmp_path / "theirs" / "x.xlsx"
    xlsxtable.close(_workbook(ours))
    _workbook(theirs, bulk=False).close()
    with zipfile.ZipFile(ours) as a, zipfile.ZipFile(theirs) as b:
        assert a.namelist() == b.namelist()
        for name in a.namelist():
            assert a.read(name) == b.read(name), name
        assert "仅表头" in a.read("xl/worksheets/sheet3.xml").decode("utf-8")
    assert [p.name for p in ours.parent.iterdir()] == ["x.xlsx"]  # every row file removed
    assert len(list(theirs.parent.iterdir())) == 2  # xlsxwriter leaves the empty sheet's


def test_row_files_removed_when_the_zip_cannot_be_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The rows wait in their files until each sheet is compressed: a failure before that (a full disk)
    must not leave them in the temporary folder."""
    workbook = _workbook(tmp_path / "x.xlsx")
    row_files = set(tmp_path.iterdir())  # before close: only the sheets' row files exist
    assert row_files

    def failing(self: Any, *args: Any, **kwargs: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(xlsxtable._DeflateZip, "write", failing)
    with pytest.raises(FileCreateError, match="disk full"):  # xlsxwriter's wrapping of the OSError
        xlsxtable.close(workbook)
    assert not row_files & set(tmp_path.iterdir())
    assert xlsxwriter.workbook.ZipFile is zipfile.ZipFile
