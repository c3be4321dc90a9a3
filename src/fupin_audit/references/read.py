"""Read the outside lists (``--ref NAME=PATH``) with the registry's readers, and check their IDs.

Each list is read with a field catalogue built from its ``references:`` entry (header detection,
aliases, dates), its sheets are stacked, and every ID column is checked with ``idcard.check_ids``:
the column is replaced by the normalized number (18 characters, upper-case X, 15-digit numbers
upgraded) and its validity is put beside it (``证件有效``). Rows with an invalid ID keep their row
but are never matched (the rules join on valid IDs only) and are listed for the report.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, MissingColumnsError, UsageError
from ..idcard import VALID_STATUSES, check_ids, distinct_of_sorted
from ..inputs import sha256_of
from ..io.reader import check_readable, read_tables
from ..rules.loader import load_rules
from ..rules.model import RuleSet
from ..rules.refspec import ORIGIN_COLUMNS, ReferenceList, validity_column

STATUS_TEXT: dict[str, str] = {
    "missing": "证件号码为空",
    "excel_number": "以数字形式存储或为科学计数法，末几位已丢失",
    "bad_length": "位数不对（应为18位或15位）",
    "bad_chars": "含数字和末位X以外的字符",
    "bad_check": "校验码错误",
    "bad_date": "出生日期不存在",
    "future_birth": "出生日期晚于核查基准日",
}
"""Why an ID of a list cannot be matched (idcard statuses other than ok / upgraded15)."""


@dataclass(frozen=True)
class ReferenceData:
    """One list as read: the frame the rules see, its invalid-ID rows, where it came from."""

    name: str
    title: str
    path: Path
    sha256: str
    frame: pd.DataFrame
    """Declared columns the file has, ``<id>有效`` per ID column, ``_file``, ``_sheet``, ``_row``."""
    invalid: pd.DataFrame
    """One row per invalid ID cell: 名单, 列, 证件号码 (as read), 问题, 来源."""
    unreadable: int
    """Cells that could not be understood (a date such as 2019年13月), read as empty."""
    id_columns: tuple[str, ...]
    """The declared ID columns the file has (each with its validity column in ``frame``)."""
    ids: np.ndarray
    """The valid ID numbers of every ID column, each once, sorted, as integers (``idcard.id_numbers``):
    counted against the registry's for the summary, computed here in the list's background thread."""


def parse_ref_options(values: list[str] | None, rules: Path | None = None) -> dict[str, str]:
    """``--ref NAME=PATH`` values as {name: path}; UsageError for a malformed or repeated value (naming
    the lists the rules file ``rules`` declares). Unknown names are refused by ``reference_paths``."""
    out: dict[str, str] = {}
    for value in values or []:
        name, sep, path = value.partition("=")
        name, path = name.strip(), path.strip()
        if not sep or not name or not path:
            raise UsageError(f"--ref 的值“{value}”应写作 名单名=文件路径，例如 --ref payroll=财政供养人员.xlsx。{_known(load_rules(rules))}")
        if name in out:
            raise UsageError(f"--ref {name} 给了两次（{out[name]} 和 {path}），每个名单只能给一个文件。")
        out[name] = path
    return out


def _known(ruleset: RuleSet) -> str:
    names = [f"{n}（{spec.title}）" for n, spec in ruleset.references.items()]
    return f"可用的名单：{'、'.join(names)}。" if names else "规则文件没有声明任何对照名单（references）。"


def reference_paths(ruleset: RuleSet, given: Mapping[str, str | Path] | None) -> dict[str, Path]:
    """The file of each list to read: the given ones, else the rules file's default ``path``.

    Raises UsageError for a name the rules file does not declare (naming the known ones). Checked
    before any data is read.
    """
    out: dict[str, Path] = {}
    if given is not None and not isinstance(given, Mapping):  # a list of paths: which list is which?
        raise UsageError(
            "对照名单须按名称给出，如 references={'payroll': 'payroll.xlsx'}（命令行：--ref payroll=payroll.xlsx）。"
            + _known(ruleset)
        )
    for name, path in (given or {}).items():
        if name not in ruleset.references:
            close = difflib.get_close_matches(name, list(ruleset.references), n=1)
            hint = f"是不是 {close[0]}？" if close else ""
            raise UsageError(f"没有名为 {name} 的对照名单。{hint}{_known(ruleset)}")
        out[name] = Path(path)
    base = ruleset.path.parent if ruleset.path is not None else Path.cwd()
    for name, spec in ruleset.references.items():
        if name not in out and spec.path:
            out[name] = base / spec.path
    return out


@dataclass(frozen=True)
class LoadedList:
    """One list's file as read and stacked, before its IDs are checked (which needs the reference date)."""

    name: str
    spec: ReferenceList
    path: Path
    sha256: str
    frame: pd.DataFrame
    unreadable: int


