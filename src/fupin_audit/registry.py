"""The registry: ``households`` (one row per 户编号) and ``members`` (one row per person).

``build_registry`` assembles it from normalized sheets: a flat person-level export is split into
both frames; a household sheet (户信息) and a member sheet (人员信息), recognised by their columns
rather than their names, are joined by 户编号.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import findings
from .errors import MissingColumnsError
from .fields import BY_NAME, HOUSEHOLD_KEY, fields_of
from .io.headers import closest
from .io.table import Table

ORIGIN = ("_file", "_sheet", "_row")
KEYS = tuple(f.name for f in fields_of("key"))
LOCATION = ("县", "乡镇", "行政村")
MEMBER_MARKERS = ("证件号码", "姓名", "与户主关系")

COLUMN_THREADS = min(2, os.cpu_count() or 1)
"""Household columns gathered and compared at once when a flat export is split (Arrow takes and
comparisons, which run outside the GIL)."""


@dataclass
class Registry:
    """Two frames with canonical column names (fields.py) plus ``_file``, ``_sheet``, ``_row``.

    ``households`` carries the key columns (县, 乡镇, 行政村, 自然村, 户编号) and household-level
    fields; its origin columns point at the household's first row (the head's row in a flat
    export). ``members`` carries the key columns and member-level fields. ``problems`` holds the
    data_error findings found while reading and assembling (unreadable values, household values that
    disagree between member rows). The normalized sheets it was built from are not kept (nothing
    read them, and they held the household-level columns of every member row).

    ``valid_ids`` is set by ``schema.check_registry``: the members' distinct valid ID numbers as
    sorted integers (``idcard.id_numbers``), which the duplicate check sorts anyway and the reference
    lists are counted against (None before the check).
    """

    households: pd.DataFrame
    members: pd.DataFrame
    problems: pd.DataFrame
    valid_ids: np.ndarray | None = None


def is_member_table(table: Table) -> bool:
    """A sheet lists people when it has any of 证件号码, 姓名, 与户主关系."""
    return any(c in table.frame.columns for c in MEMBER_MARKERS)


def build_registry(tables: list[Table]) -> Registry:
    """Assemble households and members from normalized sheets (flat exports, or 户信息 + 人员信息).

    A county folder mixes layouts: the member sheets of a file that holds a household sheet are joined
    with the household sheets, and so is a member sheet of another file whose 户编号 the household
    sheets list (户信息 and 人员信息 exported as two files); every other member sheet is a flat export
    and is split on its own, so that its households are not lost (and its members not orphans) because
    another village came as a two-sheet workbook."""
    for table in tables:
        require_columns(table)
    household_tables = [t for t in tables if not is_member_table(t)]
    joined_tables, flat_tables = _by_layout([t for t in tables if is_member_table(t)], household_tables)
    problems = [t.problems for t in tables]
    parts: list[tuple[pd.DataFrame, pd.DataFrame, np.ndarray]] = []
    conflicts = findings.empty()
    if household_tables:
        joined, missing_key = _drop_rows_without_household(_concat([t.frame for t in joined_tables]))
        problems.append(missing_key)
        households, missing_key = _drop_rows_without_household(_concat([t.frame for t in household_tables]))
        problems.append(missing_key)
        households, duplicate = _first_per_household(households)
        problems.append(duplicate)
        members, orphans = _members_with_households(joined, households)
        problems.append(orphans)
        households = _locations_from_members(households, members)
        parts.append((households, members, _first_heads(households, members)))
    if flat_tables or not household_tables:
        flat, missing_key = _drop_rows_without_household(_concat([t.frame for t in flat_tables]))
        problems.append(missing_key)
        households, conflicts, head_rows = _split_households(flat)
        members = flat.drop(columns=[c for c in _household_columns(flat) if c not in KEYS])
        parts.append((households, members, head_rows))
    if len(parts) == 1:
        households, members, head_rows = parts[0]
    else:
        (joined_households, joined_members, joined_heads), (flat_households, flat_members, flat_heads) = parts
        households = pd.concat([joined_households, flat_households], ignore_index=True, sort=False)
        members = pd.concat([joined_members, flat_members], ignore_index=True, sort=False)
        head_rows = np.concatenate([joined_heads, np.where(flat_heads >= 0, flat_heads + len(joined_members), -1)])
    households = _with_head_columns(households.reset_index(drop=True), members.reset_index(drop=True), head_rows)
    problems.append(_with_head_names(conflicts, households))
    return Registry(
        households=households.reset_index(drop=True),
        members=members.reset_index(drop=True),
        problems=findings.combine(problems),
    )


def _by_layout(member_tables: list[Table], household_tables: list[Table]) -> tuple[list[Table], list[Table]]:
    """The member sheets to join with the household sheets, and the flat exports (see build_registry)."""
    if not household_tables:
        return [], member_tables
    files = {t.path for t in household_tables}
    listed = pd.Index(_concat([t.frame for t in household_tables])[HOUSEHOLD_KEY].dropna().unique())
    joined: list[Table] = []
    flat: list[Table] = []
    for table in member_tables:
        keys = table.frame[HOUSEHOLD_KEY] if HOUSEHOLD_KEY in table.frame.columns else pd.Series([], dtype="str")
        same_file = table.path in files
        (joined if same_file or keys.isin(listed).any() else flat).append(table)
    return joined, flat


def require_columns(table: Table) -> None:
    """Members need 户编号 and 证件号码 or 姓名; households need 户编号 (DESIGN.md)."""
    columns = set(table.frame.columns)
    missing = [] if HOUSEHOLD_KEY in columns else [HOUSEHOLD_KEY]
    if is_member_table(table) and not columns & {"证件号码", "姓名"}:
        missing.append("证件号码或姓名")
    if missing:
        seen = [*table.mapping, *table.unknown_columns]
        candidates = {name: closest(name, seen) for name in missing if name in BY_NAME}
        raise MissingColumnsError(table.where, missing, seen, candidates)


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if len(f.columns)]
    if not frames:
        return pd.DataFrame({HOUSEHOLD_KEY: pd.Series([], dtype="str")})
    return pd.concat(frames, ignore_index=True, sort=False)


def _household_columns(frame: pd.DataFrame) -> list[str]:
    """Key and household-level canonical columns present in ``frame``."""
    return [c for c in frame.columns if c in BY_NAME and BY_NAME[c].level in ("key", "household")]


def _row_findings(rows: pd.DataFrame, rule_id: str, severity: str, messages: list[str], *, person: bool) -> pd.DataFrame:
    """data_error findings on ``rows``; ``person``: about the row's member (证件号码, 姓名), else the household."""
    return findings.from_rows(
        rows,
        rule_id=rule_id,
        severity=severity,
        messages=messages,
        evidence=[{}] * len(rows),
        person_id=findings.column(rows, "证件号码") if person else None,
        name=findings.column(rows, "姓名") if person else None,
    )


