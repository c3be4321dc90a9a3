"""Classify every change between two snapshots (one row per change, rules/difftables.CHANGES_COLUMNS).

Household rows (层级 户): 新识别 (also back from 清退/自然减少/识别错误), 脱贫, 返贫, 清退, 自然减少
(every member in the deaths list, or the status says so), 状态不明 (脱贫属性 blank or unknown on a side,
and the two values differ; 说明 says which), 状态未变 — one per household of either snapshot. Member
rows (层级 成员), for households in both snapshots: added 出生 (born after the older reference date), 婚入
(配偶, 之儿媳, 之女婿), 迁入 (anyone else; 相关户编号 when the person was in another older household);
removed 死亡 (in the deaths list), 分户 (now in another household; 相关户编号 names it), 迁出 (neither); a
迁出 and an arrival from no other household of the same name are the same person (no change). For a
household that left, a row per member who died or is now in another household.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..registry import Registry
from ..rules.difftables import CHANGES_COLUMNS, empty_changes
from ..textkeys import first_rows, row_codes, text_in, text_lookup
from .matching import person_key

MARRIAGE_RELATIONS = ("配偶", "之儿媳", "之女婿")
GONE_STATUSES = ("清退", "自然减少", "识别错误")


@dataclass(frozen=True)
class Snapshot:
    registry: Registry
    as_of: dt.date


def _status_class(status: pd.Series, exit_statuses: Sequence[str], poor_statuses: Sequence[str]) -> pd.Series:
    out = pd.Series("", index=status.index, dtype="str")
    out = out.mask(status.isin(list(exit_statuses)), "exit").mask(status.isin(list(poor_statuses)), "poor")
    return out.mask(status.isin(list(GONE_STATUSES)), "gone")


def _unclassified_note(rows: pd.DataFrame, old_class: pd.Series, new_class: pd.Series) -> pd.Series:
    """Why a household's change of status cannot be classified: a blank or unknown value on either side."""
    parts = []
    for side, column, klass in (("上期", "原脱贫属性", old_class), ("本期", "新脱贫属性", new_class)):
        value = rows[column]
        text = (side + "脱贫属性“" + value.fillna("") + "”不在已脱贫、未脱贫、清退类取值中").where(value.notna(),
                                                                                     side + "脱贫属性为空")
        parts.append(text.where(klass.eq(""), ""))
    return (parts[0] + "，" + parts[1]).str.strip("，")


def _household_values(registry: Registry, prefix: str) -> pd.DataFrame:
    h = registry.households
    frame = pd.DataFrame({"户编号": h["户编号"].astype("str")})
    for column in ("脱贫属性", "人均纯收入", "转移性收入", "脱贫年度", "返贫年度", "县", "乡镇", "行政村"):
        frame[prefix + column] = h[column] if column in h.columns else pd.NA
    sizes = registry.members.groupby("户编号").size()
    counted = frame["户编号"].map(sizes).astype("Float64")
    # a household without member rows (household-level sheet): its stated size, NULL when blank
    stated = pd.Series(pd.NA, index=h.index, dtype="Float64")
    if "家庭人口数" in h.columns:
        stated = pd.to_numeric(h["家庭人口数"], errors="coerce").astype("Float64")
    frame[prefix + "成员数"] = counted.fillna(stated).round().astype("Int64")
    frame[prefix + "成员明细"] = counted.notna()
    return frame.drop_duplicates("户编号").set_index("户编号")


def _members(registry: Registry) -> pd.DataFrame:
    m = registry.members
    key = person_key(m)
    frame = pd.DataFrame({
        "户编号": m["户编号"].astype("str"),
        "证件号码": key,
        "key": key.fillna("姓名:" + m["姓名"].astype("str") if "姓名" in m.columns else ""),
        "姓名": m["姓名"] if "姓名" in m.columns else pd.NA,
        "与户主关系": m["与户主关系"] if "与户主关系" in m.columns else pd.NA,
        "出生日期": m["证件出生日期"] if "证件出生日期" in m.columns else pd.NaT,
    })
    return first_rows(frame, ["户编号", "key"])


