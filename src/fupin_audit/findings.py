"""The findings table (DESIGN.md contract): one row per finding, the same columns in every output.

Every producer (schema checks, duplicate detection, rules) builds its rows with ``make_findings``;
every writer reads the frame that ``combine`` returns. ``evidence`` is a JSON object serialized as text.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .fields import HOUSEHOLD_KEY
from .kinds import KIND_CODES, SEVERITIES

COLUMNS: tuple[str, ...] = (
    "rule_id", "kind", "severity", "county", "township", "village",
    "household_id", "person_id", "name", "message", "evidence", "source", "finding_id", "change",
)
DERIVED_COLUMNS: tuple[str, ...] = ("finding_id", "change")
"""Filled in here when a producer leaves them out: the stable id, and the change against a baseline."""

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
    "finding_id": "问题编号",
    "change": "变化",
}

CHANGE_NEW, CHANGE_PERSISTING = "新增", "持续"
"""Values of ``change`` when findings are compared with a baseline (empty without one)."""

DISCRIMINATOR_KEYS: tuple[str, ...] = ("column", "列", "标准")
"""Evidence keys that tell apart several findings of one rule on the same household and person
(the column of a vocabulary or unreadable value, the criterion that cannot be judged). Never values
or cell addresses, which change when the data or the row order changes."""

PERSON_NAME = "姓名"
"""Evidence key of a finding about one member who has no ID number: the member's name, which stands
for the person in the finding's id where the ID number would (``finding_ids``). Only producers that
know a finding is about a member add it (``with_person_names``): a household's finding, which carries
the head's name, has none, and its id does not depend on a name."""

SEVERITY_ORDER: dict[str, int] = {s: i for i, s in enumerate(SEVERITIES)}


def empty() -> pd.DataFrame:
    """A findings table with no rows and every column as text."""
    return pd.DataFrame({c: pd.Series([], dtype="str") for c in COLUMNS})


def evidence_json(values: Mapping[str, Any]) -> str:
    """Serialize evidence deterministically (sorted keys, Chinese kept readable). A NaN or infinite
    number becomes null: ``NaN``/``Infinity`` are not JSON, and strict readers (``jq``, JavaScript)
    would refuse the whole ``--json`` document or .jsonl line."""
    try:
        return json.dumps(values, ensure_ascii=False, sort_keys=True, default=str, allow_nan=False)
    except ValueError:  # rare: only then is the evidence walked
        return json.dumps(_finite(values), ensure_ascii=False, sort_keys=True, default=str)


_NOT_JSON = r"(?:NaN|Infinity)"
"""What DuckDB's ``to_json`` writes for a NaN or infinite number inside a list or struct (a rule's
own DOUBLE columns are nulled in SQL: rules/render.py)."""


def finite_evidence(evidence: pd.Series) -> pd.Series:
    """Evidence texts with every NaN or ±Infinity number made null; the few texts that may hold one
    are parsed (a string value that spells NaN stays as it is), the rest left untouched."""
    suspect = evidence.fillna("").str.contains(_NOT_JSON, regex=True).to_numpy(dtype=bool)
    if not suspect.any():
        return evidence
    out = evidence.copy()
    out[suspect] = [
        json.dumps(_finite(json.loads(text)), ensure_ascii=False, separators=(",", ":"))
        for text in evidence[suspect]
    ]
    return out