def _drop_rows_without_household(flat: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows without a 户编号 cannot be assigned to a household: reported, kept out of both frames."""
    if HOUSEHOLD_KEY not in flat.columns:
        return flat, findings.empty()
    blank = flat[HOUSEHOLD_KEY].isna()
    if not blank.any():
        return flat, findings.empty()
    bad = flat[blank]
    messages = ["该行没有户编号，无法归入任何户，未参与政策规则核查"] * len(bad)
    return flat[~blank], _row_findings(bad, "household_id_missing", "high", messages, person=True)


def _split_households(flat: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """One row per 户编号 from a flat export: the head's row (or the first) gives the values;
    household values that disagree between member rows become ``household_conflict`` findings.
    Also each household's head row in ``flat`` (its first 户主 row, -1: none).

    Works on row positions (no sort of the whole frame, no groupby over ~40 columns): per column,
    the first non-null value in the order head row first, then file order, as ``groupby.first``."""
    columns = _household_columns(flat)
    if HOUSEHOLD_KEY not in flat.columns:
        return pd.DataFrame({HOUSEHOLD_KEY: pd.Series([], dtype="str")}), findings.empty(), np.zeros(0, dtype=np.intp)
    head = np.zeros(len(flat), dtype=bool)
    if "与户主关系" in flat.columns:
        head = (flat["与户主关系"] == "户主").fillna(False).to_numpy(dtype=bool)
    order = np.concatenate([np.flatnonzero(head), np.flatnonzero(~head)])  # head rows first, each in file order
    codes, household_ids = pd.factorize(flat[HOUSEHOLD_KEY].array.take(order))
    # origin comes from one row, the household's first in that order
    first_rows = order[_first_positions(codes, len(household_ids))]

    def first_values(column: str) -> object:
        array = flat[column].array
        missing = np.asarray(pd.isna(array), dtype=bool)
        if not missing.any():  # every row has a value: the household's first row gives it
            return array.take(first_rows)
        present = np.flatnonzero(~missing[order])
        first = _first_positions(codes[present], len(household_ids))
        take = np.full(len(household_ids), -1, dtype=np.intp)
        found = first >= 0
        take[found] = order[present[first[found]]]
        return array.take(take, allow_fill=True)

    others = [c for c in columns if c != HOUSEHOLD_KEY]
    with ThreadPoolExecutor(max_workers=COLUMN_THREADS) as pool:  # takes and compares run outside the GIL
        values: dict[str, object] = {HOUSEHOLD_KEY: household_ids, **dict(zip(others, pool.map(first_values, others), strict=True))}
    for column in ORIGIN:
        values[column] = flat[column].array.take(first_rows)
    households = pd.DataFrame(values)
    row_households = np.empty(len(order), dtype=np.intp)
    row_households[order] = codes
    conflicts = _conflicts(flat, [c for c in columns if c != HOUSEHOLD_KEY], households, row_households)
    return households, conflicts, np.where(head[first_rows], first_rows, -1)  # head rows come first


def _first_positions(codes: np.ndarray, count: int) -> np.ndarray:
    """For each code 0 … count-1, the position of its first occurrence in ``codes`` (-1: none)."""
    first = np.full(count, len(codes), dtype=np.intp)
    np.minimum.at(first, codes, np.arange(len(codes), dtype=np.intp))
    first[first == len(codes)] = -1
    return first


def _conflicts(
    flat: pd.DataFrame, columns: list[str], households: pd.DataFrame, row_households: np.ndarray
) -> pd.DataFrame:
    """``household_conflict`` findings; ``row_households`` gives each flat row's row in ``households``."""
    if not columns or flat.empty:
        return findings.empty()
    # A household disagrees when two of its non-null values differ, that is when one differs from
    # the value chosen for the household (itself one of them). Households in ``households`` order,
    # columns in order (findings.combine orders the findings).
    # The values shown: each disagreeing household's distinct non-null values of the column, in file order.
    def disagreements(position: int) -> list[tuple[int, int, list[str]]]:
        column = columns[position]
        values = flat[column].array
        chosen = households[column].array.take(row_households)
        present = np.asarray(pd.notna(values))
        unequal = pd.array(values != chosen, dtype="boolean").to_numpy(dtype=bool, na_value=False)
        differing = np.unique(row_households[unequal & present])
        if not len(differing):
            return []
        rows = np.flatnonzero(present & np.isin(row_households, differing))
        seen: dict[int, dict[object, None]] = {}
        for group, value in zip(row_households[rows].tolist(), values.take(rows).tolist(), strict=True):
            seen.setdefault(group, {})[value] = None
        return [(int(group), position, [_show(v) for v in seen[int(group)]]) for group in differing]

    with ThreadPoolExecutor(max_workers=COLUMN_THREADS) as pool:
        disagreeing = [item for found in pool.map(disagreements, range(len(columns))) for item in found]
    if not disagreeing:
        return findings.empty()
    disagreeing.sort(key=lambda item: item[:2])
    rows_of = households.iloc[[group for group, _, _ in disagreeing]].reset_index(drop=True)
    messages = [
        f"同一户各成员行的“{columns[position]}”不一致（{'、'.join(shown)}），已取户主行的值，请核实"
        for _, position, shown in disagreeing
    ]
    evidence = [{"column": columns[position], "values": shown} for _, position, shown in disagreeing]
    return findings.from_rows(rows_of, rule_id="household_conflict", severity="medium", messages=messages,
                              evidence=evidence)


def _with_head_names(found: pd.DataFrame, households: pd.DataFrame) -> pd.DataFrame:
    """Household findings made before the heads were known, named by the head (DESIGN: a household
    finding's name is the head's)."""
    if found.empty or "户主姓名" not in households.columns:
        return found
    heads = households.drop_duplicates(HOUSEHOLD_KEY).set_index(HOUSEHOLD_KEY)["户主姓名"]
    named = found.copy()
    named["name"] = named["household_id"].map(heads).astype("str").fillna("")
    return named


def _show(value: object) -> str:
    if isinstance(value, bool | np.bool_):
        return "是" if value else "否"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _first_per_household(households: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A household sheet should list each 户编号 once; later rows of a repeated 户编号 are reported."""
    if HOUSEHOLD_KEY not in households.columns:
        return households, findings.empty()
    repeated = households.duplicated(HOUSEHOLD_KEY, keep="first")
    if not repeated.any():
        return households, findings.empty()
    bad = households[repeated]
    messages = ["户信息表中户编号重复出现，已取第一行，请核实"] * len(bad)
    return households[~repeated], _row_findings(bad, "household_repeated", "medium", messages, person=False)


def _members_with_households(
    members: pd.DataFrame, households: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Give members their household's location when their sheet lacks it; report members whose
    户编号 is not in the household sheet."""
    if HOUSEHOLD_KEY not in members.columns:
        return members, findings.empty()
    location = [c for c in KEYS if c in households.columns and c != HOUSEHOLD_KEY]
    fill = households[[HOUSEHOLD_KEY, *location]]
    merged = members.merge(fill, on=HOUSEHOLD_KEY, how="left", suffixes=("", "__hh"), indicator=True)
    for column in location:
        if f"{column}__hh" in merged.columns:
            merged[column] = merged[column].fillna(merged[f"{column}__hh"])
            merged = merged.drop(columns=f"{column}__hh")
    orphan = merged["_merge"] == "left_only"
    merged = merged.drop(columns="_merge")
    if not orphan.any():
        return merged, findings.empty()
    bad = merged[orphan]
    messages = [f"户编号“{h}”不在户信息表中，该成员无户信息" for h in bad[HOUSEHOLD_KEY]]
    return merged, _row_findings(bad, "orphan_member", "high", messages, person=True)


def _locations_from_members(households: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """Give households their location from their members' rows when the household sheet lacks it (a
    户信息 sheet without 县/乡镇/行政村 beside a 人员信息 sheet with them): household findings would
    otherwise have no place, and 概览 would count them under no village."""
    if HOUSEHOLD_KEY not in members.columns or HOUSEHOLD_KEY not in households.columns:
        return households
    location = [c for c in KEYS if c != HOUSEHOLD_KEY and c in members.columns
                and (c not in households.columns or households[c].isna().any())]
    if not location:
        return households
    known = members[[HOUSEHOLD_KEY, *location]].groupby(HOUSEHOLD_KEY, sort=False).first()
    filled = households.copy()
    for column in location:
        from_members = filled[HOUSEHOLD_KEY].map(known[column])
        filled[column] = filled[column].fillna(from_members) if column in filled.columns else from_members
    keys = [c for c in KEYS if c in filled.columns]
    return filled[[*keys, *(c for c in filled.columns if c not in keys)]]


def _first_heads(households: pd.DataFrame, members: pd.DataFrame) -> np.ndarray:
    """Each household's first 户主 row in ``members`` (-1: none), looked up by 户编号 (a household
    sheet's layout; the split of a flat export finds them itself)."""
    if "与户主关系" not in members.columns or HOUSEHOLD_KEY not in members.columns:
        return np.full(len(households), -1, dtype=np.intp)
    heads = np.flatnonzero((members["与户主关系"] == "户主").fillna(False).to_numpy(dtype=bool))
    first = pd.Series(heads, index=members[HOUSEHOLD_KEY].iloc[heads].to_numpy())
    first = first[~first.index.duplicated()]
    return households[HOUSEHOLD_KEY].map(first).fillna(-1).to_numpy(dtype=np.intp)


def _with_head_columns(households: pd.DataFrame, members: pd.DataFrame, head_rows: np.ndarray) -> pd.DataFrame:
    """Fill 户主姓名 and 户主证件号码 from the head's member row when the household sheet lacks them;
    ``head_rows``: each household's first 户主 row in ``members`` (-1: none)."""
    if "与户主关系" not in members.columns or HOUSEHOLD_KEY not in members.columns:
        return households
    for target, source in (("户主姓名", "姓名"), ("户主证件号码", "证件号码")):
        if source not in members.columns:
            continue
        taken = members[source].astype("str").array.take(head_rows, allow_fill=True)
        from_heads = pd.Series(taken, index=households.index)
        if target in households.columns:
            households[target] = households[target].fillna(from_heads)
        else:
            households[target] = from_heads.astype("str").where(from_heads.notna(), None)
    return households
