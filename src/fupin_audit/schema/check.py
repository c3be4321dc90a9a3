"""check_registry: every built-in data check over a Registry (CONTRACTS.md table).

Order: ID numbers first (they normalize 证件号码 and derive 证件有效/证件出生日期/证件性别, which the
later checks and the rules use), then the pandera column checks (vocabulary, negative_income), the
member checks relation_sex and sex_mismatch, the household checks and duplicates. household_conflict,
unreadable_value and orphan_member are produced while reading, not here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

import pandas as pd

from ..registry import Registry
from .duplicates import (
    duplicate_findings,
    repeated_in_household_findings,
    repeated_numbers,
    valid_numbers,
)
from .households import household_findings
from .ids import normalize_ids
from .keys import household_positions
from .members import relation_sex_findings, sex_mismatch_findings
from .output import head_names
from .values import household_value_findings, member_value_findings


def check_registry(registry: Registry, as_of: dt.date) -> tuple[Registry, pd.DataFrame]:
    """(a new Registry whose members carry normalized IDs and their derived columns, with its
    ``valid_ids``; the findings).

    The input registry is not modified. Checks whose columns are absent do not run. The findings
    frame has findings.COLUMNS, in a deterministic order (by check, then row order).
    """
    checked, findings_of_checks = start_checks(registry, as_of)
    return checked, findings_of_checks()


def start_checks(registry: Registry, as_of: dt.date) -> tuple[Registry, Callable[[], pd.DataFrame]]:
    """``check_registry`` in two steps: the checked Registry now (what the rules need), and a function
    giving all the findings, which only reads the registry (``audit`` runs it in a thread while DuckDB
    runs the rules)."""
    members, id_findings, row_numbers = normalize_ids(registry.members, as_of)
    valid = valid_numbers(members, row_numbers)
    checked = dataclasses.replace(registry, members=members, valid_ids=valid.distinct())

    def findings() -> pd.DataFrame:
        households = checked.households
        positions = household_positions(households, members)
        heads = head_names(households, members, positions)
        repeated = repeated_numbers(valid)
        parts = [
            id_findings,
            member_value_findings(members),
            relation_sex_findings(members),
            sex_mismatch_findings(members),
            household_value_findings(households, heads),
            household_findings(households, members, positions, heads),
            duplicate_findings(members, repeated),
            repeated_in_household_findings(members, repeated),
        ]
        return pd.concat(parts, ignore_index=True)

    return checked, findings
