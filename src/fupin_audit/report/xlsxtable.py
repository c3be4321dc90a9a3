"""Low-level xlsxwriter helpers for the report: text conversion, fitted widths, safe sheet names,
a list sheet (header frozen, autofilter on) in constant_memory mode, and closing the workbook with a
fast deflate (ISA-L).

Every data value is written as text (``sheetrows``): a value starting with ``=`` stays text, an ID
stays text.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import threading
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import xlsxwriter.workbook
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from . import deflate
from .sheetrows import Cells, compressed_spans, write_rows

EXCEL_ROWS = 1_048_576
"""Rows in one worksheet, the header row included."""

WIDTH_CAP = 60
"""Widest column, in characters (a CJK character counts 2); longer text is wrapped."""

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")

_DEFLATE_LOCK = threading.Lock()


@dataclass(frozen=True)
class Styles:
    title: Format
    section: Format
    header: Format
    wrap: Format

    @classmethod
    def create(cls, workbook: Workbook) -> Styles:
        return cls(
            title=workbook.add_format({"bold": True, "font_size": 16}),
            section=workbook.add_format({"bold": True, "font_size": 12}),
            header=workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True}),
            wrap=workbook.add_format({"text_wrap": True, "valign": "top"}),
        )


def to_text(series: pd.Series) -> pd.Series:
    """Display text of a column: '' for missing, 是/否 for booleans, ISO dates, JSON for dicts and lists."""
    if isinstance(series.dtype, pd.StringDtype):
        return series.fillna("")
    if pd.api.types.is_bool_dtype(series.dtype):
        return series.map({True: "是", False: "否"}).astype("str").fillna("")
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        values = series.dt.tz_localize(None) if getattr(series.dt, "tz", None) is not None else series
        has_time = bool((values.dropna() != values.dropna().dt.normalize()).any())
        return values.dt.strftime("%Y-%m-%d %H:%M:%S" if has_time else "%Y-%m-%d").astype("str").fillna("")
    if pd.api.types.is_numeric_dtype(series.dtype):
        return series.astype("str").where(series.notna(), "")
    return series.map(_value_text).astype("str")


def _value_text(value: object) -> str:
    if value is None or (not isinstance(value, (list, tuple, dict, set)) and pd.isna(value)):  # type: ignore[call-overload]
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, pd.Timestamp):
        return value.isoformat(sep=" ").removesuffix(" 00:00:00")
    if isinstance(value, (dict, list, tuple, set)):
        return json.dumps(sorted(value) if isinstance(value, set) else value, ensure_ascii=False, default=str)
    return str(value)


def text_width(values: pd.Series) -> int:
    """Widest value in display columns: characters, plus one for each character wider than Latin-1."""
    if values.empty:
        return 0
    array = pa.array(values if values.dtype == "str" else values.astype("str"), type=pa.large_string(), from_pandas=True)
    chars = pc.utf8_length(array)
    wide = pc.divide(pc.subtract(pc.binary_length(array), chars), 2)  # 3-byte CJK → +1, 2-byte Latin → +0
    widest = pc.max(pc.add(chars, wide)).as_py()
    return int(widest or 0)


def cell_width(text: str) -> int:
    """Display width of one text, counted as ``text_width`` counts it."""
    return sum(1 if ord(ch) < 0x800 else 2 for ch in text)


def _one_width(text: str) -> int:
    """``text_width`` of a single text (a header), without a Series for it."""
    return len(text) + (len(text.encode("utf-8")) - len(text)) // 2


def fitted_widths(headers: Sequence[str], columns: Sequence[pd.Series]) -> list[int]:
    """Column widths: the widest header or value plus padding, at most ``WIDTH_CAP``."""
    return [
        min(max(_one_width(header), text_width(column)) + 2, WIDTH_CAP)
        for header, column in zip(headers, columns, strict=True)
    ]


def sheet_name(name: str, taken: set[str]) -> str:
    """A valid, unused sheet name: no ``[]:*?/\\``, at most 31 characters, ``(2)`` … on a clash."""
    base = _BAD_SHEET_CHARS.sub("_", name).strip("'") or "Sheet"
    candidate, n = base[:31], 1
    while candidate.casefold() in {t.casefold() for t in taken}:
        n += 1
        suffix = f"({n})"
        candidate = base[: 31 - len(suffix)] + suffix
    taken.add(candidate)
    return candidate


def write_list(
    workbook: Workbook,
    name: str,
    headers: Sequence[str],
    cells: Cells,
    widths: Sequence[int],
    styles: Styles,
) -> Worksheet:
    """A list sheet: bold header row, frozen, autofilter over every row; ``cells`` (``sheetrows.prepare``)
    under it, columns as wide as ``widths`` and wrapped where the content is wider than ``WIDTH_CAP``;
    printed A4 landscape, one page wide, the header repeated on every page."""
    sheet = workbook.add_worksheet(name)
    formats: list[Format | None] = []
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
        formats.append(styles.wrap if width >= WIDTH_CAP else None)
    for col, header in enumerate(headers):
        sheet.write_string(0, col, header, styles.header)
    last = write_rows(sheet, 1, cells, formats) - 1
    sheet.freeze_panes(1, 0)
    # printed and filed: A4 landscape, every column on one page wide, the header on every page
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0)
    sheet.autofilter(0, 0, last, max(len(headers) - 1, 0))
    return sheet


def frame_columns(frame: pd.DataFrame) -> tuple[list[str], list[pd.Series]]:
    """Headers and display-text columns of any frame."""
    return [str(c) for c in frame.columns], [to_text(frame[c]) for c in frame.columns]


def number_columns(frame: pd.DataFrame) -> list[bool]:
    """Which columns of a frame hold numbers (not booleans), all finite and under 10^15: written as
    number cells, so that counts and incomes can be summed and sorted in Excel (text cells "15",
    "3000.0" cannot). A code stored as a number (a 16-digit 户编号) stays text: Excel would show it as
    1.50426E+15."""
    out = []
    for column in frame.columns:
        series = frame[column]
        numeric = pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype)
        values = series.dropna().to_numpy(dtype="float64") if numeric else np.zeros(0)
        out.append(bool(numeric and np.isfinite(values).all() and (np.abs(values) < 1e15).all()))
    return out


def chunks(total: int, size: int) -> Iterable[tuple[int, int]]:
    """``(start, stop)`` ranges covering ``total`` rows, ``size`` at a time; one empty range for 0."""
    if total == 0:
        yield 0, 0
        return
    for start in range(0, total, size):
        yield start, min(start + size, total)


Splices = dict[str, tuple[int, str, list[deflate.Span]]]
"""A constant_memory sheet's XML file → (byte offset where its rows belong, its row file, the spans of
that file ``write_rows`` deflated)."""


class _DeflateZip(zipfile.ZipFile):
    """The zip xlsxwriter writes the report to, its files deflated by ISA-L (``isal``) at
    ``deflate.DEFLATE_LEVEL``: ``write`` is ``ZipFile.write`` for a file (all xlsxwriter calls), with
    the compressor of the entry replaced before any data goes in (``_ZipWriteFile._compressor``:
    tested) and the file copied 1 MB at a time. A sheet XML file in ``splices`` gets its row file's
    bytes at their offset as it is compressed (the rows are never copied into the XML file first),
    the rows ``write_rows`` deflated as they are (``deflate.copy_into``)."""

    def __init__(self, *args: Any, splices: Splices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._splices = splices

    def write(
        self,
        filename: str | os.PathLike[str],
        arcname: str | os.PathLike[str] | None = None,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        info = zipfile.ZipInfo.from_file(filename, arcname)
        info.compress_type = zipfile.ZIP_DEFLATED
        offset, rows, spans = self._splices.get(os.fspath(filename), (None, None, []))
        if rows is not None:
            info.file_size += deflate.text_size(os.path.getsize(rows), spans)  # zipfile decides on ZIP64 from it
        with open(filename, "rb") as source, self.open(info, "w") as entry:
            entry._compressor = deflate.compressor()  # type: ignore[attr-defined]
            if offset is None or rows is None:
                shutil.copyfileobj(source, entry, deflate.COPY_BYTES)
                return
            entry.write(source.read(offset))
            with open(rows, "rb") as data:
                deflate.copy_into(entry, data, spans)
            shutil.copyfileobj(source, entry, deflate.COPY_BYTES)
        del self._splices[os.fspath(filename)]
        os.unlink(rows)


def close(workbook: Workbook) -> None:
    """Write the workbook (``Workbook.close``), deflated by ISA-L (``_DeflateZip``), each
    constant_memory sheet's row file spliced into its XML as bytes while it is compressed
    (``_defer_rows``), the rows ``sheetrows.write_rows`` deflated already put in as they are. A
    workbook with such rows must be closed here: xlsxwriter's own ``close`` would copy them as text.

    xlsxwriter has no option for its zip: the ``ZipFile`` its workbook module uses is swapped for the
    duration of the call (under a lock, restored even on error; row files left by an error removed)."""
    sheets = [sheet for sheet in workbook.worksheets() if sheet.constant_memory]
    splices: Splices = {}
    for sheet in sheets:
        sheet._write_optimized_sheet_data = functools.partial(_defer_rows, sheet, splices)
    with _DEFLATE_LOCK:
        original = xlsxwriter.workbook.ZipFile
        xlsxwriter.workbook.ZipFile = functools.partial(_DeflateZip, splices=splices)
        try:
            workbook.close()
        finally:
            xlsxwriter.workbook.ZipFile = original
            for sheet in sheets:
                del sheet._write_optimized_sheet_data
            for _, rows, _ in splices.values():
                Path(rows).unlink(missing_ok=True)


def _defer_rows(sheet: Worksheet, splices: Splices) -> None:
    """xlsxwriter's ``_write_optimized_sheet_data``, leaving the rows where they are: the sheet XML
    gets the ``sheetData`` tags with nothing between them, and ``splices`` that offset and the row
    file, which ``_DeflateZip`` reads in there. xlsxwriter's own decodes and re-encodes the row file
    into the XML 64 KB at a time (4 s for the 800 MB of the 5M report), and copying it as bytes still
    cost 1.2 s. Same XML (tested); the row file of a sheet without rows is removed (xlsxwriter leaves
    it in the temporary folder)."""
    if not hasattr(sheet.fh, "buffer"):
        Worksheet._write_optimized_sheet_data(sheet)  # an in-memory sheet
        return
    if sheet.dim_rowmin is None:
        sheet._xml_empty_tag("sheetData")
        sheet.row_data_fh.close()
        os.unlink(sheet.row_data_filename)
        return
    sheet._xml_start_tag("sheetData")
    sheet.row_data_fh.close()
    sheet.fh.flush()
    splices[sheet.fh.name] = (sheet.fh.buffer.tell(), sheet.row_data_filename, compressed_spans(sheet))
    sheet._xml_end_tag("sheetData")
