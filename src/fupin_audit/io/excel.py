"""Excel workbooks (.xlsx, .xlsm, .xlsb, .xls) through fastexcel (calamine): every cell as text.

Each sheet is loaded as text, with leading empty rows kept so that frame rows map to sheet rows.
An ID stored as a number has lost its last digits, so the ID columns must also say which cells the
workbook stored as numbers. Two ways, cheapest first:

1. For .xlsx, the ID columns are guessed from the sheet's first rows read straight from its XML
   (xlsxpeek.py), and the one load types those columns itself (strictly, over every row): a column
   fastexcel finds to be all text holds no number. The guess is checked against the header found
   in the loaded sheet.
2. Otherwise (no guess, an ID stored as a number in the first rows scanned or later, a wrong
   guess) the sheet is loaded once more as booleans: calamine turns a number into a boolean and
   refuses text, so the cells that come back are exactly those stored as numbers (a float load
   would not do: it parses digit text too).
   When known in advance this load runs in a second thread beside the text load (calamine releases
   the GIL; each load parses the whole sheet, which on two cores slows the text load by a quarter).
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import fastexcel
import numpy as np
import pyarrow as pa

from ..errors import InputError
from ..fields import FIELDS, Field
from .layout import HEAD_ROWS, build, find_header, head_rows, header_of, id_columns, likely_header
from .table import RawTable
from .xlsxpeek import first_rows
from .xlsxtrim import STRAY_ROWS, trim_stray_rows

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ENCRYPTION_STREAMS = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))
HIDDEN_SHEET = "隐藏工作表"
EXCEL_COLUMNS = 16_384
"""Columns in one worksheet (A … XFD)."""

SCAN_ROWS = 500
"""Rows of a sheet's XML looked at for IDs stored as numbers before the sheet is loaded: a number
there means the boolean load is needed, so it starts beside the text load at once."""

Booleans = dict[int, pa.ChunkedArray]


@dataclass
class SkippedSheet:
    """A sheet not read, and why (隐藏工作表, 空工作表, 未找到可识别的表头); ``seen`` holds the texts of
    its fullest top row when no header was recognized (for the error message)."""

    name: str
    reason: str
    seen: list[str] = field(default_factory=list)


@dataclass
class FileRead:
    """The sheets read from one file, and the sheets left out with the reason."""

    tables: list[RawTable]
    skipped_sheets: list[SkippedSheet] = field(default_factory=list)


def _encrypted(path: Path) -> bool:
    """An OLE compound file holding an ``EncryptionInfo`` stream: an Office file with a password."""
    with path.open("rb") as handle:
        header = handle.read(512)
        sector = 4096 if int.from_bytes(header[30:32], "little") == 12 else 512
        first_directory = int.from_bytes(header[48:52], "little")
        handle.seek((first_directory + 1) * sector)
        directory = handle.read(sector * 4)
    return any(name in directory for name in ENCRYPTION_STREAMS)


def check_signature(path: Path) -> bool:
    """Refuse, in plain words, files that are no workbook; True when the content is a workbook of the
    other generation than the suffix says (.xls saved as .xlsx or the reverse), to be read by content."""
    with path.open("rb") as handle:
        magic = handle.read(8)
    if not magic:
        raise InputError(f"{path.name}：文件是空的（0 字节）。请重新导出该文件。")
    if magic == OLE_MAGIC and _encrypted(path):
        raise InputError(f"{path.name}：工作簿设有打开密码（已加密），无法读取。请在 Excel 中取消密码后另存，再重试。")
    if magic != OLE_MAGIC and not magic.startswith(ZIP_MAGIC):
        raise InputError(
            f"{path.name}：扩展名是 {path.suffix}，内容却不是 Excel 工作簿（可能是改了扩展名的文本或网页文件）。"
            "请在 Excel 中打开后另存为 .xlsx。"
        )
    return (path.suffix.lower() == ".xls") != (magic == OLE_MAGIC)


def _damaged(path: Path, error: Exception) -> InputError:
    detail = str(error).lower()
    if "password" in detail or "encrypt" in detail:
        return InputError(f"{path.name}：工作簿设有密码（已加密），无法读取。请在 Excel 中取消密码后另存，再重试。")
    return InputError(f"{path.name}：文件已损坏或不完整，无法作为 Excel 读取。请在 Excel 中打开并另存，或重新导出。")


def open_workbook(path: Path) -> fastexcel.ExcelReader:
    """Open a workbook, turning every reader failure into one plain ``InputError``."""
    mismatched = check_signature(path)
    try:
        return fastexcel.read_excel(path.read_bytes() if mismatched else path)
    except fastexcel.FastExcelError as error:
        raise _damaged(path, error) from None


def choose_sheets(path: Path, names: list[str], sheet: str | None) -> list[int]:
    """Positions of the sheets to read: all, or the one named (or numbered from 1) by ``sheet``."""
    if sheet is None:
        return list(range(len(names)))
    if sheet in names:
        return [names.index(sheet)]
    if sheet.strip().isdigit() and 1 <= int(sheet) <= len(names):
        return [int(sheet) - 1]
    listed = "、".join(f"{i}.{n}" for i, n in enumerate(names, 1))
    raise InputError(f"{path.name}：没有名为“{sheet}”的工作表。可选的工作表：{listed}。请用工作表名称或序号指定。")


def _text_grid(sheet: fastexcel.ExcelSheet) -> pa.Table:
    """The sheet as Arrow text columns, one per sheet column from column A (empty leading columns added)."""
    table = sheet.to_arrow()
    absolute = [c.absolute_index for c in sheet.available_columns()]
    width = (max(absolute) + 1) if absolute else 0
    by_index = dict(zip(absolute, table.columns, strict=True))
    arrays = [by_index.get(j, pa.nulls(table.num_rows, pa.string())) for j in range(width)]
    return pa.table(arrays, names=[f"c{j}" for j in range(width)])


def _boolean_sheet(path: Path, index: int) -> Booleans:
    """Every column of a sheet loaded as booleans (through a reader of its own), by column position."""
    loaded = open_workbook(path).load_sheet(index, header_row=None, skip_rows=0, dtypes="boolean")
    table = loaded.to_arrow()
    return dict(zip([c.absolute_index for c in loaded.available_columns()], table.columns, strict=True))


def _numeric_mask(booleans: Booleans, column: int, start: int, kept: np.ndarray) -> np.ndarray:
    """Cells of one column that the workbook stored as numbers, for the kept data rows."""
    if column not in booleans:
        return np.zeros(len(kept), dtype=bool)
    stored = booleans[column].is_valid().to_numpy(zero_copy_only=False)
    padded = np.zeros(max(len(stored), start + (int(kept.max()) + 1 if len(kept) else 0)), dtype=bool)
    padded[: len(stored)] = stored
    return padded[start + kept]


def guess_id_columns(path: Path, sheet: str, fields: Sequence[Field] = FIELDS) -> list[int]:
    """Positions of the ID columns by the header in the sheet's first rows read from its XML, when
    none of their cells in the first ``SCAN_ROWS`` rows is stored as a number ([]: otherwise, or no
    header found: the boolean load is needed or cannot be ruled out)."""
    head = first_rows(path, sheet, HEAD_ROWS, SCAN_ROWS) if path.suffix.lower() in (".xlsx", ".xlsm") else None
    header = find_header(head.rows, fields) if head is not None else None
    if head is None or header is None:
        return []
    columns = id_columns(header.headers, fields)
    numbers = any(row > header.index for column in columns for row in head.not_text.get(column, []))
    return [] if numbers else columns


def _load_typing_ids(reader: fastexcel.ExcelReader, index: int, guess: list[int]) -> fastexcel.ExcelSheet | None:
    """The sheet as text except the ``guess`` columns, which fastexcel types over every row: returned
    only when they all hold text alone. None when one mixes text with other cells, or the typed
    load fails in any way (the plain text load then says whether the file is damaged)."""
    try:
        loaded = reader.load_sheet(
            index, header_row=None, skip_rows=0, schema_sample_rows=None, dtype_coercion="strict",
            dtypes={j: "string" for j in range(EXCEL_COLUMNS) if j not in guess},
        )
    except fastexcel.FastExcelError:
        return None
    typed = {c.absolute_index: c.dtype for c in loaded.available_columns()}
    if any(typed.get(j, "string") != "string" for j in guess):
        return None
    return loaded


def read_workbook(
    path: Path,
    *,
    sheet: str | None = None,
    include_hidden: bool = False,
    fields: Sequence[Field] = FIELDS,
) -> FileRead:
    """Every sheet with a recognizable header, as a ``RawTable``; the others in ``skipped_sheets``.

    Hidden sheets are reported and left out unless ``include_hidden`` (or chosen by ``sheet``). A
    sheet with stray cells far below its data is read without them (xlsxtrim.py).
    """
    with tempfile.TemporaryDirectory(prefix="fupin-audit-") as folder:
        trimmed = trim_stray_rows(path, Path(folder)) if path.suffix.lower() in (".xlsx", ".xlsm") else None
        source = trimmed.path if trimmed is not None else path
        reader = open_workbook(source)
        names = list(reader.sheet_names)
        result = FileRead([])
        with ThreadPoolExecutor(max_workers=1) as pool:
            for index in choose_sheets(path, names, sheet):
                try:
                    raw = _read_sheet(path, source, reader, index, names[index], pool, sheet, include_hidden, fields, result)
                except fastexcel.FastExcelError as error:
                    raise _damaged(path, error) from None
                if raw is None:
                    continue
                if trimmed is not None and trimmed.stray.get(names[index]):
                    raw.skipped[STRAY_ROWS] = trimmed.stray[names[index]]
                result.tables.append(raw)
    return result


def _read_sheet(
    path: Path,
    source: Path,
    reader: fastexcel.ExcelReader,
    index: int,
    name: str,
    pool: ThreadPoolExecutor,
    sheet: str | None,
    include_hidden: bool,
    fields: Sequence[Field],
    result: FileRead,
) -> RawTable | None:
    """One sheet as a ``RawTable``, or None when it is left out (recorded in ``result``); ``source`` is
    the file read (``path``, or its copy without stray rows)."""
    guess = guess_id_columns(source, name, fields)
    loaded = _load_typing_ids(reader, index, guess) if guess else None
    all_text = set(guess) if loaded is not None else set()  # ID columns shown to hold no number
    booleans: Future[Booleans] | None = None
    if loaded is None:
        booleans = pool.submit(_boolean_sheet, source, index)
        loaded = reader.load_sheet(index, header_row=None, skip_rows=0, dtypes="string")
    hidden = loaded.visible != "visible"
    if hidden and not include_hidden and sheet is None:
        result.skipped_sheets.append(SkippedSheet(name, HIDDEN_SHEET))
        return None
    grid = _text_grid(loaded)
    header = header_of(grid, fields)
    if header is None:
        reason = "空工作表" if grid.num_rows == 0 else "未找到可识别的表头"
        result.skipped_sheets.append(SkippedSheet(name, reason, likely_header(head_rows(grid))))
        return None
    start = header.index + 1
    body = grid.slice(start)
    rows = np.arange(start + 1, start + 1 + body.num_rows, dtype=np.int64)
    raw, kept = build(path, name, header, body, rows, fields, hidden=hidden)
    for column in id_columns(raw.headers, fields):
        if column in all_text:
            raw.numeric[column] = np.zeros(len(kept), dtype=bool)
            continue
        if booleans is None:  # the guess missed this column: load the booleans now
            booleans = pool.submit(_boolean_sheet, source, index)
        raw.numeric[column] = _numeric_mask(booleans.result(), column, start, kept)
    return raw
