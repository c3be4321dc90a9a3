"""ID masking for ``--mask-ids``: ``110101199003078035`` is shown as ``110101********8035`` everywhere.

``mask_id`` masks one value; ``mask_series`` does the same over a column without a Python loop for
the usual 18- and 15-character values; ``mask_text`` masks every ID-looking run of digits inside free
text (messages, evidence JSON, file names). ``mask_findings`` and ``mask_frame`` apply them to the
findings table and to other frames (reference-list matches); ``mask_findings`` also replaces each
``finding_id`` by its keyed id (idkey.py), which the masked ID cannot be recovered from.
"""

from __future__ import annotations

import json
import re

import pandas as pd

from .idkey import id_key, keyed_ids

ID18 = re.compile(r"(?<![0-9])([0-9]{6})[0-9]{8}([0-9]{3}[0-9Xx])(?![0-9])")
ID15 = re.compile(r"(?<![0-9])([0-9]{6})[0-9]{6}([0-9]{3})(?![0-9])")
_CANDIDATE = r"[0-9]{15}"  # cheap pre-filter (Arrow RE2): only rows with 15 digits in a row can hold an ID

ID_COLUMN_MARK = "证件号码"
"""A frame column whose name contains this holds ID numbers (证件号码, 亲属证件号码 …)."""

ID_CHECK_PREFIX = "id_"
"""The ID checks' rule ids (id_length, id_chars …): their evidence keeps the cell as read (原始值)."""

_TEXT_COLUMNS = ("name", "message", "evidence", "source")
"""Findings columns searched for ID-looking numbers (person_id is masked whole; codes and 户编号 are not IDs)."""


def mask_id(s: str) -> str:
    """``110101199003078035`` → ``110101********8035``; 15 characters: first 6, ``******``, last 3 (the
    6 digits of the birth date hidden, as in an 18-character number);
    any other length: every character but the last 4 becomes ``*``."""
    if len(s) == 18:
        return s[:6] + "*" * 8 + s[-4:]
    if len(s) == 15:
        return s[:6] + "*" * 6 + s[-3:]
    return "*" * max(len(s) - 4, 0) + s[-4:] if len(s) > 4 else s


def mask_series(values: pd.Series) -> pd.Series:
    """``mask_id`` over a column of text; missing values stay missing."""
    text = values.astype("str")
    length = text.str.len()
    head, tail = text.str.slice(0, 6), text.str.slice(-4)
    out = text.mask(length.eq(18), head + "*" * 8 + tail)
    out = out.mask(length.eq(15), head + "*" * 6 + text.str.slice(-3))
    odd = length.gt(4) & ~length.isin([15, 18])
    if odd.any():
        out = out.mask(odd, text[odd].map(mask_id))
    return out.where(values.notna())


def mask_text(values: pd.Series) -> pd.Series:
    """Mask every 18-character (17 digits and a digit or X) and 15-digit run inside each text."""
    text = values.astype("str")
    candidates = text.str.contains(_CANDIDATE, regex=True, na=False)
    if not candidates.any():
        return text
    part = text[candidates]
    part = part.str.replace(ID18, r"\1********\2", regex=True)
    part = part.str.replace(ID15, r"\1******\2", regex=True)
    out = text.copy()
    out[candidates] = part
    return out


def mask_in(text: str) -> str:
    """``mask_text`` for one text: a file's path, an error message."""
    return ID15.sub(r"\1******\2", ID18.sub(r"\1********\2", text))


def shown_path(path: object, mask_ids: bool) -> str:
    """A file's path as an output shows it: with ``mask_ids``, an ID in a file or folder name
    (``张三_110101199003078035.xlsx``) masked like every other."""
    return mask_in(str(path)) if mask_ids else str(path)


