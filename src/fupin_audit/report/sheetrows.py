"""A list sheet's data rows rendered as worksheet XML in bulk, with Arrow, instead of one
``write_string`` call per cell.

xlsxwriter in constant_memory mode writes each row's XML to a temporary file and copies it into the
sheet when the workbook closes. For long sheets its per-cell Python (checks, escaping, formatting)
is most of the report's time, so this module escapes whole columns at once (``prepare``; several
sheets can then take rows of them) and renders them 8,192 rows at a time, a chunk on each core — the
same cells xlsxwriter writes (inline strings, ``_xHHHH_`` for control characters,
``xml:space="preserve"`` around edge whitespace, text cut at Excel's 32,767 characters) — and
compresses each chunk there (``deflate.compress``), appending it to that file already deflated: the
workbook must be closed by ``xlsxtable.close``, which puts the chunks into the zip as they are
(``compressed_spans``).
Empty values are left blank and a row with no value is not written, as xlsxwriter does.

This reaches into xlsxwriter's constant_memory state (``_write_single_row``, ``fh`` and the byte file
under its text layer, ``previous_row``, ``_check_dimensions``, ``Format._get_xf_index``); tests
compare the sheet XML with what ``write_string`` produces for the same values, so a change there
fails them.

Values shaped like xlsxwriter's prepared rich strings (``<r>…</r>``) are escaped like any text.
"""

from __future__ import annotations

import os
import re
import weakref
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from .deflate import Piece, Span, compress

CHUNK_ROWS = 8_192
"""Rows rendered at a time (bounds the memory the XML text takes)."""

RENDER_THREADS = min(2, os.cpu_count() or 1)
"""Chunks (and columns, in ``prepare``) rendered at once: the rendering is Arrow compute, which runs
outside the GIL; at most this many chunks wait to be written."""

MAX_UTF16 = 32_767
"""Longest text in one Excel cell, in UTF-16 code units."""

_SPECIAL = r"[\x00-\x08\x0b-\x1f\x{FFFE}\x{FFFF}]|_x[0-9a-fA-F]{4}_"
"""Values escaped in Python: control characters and text that looks like their escape."""

_MARKUP_OR_SPECIAL = r"[&<>\x00-\x08\x0b-\x1f\x{FFFE}\x{FFFF}]|_x[0-9a-fA-F]{4}_"
"""Values that need any escaping (found in one pass over the column; most need none)."""

_SPACE = (
    r"[\t\n\x0b\x0c\r\x1c-\x1f \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}"
    r"\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]"
)
"""Python's ``\\s`` (what xlsxwriter tests for ``xml:space``) spelled out for RE2."""

_ONE_SPACE = f"^{_SPACE}$"
_ESCAPED_ESCAPE = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"([\x00-\x08\x0b-\x1f])")
_PYTHON_EDGE_SPACE = re.compile(r"^\s|\s$")

_SPANS: weakref.WeakKeyDictionary[Worksheet, list[Span]] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Cells:
    """Text columns made ready for the sheet XML once, so that several sheets can take rows of them
    (问题清单 and the sheets per kind show the same findings): per column, each value escaped
    (``text``), whether it needs ``xml:space="preserve"`` and whether it has a value at all."""

    text: tuple[pa.Array, ...]
    preserve: tuple[pa.Array, ...]
    present: tuple[pa.Array, ...]
    numeric: tuple[bool, ...] = ()
    """Per column, whether its values are numbers, written as number cells (empty: none is)."""

    def __len__(self) -> int:
        return len(self.text[0]) if self.text else 0

    def rows(self, positions: np.ndarray) -> Cells:
        """These rows (ascending positions): a slice when they follow each other, else a copy."""
        if len(positions) and int(positions[-1]) - int(positions[0]) == len(positions) - 1:
            return self.slice(int(positions[0]), len(positions))
        indices = pa.array(positions, type=pa.int64())
        return self._each(lambda array: pc.take(array, indices))

    def slice(self, start: int, length: int) -> Cells:
        return self._each(lambda array: array.slice(start, length))

    def _each(self, change: Callable[[pa.Array], pa.Array]) -> Cells:
        text, preserve, present = (tuple(change(array) for array in part) for part in (self.text, self.preserve, self.present))
        return Cells(text, preserve, present, numeric=self.numeric)


