"""Builders for hand-made registries in the dtypes of CONTRACTS.md (shared by the test_rules_* files)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from fupin_audit import fields, findings
from fupin_audit.registry import Registry

DTYPES = {"text": "str", "id": "str", "enum": "str", "bool": "boolean", "number": "Float64",
          "int": "Int64", "year": "Int64", "date": "datetime64[ns]"}
EXTRA = {"证件有效": "boolean", "证件出生日期": "datetime64[ns]", "证件性别": "str",
         "_file": "str", "_sheet": "str", "_row": "Int64"}

AS_OF = dt.date(2020, 12, 31)

CLEAN_HOUSEHOLD: dict[str, Any] = {
    "县": "某县", "乡镇": "某镇", "行政村": "某村", "脱贫属性": "已脱贫", "脱贫年度": 2019,
    "人均纯收入": 9000.0, "是否危房户": False, "危房级别": "A", "是否解决安全饮用水": True, "饮水困难": False,
    "首次识别时间": pd.Timestamp("2014-06-01"), "返贫年度": None, "签字确认": True, "公示天数": 7,
    "户主姓名": "户主甲",
}
CLEAN_MEMBER: dict[str, Any] = {
    "县": "某县", "乡镇": "某镇", "行政村": "某村", "姓名": "成员", "与户主关系": "户主",
    "证件出生日期": pd.Timestamp("1970-01-01"), "证件有效": True, "健康状况": "健康", "在校生状况": "非在校生",
    "是否义务教育阶段适龄儿童少年失学辍学": False, "是否参加城乡居民基本医疗保险": True,
    "是否参加城镇职工基本医疗保险": False,
}


def typed(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    """A frame with ``columns`` in catalogue dtypes (unknown columns as text)."""
    data = {}
    for column in columns:
        field = fields.BY_NAME.get(column)
        dtype = DTYPES[field.type] if field else EXTRA.get(column, "str")
        data[column] = pd.Series([r.get(column) for r in rows], dtype=dtype)
    return pd.DataFrame(data)


def household(hid: str, **values: Any) -> dict[str, Any]:
    return {**CLEAN_HOUSEHOLD, "户编号": hid, "_file": "登记表.xlsx", "_sheet": "户", "_row": None, **values}


def member(hid: str, pid: str, **values: Any) -> dict[str, Any]:
    return {**CLEAN_MEMBER, "户编号": hid, "证件号码": pid, "_file": "登记表.xlsx", "_sheet": "人", **values}


def born(age: int, on: dt.date = AS_OF) -> pd.Timestamp:
    """A birth date making the person exactly ``age`` on ``on`` (birthday that day)."""
    return pd.Timestamp(on.replace(year=on.year - age))


def registry(households: Sequence[Mapping[str, Any]], members: Sequence[Mapping[str, Any]],
             drop: Sequence[str] = ()) -> Registry:
    """A Registry from dict rows; every column the rows use, minus ``drop``; rows numbered from 2."""
    h_rows = [{**h, "_row": i + 2} for i, h in enumerate(households)]
    m_rows = [{**m, "_row": i + 2} for i, m in enumerate(members)]
    h_cols = [c for c in dict.fromkeys(k for r in h_rows for k in r) if c not in drop]
    m_cols = [c for c in dict.fromkeys(k for r in m_rows for k in r) if c not in drop]
    return Registry(typed(h_rows, h_cols), typed(m_rows, m_cols), findings.empty())


def found(frame: pd.DataFrame, rule_id: str | None = None) -> set[tuple[str, str, str]]:
    """(rule_id, household_id, person_id) of the findings, optionally of one rule."""
    rows = frame if rule_id is None else frame[frame["rule_id"] == rule_id]
    return set(zip(rows["rule_id"], rows["household_id"], rows["person_id"], strict=True))


def registry_rules():
    """The default rule set without the rules that read reference lists (those are skipped, naming
    the list, when it is not given: tests/test_references_*.py)."""
    from fupin_audit.rules import load_rules

    ruleset = load_rules()
    own = [r for r in ruleset.rules
           if all(t in ("households", "members") for options in r.requirement_options() for t, _ in options)]
    return ruleset.model_copy(update={"rules": own})
