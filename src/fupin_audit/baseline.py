"""Findings over time: compare this audit's findings with an earlier findings file (``--baseline``).

Findings are matched by their stable ``finding_id`` (rule, household, person and, where one rule
can say several things of the same person, the column or criterion): a finding is 新增 (new) or 持续
(persisting); an earlier finding that no longer occurs is 已整改 (resolved), or 未复核 (not re-checked)
when its check did not run this time or its file was not read (``mark_unchecked``). A file written
with ``--mask-ids`` holds keyed ids (idkey.py): when no earlier id equals a plain id, the earlier ids
are matched against the current findings' keyed ids.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pandas as pd

from . import findings
from .baselinefile import check_values, read_csv
from .errors import InputError
from .idkey import existing_key, keyed_ids
from .masking import mask_text
from .recheck import Coverage
from .textkeys import text_in

CHANGE_RESOLVED = "已整改"
CHANGE_UNCHECKED = "未复核"
"""An earlier finding not found again, but not looked for either: never counted as 已整改."""
UNCHECKED_REASON = "unchecked_reason"
"""Column of the resolved findings beside the findings columns: why one is 未复核 ("" if 已整改)."""


def read_findings(path: Path) -> pd.DataFrame:
    """A findings file written by ``--findings`` (.csv, .parquet or .jsonl), as a findings frame, one
    row per finding_id (a row repeated in the file counts once).

    Raises ``InputError`` for a file that is not such a findings file, or was changed so that its
    findings can no longer be matched (kinds translated, ids turned into numbers by Excel)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"找不到上次的问题清单 {path}：--baseline 需要此前用 --findings 写出的文件。")
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            frame = read_csv(path)
        elif suffix == ".parquet":
            frame = pd.read_parquet(path)
        elif suffix == ".jsonl":
            if not path.read_bytes().strip():
                # an audit without findings writes an empty .jsonl (one line per finding, no header):
                # it is read as no findings, not refused as "not a findings file"
                return findings.empty()
            frame = pd.read_json(path, lines=True, dtype=False)
            if "evidence" in frame.columns:
                frame["evidence"] = [findings.evidence_json(v) if isinstance(v, dict) else v for v in frame["evidence"]]
        else:
            raise InputError(f"{path.name}：--baseline 只接受 .csv、.parquet 或 .jsonl 问题清单。")
    except (ValueError, OSError) as error:
        raise InputError(f"{path.name}：无法读取为问题清单（{type(error).__name__}）。") from None
    missing = [c for c in ("rule_id", "kind", "severity", "finding_id") if c not in frame.columns]
    if missing:
        raise InputError(
            f"{path.name}：不是 fupin-audit 写出的问题清单，缺少列 {'、'.join(missing)}。"
            "请用本版本的 --findings 重新生成上次的问题清单。"
        )
    for column in findings.COLUMNS:
        if column not in frame.columns:
            frame[column] = ""
    frame = frame.loc[:, list(findings.COLUMNS)].fillna("").astype("str")
    check_values(frame, path.name)
    frame["finding_id"] = frame["finding_id"].str.lower()
    try:
        frame = findings.normalize(frame)
    except ValueError:
        raise InputError(f"{path.name}：无法读取为问题清单。请用本版本的 --findings 重新生成上次的问题清单。") from None
    return frame.drop_duplicates("finding_id").reset_index(drop=True)


class Comparison(NamedTuple):
    findings: pd.DataFrame
    """The current findings, ``change`` set to 新增 or 持续."""
    resolved: pd.DataFrame
    """The earlier findings that are gone, ``change`` 已整改."""
    resolved_keyed: bool
    """Whether the earlier file was written with ``--mask-ids``: its ids are keyed already."""


def compare(current: pd.DataFrame, baseline: pd.DataFrame) -> Comparison:
    """``current`` with ``change`` set to 新增 or 持续, and the baseline findings that are gone (已整改).

    A findings file holds plain ids or (written with ``--mask-ids``) keyed ids, never both: the keyed
    ids of the current findings are computed only when no earlier id is a plain one."""
    earlier = baseline["finding_id"]
    ids = current["finding_id"]
    matched = text_in(earlier, ids)
    keyed_file = False
    if len(current) and len(earlier) and not matched.any():
        key = existing_key()  # no key yet: no file was written masked with this user's key
        if key is not None:
            ids = pd.Series(keyed_ids(ids.astype("str"), key), index=current.index, dtype="str")
            matched = text_in(earlier, ids)
            keyed_file = bool(matched.any())
    marked = current.copy()
    persisting = text_in(ids, earlier)
    marked["change"] = persisting.map({True: findings.CHANGE_PERSISTING, False: findings.CHANGE_NEW}).astype("str")
    resolved = baseline[~matched].copy()
    resolved["change"] = CHANGE_RESOLVED
    if not keyed_file and not matched.any():  # nothing persists: a masked file shows masked ID numbers
        keyed_file = bool(baseline["person_id"].astype("str").str.contains("*", regex=False).any())
    return Comparison(marked, resolved.reset_index(drop=True), keyed_file)


def mark_unchecked(resolved: pd.DataFrame, coverage: Coverage) -> pd.DataFrame:
    """``compare``'s resolved findings, those not re-checked this time (``coverage``) marked 未复核
    with the reason in ``UNCHECKED_REASON``."""
    marked = resolved.copy()
    reasons = coverage.reasons(marked)
    marked["change"] = marked["change"].where(reasons.eq(""), CHANGE_UNCHECKED)
    marked[UNCHECKED_REASON] = reasons
    return marked


def change_counts(current: pd.DataFrame, resolved: pd.DataFrame) -> dict[str, int]:
    """How many findings are new, persisting, resolved (已整改) and not re-checked (未复核)."""
    changes = current["change"].value_counts()
    gone = resolved["change"].value_counts() if "change" in resolved.columns else pd.Series(dtype="int64")
    return {
        "new": int(changes.get(findings.CHANGE_NEW, 0)),
        "persisting": int(changes.get(findings.CHANGE_PERSISTING, 0)),
        "resolved": int(gone.get(CHANGE_RESOLVED, 0)),
        "unchecked": int(gone.get(CHANGE_UNCHECKED, 0)),
    }


def unchecked_reasons(resolved: pd.DataFrame, mask_ids: bool = False) -> pd.Series:
    """The ``UNCHECKED_REASON`` of each resolved finding ("" where there is none), an ID in a file
    name masked with ``mask_ids``."""
    if UNCHECKED_REASON not in resolved.columns:
        return pd.Series("", index=resolved.index, dtype="str")
    reasons = resolved[UNCHECKED_REASON].astype("str")
    return mask_text(reasons).astype("str") if mask_ids else reasons
