"""ID-number checks: normalize 证件号码, derive 证件有效/证件出生日期/证件性别, report bad numbers.

Each number gets exactly one status from ``idcard.check_ids`` (one vectorized pass over the Arrow
buffer); the statuses map one-to-one onto rule ids. This is not a pandera check: pandera would
have to run the classification once per status, and a number must not be reported twice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from .. import findings
from ..fields import ID_COLUMN
from ..findings import column, from_rows
from ..idcard import VALID_STATUSES, check_ids
from . import messages

RAW, NUMERIC = f"_raw_{ID_COLUMN}", f"_numeric_{ID_COLUMN}"

RULES: dict[str, tuple[str, str]] = {
    # status: (rule_id, severity)
    "missing": ("id_missing", "medium"),
    "excel_number": ("id_excel_number", "high"),
    "bad_chars": ("id_chars", "high"),
    "bad_length": ("id_length", "high"),
    "bad_date": ("id_birth_date", "high"),
    "future_birth": ("id_future_birth", "high"),
    "bad_check": ("id_check_digit", "high"),
    "upgraded15": ("id_15_digit", "low"),
}


def normalize_ids(members: pd.DataFrame, as_of: dt.date) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray | None]:
    """(members with normalized 证件号码 and 证件有效, 证件出生日期, 证件性别; ID findings; each row's
    number as an integer, -1 where invalid: ``idcard.check_ids``' ``number``).

    The input frame is not modified. Without a 证件号码 column nothing is derived or reported (None).
    """
    if ID_COLUMN not in members.columns:
        return members, findings.empty(), None
    numeric = members[NUMERIC] if NUMERIC in members.columns else None
    result = check_ids(members[ID_COLUMN], numeric, as_of)
    out = members.copy(deep=False)
    out[ID_COLUMN] = result["normalized"]
    out["证件有效"] = result["status"].isin(VALID_STATUSES).astype("boolean")
    out["证件出生日期"] = result["birth_date"]
    out["证件性别"] = result["sex"]
    status = result["status"]  # categorical: compared by its codes, not as 5M Python strings
    parts = []
    for name in RULES:
        chosen = (status == name).to_numpy()
        if chosen.any():
            parts.append(_findings(members[chosen], result["normalized"][chosen], name, as_of))
    numbers = result["number"].to_numpy()
    return out, pd.concat(parts, ignore_index=True) if parts else findings.empty(), numbers


def _findings(rows: pd.DataFrame, normalized: pd.Series, status: str, as_of: dt.date) -> pd.DataFrame:
    """One finding per row, all of the same status."""
    rule_id, severity = RULES[status]
    values = [v or "" for v in column(rows, ID_COLUMN)]
    as_read, as_number = column(rows, RAW), column(rows, NUMERIC)
    shown = [v.strip() for v in values] if status == "upgraded15" else normalized.fillna("").tolist()
    new = normalized.fillna("").tolist()
    evidence = [
        _evidence(status, value, upgraded, raw, stored, as_of)
        for value, upgraded, raw, stored in zip(shown, new, as_read, as_number, strict=True)
    ]
    return from_rows(
        rows,
        rule_id=rule_id,
        severity=severity,
        messages=[_message(status, value, upgraded, as_of) for value, upgraded in zip(shown, new, strict=True)],
        evidence=evidence,
        person_id=new,
        name=column(rows, "姓名"),
    )


def _message(status: str, value: str, upgraded: str, as_of: dt.date) -> str:
    if status == "missing":
        return messages.id_missing()
    if status == "excel_number":
        return messages.id_excel_number(value)
    if status == "bad_chars":
        return messages.id_chars(value)
    if status == "bad_length":
        return messages.id_length(value)
    if status == "bad_date":
        return messages.id_birth_date(value)
    if status == "future_birth":
        return messages.id_future_birth(value, as_of)
    if status == "bad_check":
        return messages.id_check_digit(value)
    return messages.id_15_digit(value, upgraded)


def _evidence(status: str, value: str, upgraded: str, raw: Any, stored: Any, as_of: dt.date) -> dict[str, Any]:
    item: dict[str, Any] = {"证件号码": value, "原始值": raw}
    if stored is not None:
        item["存为数字"] = bool(stored)
    if status == "bad_check":
        item["校验位"], item["应为"] = value[17], messages.expected_check(value)
    elif status in ("bad_date", "future_birth"):
        item["出生日期"] = messages.birth_digits(value)
    if status == "future_birth":
        item["核查基准日"] = as_of.isoformat()
    if status == "upgraded15":
        item["升级后"] = upgraded
    return item