def _where(name: str, spec: ReferenceList) -> str:
    return f"对照名单 {name}（{spec.title}）"


def load_reference(name: str, spec: ReferenceList, path: Path, *, encoding: str | None = None) -> LoadedList:
    """Read one list's file: every sheet that has the required columns, stacked."""
    where = _where(name, spec)
    try:
        tables = read_tables(path, encoding=encoding, fields=spec.fields())
    except MissingColumnsError as exc:
        raise MissingColumnsError(f"{where} {exc.where}", spec.required_columns() or exc.missing, exc.seen, exc.candidates) from None
    except InputError as exc:
        raise InputError(f"{where}：{exc}") from None
    required = spec.required_columns()
    if not set(required) & set(spec.id_columns()):
        required.append(spec.id_columns()[0])  # nothing can be matched without an ID column
    usable = [t for t in tables if all(c in t.frame.columns for c in required)]
    if not usable:
        table = tables[0]
        missing = [c for c in required if c not in table.frame.columns]
        seen = [str(c) for c in table.frame.columns if not str(c).startswith("_")]
        raise MissingColumnsError(f"{where} {table.where}", missing, seen, {})
    frame = pd.concat([t.frame for t in usable], ignore_index=True)
    unreadable = sum(len(t.problems) for t in usable)
    return LoadedList(name, spec, Path(path), sha256_of(Path(path)), frame, unreadable)


def checked_reference(loaded: LoadedList, as_of: dt.date) -> ReferenceData:
    """A loaded list with its ID columns checked against the reference date."""
    out, invalid, numbers = check_reference_ids(loaded.name, loaded.spec, loaded.frame, as_of)
    return ReferenceData(
        name=loaded.name, title=loaded.spec.title, path=loaded.path, sha256=loaded.sha256, frame=out,
        invalid=invalid, unreadable=loaded.unreadable,
        id_columns=tuple(c for c in loaded.spec.id_columns() if c in loaded.frame.columns),
        ids=distinct_of_sorted(np.sort(numbers[numbers >= 0])),
    )


def check_reference_ids(
    name: str, spec: ReferenceList, frame: pd.DataFrame, as_of: dt.date
) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """(the frame the rules see, its invalid-ID rows, the number of every ID cell as an integer, -1
    where invalid: ``idcard.check_ids``' ``number``) from a list as normalized by the readers.

    Keeps the declared columns the list has and its origin; each ID column becomes the normalized
    number with its validity column beside it.
    """
    out = frame.loc[:, [c for c in spec.columns if c in frame.columns]].copy()
    invalid_parts = [pd.DataFrame(columns=list(INVALID_COLUMNS), dtype="str")]
    numbers = [np.zeros(0, dtype=np.int64)]
    for column in spec.id_columns():
        if column not in frame.columns:
            continue
        numeric = frame[f"_numeric_{column}"] if f"_numeric_{column}" in frame.columns else None
        checked = check_ids(frame[column], numeric, as_of)
        out[column] = checked["normalized"]
        valid = checked["status"].isin(VALID_STATUSES)
        out[validity_column(column)] = valid.astype("boolean")
        invalid_parts.append(_invalid_rows(name, column, frame, checked["status"], ~valid))
        numbers.append(checked["number"].to_numpy())
    for column in ORIGIN_COLUMNS:
        out[column] = frame[column]
    return out, pd.concat(invalid_parts, ignore_index=True), np.concatenate(numbers)


