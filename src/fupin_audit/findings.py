"""The findings table (DESIGN.md contract): one row per finding, the same columns in every output.

Every producer (schema checks, duplicate detection, rules) builds its rows with ``make_findings``;
every writer reads the frame that ``combine`` returns. ``evidence`` is a JSON object serialized as text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from .kinds import KIND_CODES, SEVERITIES

COLUMNS: tuple[str, ...] = (
    "rule_id", "kind", "severity", "county", "township", "village",
    "household_id", "person_id", "name", "message", "evidence", "source",
)

CHINESE_HEADERS: dict[str, str] = {
    "rule_id": "规则编号",
    "kind": "问题类型",
    "severity": "严重程度",
    "county": "县",
    "township": "乡镇",
    "village": "行政村",
    "household_id": "户编号",
    "person_id": "证件号码",
    "name": "姓名",
    "message": "问题描述",
    "evidence": "依据",
    "source": "来源",
}

SEVERITY_ORDER: dict[str, int] = {s: i for i, s in enumerate(SEVERITIES)}


def empty() -> pd.DataFrame:
    """A findings table with no rows and every column as text."""
    return pd.DataFrame({c: pd.Series([], dtype="str") for c in COLUMNS})


def evidence_json(values: Mapping[str, Any]) -> str:
    """Serialize evidence deterministically (sorted keys, Chinese kept readable)."""
    return json.dumps(values, ensure_ascii=False, sort_keys=True, default=str)


def source_text(file: object, sheet: object, row: object) -> str:
    """``file:sheet:row`` (``file:row`` for CSV and Parquet): the place a person would open."""
    parts = [str(file)]
    if isinstance(sheet, str) and sheet:
        parts.append(sheet)
    if row is not None and not (isinstance(row, float) and pd.isna(row)):
        parts.append(str(int(row)))  # type: ignore[call-overload]
    return ":".join(parts)


def make_findings(rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Build a findings frame from dict rows; missing columns are empty, evidence dicts are serialized."""
    records = []
    for row in rows:
        record = {c: row.get(c) for c in COLUMNS}
        if not isinstance(record["evidence"], str):
            record["evidence"] = evidence_json(record["evidence"] or {})
        records.append(record)
    if not records:
        return empty()
    return normalize(pd.DataFrame.from_records(records, columns=list(COLUMNS)))


def normalize(frame: pd.DataFrame) -> pd.DataFrame:
    """Coerce a frame to the findings contract: exact columns, text dtype, empty strings for nulls."""
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"findings frame lacks columns {missing}")
    out = frame.loc[:, list(COLUMNS)].copy()
    for column in COLUMNS:
        out[column] = out[column].astype("str").where(out[column].notna(), "")
    bad_kind = set(out["kind"]) - set(KIND_CODES)
    if bad_kind:
        raise ValueError(f"unknown finding kinds {sorted(bad_kind)}")
    bad_severity = set(out["severity"]) - set(SEVERITIES)
    if bad_severity:
        raise ValueError(f"unknown severities {sorted(bad_severity)}")
    return out.reset_index(drop=True)


def combine(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate findings and order them stably: location, household, severity, rule, person."""
    parts = [f for f in frames if len(f)]
    if not parts:
        return empty()
    out = pd.concat(parts, ignore_index=True)
    out["_sev"] = out["severity"].map(SEVERITY_ORDER)
    out = out.sort_values(
        ["county", "township", "village", "household_id", "_sev", "rule_id", "person_id", "message"],
        kind="stable",
    ).drop(columns="_sev")
    return out.drop_duplicates().reset_index(drop=True)
