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
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..kinds import BY_CODE
from ..registry import Registry
from ..rules.model import RuleSet
from ..schema.duplicates import valid_numbers
from .read import ReferenceData

MATCHES_KEY = "匹配记录"
INVALID_SHEET = "名单无效证件"
SUMMARY_COLUMNS = ("名单", "名称", "文件", "行数", "无效证件行数", "无法识别的值", "证件号码相同的登记人数", "SHA-256")
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
        rows.append({
            "名单": data.name, "名称": data.title, "文件": data.path.name, "行数": len(data.frame),
            "无效证件行数": int(data.invalid["来源"].nunique()), "无法识别的值": data.unreadable,
            "证件号码相同的登记人数": _count_in(registered, data.ids), "SHA-256": data.sha256,
        })
    frame = pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
    for column in ("名单", "名称", "文件", "SHA-256"):
        frame[column] = frame[column].astype("str")
    for column in ("行数", "无效证件行数", "无法识别的值", "证件号码相同的登记人数"):
        frame[column] = frame[column].astype("Int64")
    return frame


def _count_in(registered: np.ndarray, listed: np.ndarray) -> int:
    """How many of the sorted distinct ``registered`` numbers are among the sorted distinct ``listed``."""
    if len(registered) == 0 or len(listed) == 0:
        return 0
    places = np.minimum(np.searchsorted(registered, listed), len(registered) - 1)
    return int(np.count_nonzero(registered[places] == listed))


def match_sheets(
    findings: pd.DataFrame, ruleset: RuleSet, lists: Mapping[str, ReferenceData]
) -> dict[str, pd.DataFrame]:
    """Sheet name → rows: one sheet per list with the matches behind findings, then the invalid IDs."""
    carrying = findings[findings["evidence"].str.contains(f'"{MATCHES_KEY}"', regex=False, na=False)]
    per_list: dict[str, _Matches] = {}
    for position, evidence in enumerate(carrying["evidence"].tolist()):
        matches = json.loads(str(evidence)).get(MATCHES_KEY)
        if not isinstance(matches, list):
            continue
        for match in matches:
            if isinstance(match, dict):
                per_list.setdefault(str(match.get("名单", "")), _Matches()).add(position, match)
    sheets: dict[str, pd.DataFrame] = {}
    order = [n for n in ruleset.references if n in per_list] + [n for n in per_list if n not in ruleset.references]
    for name in order:
        spec = ruleset.references.get(name)
        title = spec.title if spec is not None else name
        frame = per_list[name].frame(carrying)
        columns = list(LEADING) + [c for c in frame.columns if c not in LEADING and c not in TRAILING] + [
            c for c in TRAILING if c in frame.columns]
        sheets[title] = frame.loc[:, columns].astype("str").where(frame.loc[:, columns].notna(), "")
    invalid = [data.invalid for data in lists.values() if len(data.invalid)]
    if invalid:
        sheets[INVALID_SHEET] = pd.concat(invalid, ignore_index=True)
    return sheets


@dataclass
class _Matches:
    """One list's matches, gathered a column at a time: the finding (row of the findings carrying
    matches) each backs, and each key's values by match (keys the findings' columns also name are
    prefixed 名单; 登记表来源 is the finding's source)."""

    findings: list[int] = field(default_factory=list)
    values: dict[str, dict[int, object]] = field(default_factory=dict)

    def add(self, finding: int, match: Mapping[str, object]) -> None:
        row = len(self.findings)
        self.findings.append(finding)
        for key, value in match.items():
            if key not in ("名单", "登记表来源"):
                self.values.setdefault(f"名单{key}" if key in LEADING else key, {})[row] = value

    def frame(self, carrying: pd.DataFrame) -> pd.DataFrame:
        """The rows: the finding's columns (LEADING), the match's keys in the order first met, 登记表来源."""
        rows = carrying.iloc[self.findings].reset_index(drop=True)
        head = {
            "规则编号": rows["rule_id"], "问题类型": rows["kind"].map({c: k.title for c, k in BY_CODE.items()}),
            "县": rows["county"], "乡镇": rows["township"], "行政村": rows["village"], "户编号": rows["household_id"],
            "姓名": rows["name"], "证件号码": rows["person_id"],
        }
        count = range(len(self.findings))
        listed = {key: [values.get(row) for row in count] for key, values in self.values.items()}
        return pd.DataFrame({**head, **listed, "登记表来源": rows["source"]})
