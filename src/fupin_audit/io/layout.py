"""Where the table sits in a sheet: header row, two-row headers, blank and subtotal rows, merged keys.

Functions over the text grid, shared by every format. ``find_header`` looks at the first rows only
(a small list of lists); ``clean_body`` works on the data rows as an Arrow table of text columns
``c0, c1, …`` and is vectorized; ``build`` turns such a grid into a ``RawTable``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..fields import FIELDS, Field
from .headers import header_matcher, map_headers
from .table import RawTable

HEAD_ROWS = 30
"""How many rows from the top of a sheet are searched for the header row."""

TOTAL_COLUMNS = 6
"""How many leading columns are looked at for 合计/小计/总计."""

TOTAL_PATTERN = r"[合小总]\s*计"
BLANK = "空行"
TOTAL = "合计行"
REPEATED_HEADER = "重复的表头行"

FILL_KEYS = ("户编号", "县", "乡镇", "行政村", "自然村")
"""Key columns that may be filled down when the sheet merges them over a household's rows."""

MEMBER_EVIDENCE = ("姓名", "证件号码", "人编号")
"""A row that holds one of these is a member's row."""

Cell = str | None
Matcher = Callable[[str], str | None]


@dataclass(frozen=True)
class Header:
    """The header found in the top rows of a sheet.

    ``index`` is the position (0-based, in the rows given) of the header row — the lower row of a
    two-row header — so data start at ``index + 1``. ``headers`` is each column's text as written,
    ``上/下`` for two-row headers (``match_header`` reads the last part).
    """

    index: int
    headers: list[str]
    two_rows: bool

    @property
    def row(self) -> int:
        """1-based row number of the header row (the lower one of a two-row header)."""
        return self.index + 1


def _text(cell: Cell) -> str:
    return "" if cell is None else str(cell).strip()


def _recognized(row: Sequence[Cell], match: Matcher) -> list[bool]:
    return [bool(_text(c)) and match(_text(c)) is not None for c in row]


def _is_two_row(upper: Sequence[Cell], lower: Sequence[Cell], match: Matcher) -> bool:
    """Upper and lower rows form one header: group cells above sub-headers, vertical merges blank below."""
    up, low = _recognized(upper, match), _recognized(lower, match)
    up_columns = [j for j, ok in enumerate(up) if ok]
    if not up_columns:
        return False
    sub_headers = [j for j, ok in enumerate(low) if ok and not (j < len(up) and up[j])]
    if not sub_headers:
        return False
    blank_below = sum(1 for j in up_columns if j >= len(lower) or not _text(lower[j]))
    return blank_below * 2 >= len(up_columns)


def _join(upper: Sequence[Cell], lower: Sequence[Cell]) -> list[str]:
    """Join a two-row header: ``收入情况/工资性收入`` under a merged group cell, else the one text."""
    width = max(len(upper), len(lower))
    headers: list[str] = []
    group = ""
    for j in range(width):
        up = _text(upper[j]) if j < len(upper) else ""
        low = _text(lower[j]) if j < len(lower) else ""
        if low:
            group = up or group
            headers.append(f"{group}/{low}" if group else low)
        else:
            group = ""
            headers.append(up)
    return headers


def find_header(head: Sequence[Sequence[Cell]], fields: Sequence[Field] = FIELDS) -> Header | None:
    """The header among the first rows: the row whose cells name the most known fields.

    Returns None when no row names at least two fields (one when ``fields`` is that small). When
    the row above or below also holds recognizable headers laid out as a two-row header (a group
    cell over sub-headers, the other headers merged down), both rows are joined.
    """
    rows = list(head[:HEAD_ROWS])
    match = header_matcher(fields)
    counts = [sum(_recognized(r, match)) for r in rows]
    if not counts or max(counts) < min(2, len(fields)):
        return None
    best = counts.index(max(counts))
    for upper in (best, best - 1):
        lower = upper + 1
        if upper >= 0 and lower < len(rows) and _is_two_row(rows[upper], rows[lower], match):
            return Header(lower, _join(rows[upper], rows[lower]), True)
    return Header(best, [_text(c) for c in rows[best]], False)


