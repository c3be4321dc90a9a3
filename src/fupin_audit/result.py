"""What an audit returns: the registry, the findings table and the facts of the run."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .io.table import DuplicateColumn
from .registry import Registry


@dataclass(frozen=True)
class InputFile:
    """One file read: its path, SHA-256, and what became of its rows."""

    path: Path
    sha256: str
    sheets: tuple[str, ...]
    rows_read: int
    rows_audited: int
    rows_skipped: dict[str, int]
    skipped_sheets: tuple[str, ...] = ()
    """Sheets not read, each with its reason (hidden, empty, no recognizable header)."""
    unknown_columns: tuple[str, ...] = ()
    """Columns kept but not recognized as any field."""
    duplicate_columns: tuple[DuplicateColumn, ...] = ()
    """Columns repeating a field another column gives (kept, not used), with how often they disagree."""
    filled_cells: int = 0
    """Merged key cells (户编号, location) filled down from the row above."""
    error: str = ""
    """Why the file could not be read (only with keep_going; it was then skipped)."""
    shared_households: tuple[tuple[Path, int], ...] = ()
    """Other input files listing some of this file's 户编号, with how many: the same village exported
    twice (an old and a new file in one folder) makes every member a person listed twice."""

    def shared_note(self) -> str:
        """One phrase naming the files that share 户编号 with this one ("" when none)."""
        if not self.shared_households:
            return ""
        others = "、".join(f"{path}（{count} 户）" for path, count in self.shared_households)
        return f"与 {others} 有相同的户编号：如为同一村的两次导出，请只保留一份后重新核查"


@dataclass(frozen=True)
class SkippedRule:
    """A rule that did not run: it needs columns the input lacks, or its SQL failed."""

    rule_id: str
    title: str
    reason: str
    missing_columns: tuple[str, ...] = ()
    failed: bool = False
    """Its SQL failed (a broken rules file), as opposed to input it needs missing: the run's exit
    code says so (2) and stderr names it, so that a cron job notices."""


@dataclass
class AuditResult:
    registry: Registry
    findings: pd.DataFrame
    as_of: dt.date
    as_of_source: str
    """Where the reference date came from: 命令行 --as-of, 规则文件, 登记表年度, 今天."""
    inputs: list[InputFile]
    rules_path: Path
    rules_sha256: str
    rules_table: pd.DataFrame
    """One row per rule: id, title, kind, severity, sql, parameters, basis (for 规则说明)."""
    parameters: dict[str, object]
    """Parameters used, for the report's 概览 (poverty lines, monitoring range …)."""
    skipped_rules: list[SkippedRule] = field(default_factory=list)
    references: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Per reference list: name, title, path, rows, invalid-ID rows, registry people matched."""
    reference_matches: dict[str, pd.DataFrame] = field(default_factory=dict)
    reference_files: tuple[Path, ...] = ()
    """The reference-list files read (never written over, like the registry files)."""
    baseline_path: Path | None = None
    """The earlier findings file compared with (``--baseline``), if any."""
    baseline_sha256: str = ""
    """Its SHA-256 when it was read (it may be replaced by this run's ``--findings``)."""
    resolved: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Findings of the baseline that no longer occur, findings columns and ``unchecked_reason``:
    ``change`` 已整改, or 未复核 when their check did not run this time or their file was not read
    (``unchecked_reason`` says why; empty for 已整改)."""
    resolved_keyed: bool = False
    """The baseline was written with ``--mask-ids``: ``resolved`` ids are keyed ids (idkey.py) already."""
    started: dt.datetime = field(default_factory=dt.datetime.now)
    version: str = ""

    def input_paths(self) -> list[Path]:
        """The files this audit read that no output may overwrite: registry files, the rules file,
        the reference lists (an earlier findings file given as ``baseline`` may be replaced by the
        new findings)."""
        return [item.path for item in self.inputs] + [self.rules_path, *self.reference_files]
