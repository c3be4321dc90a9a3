"""Cells far below a worksheet's data (a stray entry in row 1,048,576): a copy without them to read.

calamine loads a sheet as a dense grid from its first to its last cell, so one stray cell at the
bottom of a 94-row village made a 24 KB workbook take 6 s and 1.5–3 GB (more with more columns: a
county office's 8 GB machine runs out). Such a sheet is told by its size: its XML holds a few bytes
per row of the grid its ``<dimension>`` declares, where data rows take hundreds. For it alone the
row tags are read; the rows after the first run of ``GAP_ROWS`` empty rows are stray, and the sheet
is read from a copy without them (in a private temporary folder; the input is never changed). Stray
rows holding a value are reported as skipped, with their row numbers, never dropped unsaid.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .xlsxpeek import UNREADABLE, sheet_parts

GAP_ROWS = 10_000
"""Empty rows between a sheet's data and the cells below it that make those cells stray."""

SPARSE_BYTES_PER_ROW = 16
"""A sheet whose XML has fewer bytes than this per row of its declared grid is mostly empty rows."""

STRAY_ROWS = "远离数据的零散行"
"""The reason the report gives for the rows left out (``RawTable.skipped``)."""

_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*\bref="[A-Z]*[0-9]*:?[A-Z]+([0-9]+)"')
_ROW = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="([0-9]+)"')
_SHEET_DATA_END = re.compile(rb"</(?:\w+:)?sheetData>")
_VALUE = re.compile(rb"<(?:\w+:)?(?:v|t)\b[^>]*>[^<]")
"""A cell's value (``<v>``: a number, or a shared string's index) or inline text (``<t>``), not empty."""


@dataclass(frozen=True)
class Trimmed:
    """The copy to read, and per sheet name the 1-based rows left out that held a value."""

    path: Path
    stray: dict[str, list[int]]


def trim_stray_rows(path: Path, folder: Path) -> Trimmed | None:
    """A copy of the .xlsx/.xlsm ``path`` in ``folder`` without its sheets' stray rows; None when no
    sheet has any (the usual case, decided from each sheet's size and first bytes) or the package
    cannot be read this way (the reader then reads it, or says what is wrong with it)."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = sheet_parts(archive)
            cuts: dict[str, tuple[bytes, list[int]]] = {}
            for part in parts.values():
                if _sparse(archive, part):
                    cut = _cut(archive.read(part))
                    if cut is not None:
                        cuts[part] = cut
            if not cuts:
                return None
            copy = folder / f"trimmed{path.suffix.lower()}"
            with zipfile.ZipFile(copy, "w", zipfile.ZIP_DEFLATED) as out:
                for info in archive.infolist():
                    if info.filename in cuts:
                        out.writestr(info.filename, cuts[info.filename][0])
                    else:
                        with archive.open(info) as source, out.open(info.filename, "w") as target:
                            shutil.copyfileobj(source, target)
            stray = {name: cuts[part][1] for name, part in parts.items() if part in cuts}
    except UNREADABLE:
        return None
    return Trimmed(copy, stray)


def _sparse(archive: zipfile.ZipFile, part: str) -> bool:
    """Whether the sheet's XML is small for the grid its dimension declares (read: its first 4 KB)."""
    with archive.open(part) as handle:
        head = handle.read(4096)
    found = _DIMENSION.search(head)
    if found is None:
        return False
    rows = int(found.group(1))
    return rows > GAP_ROWS and archive.getinfo(part).file_size < rows * SPARSE_BYTES_PER_ROW


def _cut(xml: bytes) -> tuple[bytes, list[int]] | None:
    """The sheet's XML without the rows after its first gap of ``GAP_ROWS`` empty rows that has fewer
    rows after it than before (the data is never what is cut: a title far above the data is not),
    and those of them that hold a value; None when there is no such gap."""
    rows = [(int(m.group(1)), m.start()) for m in _ROW.finditer(xml)]
    gaps = (i for i in range(1, len(rows)) if rows[i][0] - rows[i - 1][0] > GAP_ROWS)
    gap = next((i for i in gaps if len(rows) - i < i), None)
    end = _SHEET_DATA_END.search(xml)
    if gap is None or end is None:
        return None
    start = rows[gap][1]
    bounds = [offset for _, offset in rows[gap:]] + [end.start()]
    valued = [rows[gap + i][0] for i in range(len(bounds) - 1) if _VALUE.search(xml, bounds[i], bounds[i + 1])]
    last = rows[gap - 1][0]
    kept = xml[:start] + xml[end.start():]
    kept = _DIMENSION.sub(lambda m: m.group(0)[: m.start(1) - m.start(0)] + str(last).encode() + b'"', kept, count=1)
    return kept, valued