def _finite(value: Any) -> Any:
    """``value`` with every NaN or infinite float (nested in dicts, lists, tuples) replaced by None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


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
    """Coerce a frame to the findings contract: exact columns, text dtype, empty strings for nulls.

    ``finding_id`` (when absent or empty) and ``change`` (when absent) are filled in."""
    missing = [c for c in COLUMNS if c not in frame.columns and c not in DERIVED_COLUMNS]
    if missing:
        raise ValueError(f"findings frame lacks columns {missing}")
    frame = frame.assign(**{c: "" for c in DERIVED_COLUMNS if c not in frame.columns})
    out = frame.loc[:, list(COLUMNS)].copy()
    for column in COLUMNS:
        out[column] = out[column].astype("str").where(out[column].notna(), "")
    bad_kind = set(out["kind"].unique()) - set(KIND_CODES)  # unique first: iterating 250,000 values takes 0.2 s
    if bad_kind:
        raise ValueError(f"unknown finding kinds {sorted(bad_kind)}")
    bad_severity = set(out["severity"].unique()) - set(SEVERITIES)
    if bad_severity:
        raise ValueError(f"unknown severities {sorted(bad_severity)}")
    out = out.reset_index(drop=True)
    if out["finding_id"].eq("").any():
        out["finding_id"] = out["finding_id"].where(out["finding_id"].ne(""), finding_ids(out))
    return out


def with_person_names(frame: pd.DataFrame, names: pd.Series) -> pd.DataFrame:
    """``frame``, findings each about one member, with ``PERSON_NAME`` (the member's name, ``names`` on
    the frame's index) added to the evidence of those whose person_id is empty."""
    person = frame["person_id"]
    idless = (person.isna() | person.astype("str").eq("")) & names.notna() & names.astype("str").ne("")
    if not idless.any():
        return frame
    out = frame.copy()
    out.loc[idless, "evidence"] = [
        evidence_json({**_evidence_object(e), PERSON_NAME: str(n)})
        for e, n in zip(out.loc[idless, "evidence"], names[idless], strict=True)
    ]
    return out


def _evidence_object(evidence: object) -> dict[str, Any]:
    if not isinstance(evidence, str) or not evidence:
        return {}
    try:
        values = json.loads(evidence)
    except ValueError:
        return {}
    return values if isinstance(values, dict) else {}


_MAYBE_KEY = "|".join(
    re.escape(t) for t in ("\\u", *(json.dumps(k, ensure_ascii=False) for k in (*DISCRIMINATOR_KEYS, PERSON_NAME)))
)
"""A ``\\u`` escape, a discriminator key or ``PERSON_NAME`` as JSON text (one scan of the evidence)."""


def _key_parts(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The person and the discriminator in each finding's id. The person is the person_id; without
    one, ``姓名:`` and the member's name when the evidence names one (``PERSON_NAME``), else empty (a
    household's finding). The discriminator is ``DISCRIMINATOR_KEYS`` of the evidence. Only the
    evidence texts that can hold one of the keys are parsed: those containing a key as JSON text, or
    a ``\\u`` escape (which could spell one)."""
    persons = frame["person_id"].astype("str")
    discriminators = pd.Series("", index=frame.index, dtype="str")
    evidence = frame["evidence"].astype("str")
    maybe = evidence.str.contains(_MAYBE_KEY, regex=True)
    if maybe.any():
        objects = evidence[maybe].map(_evidence_object)
        discriminators[maybe] = objects.map(lambda v: "|".join(str(v[k]) for k in DISCRIMINATOR_KEYS if k in v)).astype("str")
        names = objects.map(lambda v: v.get(PERSON_NAME))
        named = names.map(lambda n: isinstance(n, str) and n != "").astype(bool) & persons[maybe].eq("")
        if named.any():
            persons = persons.copy()
            persons.loc[named[named].index] = ("姓名:" + names[named].astype("str")).to_numpy()
    return persons, discriminators


def finding_ids(frame: pd.DataFrame) -> pd.Series:
    """Stable ids: the first 16 hex digits of SHA-256 over rule_id, household_id, the person (person_id;
    for a member without one, the name in the evidence: ``_key_parts``) and a discriminator
    (``DISCRIMINATOR_KEYS`` of the evidence). The same finding gets the same id in every
    run, whatever the row order; findings that would still share an id are numbered in message order
    (then evidence and source: never by the order the rows came in)."""
    persons, discriminators = _key_parts(frame)
    keys = (
        frame["rule_id"].astype("str") + "\x1f" + frame["household_id"].astype("str") + "\x1f"
        + persons + "\x1f" + discriminators
    )
    shared = keys.duplicated(keep=False).to_numpy()  # only these need numbering (usually few)
    order = pd.DataFrame(
        {"key": keys[shared], "message": frame["message"][shared].astype("str"),
         "evidence": frame["evidence"][shared].astype("str"), "source": frame["source"][shared].astype("str")}
    ).sort_values(["key", "message", "evidence", "source"], kind="stable")
    occurrence = order.groupby("key", sort=False).cumcount().reindex(frame.index, fill_value=0)
    keyed = keys.where(occurrence.eq(0), keys + "\x1f" + occurrence.astype("str"))
    return keyed.map(lambda k: hashlib.sha256(k.encode("utf-8")).hexdigest()[:16]).astype("str")


def combine(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate findings and order them stably: location, household, severity, rule, person."""
    parts = [f for f in frames if len(f)]
    if not parts:
        return empty()
    out = pd.concat(parts, ignore_index=True)
    keys = _sort_keys(out)
    order = pc.sort_indices(keys, sort_keys=[(c, "ascending") for c in ORDER])
    out = out.take(order.to_numpy())
    rows = len(out)
    if _neighbours_alike(keys, order):  # else no two rows can be equal
        out = out.drop_duplicates(subset=[c for c in COLUMNS if c != "finding_id"])
    out = out.reset_index(drop=True)
    ids = out["finding_id"]
    if len(out) < rows or ids.eq("").any() or ids.duplicated().any():
        out["finding_id"] = finding_ids(out)  # over the whole table: findings from several producers
    # Otherwise every id stands: ids are distinct, so no id key occurs in two parts, and each part
    # numbered its own repeated keys as finding_ids over the whole table would.
    return out


ORDER = ("county", "township", "village", "household_id", "severity", "rule_id", "person_id", "message", "evidence",
         "source")
"""How findings are ordered (severity from high to low); evidence and source last, so that rows equal in
all else keep no input order."""


def _sort_keys(frame: pd.DataFrame) -> pa.Table:
    """The ``ORDER`` columns as Arrow, severity as its rank, for Arrow's stable multi-column sort
    (strings by code point, as Python compares them, and much faster than pandas' on long text)."""
    columns = {c: pa.array(frame[c], type=pa.string()) for c in ORDER if c != "severity"}
    columns["severity"] = pa.array(frame["severity"].map(SEVERITY_ORDER).to_numpy(dtype="int64"))
    return pa.table({c: columns[c] for c in ORDER})


def _neighbours_alike(keys: pa.Table, order: pa.Array) -> bool:
    """Whether two rows next to each other in ``order`` (the sort of ``keys``) are equal in every key.
    Duplicate findings are equal in these keys, and rows equal in the keys sort next to each other:
    without such neighbours there are no duplicates to drop.

    Compared a column at a time and only where the pairs are still alike: the long texts, last in
    ``ORDER``, are taken at few places (taking them whole took up to 1 s for 280,000 findings)."""
    positions = order.to_numpy()
    pairs = np.arange(max(keys.num_rows - 1, 0))  # pair i: rows positions[i] and positions[i + 1]
    for name in keys.column_names:
        if not len(pairs):
            break
        column = keys.column(name)
        equal = pc.equal(column.take(positions[pairs]), column.take(positions[pairs + 1]))
        pairs = pairs[pc.fill_null(equal, False).to_numpy(zero_copy_only=False)]
    return bool(len(pairs))


LOCATION = {"county": "县", "township": "乡镇", "village": "行政村"}
"""Findings' location columns and the registry columns they come from."""


def values(series: pd.Series) -> list[Any]:
    """The values as Python objects, None for nulls."""
    objects = series.astype("object")
    return objects.where(objects.notna(), None).tolist()


def column(rows: pd.DataFrame, name: str) -> list[Any]:
    """``values`` of a column; all None when the column is absent."""
    return values(rows[name]) if name in rows.columns else [None] * len(rows)


def sources(rows: pd.DataFrame) -> list[str]:
    """``file:sheet:row`` of each row (source_text)."""
    return [
        source_text(f or "", s, r)
        for f, s, r in zip(column(rows, "_file"), column(rows, "_sheet"), column(rows, "_row"), strict=True)
    ]


def from_rows(
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
    """A findings frame with one finding per row of ``rows`` (which carries keys and origin columns).

    The selection of ``rows`` is the caller's (vectorized); what is built here row by row (message,
    evidence JSON, source) is built only for the rows that produce a finding."""
    if not len(rows):
        return empty()
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
            "evidence": [evidence_json(e) for e in evidence],
            "source": sources(rows),
        }
    )
    if person_id is not None:  # about the members of ``rows``: one without an ID is known by name
        frame = with_person_names(frame, frame["name"])
    return normalize(frame)
