"""The first rows of an .xlsx worksheet, read straight from the package XML without parsing the rest.

Used only to guess, before the sheet is loaded, which columns hold ID numbers (excel.py): the load
can then type those columns itself and show that no ID is stored as a number, sparing a second
parse of the whole sheet. The guess is checked against the header found in the loaded sheet, so a
wrong or missing guess costs time, never correctness. Anything unusual (not a zip package, no such
sheet, cells without positions, a header string far down the shared-string table) gives None.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import Element, iterparse

Cell = str | None

SHARED_STRING_LIMIT = 100_000
"""Shared strings read at most to resolve the header cells (writers store the header's first)."""

TEXT_TYPES = ("s", "inlineStr", "str")
"""Cell types (``t``) holding text: shared, inline, a formula's text result."""

UNREADABLE = (
    OSError, EOFError, KeyError, IndexError, ValueError, SyntaxError, RuntimeError, NotImplementedError,
    zlib.error, zipfile.BadZipFile, zipfile.LargeZipFile,
)
"""What reading the package may raise (damaged or encrypted members, compression zipfile lacks such as
Deflate64, malformed XML): the peek then gives up and the sheet is read the long way."""

_REF = re.compile(r"([A-Z]{1,3})([0-9]+)$")
_RELATIONSHIP = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _column(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number - 1


def _text(element: Element) -> str:
    """The text of an inline or shared string (its ``t`` runs; phonetic ``rPh`` runs left out)."""
    parts: list[str] = []
    for child in element:
        name = _local(child.tag)
        if name == "t":
            parts.append(child.text or "")
        elif name == "r":
            parts.extend(t.text or "" for t in child if _local(t.tag) == "t")
    return "".join(parts)


def sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """The package path of each worksheet, by sheet name (workbook.xml and its relationships)."""
    with archive.open("xl/workbook.xml") as handle:
        ids = {e.get("name"): e.get(_RELATIONSHIP) for _, e in iterparse(handle) if _local(e.tag) == "sheet"}
    with archive.open("xl/_rels/workbook.xml.rels") as handle:
        targets = {e.get("Id"): e.get("Target") for _, e in iterparse(handle) if _local(e.tag) == "Relationship"}
    parts = {}
    for name, rid in ids.items():
        target = targets.get(rid)
        if name and target:
            parts[name] = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    return parts


def _cells(archive: zipfile.ZipFile, part: str, rows: int) -> Iterator[tuple[int, int, str, str]]:
    """(row, column, type, value) of the cells in the first ``rows`` rows (0-based positions);
    stops reading the part at the first cell past them."""
    with archive.open(part) as handle:
        for _, element in iterparse(handle):
            if _local(element.tag) != "c":
                continue
            match = _REF.match(element.get("r") or "")
            if match is None:
                raise ValueError("cell without a position")
            row = int(match.group(2)) - 1
            if row >= rows:
                return
            kind = element.get("t") or "n"
            if kind == "inlineStr":
                value = "".join(_text(child) for child in element if _local(child.tag) == "is")
            else:
                value = next((child.text or "" for child in element if _local(child.tag) == "v"), "")
            yield row, _column(match.group(1)), kind, value
            element.clear()


def _shared_strings(archive: zipfile.ZipFile, needed: int) -> list[str]:
    """The first ``needed + 1`` shared strings."""
    found: list[str] = []
    with archive.open("xl/sharedStrings.xml") as handle:
        for _, element in iterparse(handle):
            if _local(element.tag) == "si":
                found.append(_text(element))
                element.clear()
                if len(found) > needed:
                    break
    return found


@dataclass(frozen=True)
class SheetHead:
    """The first rows of a sheet as text cells from column A, and, per column, the rows (0-based)
    among the first ones scanned whose cell is stored as something other than text (a number …)."""

    rows: list[list[Cell]]
    not_text: dict[int, list[int]]


def first_rows(path: Path, sheet: str, rows: int, scan: int = 0) -> SheetHead | None:
    """The first ``rows`` rows of worksheet ``sheet``, cell types looked at over ``max(rows, scan)``
    rows; None when they cannot be read cheaply."""
    try:
        with zipfile.ZipFile(path) as archive:
            part = sheet_parts(archive).get(sheet)
            if part is None:
                return None
            cells = list(_cells(archive, part, max(rows, scan)))
            shared = [int(value) for row, _, kind, value in cells if kind == "s" and row < rows]
            if shared and max(shared) >= SHARED_STRING_LIMIT:
                return None
            strings = _shared_strings(archive, max(shared)) if shared else []
        head = [cell for cell in cells if cell[0] < rows]
        width = max((column for _, column, _, _ in head), default=-1) + 1
        grid: list[list[Cell]] = [[None] * width for _ in range(rows)]
        for row, column, kind, value in head:
            grid[row][column] = strings[int(value)] if kind == "s" else value
    except UNREADABLE:
        return None
    not_text: dict[int, list[int]] = {}
    for row, column, kind, value in cells:
        if kind not in TEXT_TYPES and value:
            not_text.setdefault(column, []).append(row)
    return SheetHead(grid, not_text)
