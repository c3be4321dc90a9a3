"""Read any registry file: choose the reader by suffix, then normalize.

``read_file`` returns every table found with the sheets left out (hidden, empty, no header) so a
report can say so; ``read_normalized`` normalizes them and ``read_tables`` returns the tables only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, MissingColumnsError
from ..fields import FIELDS, HOUSEHOLD_KEY, ID_COLUMN, Field
from .delimited import read_delimited
from .excel import HIDDEN_SHEET, FileRead, SkippedSheet, read_workbook
from .headers import closest
from .normalize import normalize_table
from .parquet import read_parquet
from .table import Table

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls")
TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
PARQUET_SUFFIXES = (".parquet",)
SUPPORTED = EXCEL_SUFFIXES + TEXT_SUFFIXES + PARQUET_SUFFIXES


def check_readable(path: Path) -> None:
    """Raise ``InputError`` when ``path`` is not an existing file of a supported type (a stat, no read)."""
    if path.suffix.lower() not in SUPPORTED:
        raise InputError(
            f"{path.name}：不支持的文件类型“{path.suffix or '无扩展名'}”。支持 {'、'.join(SUPPORTED)}；请另存为 .xlsx 或 .csv。"
        )
    if not path.is_file():
        what = "是一个文件夹，不是文件" if path.is_dir() else "文件不存在"
        raise InputError(f"{path}：{what}。请检查路径和文件名。")


def read_file(
    path: Path,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    include_hidden: bool = False,
    fields: Sequence[Field] = FIELDS,
) -> FileRead:
    """Every table in ``path`` as read (``RawTable``), and the sheets left out with the reason.

    ``sheet`` (name or 1-based number) chooses one sheet of a workbook; ``encoding`` forces the
    encoding of a text file; hidden sheets are read only with ``include_hidden``. Unreadable files
    raise ``InputError`` with one plain message.
    """
    path = Path(path)
    check_readable(path)
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        return read_workbook(path, sheet=sheet, include_hidden=include_hidden, fields=fields)
    if suffix in PARQUET_SUFFIXES:
        return FileRead([read_parquet(path, fields=fields)])
    found = read_delimited(path, encoding=encoding, fields=fields)
    if isinstance(found, list):
        return FileRead([], [SkippedSheet("", "未找到可识别的表头", found)])
    return FileRead([found])


@dataclass
class FileTables:
    """The normalized tables of one file, the sheets left out and the key cells filled down."""

    tables: list[Table]
    skipped_sheets: list[SkippedSheet]
    filled: dict[str, int]


def read_normalized(
    path: Path,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    include_hidden: bool = False,
    fields: Sequence[Field] = FIELDS,
) -> FileTables:
    """The tables in ``path``, normalized (``normalize_table``), with what was left out.

    Raises ``MissingColumnsError`` when no sheet has a recognizable header.
    """
    read = read_file(path, sheet=sheet, encoding=encoding, include_hidden=include_hidden, fields=fields)
    if not read.tables:
        hidden = [s.name for s in read.skipped_sheets if s.reason == HIDDEN_SHEET]
        if hidden:
            raise InputError(
                f"{Path(path).name}：可见的工作表中没有登记表，另有隐藏的工作表 {'、'.join(hidden)}。"
                "数据在隐藏表中时，加 --include-hidden 读取（或用 --sheet 指定工作表）。"
            )
        seen = [text for skipped in read.skipped_sheets for text in skipped.seen]
        names = [f.name for f in fields]
        missing = [n for n in (HOUSEHOLD_KEY, ID_COLUMN) if n in names] or names[:1]
        candidates = {n: closest(n, seen, fields=fields) for n in missing}
        raise MissingColumnsError(Path(path).name, missing, seen, candidates)
    filled: dict[str, int] = {}
    for raw in read.tables:
        for header, count in raw.filled.items():
            filled[header] = filled.get(header, 0) + count
    return FileTables([normalize_table(raw, fields) for raw in read.tables], read.skipped_sheets, filled)


def read_tables(
    path: Path,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    include_hidden: bool = False,
    fields: Sequence[Field] = FIELDS,
) -> list[Table]:
    """The tables in ``path``, normalized; see ``read_normalized``."""
    return read_normalized(
        path, sheet=sheet, encoding=encoding, include_hidden=include_hidden, fields=fields
    ).tables
