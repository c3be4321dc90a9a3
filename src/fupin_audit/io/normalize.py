"""From a sheet as read (``RawTable``) to a typed table with canonical columns (``Table``).

Headers are mapped (``headers.py``), every mapped column is parsed by its field type (``values.py``),
unknown columns are kept as cleaned text under their own header, and the origin of each row is kept
(``_file``, ``_sheet``, ``_row``). A value that cannot be understood becomes null and one
``unreadable_value`` finding that names the cell (``H12``) a person would open.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import findings
from ..fields import FIELDS, Field
from .headers import map_headers
from .table import DuplicateColumn, RawTable, Table
from .values import parse_text, parse_values

EXPECTED: dict[str, str] = {
    "bool": "有效的是/否值",
    "number": "有效数字",
    "int": "有效整数",
    "date": "有效日期",
    "year": "有效年份",
    "text": "完整的编号（Excel 把长编号存成数字时会改成科学计数法、丢掉末几位：请把该列设为文本后重新导出）",
}
"""What a value of each type should have been, for the message (id and enum are never bad; of the text
fields only 户编号 is, when Excel wrote it in scientific notation: ``values.parse_household_key``)."""

_ORIGIN = ("_file", "_sheet", "_row")
_NO_ROWS = np.array([], dtype=np.intp)
_NO_ROWS.flags.writeable = False

PARSE_THREADS = min(4, os.cpu_count() or 1)
"""Columns parsed at once (the parsing is Arrow compute, which runs outside the GIL)."""


def column_letter(position: int) -> str:
    """Excel column letters of a 0-based column position: 0 → A, 25 → Z, 26 → AA."""
    letters = ""
    position += 1
    while position:
        position, remainder = divmod(position - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _unknown_name(header: str, position: int, taken: set[str]) -> str:
    """The column name of an unknown column: its header as written, made unique with the column letter."""
    name = str(header).strip() or f"第{column_letter(position)}列"
    if name in taken or name in _ORIGIN or name.startswith(("_raw_", "_numeric_")):
        name = f"{name}（{column_letter(position)}列）"
    return name


@dataclass
class _Column:
    """One parsed column: its values, the unreadable cells (positions and text as written) and, for an
    ID column, the cells as read (kept as ``_raw_<name>``)."""

    values: pd.Series
    bad_rows: np.ndarray
    bad_text: list[str]
    as_read: pd.Series | None = None


def normalize_table(raw: RawTable, fields: Sequence[Field] = FIELDS) -> Table:
    """Map headers, type every mapped column, keep unknown columns as text, report unreadable cells.

    ``raw`` is consumed: its frame is emptied and each column let go once parsed, so a large sheet's
    text and its typed columns are not all held at once (2.5 GB less at 5,000,000 rows)."""
    header_map = map_headers(raw.headers, fields)
    by_name = {f.name: f for f in fields}
    n_rows = len(raw.frame)
    index = pd.RangeIndex(n_rows)
    columns: dict[str, pd.Series] = {}
    extra: dict[str, pd.Series] = {}
    bad_columns: list[tuple[int, Field, _Column]] = []
    unknown: list[str] = []

    # a column with neither header nor any value carries nothing: a stray cell far to the right (XFD)
    # made a sheet 16,384 columns wide, and each became an unknown column (minutes for 94 rows)
    positions = [
        p for p in range(len(raw.headers))
        if str(raw.headers[p]).strip() or p in header_map.mapping or raw.frame.iloc[:, p].notna().any()
    ]
    slots: dict[int, tuple[str, Field | None]] = {}  # column name by position, and its field (None: unknown)
    for position in positions:
        canonical = header_map.mapping.get(position)
        if canonical is None:
            name = _unknown_name(raw.headers[position], position, {name for name, _ in slots.values()})
            if position not in header_map.duplicates:  # a second 证件号码 column is no unknown one
                unknown.append(name)
            slots[position] = (name, None)
        else:
            slots[position] = (canonical, by_name[canonical])

    duplicates = _duplicate_columns(raw, header_map.mapping, header_map.duplicates)
    pending = {p: raw.frame.iloc[:, p].reset_index(drop=True) for p in positions}
    raw.frame = raw.frame.iloc[:0, :0]

    def parse(position: int) -> _Column:
        cells = pending.pop(position)
        field = slots[position][1]
        if field is None:
            return _Column(parse_text(cells)[0], _NO_ROWS, [])
        parsed, bad = parse_values(cells, field)
        rows = np.flatnonzero(bad.to_numpy()) if bad is not None else _NO_ROWS
        bad_text = cells.iloc[rows].astype("str").str.strip().tolist()
        return _Column(parsed, rows, bad_text, cells.astype("str") if field.type == "id" else None)

    with ThreadPoolExecutor(max_workers=PARSE_THREADS) as pool:
        parsed_columns = list(pool.map(parse, positions))
    for position, column in zip(positions, parsed_columns, strict=True):
        name, field = slots[position]
        if field is None:
            columns[name] = column.values
            continue
        columns[name] = column.values.rename(name)
        if len(column.bad_rows):
            bad_columns.append((position, field, column))
        if column.as_read is not None:
            extra[f"_raw_{name}"] = column.as_read
            numeric = raw.numeric.get(position)
            flags = np.asarray(numeric, dtype=bool) if numeric is not None else np.zeros(n_rows, bool)
            extra[f"_numeric_{name}"] = pd.Series(flags, index=index, dtype="boolean")

    extra["_file"] = pd.Series(raw.path.name, index=index, dtype="str")
    extra["_sheet"] = pd.Series(raw.sheet or "", index=index, dtype="str")
    extra["_row"] = pd.Series(np.asarray(raw.rows), index=index).astype("Int64")
    frame = pd.DataFrame({**columns, **extra}, index=index, copy=False)  # the parsed columns are this frame's alone

    return Table(
        path=raw.path,
        sheet=raw.sheet,
        frame=frame,
        mapping={raw.headers[p]: name for p, name in header_map.mapping.items()},
        unknown_columns=unknown,
        problems=_problems(raw, frame, bad_columns),
        rows_read=n_rows,
        skipped=raw.skipped,
        duplicate_columns=duplicates,
    )


def _duplicate_columns(raw: RawTable, mapping: dict[int, str], duplicates: dict[int, str]) -> list[DuplicateColumn]:
    """Each column that repeats a mapped field, with the number of rows where its text (trimmed)
    differs from the used column's, both being filled, and where only it is filled."""
    used = {name: position for position, name in mapping.items()}
    out = []
    for position, name in duplicates.items():
        first = used[name]
        a = raw.frame.iloc[:, first].astype("str").str.strip().replace("", None)
        b = raw.frame.iloc[:, position].astype("str").str.strip().replace("", None)
        differing = int((a.notna() & b.notna() & (a != b)).sum())
        only_here = int((a.isna() & b.notna()).sum())
        header = str(raw.headers[position]).strip() or f"第{column_letter(position)}列"
        used_header = str(raw.headers[first]).strip() or f"第{column_letter(first)}列"
        out.append(DuplicateColumn(header, name, used_header, differing, only_here))
    return out


