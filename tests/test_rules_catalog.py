"""The reference date, and the library side of ``rules list`` / ``rules show``."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from fupin_audit.errors import InputError, UsageError
from fupin_audit.rules import describe_rule, load_rules, resolve_as_of, rules_table


@pytest.fixture(scope="module")
def ruleset():
    return load_rules()


def households(**columns):
    return pd.DataFrame(columns)


@pytest.mark.parametrize(
    ("cli", "file_as_of", "frame", "expected"),
    [
        (dt.date(2019, 5, 1), dt.date(2018, 1, 1), households(年度=pd.array([2017], dtype="Int64")),
         (dt.date(2019, 5, 1), "命令行参数")),
        (None, dt.date(2018, 1, 1), households(年度=pd.array([2017], dtype="Int64")), (dt.date(2018, 1, 1), "规则文件")),
        (None, None, households(年度=pd.array([2016, 2019, None], dtype="Int64")), (dt.date(2019, 12, 31), "登记表年度")),
        (None, None, households(年度=pd.array([None], dtype="Int64"),
                                数据日期=pd.to_datetime(["2021-06-30", None])[:1]),
         (dt.date(2021, 12, 31), "登记表数据日期")),
    ],
)
def test_resolve_as_of_order(ruleset, cli, file_as_of, frame, expected):
    rules = ruleset.model_copy(update={"as_of": file_as_of})
    assert resolve_as_of(cli, rules, frame) == expected


def test_resolve_as_of_falls_back_to_today(ruleset):
    assert resolve_as_of(None, ruleset, households(户编号=pd.Series([], dtype="str"))) == (dt.date.today(), "当天日期")


@pytest.mark.parametrize(
    ("cli", "file_as_of", "frame", "error", "words"),
    [
        (dt.date(1, 1, 1), None, households(), UsageError, "0001-01-01（来源：命令行参数）"),
        (dt.date(1019, 12, 31), None, households(), UsageError, "2013-01-01"),
        (None, dt.date(2091, 12, 31), households(), UsageError, "规则文件"),
        (None, None, households(年度=pd.array([2019, 2109], dtype="Int64")), InputError, "年度列最大为 2109 年"),
        (None, None, households(数据日期=pd.to_datetime(["2201-06-30"])), InputError, "数据日期列最晚为 2201 年"),
    ],
)
def test_a_reference_date_no_registry_can_mean_is_refused(ruleset, cli, file_as_of, frame, error, words):
    rules = ruleset.model_copy(update={"as_of": file_as_of})
    with pytest.raises(error, match=re.escape(words)):
        resolve_as_of(cli, rules, frame)


def test_the_reference_date_may_be_the_end_of_next_year(ruleset):
    end = dt.date(dt.date.today().year + 1, 12, 31)
    assert resolve_as_of(None, ruleset, households(年度=pd.array([end.year], dtype="Int64"))) == (end, "登记表年度")
    assert resolve_as_of(dt.date(2013, 1, 1), ruleset, households()) == (dt.date(2013, 1, 1), "命令行参数")


def test_rules_table(ruleset):
    table = rules_table(ruleset)
    assert list(table.columns) == ["id", "title", "kind", "severity", "enabled", "scope", "requires", "sql",
                                   "parameters", "message", "basis"]
    assert len(table) == len(ruleset.rules)
    row = table.set_index("id").loc["exit_short_public_notice"]
    assert row["parameters"].startswith("public_notice_min_days")
    assert row["kind"] == "procedure_defect" and row["severity"] == "low" and bool(row["enabled"])
    assert str(table["sql"].dtype) == "str"


def test_describe_rule(ruleset):
    text = describe_rule(ruleset, "exit_income_below_line")
    for part in ("exit_income_below_line", "错退", "households_x", "poverty_line", "2017年 3335", "来源", "SELECT"):
        assert part in text


def test_describe_unknown_rule_lists_close_ids(ruleset):
    with pytest.raises(UsageError) as info:
        describe_rule(ruleset, "exit_income_below")
    assert "exit_income_below_line" in str(info.value)
