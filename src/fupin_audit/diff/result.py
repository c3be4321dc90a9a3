"""What ``fupin_audit.diff`` returns."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..result import AuditResult


@dataclass
class DiffResult:
    """``new``: the newer snapshot's audit, its findings extended by the diff rules' findings (so every
    report writer works on it); ``old``: the older snapshot's audit; ``changes``: one row per change
    (rules/difftables.CHANGES_COLUMNS); ``overview``: counts by village (变化概览)."""

    old: AuditResult
    new: AuditResult
    changes: pd.DataFrame
    overview: pd.DataFrame

    @property
    def findings(self) -> pd.DataFrame:
        return self.new.findings