def mask_findings(findings: pd.DataFrame, *, ids_keyed: bool = False) -> pd.DataFrame:
    """A copy of a findings table with person_id masked and IDs inside free text masked too: every
    ID-looking number, and the values a finding itself names as an ID (``_named_ids``) however they
    are written. Each finding_id becomes its keyed id (the plain id hashes the whole ID number),
    unless ``ids_keyed``: findings read from a masked findings file, whose ids are keyed already."""
    out = findings.copy()
    if len(out) and not ids_keyed:
        out["finding_id"] = pd.Series(keyed_ids(out["finding_id"].astype("str"), id_key()), index=out.index, dtype="str")
    named = _named_ids(findings)
    out["person_id"] = mask_series(out["person_id"]).fillna("")
    for column in _TEXT_COLUMNS:
        out[column] = mask_text(out[column])
    replacements = {row: [(value, mask_id(value)) for value in values] for row, values in named.items()}
    for row, dates in _quoted_births(findings).items():
        replacements.setdefault(row, []).extend((date, re.sub("[0-9]", "*", date)) for date in dates)
    for row, pairs in replacements.items():
        for column in _TEXT_COLUMNS:
            text = str(out.at[row, column])
            for value, masked in pairs:
                text = text.replace(value, masked)
            out.at[row, column] = text
    return out


BIRTH_CHECKS = ("id_birth_date", "id_future_birth")
"""ID checks whose message and evidence quote the birth date: the very digits the mask hides."""


def _quoted_births(findings: pd.DataFrame) -> dict[object, list[str]]:
    """Per birth-date finding (index label), the birth date as it quotes it (the evidence's 出生日期,
    YYYYMMDD or YYMMDD, and YYYY-MM-DD): a masked ID with its birth date beside it is the whole ID."""
    chosen = findings.index[findings["rule_id"].astype("str").isin(BIRTH_CHECKS)]
    out: dict[object, list[str]] = {}
    for row in chosen:
        try:
            digits = str(json.loads(str(findings.at[row, "evidence"]) or "{}").get("出生日期") or "")
        except (ValueError, AttributeError):
            continue
        if digits.isdigit():
            out[row] = [digits] + ([f"{digits[:4]}-{digits[4:6]}-{digits[6:]}"] if len(digits) == 8 else [])
    return out


def _named_ids(findings: pd.DataFrame) -> dict[object, list[str]]:
    """Per finding (index label), the ID values the number patterns cannot see: a person_id of another
    length or with other characters (an ID check's finding), and an ID check's cell as read (原始值:
    with spaces, dashes, full-width digits), as text and as written inside the evidence JSON."""
    person = findings["person_id"].astype("str").fillna("")
    odd = person.str.len().gt(4) & ~person.str.fullmatch(r"[0-9]{17}[0-9Xx]|[0-9]{15}", na=False)
    id_check = findings["rule_id"].astype("str").str.startswith(ID_CHECK_PREFIX, na=False)
    named: dict[object, list[str]] = {}
    for row in findings.index[odd | id_check]:
        values = [str(person[row])] if odd[row] else []
        if id_check[row]:
            raw = json.loads(str(findings.at[row, "evidence"]) or "{}").get("原始值")
            if raw is not None and len(str(raw)) > 4:
                values += [str(raw), json.dumps(str(raw), ensure_ascii=False)[1:-1]]
        named[row] = sorted(set(values), key=len, reverse=True)  # longest first: no part masked before its whole
    return named


def mask_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of any frame with ``*证件号码*`` columns masked whole and IDs inside other text masked."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if ID_COLUMN_MARK in str(column):
            out[column] = mask_series(series)
        elif isinstance(series.dtype, pd.StringDtype):
            out[column] = mask_text(series).where(series.notna())
        elif series.dtype == object:
            out[column] = _mask_object_column(series)
    return out


def _mask_object_column(series: pd.Series) -> pd.Series:
    """Mask IDs inside the text values of a column; non-text values (numbers, dates) are kept."""
    is_text = series.map(lambda v: isinstance(v, str)).astype(bool)
    if not is_text.any():
        return series
    out = series.copy()
    out[is_text] = mask_text(series[is_text].astype("str"))
    return out