def prepare(columns: Sequence[pd.Series], numeric: Sequence[bool] = ()) -> Cells:
    """The cells of text columns (missing values are empty cells); a column ``numeric`` marks holds
    numbers as text (``xlsxtable.number_columns``) and is written as number cells."""

    def one(column: pd.Series) -> tuple[pa.Array, pa.Array, pa.Array]:
        values = pc.fill_null(_contiguous(pa.array(column, type=pa.string(), from_pandas=True)), "")
        escaped, edge_space = _escaped(values)
        return escaped, edge_space, pc.greater(pc.utf8_length(values), 0)

    with ThreadPoolExecutor(max_workers=RENDER_THREADS) as pool:
        prepared = list(pool.map(one, columns))
    if not prepared:
        return Cells((), (), ())
    text, preserve, present = (tuple(part) for part in zip(*prepared, strict=True))
    return Cells(text, preserve, present, numeric=tuple(bool(n) for n in numeric) if any(numeric) else ())


def write_rows(sheet: Worksheet, first_row: int, cells: Cells, formats: Sequence[Format | None]) -> int:
    """Write ``cells`` from ``first_row`` of a constant_memory ``sheet`` whose earlier rows are
    written; returns the row after the last one. The rows go to the sheet's row file deflated: close
    the workbook with ``xlsxtable.close``."""
    total = len(cells)
    if not total:
        return first_row
    styles = [f' s="{fmt._get_xf_index()}"' if fmt is not None else "" for fmt in formats]
    letters = [xl_col_to_name(col) for col in range(len(cells.text))]
    sheet._write_single_row(first_row)  # flush the rows written through xlsxwriter's own calls
    sheet.fh.flush()  # its text layer: our rows go to the file underneath, deflated
    used_columns: list[int] = []
    written: list[int] = []
    span = Span(sheet.fh.buffer.tell(), 0, 0, 0)
    for piece, used, rows in _rendered(cells, first_row, letters, styles):
        if piece is not None:
            sheet.fh.buffer.write(piece.data)
            span = span.then(piece)
        used_columns += used
        written += rows
    if span.length:
        _SPANS.setdefault(sheet, []).append(span)
    if written:
        sheet._check_dimensions(min(written), min(used_columns))
        sheet._check_dimensions(max(written), max(used_columns))
    sheet.previous_row = first_row + total
    return first_row + total


def compressed_spans(sheet: Worksheet) -> list[Span]:
    """Where ``write_rows`` put deflated rows in the sheet's row file, in order (forgotten once asked)."""
    return _SPANS.pop(sheet, [])


def _rendered(
    cells: Cells, first_row: int, letters: list[str], styles: list[str]
) -> Iterator[tuple[Piece | None, list[int], list[int]]]:
    """``_render`` of each ``CHUNK_ROWS`` rows in order, deflated, ``RENDER_THREADS`` chunks at once."""
    starts = iter(range(0, len(cells), CHUNK_ROWS))
    with ThreadPoolExecutor(max_workers=RENDER_THREADS) as pool:
        waiting: deque[Future[tuple[Piece | None, list[int], list[int]]]] = deque()

        def submit() -> None:
            start = next(starts, None)
            if start is not None:
                chunk = cells.slice(start, min(CHUNK_ROWS, len(cells) - start))
                waiting.append(pool.submit(_render, chunk, first_row + start, letters, styles))

        for _ in range(RENDER_THREADS):
            submit()
        while waiting:
            done = waiting.popleft().result()
            submit()
            yield done


