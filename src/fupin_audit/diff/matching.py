"""Match two snapshots: households by 户编号, then (renumbered ones) by the people they share;
people by normalized valid ID number."""

from __future__ import annotations

import pandas as pd

from ..textkeys import text_in

MIN_OVERLAP = 0.5
"""A renumbered household matches when at least this share of its older members (valid IDs) are in
the newer household."""

PAIR_COLUMNS = ("原户编号", "户编号", "匹配方式")


def person_key(members: pd.DataFrame) -> pd.Series:
    """The normalized ID where valid, else NA (such a person is matched within its household by name:
    diff.changes pairs the members of a household pair left over on both sides by name)."""
    if "证件有效" not in members.columns:
        return pd.Series(pd.NA, index=members.index, dtype="str")
    valid = members["证件有效"].fillna(False).astype(bool)
    return members["证件号码"].astype("str").where(valid)


def match_households(
    old_households: pd.DataFrame, new_households: pd.DataFrame, old_members: pd.DataFrame, new_members: pd.DataFrame
) -> pd.DataFrame:
    """One row per matched pair: 原户编号, 户编号, 匹配方式 (户编号 / 成员重合)."""
    old_ids = pd.Index(old_households["户编号"].astype("str").unique())
    new_ids = pd.Index(new_households["户编号"].astype("str").unique())
    same = old_ids.intersection(new_ids)
    by_id = pd.DataFrame({"原户编号": same, "户编号": same, "匹配方式": "户编号"}, dtype="str")
    old_left, new_left = old_ids.difference(same), new_ids.difference(same)
    old_people = _people(old_members, old_left).rename(columns={"户编号": "原户编号"})
    new_people = _people(new_members, new_left)
    shared = old_people.merge(new_people, on="key")
    if shared.empty:
        return by_id
    counts = shared.groupby(["原户编号", "户编号"]).size().rename("shared").reset_index()
    sizes = old_people.groupby("原户编号").size().rename("size")
    counts = counts.join(sizes, on="原户编号")
    counts = counts[counts["shared"] >= counts["size"] * MIN_OVERLAP]
    counts = counts.sort_values(["shared", "原户编号", "户编号"], ascending=[False, True, True], kind="stable")
    chosen = _one_to_one(counts["原户编号"].astype("str"), counts["户编号"].astype("str"))
    by_members = pd.DataFrame(chosen, columns=["原户编号", "户编号"], dtype="str").assign(匹配方式="成员重合")
    return pd.concat([by_id, by_members.astype("str")], ignore_index=True)


def _one_to_one(olds: pd.Series, news: pd.Series) -> list[tuple[str, str]]:
    """Greedy one-to-one assignment over candidate pairs in order (most shared first): a pair is taken
    when neither household is taken yet (dropping repeated 原户编号 and then 户编号 left an older household
    unmatched when its best candidate went to another one)."""
    taken_old: set[str] = set()
    taken_new: set[str] = set()
    chosen = []
    for old, new in zip(olds, news, strict=True):
        if old not in taken_old and new not in taken_new:
            taken_old.add(old)
            taken_new.add(new)
            chosen.append((old, new))
    return chosen


def _people(members: pd.DataFrame, households: pd.Index) -> pd.DataFrame:
    frame = pd.DataFrame({"户编号": members["户编号"].astype("str"), "key": person_key(members)})
    frame = frame[text_in(frame["户编号"], households) & frame["key"].notna()]
    return frame.drop_duplicates()