def likely_header(head: Sequence[Sequence[Cell]]) -> list[str]:
    """The texts of the fullest of the first rows: what the header probably is when no field matched."""
    rows = [[_text(c) for c in row] for row in head[:HEAD_ROWS]]
    fullest = max(rows, key=lambda r: sum(1 for t in r if t), default=[])
    return [t for t in fullest if t]


@dataclass
class Body:
    """Data rows after dropping blank and subtotal rows and filling merged key cells down."""

    frame: pd.DataFrame
    rows: np.ndarray
    kept: np.ndarray
    """Positions (in the frame given to ``clean_body``) of the rows kept, to select other per-row data."""
    skipped: dict[str, list[int]]
    filled: dict[str, int]


def _mask(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return np.asarray(pc.fill_null(values, False).to_numpy(zero_copy_only=False), dtype=bool)


def _blank(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Cells that are null, empty or only whitespace (``utf8_is_space``: the whitespace
    ``utf8_trim_whitespace`` trims, every code point compared, without copying the text)."""
    empty = pc.or_kleene(pc.is_null(values), pc.equal(pc.binary_length(values), 0))
    return _mask(pc.or_kleene(empty, pc.utf8_is_space(values)))


def _subtotal(grid: pa.Table) -> np.ndarray:
    found = np.zeros(grid.num_rows, dtype=bool)
    for values in grid.columns[:TOTAL_COLUMNS]:
        # the pattern needs a 计: a plain substring search first, the regex only on those cells
        candidates = np.flatnonzero(_mask(pc.match_substring(values, "计")))
        if len(candidates) == 0:
            continue
        some = values.take(pa.array(candidates))
        hit = pc.and_(pc.match_substring_regex(some, TOTAL_PATTERN), pc.less_equal(pc.utf8_length(some), 12))
        found[candidates] |= _mask(hit)
    return found


def _fill_down(frame: pd.DataFrame, headers: Sequence[str], mapping: Mapping[int, str]) -> dict[str, int]:
    """Fill merged key cells down over a household's member rows; returns cells filled per header.

    A key column is filled only when the layout shows merging: blanks directly under a value on
    member rows, and fewer such blanks than repeated values (a repeated layout with one missing
    户编号 is left alone, to be reported as missing). ``mapping``: column position → field name.
    """
    member_columns = [f"c{j}" for j, name in mapping.items() if name in MEMBER_EVIDENCE]
    if not member_columns or len(frame) < 2:
        return {}
    member: np.ndarray | None = None  # member rows: found only when a key column has gaps at all
    filled: dict[str, int] = {}
    for j, name in sorted(mapping.items()):
        if name not in FILL_KEYS:
            continue
        column = frame[f"c{j}"]
        empty = _blank(pa.array(column, from_pandas=True))
        previous_empty = np.concatenate([[True], empty[:-1]])
        gaps = empty & ~previous_empty
        if not gaps.any():
            continue
        if member is None:
            member = np.zeros(len(frame), dtype=bool)
            for evidence in member_columns:
                member |= ~_blank(pa.array(frame[evidence], from_pandas=True))
        gaps &= member & np.concatenate([[False], member[:-1]])
        value = column.where(~empty)
        repeats = ~empty & ~previous_empty & (value == value.shift()).fillna(False).to_numpy(dtype=bool)
        if not gaps.any() or repeats.sum() >= gaps.sum():
            continue
        target = empty & member
        forward = value.ffill()
        target &= forward.notna().to_numpy(dtype=bool)
        if target.any():
            frame[f"c{j}"] = column.mask(target, forward)
            filled[headers[j]] = int(target.sum())
    return filled


def _repeated_header(grid: pa.Table, headers: Sequence[str], mapping: Mapping[int, str]) -> np.ndarray:
    """Rows that repeat the header (exports joined one after another, a header printed on every
    page): the key column's cell is its header text, and so is at least half of the row's cells."""
    found = np.zeros(grid.num_rows, dtype=bool)
    key = next((j for j, name in mapping.items() if name == "户编号"), None)
    if key is None or key >= grid.num_columns:
        return found
    candidates = np.flatnonzero(_mask(pc.equal(pc.utf8_trim_whitespace(grid.column(key)), str(headers[key]).strip())))
    if len(candidates) == 0:
        return found
    rows = grid.take(pa.array(candidates))
    same = np.zeros(len(candidates), dtype=int)
    filled = np.zeros(len(candidates), dtype=int)
    for j, values in enumerate(rows.columns):
        filled += ~_blank(values)
        if j < len(headers) and str(headers[j]).strip():
            same += _mask(pc.equal(pc.utf8_trim_whitespace(values), str(headers[j]).strip()))
    found[candidates] = same * 2 >= filled
    return found


def clean_body(
    grid: pa.Table,
    rows: np.ndarray,
    headers: Sequence[str],
    fields: Sequence[Field] = FIELDS,
) -> Body:
    """The data rows of ``grid`` (text columns ``c0, c1, …``, one header text each, on sheet rows
    ``rows``) as a pandas frame: blank, 合计/小计/总计 and repeated header rows dropped (recorded in
    ``skipped`` with their row numbers), merged key columns filled down (``filled``: cells filled per header).
    Masks are computed with Arrow compute, where pandas would fall back to Python per cell."""
    blank = np.ones(grid.num_rows, dtype=bool)
    for values in grid.columns:  # each column tests only the rows still blank (few after the first)
        candidates = np.flatnonzero(blank)
        if len(candidates) == 0:
            break
        if len(candidates) == len(blank):
            blank &= _blank(values)
        else:
            blank[candidates] = _blank(values.take(pa.array(candidates)))
    mapping = map_headers(list(headers), fields).mapping
    subtotal = _subtotal(grid) & ~blank
    repeated = _repeated_header(grid, headers, mapping) & ~blank
    keep = ~(blank | subtotal | repeated)
    skipped = {
        reason: rows[mask].astype(int).tolist()
        for reason, mask in ((BLANK, blank), (TOTAL, subtotal), (REPEATED_HEADER, repeated))
        if mask.any()
    }
    kept = np.flatnonzero(keep)
    body = (grid if keep.all() else grid.filter(pa.array(keep))).to_pandas()
    filled = _fill_down(body, headers, mapping)
    return Body(body, rows[kept], kept, skipped, filled)


def head_rows(grid: pa.Table, count: int = HEAD_ROWS) -> list[list[Cell]]:
    """The first ``count`` rows of the grid as lists of cells (text or None)."""
    columns = grid.slice(0, count).to_pydict().values()
    return [list(row) for row in zip(*columns, strict=True)]


def id_columns(headers: Sequence[str], fields: Sequence[Field] = FIELDS) -> list[int]:
    """Positions of the columns whose header names an id-type field (证件号码 …)."""
    types = {f.name: f.type for f in fields}
    return sorted(j for j, name in map_headers(list(headers), fields).mapping.items() if types[name] == "id")


def build(
    path: Path,
    sheet: str | None,
    header: Header,
    body: pa.Table,
    rows: np.ndarray,
    fields: Sequence[Field] = FIELDS,
    *,
    hidden: bool = False,
) -> tuple[RawTable, np.ndarray]:
    """The ``RawTable`` of a sheet whose data rows are ``body`` (columns in sheet order, text) on
    rows ``rows`` (1-based); also the positions of ``body`` rows kept (to select per-row data read
    separately, such as numeric-cell masks)."""
    width = max(body.num_columns, len(header.headers))
    headers = header.headers + [""] * (width - len(header.headers))
    while width and not headers[width - 1] and (
        width > body.num_columns or body.column(width - 1).null_count == body.num_rows
    ):
        width -= 1  # trailing columns with neither header nor data
    headers = headers[:width]
    arrays = [body.column(j) if j < body.num_columns else pa.nulls(body.num_rows, pa.string()) for j in range(width)]
    grid = pa.table(arrays, names=[f"c{j}" for j in range(width)])
    cleaned = clean_body(grid, rows, headers, fields)
    raw = RawTable(
        path=path,
        sheet=sheet,
        headers=headers,
        frame=cleaned.frame,
        rows=cleaned.rows,
        skipped=cleaned.skipped,
        filled=cleaned.filled,
        header_row=header.row,
        hidden=hidden,
    )
    return raw, cleaned.kept


def header_of(grid: pa.Table, fields: Sequence[Field] = FIELDS) -> Header | None:
    """The header found in the top rows of an Arrow grid (see ``find_header``)."""
    return find_header(head_rows(grid), fields)
