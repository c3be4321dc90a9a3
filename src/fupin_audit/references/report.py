"""What the report shows of the reference lists: one summary row per list for 概览, one sheet per list
with every match behind a finding (one row per match, printable), and the list rows with invalid IDs.

A rule that matches a list returns its matched rows as ``匹配记录``: a list of JSON objects, each
naming its list (``名单``) and its place in the list file (``名单来源``). The sheets are built from
those, so they hold exactly the matches that back findings (an excepted match, such as a motorcycle,
is in neither).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..idcard import distinct_of_sorted, id_numbers
from ..kinds import BY_CODE
from ..registry import Registry
from ..rules.model import RuleSet
from ..rules.refspec import validity_column
from ..schema.duplicates import valid_numbers
from .read import ReferenceData

MATCHES_KEY = "匹配记录"
INVALID_SHEET = "名单无效证件"
SUMMARY_COLUMNS = ("名单", "名称", "文件", "行数", "无效证件行数", "无法识别的值", "匹配登记人数", "SHA-256")
LEADING = ("规则编号", "问题类型", "县", "乡镇", "行政村", "户编号", "姓名", "证件号码")
TRAILING = ("名单来源", "登记表来源")


def reference_summary(lists: Mapping[str, ReferenceData], registry: Registry) -> pd.DataFrame:
    """Per list: rows, rows with an invalid ID (never matched), registry people whose valid ID is on it
    (counted against ``registry.valid_ids`` when the registry is checked)."""
    registered = registry.valid_ids
    if registered is None:
        registered = valid_numbers(registry.members).distinct()
    rows = []
    for data in lists.values():
        on_list = pd.concat(
            [data.frame.loc[data.frame[validity_column(c)].fillna(False).to_numpy(dtype=bool), c] for c in data.id_columns],
            ignore_index=True,
        )
        rows.append({
            "名单": data.name, "名称": data.title, "文件": data.path.name, "行数": len(data.frame),
            "无效证件行数": int(data.invalid["来源"].nunique()), "无法识别的值": data.unreadable,
            "匹配登记人数": _count_in(registered, on_list), "SHA-256": data.sha256,
        })
    frame = pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
    for column in ("名单", "名称", "文件", "SHA-256"):
        frame[column] = frame[column].astype("str")
    for column in ("行数", "无效证件行数", "无法识别的值", "匹配登记人数"):
        frame[column] = frame[column].astype("Int64")
    return frame


def _count_in(registered: np.ndarray, lookup: pd.Series) -> int:
    """How many of the sorted distinct ``registered`` numbers are among the valid IDs ``lookup``."""
    if len(registered) == 0 or lookup.empty:
        return 0
    listed = distinct_of_sorted(np.sort(id_numbers(lookup)))
    places = np.minimum(np.searchsorted(registered, listed), len(registered) - 1)
    return int(np.count_nonzero(registered[places] == listed))


def match_sheets(
    findings: pd.DataFrame, ruleset: RuleSet, lists: Mapping[str, ReferenceData]
) -> dict[str, pd.DataFrame]:
    """Sheet name → rows: one sheet per list with the matches behind findings, then the invalid IDs."""
    carrying = findings[findings["evidence"].str.contains(f'"{MATCHES_KEY}"', regex=False, na=False)]
    per_list: dict[str, list[dict[str, object]]] = {}
    fields = ("rule_id", "kind", "county", "township", "village", "household_id", "name", "person_id", "source", "evidence")
    for rule_id, kind, county, township, village, household, name, person, source, evidence in zip(
        *(carrying[c].tolist() for c in fields), strict=True
    ):
        matches = json.loads(str(evidence)).get(MATCHES_KEY)
        if not isinstance(matches, list):
            continue
        head = {
            "规则编号": rule_id, "问题类型": BY_CODE[str(kind)].title, "县": county, "乡镇": township,
            "行政村": village, "户编号": household, "姓名": name, "证件号码": person,
        }
        for match in matches:
            if isinstance(match, dict):
                values = {(f"名单{k}" if k in head else k): v for k, v in match.items() if k != "名单"}
                per_list.setdefault(str(match.get("名单", "")), []).append({**head, **values, "登记表来源": source})
    sheets: dict[str, pd.DataFrame] = {}
    order = [n for n in ruleset.references if n in per_list] + [n for n in per_list if n not in ruleset.references]
    for name in order:
        spec = ruleset.references.get(name)
        title = spec.title if spec is not None else name
        frame = pd.DataFrame(per_list[name])
        columns = list(LEADING) + [c for c in frame.columns if c not in LEADING and c not in TRAILING] + [
            c for c in TRAILING if c in frame.columns]
        sheets[title] = frame.loc[:, columns].astype("str").where(frame.loc[:, columns].notna(), "")
    invalid = [data.invalid for data in lists.values() if len(data.invalid)]
    if invalid:
        sheets[INVALID_SHEET] = pd.concat(invalid, ignore_index=True)
    return sheets
