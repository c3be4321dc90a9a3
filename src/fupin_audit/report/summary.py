"""Count tables shared by the terminal summary, the Excel 概览 sheet and the JSON document.

Each function takes a findings table (``findings.COLUMNS``) and returns a small frame; nothing here
holds personal data (only codes, places and counts).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import pandas as pd

from ..kinds import BY_CODE, KIND_CODES, SEVERITIES, SEVERITY_TITLES
from ..masking import mask_in
from ..result import InputFile
from ..schema.catalog import BUILT_IN

UNKNOWN_PLACE = "（空）"
"""Shown for an empty county, township or village name."""

LEVELS: dict[str, tuple[str, ...]] = {
    "county": ("county",),
    "township": ("county", "township"),
    "village": ("county", "township", "village"),
}


def kind_counts(findings: pd.DataFrame, *, include_zero: bool = False) -> pd.DataFrame:
    """Columns kind, title (中文), count; kinds in catalogue order (kinds.KINDS)."""
    counts = findings["kind"].value_counts().reindex(list(KIND_CODES), fill_value=0)
    frame = pd.DataFrame(
        {
            "kind": list(KIND_CODES),
            "title": [BY_CODE[k].title for k in KIND_CODES],
            "count": counts.to_numpy(dtype="int64"),
        }
    )
    if not include_zero:
        frame = frame[frame["count"] > 0]
    return frame.reset_index(drop=True)


def kind_severity_counts(findings: pd.DataFrame) -> pd.DataFrame:
    """Columns kind, title, high, medium, low, count: one row per kind that occurs, catalogue order."""
    table = pd.crosstab(findings["kind"], findings["severity"]) if len(findings) else pd.DataFrame()
    table = table.reindex(index=[k for k in KIND_CODES if k in table.index], columns=list(SEVERITIES), fill_value=0)
    frame = table.astype("int64").reset_index(drop=True)
    frame.columns = list(SEVERITIES)
    frame.insert(0, "kind", list(table.index))
    frame.insert(1, "title", [BY_CODE[k].title for k in table.index])
    frame["count"] = frame[list(SEVERITIES)].sum(axis=1).astype("int64")
    return frame


def severity_counts(findings: pd.DataFrame) -> pd.DataFrame:
    """Columns severity, title (高/中/低), count; every severity, high first."""
    counts = findings["severity"].value_counts().reindex(list(SEVERITIES), fill_value=0)
    return pd.DataFrame(
        {
            "severity": list(SEVERITIES),
            "title": [SEVERITY_TITLES[s] for s in SEVERITIES],
            "count": counts.to_numpy(dtype="int64"),
        }
    )


def rule_counts(findings: pd.DataFrame, rules_table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Columns rule_id, title (from ``rules_table`` id/title when given, else empty), kind, count;
    most findings first, then by rule id."""
    grouped = findings.groupby(["rule_id", "kind"], sort=False).size().rename("count").reset_index()
    titles: dict[str, str] = {}
    if rules_table is not None and {"id", "title"} <= set(rules_table.columns):
        titles = dict(zip(rules_table["id"].astype("str"), rules_table["title"].astype("str"), strict=True))
    grouped["title"] = grouped["rule_id"].map(lambda r: titles.get(r) or BUILT_IN.get(r, ("",))[0]).astype("str")
    grouped["count"] = grouped["count"].astype("int64")
    grouped = grouped.sort_values(["count", "rule_id"], ascending=[False, True], kind="stable")
    return grouped.loc[:, ["rule_id", "title", "kind", "count"]].reset_index(drop=True)


def place_path(findings: pd.DataFrame, level: Literal["county", "township", "village"] = "village") -> pd.Series:
    """``县/乡镇/村`` (down to ``level``) for each finding; an empty part shows as ``（空）``."""
    parts = [findings[c].astype("str").mask(findings[c].eq(""), UNKNOWN_PLACE) for c in LEVELS[level]]
    path = parts[0]
    for part in parts[1:]:
        path = path + "/" + part
    return path


def place_counts(findings: pd.DataFrame, level: Literal["county", "township", "village"] = "village") -> pd.DataFrame:
    """Columns place (``县/乡镇/村`` path), high, count; most findings first, then by place."""
    if findings.empty:
        return pd.DataFrame({"place": pd.Series([], dtype="str"), "high": pd.Series([], dtype="int64"),
                             "count": pd.Series([], dtype="int64")})
    frame = pd.DataFrame({"place": place_path(findings, level), "high": findings["severity"].eq("high")})
    grouped = frame.groupby("place", sort=False).agg(high=("high", "sum"), count=("high", "size")).reset_index()
    grouped = grouped.astype({"high": "int64", "count": "int64"})
    grouped = grouped.sort_values(["count", "place"], ascending=[False, True], kind="stable")
    return grouped.reset_index(drop=True)


def table_rows(frame: pd.DataFrame, columns: Sequence[str]) -> list[list[Any]]:
    """The rows of ``frame`` as lists of plain Python values, ``columns`` in that order."""
    return [list(row) for row in zip(*(frame[c].tolist() for c in columns), strict=True)] if len(frame) else []


def input_notes(item: InputFile, mask_ids: bool = False) -> str:
    """What a reader should know about one input file beyond its row counts, in one line (an error
    names the file: with ``mask_ids`` an ID in its name is masked)."""
    notes = []
    if item.error:
        notes.append(f"未能读取，已跳过：{item.error}")
    if item.shared_households:
        notes.append(item.shared_note())
    if item.skipped_sheets:
        notes.append(f"未读取的工作表：{'、'.join(item.skipped_sheets)}")
    if item.duplicate_columns:
        notes.extend(f"重复的列{d.note()}" for d in item.duplicate_columns)
    if item.unknown_columns:
        notes.append(f"未识别的列（保留未用）：{'、'.join(item.unknown_columns)}")
    if item.filled_cells:
        notes.append(f"合并单元格向下填充 {item.filled_cells} 格")
    return mask_in("；".join(notes)) if mask_ids else "；".join(notes)
