"""Property: a generated clean registry (valid IDs, one head, consistent sizes and incomes, dictionary
values) yields no finding at all."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fupin_audit import findings
from fupin_audit.fields import (
    EDUCATION,
    FEMALE_RELATIONS,
    HEALTH,
    HOUSEHOLD_KINDS,
    HOUSING_GRADES,
    LABOUR,
    MALE_RELATIONS,
    POVERTY_CAUSES,
    SCHOOLING,
    STATUSES,
)
from fupin_audit.idcard import check_character
from fupin_audit.registry import Registry
from fupin_audit.schema import check_registry

AS_OF = dt.date(2024, 12, 31)
NEUTRAL = ("配偶", "之兄弟姐妹", "其他")


@st.composite
def person(draw: st.DrawFn, household: int, index: int, head: bool) -> dict[str, Any]:
    male = draw(st.booleans())
    relation = "户主" if head else draw(st.sampled_from(NEUTRAL + (MALE_RELATIONS if male else FEMALE_RELATIONS)))
    born = draw(st.dates(dt.date(1920, 1, 1), AS_OF))
    sex_digit = draw(st.sampled_from("13579" if male else "02468"))
    first17 = f"{440300 + household:06d}{born:%Y%m%d}{index:02d}{sex_digit}"
    return {
        "户编号": f"H{household:03d}",
        "姓名": f"成员{household}-{index}",
        "证件号码": first17 + check_character(first17),
        "与户主关系": relation,
        "健康状况": draw(st.sampled_from(HEALTH)),
        "劳动技能": draw(st.sampled_from(LABOUR)),
        "文化程度": draw(st.one_of(st.none(), st.sampled_from(EDUCATION))),
        "在校生状况": draw(st.sampled_from(SCHOOLING)),
    }


@st.composite
def registries(draw: st.DrawFn) -> Registry:
    members: list[dict[str, Any]] = []
    households: list[dict[str, Any]] = []
    money = st.integers(0, 3_000_000).map(lambda cents: cents / 100)
    for h in range(draw(st.integers(1, 6))):
        size = draw(st.integers(1, 6))
        people = [draw(person(h, i, head=i == 0)) for i in range(size)]
        members += people
        wage, business, property_, transfer = (draw(money) for _ in range(4))
        expense = draw(st.floats(0, wage + business + property_ + transfer).map(lambda v: round(v, 2)))
        per_capita = round((wage + business + property_ + transfer - expense) / size, 2)
        households.append({
            "户编号": f"H{h:03d}", "户主姓名": people[0]["姓名"], "家庭人口数": size,
            "脱贫属性": draw(st.sampled_from(STATUSES)), "贫困户属性": draw(st.sampled_from(HOUSEHOLD_KINDS)),
            "主要致贫原因": draw(st.sampled_from(POVERTY_CAUSES)), "危房级别": draw(st.sampled_from(HOUSING_GRADES)),
            "工资性收入": wage, "生产经营性收入": business, "财产性收入": property_, "转移性收入": transfer,
            "生产经营性支出": expense, "人均纯收入": per_capita,
        })
    return Registry(households=_frame(households), members=_frame(members), problems=findings.empty())


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    out = pd.DataFrame(rows)
    for name in out.columns:
        if name == "家庭人口数":
            out[name] = out[name].astype("Int64")
        elif out[name].dtype == "float64":
            out[name] = out[name].astype("Float64")
        else:
            out[name] = out[name].astype("str")
    if "证件号码" in out.columns:
        out["_raw_证件号码"] = out["证件号码"]
        out["_numeric_证件号码"] = pd.Series([False] * len(out), dtype="boolean")
    out["_file"] = pd.Series(["gen.csv"] * len(out), dtype="str")
    out["_sheet"] = pd.Series([""] * len(out), dtype="str")
    out["_row"] = pd.Series(range(2, len(out) + 2), dtype="Int64")
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(registries())
def test_clean_registry_has_no_finding(registry: Registry) -> None:
    checked, found = check_registry(registry, AS_OF)
    assert found.empty, found[["rule_id", "household_id", "message"]].to_string()
    assert checked.members["证件有效"].all()