INVALID_COLUMNS = ("名单", "列", "证件号码", "问题", "来源")


def source_series(frame: pd.DataFrame) -> pd.Series:
    """``file:sheet:row`` (``file:row`` for CSV and Parquet) of each row, like findings.source_text."""
    sheet = frame["_sheet"].fillna("").astype("str")
    row = frame["_row"].astype("Int64").astype("str").fillna("")
    return (frame["_file"].astype("str") + (":" + sheet).where(sheet.ne(""), "") + ":" + row).astype("str")


def _invalid_rows(name: str, column: str, frame: pd.DataFrame, status: pd.Series, chosen: pd.Series) -> pd.DataFrame:
    """The rows of ``frame`` whose ID in ``column`` is invalid, as shown in the report."""
    rows = frame[chosen.to_numpy()]
    raw = rows[f"_raw_{column}"] if f"_raw_{column}" in rows.columns else rows[column]
    return pd.DataFrame(
        {
            "名单": name,
            "列": column,
            "证件号码": raw.astype("str").str.strip(),
            "问题": status[chosen.to_numpy()].astype("str").map(STATUS_TEXT),
            "来源": source_series(rows),
        },
        index=rows.index,
        columns=list(INVALID_COLUMNS),
    ).astype("str").reset_index(drop=True)


class PendingLists:
    """Lists being read in background threads while the caller goes on (the audit reads, assembles and
    checks the registry meanwhile). Their IDs are checked once the reference date is known: ``check`` hands
    that to the same threads, ``result`` waits for every list."""

    def __init__(
        self, ruleset: RuleSet, paths: Mapping[str, Path], *, encoding: str | None = None, workers: int | None = None
    ) -> None:
        """Start reading; ``workers`` threads at most (default: one per core). A file that is missing
        or of a type no reader takes raises ``InputError`` here, before anything else is read."""
        chosen = [(name, spec) for name, spec in ruleset.references.items() if name in paths]
        for name, spec in chosen:
            try:
                check_readable(Path(paths[name]))
            except InputError as exc:
                raise InputError(f"{_where(name, spec)}：{exc}") from None
        self._pool = ThreadPoolExecutor(max_workers=max(1, min(len(chosen), workers or os.cpu_count() or 1)))
        self._loading = [
            self._pool.submit(load_reference, name, spec, paths[name], encoding=encoding) for name, spec in chosen
        ]
        self._checking: list[Future[ReferenceData]] = []

    def check(self, as_of: dt.date) -> None:
        """Check each list's IDs against ``as_of`` in the background as soon as it is read (the checks
        queue behind every read, so a thread never waits on a read still queued)."""
        self._checking = [self._pool.submit(_checked, future, as_of) for future in self._loading]

    def result(self) -> dict[str, ReferenceData]:
        """Every list, in the order the rules file declares them (the first failing one raises)."""
        if len(self._checking) < len(self._loading):
            raise RuntimeError("PendingLists.check(as_of) must be called before result()")
        try:
            checked = [future.result() for future in self._checking]
        finally:
            self.cancel()
        return {item.name: item for item in checked}

    def cancel(self) -> None:
        """Stop reading lists not yet started (the audit failed before it needed them)."""
        self._pool.shutdown(wait=False, cancel_futures=True)


def _checked(loading: Future[LoadedList], as_of: dt.date) -> ReferenceData:
    return checked_reference(loading.result(), as_of)


def read_references(
    ruleset: RuleSet, paths: Mapping[str, Path], as_of: dt.date, *, encoding: str | None = None
) -> dict[str, ReferenceData]:
    """Every list to read, in the order the rules file declares them (read in parallel threads, as the
    registry files are: the Excel reader releases the GIL; the first failing list in order raises)."""
    pending = PendingLists(ruleset, paths, encoding=encoding)
    pending.check(as_of)
    return pending.result()
