"""Household checks across rows: head_missing, head_multiple, size_mismatch, income_arithmetic.

They compare each household (one row of ``households``) with its members, so they are vectorized
pandas group-bys over ``members`` keyed by 户编号, not pandera checks (which see one frame's rows or
columns, not another frame's groups). Members are matched to their household row by 户编号 (keys.py); a household with no member row
counts 0 members.
When the members frame has no rows (a household-level sheet only) the member counts are unknown:
head and size checks do not run, and income_arithmetic divides by 家庭人口数.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import findings
from ..fields import INCOME_COMPONENTS, INCOME_EXPENSE
from ..findings import column, from_rows, values
from . import messages
from .output import HEAD

RELATION, SIZE, PER_CAPITA = "与户主关系", "家庭人口数", "人均纯收入"


def household_findings(
    households: pd.DataFrame, members: pd.DataFrame, positions: np.ndarray, heads: pd.Series
) -> pd.DataFrame:
    """Findings of the four checks. ``positions``: each member's household row (keys.py);
    ``heads``: the head's name on the households index."""
    listed = np.bincount(positions[positions >= 0], minlength=len(households)) if len(members) else None
    parts = [
        _head_findings(households, members, positions, heads, listed),
        _size_findings(households, heads, listed),
        _income_findings(households, heads, listed),
    ]
    return pd.concat(parts, ignore_index=True)


def _head_findings(
    households: pd.DataFrame, members: pd.DataFrame, positions: np.ndarray, heads: pd.Series, listed: np.ndarray | None
) -> pd.DataFrame:
    if listed is None or RELATION not in members.columns:
        return findings.empty()
    head_rows = np.flatnonzero((members[RELATION] == HEAD).fillna(False).to_numpy(dtype=bool) & (positions >= 0))
    count = np.bincount(positions[head_rows], minlength=len(households))
    missing, multiple = count == 0, count >= 2
    parts = [
        from_rows(
            households[missing],
            rule_id="head_missing",
            severity="high",
            messages=[messages.head_missing(int(n)) for n in listed[missing]],
            evidence=[{"户主人数": 0, "名单人数": int(n)} for n in listed[missing]],
            name=values(heads[missing]),
        )
    ]
    if multiple.any():
        names: dict[int, list[str]] = {}
        chosen = head_rows[multiple[positions[head_rows]]]
        member_names = column(members.iloc[chosen], "姓名")
        for position, name in zip(positions[chosen].tolist(), member_names, strict=True):
            names.setdefault(position, []).extend([name] if isinstance(name, str) else [])
        where = np.flatnonzero(multiple).tolist()
        parts.append(
            from_rows(
                households[multiple],
                rule_id="head_multiple",
                severity="high",
                messages=[messages.head_multiple(int(count[p]), names.get(p, [])) for p in where],
                evidence=[
                    {"户主人数": int(count[p]), "名单人数": int(listed[p]), "户主": names.get(p, [])} for p in where
                ],
                name=values(heads[multiple]),
            )
        )
    return pd.concat(parts, ignore_index=True)


def _size_findings(households: pd.DataFrame, heads: pd.Series, listed: np.ndarray | None) -> pd.DataFrame:
    if listed is None or SIZE not in households.columns:
        return findings.empty()
    stated = households[SIZE].to_numpy(dtype="float64", na_value=np.nan)
    wrong = ~np.isnan(stated) & (stated != listed)
    pairs = list(zip(stated[wrong].astype(np.int64).tolist(), listed[wrong].tolist(), strict=True))
    return from_rows(
        households[wrong],
        rule_id="size_mismatch",
        severity="medium",
        messages=[messages.size_mismatch(s, n) for s, n in pairs],
        evidence=[{SIZE: s, "名单人数": n} for s, n in pairs],
        name=values(heads[wrong]),
    )


def _income_findings(households: pd.DataFrame, heads: pd.Series, listed: np.ndarray | None) -> pd.DataFrame:
    """人均纯收入 against (工资性+生产经营性+财产性+转移性−生产经营性支出) / persons.

    Runs on households whose 人均纯收入 and four income components are all present; a missing
    生产经营性支出 counts as 0. Persons: the members listed, else 家庭人口数. A finding when the
    difference, rounded to the fen, exceeds 1.00 yuan (exactly 1.00 passes).
    """
    needed = (PER_CAPITA, *INCOME_COMPONENTS)
    if not set(needed) <= set(households.columns):
        return findings.empty()
    amounts = {name: households[name].to_numpy(dtype="float64", na_value=np.nan) for name in needed}
    expense = (
        households[INCOME_EXPENSE].to_numpy(dtype="float64", na_value=np.nan)
        if INCOME_EXPENSE in households.columns
        else np.zeros(len(households))
    )
    expense = np.nan_to_num(expense, nan=0.0)
    stated_size = (
        households[SIZE].to_numpy(dtype="float64", na_value=np.nan) if SIZE in households.columns
        else np.full(len(households), np.nan)
    )
    counted = listed if listed is not None else np.zeros(len(households), dtype=np.int64)
    from_list = counted > 0
    persons = np.where(from_list, counted, stated_size)
    complete = np.all([~np.isnan(v) for v in amounts.values()], axis=0) & (persons > 0)
    income = sum(amounts[name] for name in INCOME_COMPONENTS) - expense
    with np.errstate(divide="ignore", invalid="ignore"):
        computed = income / persons
    difference = np.abs(amounts[PER_CAPITA] - computed)
    wrong = complete & (np.round(difference * 100) > 100)
    rows = np.flatnonzero(wrong)
    evidence = [
        {
            PER_CAPITA: round(float(amounts[PER_CAPITA][i]), 2),
            "计算值": round(float(computed[i]), 2),
            **{name: float(amounts[name][i]) for name in INCOME_COMPONENTS},
            INCOME_EXPENSE: float(expense[i]),
            "人数": int(persons[i]),
            "人数来源": "名单人数" if from_list[i] else SIZE,
        }
        for i in rows
    ]
    return from_rows(
        households[wrong],
        rule_id="income_arithmetic",
        severity="medium",
        messages=[messages.income_arithmetic(float(amounts[PER_CAPITA][i]), float(computed[i])) for i in rows],
        evidence=evidence,
        name=values(heads[wrong]),
    )
