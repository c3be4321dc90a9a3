"""Where diff findings point: a household only the older snapshot has, and a member who left a
household, are found in the older snapshot's file (the rules locate findings in the newer one)."""

from __future__ import annotations

import pandas as pd

from .. import findings
from ..result import AuditResult
from ..textkeys import text_in

REMOVED = ("死亡", "分户", "迁出")


def locate(found: pd.DataFrame, changes: pd.DataFrame, old: AuditResult, new: AuditResult) -> pd.DataFrame:
    """``found`` with the older snapshot's location, head's name and source where the newer one has none,
    and the source of a finding on a member who left a household at the person's row in the older file."""
    lost = found["source"].eq("")
    return _households_left(_members_left(found, changes, old, new), old, lost)


def _members_left(found: pd.DataFrame, changes: pd.DataFrame, old: AuditResult, new: AuditResult) -> pd.DataFrame:
    """A finding on a person (by ID, or by a name the newer household does not have: a finding on the
    household bears its head's name) who is a 死亡/分户/迁出 row of its household in ``changes``: source
    is the person's row in the older snapshot (the household's head row in the newer file is not theirs)."""
    left = changes[changes["层级"].eq("成员") & changes["变化类型"].isin(list(REMOVED))]
    left = left[text_in(left["户编号"], found["household_id"])]  # only the households findings name
    members = old.registry.members
    if found.empty or left.empty or not {"_file", "_row"} <= set(members.columns):
        return found
    present = new.registry.members
    present = present[text_in(present["户编号"].astype("str"), found["household_id"])]
    named = ({_person(h, None, n) for h, n in zip(present["户编号"], present["姓名"], strict=True)}
             if "姓名" in present.columns else set())
    was_in = {_person(h, p, n): o for h, p, n, o in zip(left["户编号"], left["证件号码"], left["姓名"], left["原户编号"],
                                                        strict=True)}
    rows = members[text_in(members["户编号"].astype("str"), left["原户编号"])]
    sheets = rows["_sheet"] if "_sheet" in rows.columns else pd.Series("", index=rows.index)
    ids = rows["证件号码"] if "证件号码" in rows.columns else pd.Series(pd.NA, index=rows.index)
    names = rows["姓名"] if "姓名" in rows.columns else pd.Series(pd.NA, index=rows.index)
    places: dict[tuple[str, str], str] = {}
    for h, p, n, f, s, r in zip(rows["户编号"], ids, names, rows["_file"], sheets, rows["_row"], strict=True):
        for key in (_person(h, p, None), _person(h, None, n)):
            places.setdefault(key, findings.source_text(f, s, r))
    out = found.copy()
    for i, h, p, n in zip(out.index, out["household_id"], out["person_id"], out["name"], strict=True):
        if not p and (not n or _person(h, None, n) in named):
            continue
        origin = was_in.get(_person(h, p, n))
        place = places.get(_person(origin, p, n)) if origin is not None else None
        if place is not None:
            out.at[i, "source"] = place
    return out


def _person(household: object, number: object, name: object) -> tuple[str, str]:
    """A person's key within a household: the ID when given, else the name."""
    if isinstance(number, str) and number:
        return (str(household), "证件:" + number)
    return (str(household), "姓名:" + str(name) if isinstance(name, str) and name else "")


def _households_left(found: pd.DataFrame, old: AuditResult, lost: pd.Series) -> pd.DataFrame:
    """Fill location, head's name and source (unless a person's row) of the ``lost`` findings: on
    households only the older snapshot has."""
    if not lost.any():
        return found
    h = old.registry.households.drop_duplicates("户编号").set_index("户编号")
    out = found.copy()
    ids = out.loc[lost, "household_id"]
    for column, source in (("county", "县"), ("township", "乡镇"), ("village", "行政村"), ("name", "户主姓名")):
        if source in h.columns:
            values = ids.map(h[source]).astype("str").fillna("")
            out.loc[lost, column] = out.loc[lost, column].where(out.loc[lost, column].ne(""), values)
    rows = h.reindex(ids)
    heads = pd.Series([findings.source_text(f, s, r) if isinstance(f, str) else ""
                       for f, s, r in zip(rows["_file"], rows["_sheet"], rows["_row"], strict=True)],
                      index=ids.index, dtype="str")
    out.loc[lost, "source"] = out.loc[lost, "source"].where(out.loc[lost, "source"].ne(""), heads)
    return findings.normalize(out)