def _age(births: pd.Series, as_of: dt.date) -> pd.Series:
    born = pd.to_datetime(births)
    before = (born.dt.month > as_of.month) | ((born.dt.month == as_of.month) & (born.dt.day > as_of.day))
    return (as_of.year - born.dt.year - before.astype("Int64")).astype("Int64")


def build_changes(
    old: Snapshot,
    new: Snapshot,
    pairs: pd.DataFrame,
    deaths: pd.DataFrame | None,
    exit_statuses: Sequence[str],
    poor_statuses: Sequence[str],
) -> pd.DataFrame:
    """Every change between ``old`` and ``new`` (CHANGES_COLUMNS), households first, then members."""
    old_values, new_values = _household_values(old.registry, "原"), _household_values(new.registry, "新")
    old_people, new_people = _members(old.registry), _members(new.registry)
    listed = _deaths(deaths)
    dead = listed[listed.isna() | (listed <= pd.Timestamp(new.as_of))]  # who died after it was alive in it
    old_only = old_values.index.difference(pd.Index(pairs["原户编号"]))
    new_only = new_values.index.difference(pd.Index(pairs["户编号"]))
    rows = pd.concat([
        pairs,
        pd.DataFrame({"原户编号": old_only, "户编号": pd.NA, "匹配方式": pd.NA}),
        pd.DataFrame({"原户编号": pd.NA, "户编号": new_only, "匹配方式": pd.NA}),
    ], ignore_index=True).astype("str")
    rows = rows.join(old_values, on="原户编号").join(new_values, on="户编号")
    rows["成员明细"] = (rows["原成员明细"].astype("boolean").fillna(True)
                    & rows["新成员明细"].astype("boolean").fillna(True)).astype(bool)
    old_class = _status_class(rows["原脱贫属性"], exit_statuses, poor_statuses)
    new_class = _status_class(rows["新脱贫属性"], exit_statuses, poor_statuses)
    all_dead = _all_dead(old_people, dead)
    unclassified = (old_class.eq("") | new_class.eq("")) & rows["原脱贫属性"].fillna("").ne(rows["新脱贫属性"].fillna(""))
    left = rows["户编号"].isna()
    kind = np.select(
        [rows["原户编号"].isna(),
         left & rows["原户编号"].map(all_dead).astype("boolean").fillna(False).astype(bool),
         left,
         new_class.eq("gone") & rows["新脱贫属性"].eq("自然减少"),
         new_class.eq("gone"),
         old_class.eq("poor") & new_class.eq("exit"),
         old_class.eq("exit") & new_class.eq("poor"),
         old_class.eq("gone") & new_class.isin(["poor", "exit"]),
         unclassified],
        ["新识别", "自然减少", "清退", "自然减少", "清退", "脱贫", "返贫", "新识别", "状态不明"],
        "状态未变",
    )
    rows["变化类型"] = pd.Series(kind, index=rows.index, dtype="str")
    rows["说明"] = _unclassified_note(rows, old_class, new_class).where(rows["变化类型"].eq("状态不明"))
    rows["户编号"] = rows["户编号"].fillna(rows["原户编号"])
    for column in ("县", "乡镇", "行政村"):
        rows[column] = rows["新" + column].fillna(rows["原" + column])
    households = _household_rows(rows, left, old_people, new_people)
    members = _member_rows(rows, old_people, new_people, dead, old.as_of)
    out = pd.concat([households, members], ignore_index=True)
    if out.empty:
        return empty_changes()
    out["年龄"] = _age(out.pop("出生日期"), new.as_of)
    out["在死亡名单"] = text_in(out["证件号码"], listed.index).astype("boolean") if deaths is not None else pd.NA
    out["死亡日期"] = pd.Series(listed.reindex(out["证件号码"].fillna("")).to_numpy(), index=out.index, dtype="datetime64[ns]")
    out = out.reindex(columns=list(CHANGES_COLUMNS))
    template = empty_changes()
    return out.astype({c: template[c].dtype for c in template.columns}).reset_index(drop=True)