def _contiguous(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """One array (a column read in pieces comes as several; masks and buffers need one)."""
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


def _render(
    cells: Cells, first_row: int, letters: list[str], styles: list[str]
) -> tuple[Piece | None, list[int], list[int]]:
    """XML of these rows (deflated), the columns that hold a value, and the first and last row written
    (0-based)."""
    count = len(cells)
    numbers = pc.cast(pa.array(range(first_row + 1, first_row + count + 1), type=pa.int64()), pa.string())
    row_cells = []
    filled = None
    used = []
    for col, (text, preserve, present) in enumerate(zip(cells.text, cells.preserve, cells.present, strict=True)):
        if not pc.any(present).as_py():
            continue
        used.append(col)
        filled = present if filled is None else pc.or_(filled, present)
        if cells.numeric and cells.numeric[col]:
            cell = pc.binary_join_element_wise(f'<c r="{letters[col]}', numbers, f'"{styles[col]}><v>', text, "</v></c>", "")
        else:
            cell = pc.binary_join_element_wise(
                f'<c r="{letters[col]}', numbers, f'"{styles[col]} t="inlineStr"><is><t',
                pc.if_else(preserve, ' xml:space="preserve"', ""), ">", text, "</t></is></c>", "",
            )
        row_cells.append(pc.if_else(present, cell, ""))
    if filled is None:
        return None, [], []
    rows = pc.binary_join_element_wise('<row r="', numbers, '">', *row_cells, "</row>", "")
    rows = pc.filter(rows, filled)
    offsets = pc.indices_nonzero(filled)
    ends = [first_row + int(offsets[0].as_py()), first_row + int(offsets[-1].as_py())]
    return compress(_utf8(rows)), used, ends


def _utf8(rows: pa.Array) -> pa.Buffer:
    """The rows' text one after another: the UTF-8 bytes Arrow holds them in (no Python strings)."""
    offsets = np.frombuffer(rows.buffers()[1], dtype=np.int64 if pa.types.is_large_string(rows.type) else np.int32)
    first, last = int(offsets[rows.offset]), int(offsets[rows.offset + len(rows)])
    return rows.buffers()[2].slice(first, last - first)


def _escaped(values: pa.Array) -> tuple[pa.Array, pa.Array]:
    """XML text of each value and whether it needs ``xml:space="preserve"``.

    One scan finds the values that need escaping at all; only those are escaped (``&<>`` with Arrow,
    the rare control characters and over-long text in Python)."""
    edges = (pc.utf8_slice_codeunits(values, 0, 1), pc.utf8_slice_codeunits(values, -1, 2**31 - 1))
    preserve = pc.or_(*(pc.match_substring_regex(edge, _ONE_SPACE) for edge in edges))
    flagged = _matching(values, _MARKUP_OR_SPECIAL)
    if not pc.any(flagged).as_py():
        return values, preserve
    subset = pc.filter(values, flagged)
    text = subset
    for raw, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        text = pc.replace_substring(text, raw, entity)
    kept = pc.filter(preserve, flagged)
    special = _matching(subset, _SPECIAL)
    if pc.any(special).as_py():
        rare = [_escape_one(value) for value in pc.filter(subset, special).to_pylist()]
        text = pc.replace_with_mask(text, special, pa.array([t for t, _ in rare], type=pa.string()))
        kept = pc.replace_with_mask(kept, special, pa.array([p for _, p in rare], type=pa.bool_()))
    return pc.replace_with_mask(values, flagged, text), pc.replace_with_mask(preserve, flagged, kept)


def _matching(values: pa.Array, pattern: str) -> pa.Array:
    """Values matching ``pattern``, or long enough that they may need cutting at Excel's limit."""
    return pc.or_(pc.match_substring_regex(values, pattern), pc.greater(pc.utf8_length(values), MAX_UTF16 // 2))


def _escape_one(value: str) -> tuple[str, bool]:
    """One value as xlsxwriter writes it: cut to Excel's limit, control characters as ``_xHHHH_``."""
    value = _utf16_cut(value)
    value = _ESCAPED_ESCAPE.sub(r"_x005F\1", value)
    value = _CONTROL.sub(lambda match: f"_x{ord(match.group(1)):04X}_", value)
    value = value.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    preserve = _PYTHON_EDGE_SPACE.search(value) is not None
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"), preserve


def _utf16_cut(value: str) -> str:
    """The longest prefix of ``value`` within ``MAX_UTF16`` UTF-16 code units (no split surrogate
    pair): ``value`` itself when it fits."""
    units = 0
    for index, char in enumerate(value):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > MAX_UTF16:
            return value[:index]
    return value
