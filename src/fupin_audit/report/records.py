"""Findings as plain records for JSON outputs: evidence parsed back into a JSON object."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from ..findings import COLUMNS


def parse_evidence(text: str) -> Any:
    """The evidence JSON object; ``{}`` when empty; the text itself if it is not valid JSON."""
    if not text:
        return {}
    try:
        return json.loads(text)
    except ValueError:
        return text


def finding_records(findings: pd.DataFrame) -> list[dict[str, Any]]:
    """One dict per finding, keys in ``findings.COLUMNS`` order, evidence parsed."""
    columns = [findings[c].tolist() for c in COLUMNS]
    evidence = COLUMNS.index("evidence")
    columns[evidence] = [parse_evidence(v) for v in columns[evidence]]
    return [dict(zip(COLUMNS, row, strict=True)) for row in zip(*columns, strict=True)]