def _row_values(frame: pd.DataFrame, column: str, rows: np.ndarray) -> list[str]:
    if column not in frame.columns:
        return [""] * len(rows)
    return frame[column].iloc[rows].fillna("").astype("str").tolist()


def _problems(raw: RawTable, frame: pd.DataFrame, bad_columns: list[tuple[int, Field, _Column]]) -> pd.DataFrame:
    """One ``unreadable_value`` finding per bad cell.

    Built column-wise: a column of 500k unreadable dates must not cost a Python dict per cell.
    The evidence text is exactly ``findings.evidence_json({"cell", "column", "header", "value"})``, and
    on a member's row without an ID number also the member's name (``findings.with_person_names``).
    """
    name_column = "姓名" if "姓名" in frame.columns else "户主姓名"
    where = findings.source_text(raw.path.name, raw.sheet, None)
    parts = []
    for position, field, column in bad_columns:
        rows, values = column.bad_rows, column.bad_text
        header = str(raw.headers[position]).strip() or field.name
        quoted = {v: json.dumps(v, ensure_ascii=False) for v in set(values)}
        sheet_rows = frame["_row"].iloc[rows].tolist()
        letter = column_letter(position)
        known = f'"column": {json.dumps(field.name, ensure_ascii=False)}, "header": {json.dumps(header, ensure_ascii=False)}'
        expected = EXPECTED[field.type]
        parts.append(pd.DataFrame({
            "rule_id": "unreadable_value",
            "kind": "data_error",
            "severity": "medium",
            "county": _row_values(frame, "县", rows),
            "township": _row_values(frame, "乡镇", rows),
            "village": _row_values(frame, "行政村", rows),
            "household_id": _row_values(frame, "户编号", rows),
            "person_id": _row_values(frame, "证件号码", rows),
            "name": _row_values(frame, name_column, rows),
            "message": [f"列“{header}”的值“{value}”不是{expected}，已按空值处理" for value in values],
            "evidence": [
                f'{{"cell": "{letter}{row}", {known}, "value": {quoted[value]}}}'
                for value, row in zip(values, sheet_rows, strict=True)
            ],
            "source": [f"{where}:{row}" for row in sheet_rows],
        }))
        if name_column == "姓名":  # a member's row: about that member
            parts[-1] = findings.with_person_names(parts[-1], parts[-1]["name"])
    if not parts:
        return findings.empty()
    return findings.normalize(pd.concat(parts, ignore_index=True))
