"""The 变化概览 table: per village, households in each snapshot, planned / actual / due exits, returns,
new and removed households, members added and removed, and diff findings (the review's tally)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ..result import AuditResult

PLACE = ["县", "乡镇", "行政村"]
OVERVIEW_COLUMNS = ["县", "乡镇", "行政村", "上期户数", "本期户数", "计划脱贫", "脱贫", "应退未退", "返贫",
                    "新识别", "清退/自然减少", "成员增加", "成员减少", "动态调整问题"]
ADDED, REMOVED = ("出生", "婚入", "迁入"), ("死亡", "迁出", "分户")


def _place(frame: pd.DataFrame) -> pd.Series:
    parts = [frame[c].astype("str").fillna("") if c in frame.columns else pd.Series("", index=frame.index)
             for c in PLACE]
    return parts[0] + "\x1f" + parts[1] + "\x1f" + parts[2]


def village_overview(changes: pd.DataFrame, old: AuditResult, new: AuditResult, diff_findings: pd.DataFrame,
                     exit_statuses: Sequence[str]) -> pd.DataFrame:
    households = changes[changes["层级"].eq("户")]
    members = changes[changes["层级"].eq("成员")]
    old_h, new_h = old.registry.households, new.registry.households
    counts: dict[str, pd.Series] = {
        "上期户数": _place(old_h).value_counts(),
        "本期户数": _place(new_h).value_counts(),
    }
    if {"脱贫年度", "脱贫属性"} <= set(old_h.columns):
        planned = old_h[~old_h["脱贫属性"].isin(list(exit_statuses))
                        & old_h["脱贫年度"].notna() & (old_h["脱贫年度"] <= new.as_of.year)]
        counts["计划脱贫"] = _place(planned).value_counts()
    for column, kinds in (("脱贫", ("脱贫",)), ("返贫", ("返贫",)), ("新识别", ("新识别",)),
                          ("清退/自然减少", ("清退", "自然减少"))):
        counts[column] = _place(households[households["变化类型"].isin(kinds)]).value_counts()
    counts["成员增加"] = _place(members[members["变化类型"].isin(ADDED)]).value_counts()
    counts["成员减少"] = _place(members[members["变化类型"].isin(REMOVED) & ~members["户变化"].isin(["清退", "自然减少"])]).value_counts()
    due = new.findings[new.findings["kind"].eq("should_exit")].drop_duplicates("household_id")
    counts["应退未退"] = _place(due.rename(columns={"county": "县", "township": "乡镇", "village": "行政村"})).value_counts()
    counts["动态调整问题"] = _place(
        diff_findings.rename(columns={"county": "县", "township": "乡镇", "village": "行政村"})).value_counts()
    table = pd.DataFrame(counts).fillna(0).astype("int64").sort_index()
    if "计划脱贫" not in table.columns:
        table["计划脱贫"] = pd.Series(pd.NA, index=table.index, dtype="Int64")
    split = table.index.to_series().str.split("\x1f", expand=True)
    table = table.reset_index(drop=True)
    for i, column in enumerate(PLACE):
        table.insert(i, column, split[i].to_numpy())
    return table.reindex(columns=OVERVIEW_COLUMNS)
