"""Which files an audit reads (files, folders, globs) and what became of their rows."""

from __future__ import annotations

import glob
import hashlib
import zipfile
from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from .errors import InputError
from .findings import COLUMNS
from .io.reader import SUPPORTED

LOOKED_AT_LINES = 20
"""A .txt file in a folder is a table when one of its first lines holds two tabs or two commas."""


def _is_registry_file(path: Path) -> bool:
    """Registry files by suffix; Excel's lock files (~$name.xlsx), hidden files (.name, macOS's ._name
    beside each copied file), notes (a .txt that is not a table) and our own outputs are not."""
    return (
        path.is_file()
        and path.suffix.lower() in SUPPORTED
        and not path.name.startswith(("~$", "."))
        and "_核查报告" not in path.stem
        and (path.suffix.lower() != ".txt" or looks_like_table(path))
        and not written_by_fupin_audit(path)
    )


def looks_like_table(path: Path) -> bool:
    """Whether a text file is a table (Excel's "Unicode text" or "tab delimited" export, a CSV saved as
    .txt) and not a note beside the registry files (说明.txt): two tabs or two commas on one of its
    first lines. The bytes are counted as they are: a tab and a comma are single bytes in UTF-8, GBK
    and Big5, and in UTF-16 the byte of the character itself."""
    try:
        with path.open("rb") as handle:
            head = handle.read(64 * 1024)
    except OSError:
        return True  # the reader says what is wrong with it
    lines = head.split(b"\n")[:LOOKED_AT_LINES]
    return any(line.count(b"\t") >= 2 or line.count(b",") >= 2 for line in lines)


def written_by_fupin_audit(path: Path) -> bool:
    """A report or findings file this tool wrote (under any name), so that a folder holding last run's
    outputs beside the registry files does not read them as registries: a workbook with the report's
    问题清单 and 审计信息 sheets, a CSV or Parquet file whose columns start as the findings' do."""
    first_columns = list(COLUMNS[:3])  # rule_id, kind, severity
    suffix = path.suffix.lower()
    try:
        if suffix in (".csv", ".txt"):
            with path.open("rb") as handle:
                header = handle.read(64).removeprefix(b"\xef\xbb\xbf")
            return header.startswith(",".join([*first_columns, ""]).encode())
        if suffix == ".parquet":
            return pq.read_schema(path).names[:3] == first_columns
        if suffix in (".xlsx", ".xlsm"):
            # imported here: the report's module (xlsxwriter …) is only needed when a folder holds a workbook
            from .report.excel import ALL_FINDINGS, AUDIT_INFO

            with zipfile.ZipFile(path) as archive:
                workbook = archive.read("xl/workbook.xml").decode("utf-8", "replace")
            return all(f'name="{sheet}"' in workbook for sheet in (ALL_FINDINGS, AUDIT_INFO))
    except (OSError, KeyError, zipfile.BadZipFile, pa.ArrowException):
        return False  # unreadable: the reader says what is wrong with it
    return False


def expand_paths(paths: str | Path | Iterable[str | Path]) -> list[Path]:
    """Files as given, every registry file inside a folder (recursively), every match of a glob.

    The result is sorted within each folder or glob and has no repeats (one file named twice, also
    through another spelling of its path, a link or a folder holding it, is read once), so that the
    same arguments always audit the same files in the same order.
    """
    items = [paths] if isinstance(paths, str | Path) else list(paths)
    if not items:
        raise InputError("没有给出要核查的登记表文件。")
    found: list[Path] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            matches = sorted(p for p in path.rglob("*") if not _in_hidden_folder(p, path) and _is_registry_file(p))
            if not matches:
                raise InputError(f"文件夹 {path} 中没有可读取的登记表（支持 {'、'.join(SUPPORTED)}；不是表格的 .txt 文件不读）。")
            found.extend(matches)
        elif path.exists():
            found.append(path)
        elif any(ch in str(item) for ch in "*?["):
            matches = sorted(Path(p) for p in glob.glob(str(item), recursive=True) if _is_registry_file(Path(p)))
            if not matches:
                raise InputError(f"没有文件匹配 {item}。")
            found.extend(matches)
        else:
            raise InputError(f"找不到文件 {path}：请检查路径是否正确。")
    first: dict[tuple[int, int], Path] = {}
    for path in found:
        first.setdefault(_identity(path), path)
    return list(first.values())


def _in_hidden_folder(path: Path, top: Path) -> bool:
    """Under a hidden folder inside ``top``: .Trash-1000 on a USB stick (files deleted from it), .git,
    .~backup: files nobody means to audit, as hidden files are."""
    return any(part.startswith(".") for part in path.relative_to(top).parts[:-1])


def _identity(path: Path) -> tuple[int, int]:
    """The file itself (device and inode), whatever the path that names it."""
    status = path.stat()
    return status.st_dev, status.st_ino


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