def _deaths(deaths: pd.DataFrame | None) -> pd.Series:
    """Valid ID → 死亡日期 (NaT when not given)."""
    if deaths is None or deaths.empty:
        return pd.Series([], dtype="datetime64[ns]", index=pd.Index([], dtype="str"))
    valid = deaths[deaths["证件有效"].fillna(False).astype(bool)] if "证件有效" in deaths.columns else deaths
    date = pd.to_datetime(valid["死亡日期"] if "死亡日期" in valid.columns else pd.Series(pd.NaT, index=valid.index))
    series = pd.Series(date.to_numpy(), index=valid["证件号码"].astype("str").to_numpy())
    return series[~series.index.duplicated()]


def _all_dead(people: pd.DataFrame, dead: pd.Series) -> pd.Series:
    flags = people.assign(dead=text_in(people["证件号码"], dead.index))
    return flags.groupby("户编号")["dead"].all()


def _household_rows(rows: pd.DataFrame, left: pd.Series, old_people: pd.DataFrame, new_people: pd.DataFrame) -> pd.DataFrame:
    out = rows.copy()
    out["层级"] = "户"
    out["户变化"] = out["变化类型"]
    renumbered = out["匹配方式"].eq("成员重合")
    note = "户编号由" + out["原户编号"] + "改为" + out["户编号"] + "（按成员重合匹配）"
    out.loc[renumbered, "说明"] = note + ("；" + out["说明"]).fillna("")
    # a household that left: where its members are now
    moved = old_people[text_in(old_people["户编号"], out.loc[left, "原户编号"])]
    moved = moved.assign(去向=text_lookup(moved["证件号码"], new_people["证件号码"], new_people["户编号"]))
    moved = moved[moved["去向"].notna()]
    if not moved.empty:
        where = moved.groupby("户编号").agg(相关户编号=("去向", lambda s: "、".join(sorted(set(s)))),
                                          相关人数=("去向", "size"))
        out = out.join(where, on="原户编号")
        out.loc[out["相关人数"].notna(), "说明"] = (
            out["相关人数"].astype("Int64").astype("str") + "名成员现在户" + out["相关户编号"])
    return out


