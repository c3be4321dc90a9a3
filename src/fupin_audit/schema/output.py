"""Turn the rows a check selected into findings (findings.COLUMNS), and find each household's head.

The selection itself is vectorized; what is built here row by row (message, evidence JSON, source)
is built only for the rows that produce a finding.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .. import findings
from ..fields import HOUSEHOLD_KEY

LOCATION = {"county": "县", "township": "乡镇", "village": "行政村"}
HEAD = "户主"


def values(series: pd.Series) -> list[Any]:
    """The values as Python objects, None for nulls."""
    objects = series.astype("object")
    return objects.where(objects.notna(), None).tolist()


def column(rows: pd.DataFrame, name: str) -> list[Any]:
    """``values`` of a column; all None when the column is absent."""
    return values(rows[name]) if name in rows.columns else [None] * len(rows)


def sources(rows: pd.DataFrame) -> list[str]:
    """``file:sheet:row`` of each row (findings.source_text)."""
    return [
        findings.source_text(f or "", s, r)
        for f, s, r in zip(column(rows, "_file"), column(rows, "_sheet"), column(rows, "_row"), strict=True)
    ]


def build(
    rows: pd.DataFrame,
    *,
    rule_id: str,
    severity: str,
    messages: Sequence[str],
    evidence: Sequence[Mapping[str, Any]],
    person_id: Sequence[Any] | None = None,
    name: Sequence[Any] | None = None,
    kind: str = "data_error",
) -> pd.DataFrame:
    """A findings frame with one finding per row of ``rows`` (which carries keys and origin columns)."""
    if not len(rows):
        return findings.empty()
    n = len(rows)
    frame = pd.DataFrame(
        {
            "rule_id": [rule_id] * n,
            "kind": [kind] * n,
            "severity": [severity] * n,
            **{key: column(rows, source) for key, source in LOCATION.items()},
            "household_id": column(rows, HOUSEHOLD_KEY),
            "person_id": list(person_id) if person_id is not None else [None] * n,
            "name": list(name) if name is not None else [None] * n,
            "message": list(messages),
            "evidence": [findings.evidence_json(e) for e in evidence],
            "source": sources(rows),
        }
    )
    return findings.normalize(frame)


def head_names(households: pd.DataFrame, members: pd.DataFrame, positions: np.ndarray) -> pd.Series:
    """Each household's head name, on the households index: 户主姓名, else the 姓名 of its first
    member whose 与户主关系 is 户主 (``positions``: each member's household row, keys.py)."""
    names = pd.Series(pd.NA, index=households.index, dtype="str")
    if "户主姓名" in households.columns:
        names = households["户主姓名"].astype("str")
        names = names.where(names.str.len() > 0)
    if {"与户主关系", "姓名"} <= set(members.columns):
        is_head = (members["与户主关系"] == HEAD).fillna(False).to_numpy(dtype=bool)
        rows = np.flatnonzero(is_head & (positions >= 0))
        households_with_head, first = np.unique(positions[rows], return_index=True)
        from_members = np.full(len(households), None, dtype=object)
        from_members[households_with_head] = members["姓名"].iloc[rows[first]].astype("object").to_numpy()
        names = names.fillna(pd.Series(from_members, index=households.index, dtype="str"))
    return names
