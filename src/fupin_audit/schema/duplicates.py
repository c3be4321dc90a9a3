"""duplicate_person: one valid ID number listed in two or more households; duplicate_in_household:
the same number listed twice in one household (a repeated row inflates its size and lowers its
per-capita income).

A cross-row check, vectorized: numbers that occur more than once (compared as integers, one sort),
then, among those few rows, distinct (证件号码, 户编号) pairs counted per number; only the rows of
numbers found in two or more households are then walked to name the other households. Numbers that are
invalid are not compared (a typo is not a person). One finding per occurrence; each names the other
household(s), their villages and the rows where the number appears there — the first
``OTHERS_LISTED`` of them, with their number, when a number is in more households than that (one ID
copied down a column must not make findings whose size grows with the square of the copies).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .. import findings
from ..fields import HOUSEHOLD_KEY, ID_COLUMN
from ..findings import column, from_rows, sources
from ..idcard import distinct_of_sorted, id_numbers
from . import messages

VALID = "证件有效"

OTHERS_LISTED = 20
"""Other households named in one finding (message and evidence); more are counted, not listed."""


@dataclass(frozen=True)
class ValidNumbers:
    """The members' valid ID numbers as integers (``idcard.id_numbers``), sorted: ``numbers[i]`` is
    the number of member row ``positions[i]``."""

    positions: np.ndarray
    numbers: np.ndarray

    def distinct(self) -> np.ndarray:
        """Each number once, sorted."""
        return distinct_of_sorted(self.numbers)


def valid_numbers(members: pd.DataFrame, row_numbers: np.ndarray | None = None) -> ValidNumbers:
    """The valid numbers of ``members`` sorted (stably: rows of one number in row order), one sort
    for the duplicate checks below and the reference lists' counts. ``row_numbers``: each row's number
    as ``normalize_ids`` gives it (-1 where invalid), saving their conversion from text."""
    if row_numbers is not None:
        positions = np.flatnonzero(row_numbers >= 0)
        numbers = row_numbers[positions]
    elif not {ID_COLUMN, VALID} <= set(members.columns):
        return ValidNumbers(np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.int64))
    else:
        positions = np.flatnonzero(members[VALID].fillna(False).to_numpy(dtype=bool))
        numbers = id_numbers(members[ID_COLUMN].iloc[positions])
    order = np.argsort(numbers, kind="stable")
    return ValidNumbers(positions[order], numbers[order])


def repeated_numbers(valid: ValidNumbers) -> np.ndarray:
    """Positions (in row order) of the members with a valid number that another valid row also has:
    only these rows can be in two households or twice in one, so both checks below take them from
    one call."""
    ordered = valid.numbers
    same = ordered[1:] == ordered[:-1]
    again = np.zeros(len(ordered), dtype=bool)
    again[1:] |= same
    again[:-1] |= same
    return np.sort(valid.positions[again])


def duplicate_findings(members: pd.DataFrame, repeated: np.ndarray) -> pd.DataFrame:
    """One high finding (kind duplicate_person) per member row whose number is in another household;
    ``repeated`` is ``repeated_numbers(valid_numbers(members))``."""
    if not {ID_COLUMN, HOUSEHOLD_KEY, VALID} <= set(members.columns):
        return findings.empty()
    candidates = members.iloc[repeated]
    pairs = candidates[[ID_COLUMN, HOUSEHOLD_KEY]].dropna().drop_duplicates()
    counted = pairs[ID_COLUMN].value_counts()
    in_two = counted.index[counted.to_numpy() > 1]  # numbers listed in two or more households
    rows = candidates[candidates[ID_COLUMN].isin(in_two).to_numpy(dtype=bool)]
    if not len(rows):
        return findings.empty()
    places = _households_by_id(rows)
    numbers, keys = column(rows, ID_COLUMN), column(rows, HOUSEHOLD_KEY)
    others = [_others(places[i], own) for i, own in zip(numbers, keys, strict=True)]
    return from_rows(
        rows,
        kind="duplicate_person",
        rule_id="duplicate_person",
        severity="high",
        messages=[
            messages.duplicate_person(i, [_describe(p) for p in listed], total)
            for i, (listed, total) in zip(numbers, others, strict=True)
        ],
        evidence=[_evidence(i, listed, total) for i, (listed, total) in zip(numbers, others, strict=True)],
        person_id=numbers,
        name=column(rows, "姓名"),
    )


def repeated_in_household_findings(members: pd.DataFrame, repeated: np.ndarray) -> pd.DataFrame:
    """One medium data_error per repeated row (after the first) of a valid number within a household;
    ``repeated`` is ``repeated_numbers(valid_numbers(members))``."""
    if not {ID_COLUMN, HOUSEHOLD_KEY, VALID} <= set(members.columns):
        return findings.empty()
    candidates = members.iloc[repeated]
    pair = candidates[[HOUSEHOLD_KEY, ID_COLUMN]]
    again = pair.duplicated(keep="first").to_numpy(dtype=bool)  # rows after the first of their pair
    if not again.any():
        return findings.empty()
    firsts = pair.duplicated(keep=False).to_numpy(dtype=bool) & ~again  # first rows of repeated pairs
    rows, first = candidates[again], candidates[firsts]
    first_source = dict(
        zip(zip(column(first, HOUSEHOLD_KEY), column(first, ID_COLUMN), strict=True), sources(first), strict=True)
    )
    numbers, keys = column(rows, ID_COLUMN), column(rows, HOUSEHOLD_KEY)
    earlier = [first_source.get((k, i), "") for k, i in zip(keys, numbers, strict=True)]
    return from_rows(
        rows,
        rule_id="duplicate_in_household",
        severity="medium",
        messages=[messages.duplicate_in_household(i, e) for i, e in zip(numbers, earlier, strict=True)],
        evidence=[{ID_COLUMN: i, "首次出现": e} for i, e in zip(numbers, earlier, strict=True)],
        person_id=numbers,
        name=column(rows, "姓名"),
    )


def _households_by_id(rows: pd.DataFrame) -> dict[str, dict[str, dict[str, Any]]]:
    """number → household key → {户编号, 县, 乡镇, 行政村, 来源 [rows]} in row order."""
    places: dict[str, dict[str, dict[str, Any]]] = {}
    columns = zip(
        column(rows, ID_COLUMN), column(rows, HOUSEHOLD_KEY), column(rows, "县"), column(rows, "乡镇"),
        column(rows, "行政村"), sources(rows), strict=True,
    )
    for number, key, county, township, village, source in columns:
        if key is None:
            continue
        place = places.setdefault(number, {}).setdefault(
            key, {HOUSEHOLD_KEY: key, "县": county, "乡镇": township, "行政村": village, "来源": []}
        )
        place["来源"].append(source)
    return places


def _others(places: dict[str, dict[str, Any]], own: str) -> tuple[list[dict[str, Any]], int]:
    """The first ``OTHERS_LISTED`` households other than ``own`` holding a number, and how many there are."""
    total = len(places) - (own in places)
    listed: list[dict[str, Any]] = []
    for key, place in places.items():
        if len(listed) == OTHERS_LISTED:
            break
        if key != own:
            listed.append(place)
    return listed, total


def _evidence(number: str, listed: list[dict[str, Any]], total: int) -> dict[str, Any]:
    if total > len(listed):
        return {ID_COLUMN: number, "其他户": listed, "其他户数": total}
    return {ID_COLUMN: number, "其他户": listed}


def _describe(place: dict[str, Any]) -> str:
    where = "".join(p for p in (place["县"], place["乡镇"], place["行政村"]) if p)
    return f"户编号{place[HOUSEHOLD_KEY]}" + (f"（{where}）" if where else "")
