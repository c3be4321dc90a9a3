"""Read every registry file of an audit: in parallel threads, with what became of each file's rows."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd

from .errors import InputError, UnreadableFilesError
from .fields import HOUSEHOLD_KEY
from .inputs import sha256_of
from .io.reader import FileTables, read_normalized
from .io.table import Table
from .registry import is_member_table, require_columns
from .result import InputFile

Progress = Callable[[Path], None]


def _describe(path: Path, read: FileTables) -> InputFile:
    skipped: dict[str, int] = {}
    for table in read.tables:
        for reason, rows in table.skipped.items():
            skipped[reason] = skipped.get(reason, 0) + len(rows)
    audited = sum(t.rows_read for t in read.tables)
    return InputFile(
        path=path,
        sha256=sha256_of(path),
        sheets=tuple(t.sheet for t in read.tables if t.sheet),
        rows_read=audited + sum(skipped.values()),
        rows_audited=audited,
        rows_skipped=skipped,
        skipped_sheets=tuple(f"{s.name or path.name}（{s.reason}）" for s in read.skipped_sheets),
        unknown_columns=tuple(dict.fromkeys(c for t in read.tables for c in t.unknown_columns)),
        duplicate_columns=tuple(d for t in read.tables for d in t.duplicate_columns),
        filled_cells=sum(read.filled.values()),
    )


def shown_names(files: list[Path]) -> dict[Path, str]:
    """The name each file goes by in findings' 来源 (``file:sheet:row``): its name, or, when another file
    of the audit has the same name (a 花名册.xlsx in each township's folder), its path from the folder
    the files have in common (``乐业镇/花名册.xlsx``), so that 来源 says which one to open."""
    counts: dict[str, int] = {}
    for path in files:
        counts[path.name] = counts.get(path.name, 0) + 1
    shared = [path.resolve() for path in files if counts[path.name] > 1]
    root = Path(os.path.commonpath(shared)) if shared else None
    if root is not None and root in shared:  # one file reached by two paths: name it from its folder
        root = root.parent
    return {
        path: path.resolve().relative_to(root).as_posix() if root is not None and counts[path.name] > 1 else path.name
        for path in files
    }


def _name_in_sources(table: Table, name: str, shown: str) -> None:
    """Rename the file in a table's row origins and in the sources of its findings (``shown_names``)."""
    if shown == name:
        return
    table.frame["_file"] = pd.Series(shown, index=table.frame.index, dtype="str")
    if len(table.problems):
        source = table.problems["source"].astype("str")
        named = source.eq(name) | source.str.startswith(name + ":")
        table.problems.loc[named, "source"] = shown + source[named].str.slice(len(name))


def _name_fully(error: InputError, path: Path) -> None:
    """Name the file by its path as given, not by its name alone: a county folder holds a 花名册.xlsx in
    each township's folder, and the team must know which one to open."""
    message = str(error)
    if path.name != str(path) and message.startswith(path.name):
        error.args = (str(path) + message[len(path.name):],)


def _with_shared_households(inputs: list[InputFile], reads: list[FileTables | None]) -> list[InputFile]:
    """Each input with the other inputs that list some of its 户编号 (``InputFile.shared_households``).

    户编号 is unique in the country, so two files sharing them are most often one village exported
    twice; its households would be merged and every member reported as listed twice in its household.
    Member sheets are compared with member sheets and household sheets with household sheets: a 户信息
    file and the 人员信息 file exported beside it share every 户编号, as they should."""
    keys = [
        pd.DataFrame({"file": index, "members": is_member_table(table), "key": table.frame[HOUSEHOLD_KEY]})
        for index, read in enumerate(reads) if read is not None
        for table in read.tables if HOUSEHOLD_KEY in table.frame.columns
    ]
    if len({id(read) for read in reads if read is not None}) < 2 or not keys:
        return inputs
    pairs = pd.concat(keys, ignore_index=True).dropna().drop_duplicates()
    shared = pairs[pairs[["members", "key"]].duplicated(keep=False)]
    if shared.empty:
        return inputs
    both = shared.merge(shared, on=["members", "key"], suffixes=("", "_other"))
    both = both[both["file"] != both["file_other"]].drop_duplicates(["file", "file_other", "key"])
    counts = both.groupby(["file", "file_other"]).size().reset_index(name="households")
    out = list(inputs)
    for index, other, count in counts.itertuples(index=False):
        item = out[index]
        out[index] = dataclasses.replace(
            item, shared_households=(*item.shared_households, (inputs[other].path, int(count)))
        )
    return out


def read_registry_files(
    files: list[Path],
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    include_hidden: bool = False,
    keep_going: bool = False,
    progress: Progress | None = None,
) -> tuple[list[Table], list[InputFile]]:
    """The normalized tables of every file, in the order given, and an ``InputFile`` for each.

    Files are parsed in parallel threads (the Excel reader releases the GIL). A file that cannot be
    read raises ``InputError`` (several: ``UnreadableFilesError``, naming each); with ``keep_going`` it
    is recorded (``InputFile.error``) and skipped.
    Files with no data row at all (a header only) raise ``InputError``: nothing would be audited.
    """

    def one(path: Path) -> FileTables | InputError:
        try:
            read = read_normalized(path, sheet=sheet, encoding=encoding, include_hidden=include_hidden)
            for table in read.tables:  # here, so that --keep-going skips such a file (a 各村汇总.xlsx in the folder)
                require_columns(table)
            return read
        except InputError as error:
            _name_fully(error, path)
            return error
        finally:
            if progress is not None:
                progress(path)

    workers = min(len(files), os.cpu_count() or 1) or 1
    with ThreadPoolExecutor(max_workers=workers) as pool:
        outcomes = list(pool.map(one, files))
    failed = [outcome for outcome in outcomes if isinstance(outcome, InputError)]
    if failed and not keep_going:  # every bad file of a folder at once, not one per run
        raise failed[0] if len(failed) == 1 else UnreadableFilesError(failed)
    tables: list[Table] = []
    inputs: list[InputFile] = []
    shown = shown_names(files)
    for path, outcome in zip(files, outcomes, strict=True):
        if isinstance(outcome, InputError):
            inputs.append(InputFile(path, "", (), 0, 0, {}, error=str(outcome)))
        else:
            for table in outcome.tables:
                _name_in_sources(table, path.name, shown[path])
            tables.extend(outcome.tables)
            inputs.append(_describe(path, outcome))
    inputs = _with_shared_households(inputs, [o if isinstance(o, FileTables) else None for o in outcomes])
    if not tables:
        raise InputError("没有读到任何登记表数据：" + "；".join(i.error for i in inputs if i.error))
    if not any(t.rows_read for t in tables):  # a header only (or only blank and 合计 rows): nothing to audit
        names = "、".join(i.path.name for i in inputs if not i.error)
        raise InputError(f"{names}：表头下没有任何数据行（空行、合计行不算）。请检查导出是否完整。")
    return tables, inputs