def _member_rows(rows: pd.DataFrame, old_people: pd.DataFrame, new_people: pd.DataFrame, dead: pd.Series,
                 old_as_of: dt.date) -> pd.DataFrame:
    context = rows.drop(columns=["匹配方式"]).rename(columns={"变化类型": "户变化"})
    pairs = rows.loc[rows["匹配方式"].notna() & rows["成员明细"], ["原户编号", "户编号"]]  # members on both sides
    before = _in_households(old_people, pairs, "原户编号", "户编号")
    after = _in_households(new_people, pairs, "户编号", "原户编号")
    old_codes, new_codes = row_codes([before, after], ["户编号", "key"])  # 户编号 also fixes 原户编号: pairs are one to one
    keys = ["原户编号", "户编号", "key"]  # changes listed in key order, whatever the files' row order
    removed = before[~np.isin(old_codes, new_codes)].sort_values(keys, kind="stable")
    elsewhere = text_lookup(removed["证件号码"], new_people["证件号码"], new_people["户编号"])
    elsewhere = elsewhere.where(elsewhere.ne(removed["户编号"]))
    removed = removed.assign(
        变化类型=np.select([text_in(removed["证件号码"], dead.index), elsewhere.notna()], ["死亡", "分户"], "迁出"),
        相关户编号=elsewhere,
    )

    added = after[~np.isin(new_codes, old_codes)].sort_values(keys, kind="stable")
    came_from = text_lookup(added["证件号码"], old_people["证件号码"], old_people["户编号"])
    came_from = came_from.where(came_from.ne(added["原户编号"]))
    born_after = pd.to_datetime(added["出生日期"]) > pd.Timestamp(old_as_of)
    added = added.assign(
        变化类型=np.select([came_from.notna(), born_after.fillna(False).astype(bool),
                         added["与户主关系"].isin(list(MARRIAGE_RELATIONS))], ["迁入", "出生", "婚入"], "迁入"),
        相关户编号=came_from,
    )
    removed, added = _paired_by_name(removed, added)

    # households that left: members who died or are now elsewhere
    gone = rows.loc[rows["匹配方式"].isna() & rows["原户编号"].notna() & ~text_in(rows["原户编号"], pairs["原户编号"]),
                    ["原户编号", "户编号"]]
    members_gone = _in_households(old_people, gone, "原户编号", "户编号")
    now = text_lookup(members_gone["证件号码"], new_people["证件号码"], new_people["户编号"])
    members_gone = members_gone.assign(
        变化类型=np.select([text_in(members_gone["证件号码"], dead.index), now.notna()], ["死亡", "分户"], ""),
        相关户编号=now,
    )
    members_gone = members_gone[members_gone["变化类型"].ne("")]

    columns = ["原户编号", "户编号", "证件号码", "姓名", "与户主关系", "出生日期", "变化类型", "相关户编号"]
    people = pd.concat([removed[columns], added[columns], members_gone[columns]], ignore_index=True)
    people = people.astype({"原户编号": "str", "户编号": "str"})
    out = people.merge(context.drop(columns=["户编号"]).drop_duplicates("原户编号"), on="原户编号", how="left",
                       suffixes=("", "_h"))
    out = out.drop(columns=[c for c in out.columns if c.endswith("_h")])
    out["层级"] = "成员"
    out["说明"] = pd.Series(pd.NA, index=out.index, dtype="str")
    out.loc[out["变化类型"].eq("分户"), "说明"] = "现在户" + out["相关户编号"]
    out.loc[out["变化类型"].eq("迁入") & out["相关户编号"].notna(), "说明"] = "原在户" + out["相关户编号"]
    out.loc[out["变化类型"].eq("出生"), "说明"] = "出生日期晚于上期基准日"
    return out


def _paired_by_name(removed: pd.DataFrame, added: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``removed`` and ``added`` without the people who are the same person by name: within a household
    pair, a 迁出 and an arrival from no other household of one name, the name once on each side (an ID
    valid in one snapshot only: corrected, digits lost, or no ID column). Neither is a change. Names are
    compared without spaces and in NFKC form (张 三, a full-width space or letter: one name)."""
    keys = ["原户编号", "户编号", "_name"]
    gone = removed[removed["变化类型"].eq("迁出") & removed["姓名"].notna()]
    came = added[added["相关户编号"].isna() & added["姓名"].notna()]
    gone, came = gone.assign(_name=_name_key(gone["姓名"])), came.assign(_name=_name_key(came["姓名"]))
    gone = gone[~gone.duplicated(keys, keep=False)]
    came = came[~came.duplicated(keys, keep=False)]
    same = gone.reset_index(names="_old").merge(came.reset_index(names="_new"), on=keys)
    return removed.drop(index=pd.Index(same["_old"])), added.drop(index=pd.Index(same["_new"]))


def _name_key(names: pd.Series) -> pd.Series:
    return names.astype("str").str.normalize("NFKC").str.replace(r"\s+", "", regex=True)


def _in_households(people: pd.DataFrame, pairs: pd.DataFrame, own: str, other: str) -> pd.DataFrame:
    """The people of the households in ``pairs``' column ``own`` (their 户编号 renamed to it), with the
    paired household's number in ``other``: ``people.rename(户编号=own).merge(pairs, on=own)``."""
    kept = people[text_in(people["户编号"], pairs[own])].rename(columns={"户编号": own})
    return kept.assign(**{other: text_lookup(kept[own], pairs[own], pairs[other])})
