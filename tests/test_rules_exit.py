"""Table-style tests of the default exit rules: a few households in, (rule, household, person) out."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from fupin_audit import findings
from fupin_audit.rules import run_rules
from test_rules_support import AS_OF, born, found, household, member, registry, registry_rules


@pytest.fixture(scope="module")
def ruleset():
    return registry_rules()


def run(ruleset, households, members, drop=(), as_of=AS_OF):
    result = run_rules(ruleset, registry(households, members, drop), as_of)
    assert list(result.findings.columns) == list(findings.COLUMNS)
    return result


def test_clean_households_give_no_findings(ruleset):
    result = run(ruleset, [household("H1"), household("H2", 脱贫属性="未脱贫", 人均纯收入=3000.0)],
                 [member("H1", "P1"), member("H1", "P2", 证件出生日期=born(9), 在校生状况="小学"),
                  member("H2", "P3")])
    assert [s.rule_id for s in result.skipped] == ["exit_below_monitoring_range"]  # no range for 2020
    assert found(result.findings) == set()


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"人均纯收入": 3746.99}, {("exit_income_below_line", "H1", "")}),
        ({"人均纯收入": 3747.0}, set()),  # exactly at the 2019 line: passes
        ({"人均纯收入": 3400.0, "脱贫年度": 2017}, set()),  # 2017 line is 3335
        ({"人均纯收入": 3900.0, "脱贫年度": None}, {("exit_income_below_line", "H1", "")}),  # reference year 2020: 4000
        ({"人均纯收入": 3000.0, "脱贫属性": "未脱贫"}, set()),
        ({"人均纯收入": 3000.0, "脱贫属性": "清退"}, set()),
    ],
)
def test_exit_income_below_line(ruleset, values, expected):
    result = run(ruleset, [household("H1", **values)], [member("H1", "P1")])
    assert found(result.findings, "exit_income_below_line") == expected


def test_income_message_and_evidence(ruleset):
    result = run(ruleset, [household("H1", 人均纯收入=3000.5)], [member("H1", "P1", 姓名="张三")])
    row = result.findings.iloc[0]
    assert row["message"] == "已脱贫户人均纯收入3000.5元，低于2019年标准线3747元（脱贫年度：2019）"
    assert json.loads(row["evidence"])["人均纯收入"] == 3000.5
    assert (row["rule_id"], row["kind"], row["severity"]) == ("exit_income_below_line", "wrongful_exit", "high")
    assert (row["county"], row["village"], row["name"], row["source"]) == ("某县", "某村", "户主甲", "登记表.xlsx:户:2")


@pytest.mark.parametrize(
    ("child", "expected"),
    [
        ({"证件出生日期": born(15)}, {("exit_child_out_of_school", "H1", "C1")}),
        ({"证件出生日期": born(16)}, set()),
        ({"证件出生日期": born(6)}, {("exit_child_out_of_school", "H1", "C1")}),
        ({"证件出生日期": born(6) + pd.Timedelta(days=1)}, set()),  # turns 6 the day after
        ({"证件出生日期": born(10), "健康状况": "残疾"}, set()),
        ({"证件出生日期": born(10), "健康状况": "患有大病"}, set()),
        ({"证件出生日期": born(10), "健康状况": "长期慢性病"}, {("exit_child_out_of_school", "H1", "C1")}),
        ({"证件出生日期": born(10), "在校生状况": "小学"}, set()),
        ({"证件出生日期": born(10), "在校生状况": "小学", "是否义务教育阶段适龄儿童少年失学辍学": True},
         {("exit_child_out_of_school", "H1", "C1")}),
        ({"证件出生日期": born(10), "在校生状况": None, "是否义务教育阶段适龄儿童少年失学辍学": None}, set()),
    ],
)
def test_exit_child_out_of_school(ruleset, child, expected):
    result = run(ruleset, [household("H1")], [member("H1", "P1"), member("H1", "C1", 与户主关系="之子", **child)])
    assert found(result.findings, "exit_child_out_of_school") == expected


def test_child_rule_works_with_only_schooling_column(ruleset):
    result = run(ruleset, [household("H1")], [member("H1", "C1", 证件出生日期=born(12))],
                 drop=["是否义务教育阶段适龄儿童少年失学辍学"])
    assert found(result.findings, "exit_child_out_of_school") == {("exit_child_out_of_school", "H1", "C1")}
    assert "12周岁" in result.findings.iloc[0]["message"]


@pytest.mark.parametrize(
    ("insurance", "expected"),
    [
        ({"是否参加城乡居民基本医疗保险": False}, {("exit_no_medical_insurance", "H1", "P2")}),
        ({"是否参加城乡居民基本医疗保险": False, "是否参加城镇职工基本医疗保险": True}, set()),
        ({"是否参加城乡居民基本医疗保险": False, "是否参加城镇职工基本医疗保险": None},
         {("exit_no_medical_insurance", "H1", "P2")}),
        ({"是否参加城乡居民基本医疗保险": True}, set()),
    ],
)
def test_exit_no_medical_insurance(ruleset, insurance, expected):
    result = run(ruleset, [household("H1")], [member("H1", "P1"), member("H1", "P2", 与户主关系="配偶", 姓名="李四", **insurance)])
    assert found(result.findings, "exit_no_medical_insurance") == expected
    if expected:
        assert result.findings.iloc[0]["name"] == "李四"
        assert result.findings.iloc[0]["source"] == "登记表.xlsx:人:3"


@pytest.mark.parametrize(
    ("values", "rule", "hit"),
    [
        ({"是否危房户": True}, "exit_unsafe_housing", True),
        ({"是否危房户": False, "危房级别": "C"}, "exit_unsafe_housing", True),
        ({"是否危房户": None, "危房级别": "D"}, "exit_unsafe_housing", True),
        ({"是否危房户": False, "危房级别": "B"}, "exit_unsafe_housing", False),
        ({"是否危房户": None, "危房级别": "B"}, "exit_unsafe_housing", False),
        ({"是否危房户": False, "危房级别": "一般危房"}, "exit_unsafe_housing", False),  # cannot judge, below
        ({"是否解决安全饮用水": False}, "exit_unsafe_water", True),
        ({"饮水困难": True}, "exit_unsafe_water", True),
        ({"是否解决安全饮用水": True, "饮水困难": None}, "exit_unsafe_water", False),
    ],
)
def test_housing_and_water(ruleset, values, rule, hit):
    result = run(ruleset, [household("H1", **values)], [member("H1", "P1")])
    assert found(result.findings, rule) == ({(rule, "H1", "")} if hit else set())


def test_housing_rule_runs_with_only_one_housing_column(ruleset):
    result = run(ruleset, [household("H1", 危房级别="C")], [member("H1", "P1")], drop=["是否危房户"])
    assert found(result.findings, "exit_unsafe_housing") == {("exit_unsafe_housing", "H1", "")}
    assert result.findings.iloc[0]["message"] == "已脱贫户住房安全未保障（危房级别C）"


POOR = {"脱贫属性": "未脱贫", "人均纯收入": 4000.0}


@pytest.mark.parametrize(
    ("values", "child", "expected"),
    [
        ({}, {}, {("should_exit_meets_standard", "H1", "")}),  # income exactly at the 2020 line
        ({"人均纯收入": 3999.0}, {}, set()),
        ({"是否危房户": True}, {}, set()),
        ({"饮水困难": True}, {}, set()),
        ({}, {"是否参加城乡居民基本医疗保险": False}, set()),
        ({}, {"证件出生日期": born(8)}, set()),  # a healthy child out of school
        ({}, {"证件出生日期": born(8), "健康状况": "残疾"}, {("should_exit_meets_standard", "H1", "")}),
        ({"脱贫属性": "返贫"}, {}, {("should_exit_meets_standard", "H1", "")}),
        ({"脱贫属性": "已脱贫"}, {}, set()),
        ({"人均纯收入": None}, {}, set()),  # unknown: reported by exit_cannot_judge instead
        ({"是否危房户": None, "危房级别": "D级危房"}, {}, set()),  # a grade not understood: cannot judge
        ({"首次识别时间": pd.Timestamp("2020-03-01")}, {}, set()),  # identified in the reference year
        ({"脱贫属性": "返贫", "返贫年度": 2020}, {}, set()),  # returned in the reference year
        ({"脱贫属性": "返贫", "返贫年度": 2019}, {}, {("should_exit_meets_standard", "H1", "")}),
    ],
)
def test_should_exit_only_when_every_guarantee_holds(ruleset, values, child, expected):
    result = run(ruleset, [household("H1", **{**POOR, **values})],
                 [member("H1", "P1"), member("H1", "C1", 与户主关系="之女", **child)])
    assert found(result.findings, "should_exit_meets_standard") == expected


def test_should_exit_message_lists_the_evidence(ruleset):
    result = run(ruleset, [household("H1", **POOR)], [member("H1", "P1"), member("H1", "P2")])
    message = result.findings.iloc[0]["message"]
    for part in ("4000元", "2020年标准线4000元", "2名成员", "非危房户", "已解决安全饮用水", "应退未退"):
        assert part in message


@pytest.mark.parametrize(
    ("values", "rule", "hit"),
    [
        ({"脱贫年度": 2014, "首次识别时间": pd.Timestamp("2014-10-01")}, "exit_same_year_identified", True),
        ({"脱贫年度": 2015, "首次识别时间": pd.Timestamp("2014-10-01")}, "exit_same_year_identified", False),
        ({"脱贫年度": 2019, "返贫年度": 2019}, "exit_same_year_returned", True),
        ({"脱贫年度": 2019, "返贫年度": 2018}, "exit_same_year_returned", False),
        ({"签字确认": False}, "exit_without_signature", True),
        ({"签字确认": True}, "exit_without_signature", False),
        ({"公示天数": 6}, "exit_short_public_notice", True),
        ({"公示天数": 7}, "exit_short_public_notice", False),
        ({"脱贫年度": 2014, "首次识别时间": pd.Timestamp("2014-10-01"), "脱贫属性": "未脱贫", "人均纯收入": 100.0},
         "exit_same_year_identified", False),
        ({"脱贫年度": 2015, "首次识别时间": pd.Timestamp("2016-03-01")}, "exit_before_identified", True),
        ({"脱贫年度": 2016, "首次识别时间": pd.Timestamp("2016-03-01")}, "exit_before_identified", False),
    ],
)
def test_procedure_rules(ruleset, values, rule, hit):
    result = run(ruleset, [household("H1", **values)], [member("H1", "P1")])
    assert found(result.findings, rule) == ({(rule, "H1", "")} if hit else set())


@pytest.mark.parametrize(
    ("as_of_year", "income", "hit"),
    [(2023, 6899.0, True), (2023, 6900.0, False), (2020, 4500.0, False), (2025, 100.0, False)],
)
def test_exit_below_monitoring_range(ruleset, as_of_year, income, hit):
    as_of = AS_OF.replace(year=as_of_year)
    result = run(ruleset, [household("H1", 人均纯收入=income, 脱贫年度=2019)], [member("H1", "P1")], as_of=as_of)
    expected = {("exit_below_monitoring_range", "H1", "")} if hit else set()
    assert found(result.findings, "exit_below_monitoring_range") == expected


@pytest.mark.parametrize("as_of_year", [2020, 2025])
def test_a_year_without_a_monitoring_range_skips_the_rule_and_says_so(ruleset, as_of_year):
    """The rule ran with a NULL range and passed every household in silence (an audit of 2025 data)."""
    as_of = AS_OF.replace(year=as_of_year)
    result = run(ruleset, [household("H1", 人均纯收入=100.0, 脱贫年度=2019)], [member("H1", "P1")], as_of=as_of)
    [skipped] = [s for s in result.skipped if s.rule_id == "exit_below_monitoring_range"]
    assert skipped.reason.startswith(f"参数 monitoring_range 没有基准年度 {as_of_year} 年的取值（只列出 2021–2024 年）")
    assert not skipped.failed and skipped.missing_columns == ()
    ranged = ruleset.model_copy(update={"parameters": {**ruleset.parameters, "monitoring_range":
                                        ruleset.parameters["monitoring_range"].model_copy(update={"values": {as_of_year: 8000.0}})}})
    result = run(ranged, [household("H1", 人均纯收入=100.0, 脱贫年度=2019)], [member("H1", "P1")], as_of=as_of)
    assert found(result.findings, "exit_below_monitoring_range") == {("exit_below_monitoring_range", "H1", "")}


@pytest.mark.parametrize("monitored", [{"脱贫属性": "脱贫监测户"}, {"监测对象类别": "脱贫不稳定户"}])
def test_a_household_already_monitored_is_not_told_to_be(ruleset, monitored):
    result = run(ruleset, [household("H1", 人均纯收入=5000.0, 脱贫年度=2019, **monitored)], [member("H1", "P1")],
                 as_of=AS_OF.replace(year=2021))
    assert found(result.findings, "exit_below_monitoring_range") == set()


@pytest.mark.parametrize(
    ("values", "person", "gap"),
    [
        ({"人均纯收入": None}, {}, ("H1", "", "人均纯收入为空")),
        ({"是否危房户": None, "危房级别": None}, {}, ("H1", "", "是否危房户、危房级别均为空")),
        ({"是否危房户": False, "危房级别": "一般危房"}, {}, ("H1", "", "危房级别“一般危房”不是A、B、C、D级之一")),
        ({"脱贫属性": "未脱贫", "人均纯收入": 5000.0, "是否危房户": None, "危房级别": "E"}, {},
         ("H1", "", "危房级别“E”不是A、B、C、D级之一")),
        ({"是否解决安全饮用水": None, "饮水困难": None}, {}, ("H1", "", "是否解决安全饮用水、饮水困难均为空")),
        ({"签字确认": None}, {}, ("H1", "", "签字确认为空")),
        ({"公示天数": None}, {}, ("H1", "", "公示天数为空")),
        ({"脱贫属性": None}, {}, ("H1", "", "脱贫属性为空")),
        ({}, {"是否参加城乡居民基本医疗保险": None}, ("H1", "P2", "是否参加城乡居民基本医疗保险为空")),
        ({}, {"证件出生日期": born(9), "在校生状况": None, "是否义务教育阶段适龄儿童少年失学辍学": None},
         ("H1", "P2", "在校生状况、失学辍学均为空")),
        ({}, {"证件出生日期": born(9), "健康状况": None}, ("H1", "P2", "健康状况为空")),
        ({"脱贫属性": "未脱贫", "人均纯收入": None}, {}, ("H1", "", "人均纯收入为空")),
    ],
)
def test_exit_cannot_judge_is_never_silent(ruleset, values, person, gap):
    result = run(ruleset, [household("H1", **values)], [member("H1", "P1"), member("H1", "P2", **person)])
    rows = result.findings[result.findings["rule_id"] == "exit_cannot_judge"]
    assert set(zip(rows["household_id"], rows["person_id"], strict=True)) == {gap[:2]}
    assert gap[2] in rows.iloc[0]["message"]
    assert rows.iloc[0]["kind"] == "data_error"


def test_cannot_judge_skips_poor_households_that_fail_a_known_criterion(ruleset):
    result = run(ruleset, [household("H1", 脱贫属性="未脱贫", 人均纯收入=None, 是否危房户=True)], [member("H1", "P1")])
    assert found(result.findings) == set()


def test_absent_optional_columns_are_not_reported_as_unknown(ruleset):
    # no 签字确认 / 公示天数 / 饮水困难 columns at all: those rules are skipped, nothing "cannot judge"
    result = run(ruleset, [household("H1")], [member("H1", "P1")], drop=["签字确认", "公示天数", "饮水困难"])
    assert found(result.findings) == set()
    assert {s.rule_id for s in result.skipped} == {"exit_without_signature", "exit_short_public_notice",
                                                   "exit_below_monitoring_range"}  # no range for 2020


@pytest.mark.parametrize(
    ("child", "expected"),
    [
        # the explicit 失学辍学 answer decides schooling; the stale 在校生状况 is a data error of its own
        ({"证件出生日期": born(10), "在校生状况": "学龄前儿童"}, {("school_status_stale", "H1", "C1")}),
        # no explicit answer: schooling is unknown, and only school_status_stale says so (not exit_cannot_judge too)
        ({"证件出生日期": born(10), "在校生状况": "学龄前儿童", "是否义务教育阶段适龄儿童少年失学辍学": None},
         {("school_status_stale", "H1", "C1")}),
        ({"证件出生日期": born(8), "在校生状况": "学前教育", "是否义务教育阶段适龄儿童少年失学辍学": None},
         {("school_status_stale", "H1", "C1")}),
        ({"证件出生日期": born(7), "在校生状况": "学龄前儿童", "是否义务教育阶段适龄儿童少年失学辍学": None}, set()),
        ({"证件出生日期": born(8) + pd.Timedelta(days=1), "在校生状况": "学前教育"}, set()),  # turns 8 the day after
        ({"证件出生日期": born(10), "在校生状况": "小学", "是否义务教育阶段适龄儿童少年失学辍学": None}, set()),
        # another gap of the same child is still reported by exit_cannot_judge, without blaming 在校生状况
        ({"证件出生日期": born(10), "在校生状况": "学龄前儿童", "是否义务教育阶段适龄儿童少年失学辍学": None,
          "健康状况": None},
         {("school_status_stale", "H1", "C1"), ("exit_cannot_judge", "H1", "C1")}),
    ],
)
def test_school_status_stale(ruleset, child, expected):
    result = run(ruleset, [household("H1")], [member("H1", "P1"), member("H1", "C1", 与户主关系="之子", **child)])
    assert found(result.findings) == expected
    judged = result.findings[result.findings["rule_id"] == "exit_cannot_judge"]
    assert all("在校生状况" not in m for m in judged["message"])


def test_school_status_stale_message_says_what_follows(ruleset):
    unknown = {"证件出生日期": born(10), "在校生状况": "学龄前儿童", "是否义务教育阶段适龄儿童少年失学辍学": None}
    result = run(ruleset, [household("H1")], [member("H1", "P1"), member("H1", "C1", 与户主关系="之子", **unknown)])
    row = result.findings.iloc[0]
    assert row["message"] == ("成员10周岁，在校生状况仍为“学龄前儿童”，与年龄不符（失学辍学：空）；"
                              "失学辍学也为空，是否失学无法判断，本户义务教育保障无从确认")
    assert (row["kind"], row["severity"]) == ("data_error", "medium")
    answered = {**unknown, "是否义务教育阶段适龄儿童少年失学辍学": False}
    result = run(ruleset, [household("H1")], [member("H1", "P1"), member("H1", "C1", 与户主关系="之子", **answered)])
    assert result.findings.iloc[0]["message"] == "成员10周岁，在校生状况仍为“学龄前儿童”，与年龄不符（失学辍学：否）"


@pytest.mark.parametrize(("dropout", "should_exit"), [(None, False), (False, True)])
def test_a_stale_school_status_does_not_count_as_schooled(ruleset, dropout, should_exit):
    # a 10-year-old left as 学龄前儿童 with no 失学辍学 answer: 义务教育有保障 is not shown, so no 应退未退
    child = {"证件出生日期": born(10), "在校生状况": "学龄前儿童", "是否义务教育阶段适龄儿童少年失学辍学": dropout}
    result = run(ruleset, [household("H1", **POOR)], [member("H1", "P1"), member("H1", "C1", 与户主关系="之子", **child)])
    expected = {("school_status_stale", "H1", "C1")} | ({("should_exit_meets_standard", "H1", "")} if should_exit else set())
    assert found(result.findings) == expected


@pytest.mark.parametrize(
    ("values", "hit"),
    [
        ({"首次识别时间": pd.Timestamp("2020-03-01"), "人均纯收入": 6000.0}, True),  # 1.5 × the 2020 line of 4000
        ({"首次识别时间": pd.Timestamp("2020-03-01"), "人均纯收入": 5999.0}, False),
        ({"脱贫属性": "返贫", "返贫年度": 2020, "人均纯收入": 7000.0}, True),
        ({"首次识别时间": pd.Timestamp("2019-03-01"), "人均纯收入": 7000.0}, False),  # not identified this year
        ({"脱贫属性": "已脱贫", "首次识别时间": pd.Timestamp("2020-03-01"), "人均纯收入": 7000.0}, False),
        ({"首次识别时间": pd.Timestamp("2020-03-01"), "人均纯收入": None}, False),
    ],
)
def test_identified_income_far_above_line(ruleset, values, hit):
    """DOMAIN's 错评 "income far above the line": a household brought in this year with such an income
    got no finding at all (should_exit leaves out households identified in the reference year)."""
    result = run(ruleset, [household("H1", **{"脱贫属性": "未脱贫", "脱贫年度": None, **values})], [member("H1", "P1")])
    expected = {("identified_income_far_above_line", "H1", "")} if hit else set()
    assert found(result.findings, "identified_income_far_above_line") == expected


def test_identified_income_message_says_when_and_how_far(ruleset):
    result = run(ruleset, [household("H1", 脱贫属性="未脱贫", 脱贫年度=None, 首次识别时间=pd.Timestamp("2020-03-01"),
                                     人均纯收入=8000.0)], [member("H1", "P1")])
    row = result.findings[result.findings["rule_id"] == "identified_income_far_above_line"].iloc[0]
    assert row["message"] == "本户2020-03-01首次识别，当年人均纯收入8000元，是2020年标准线4000元的2倍：纳入时是否低于标准线须核实"
    assert (row["kind"], row["severity"]) == ("wrongful_inclusion", "medium")
    returned = run(ruleset, [household("H1", 脱贫属性="返贫", 脱贫年度=None, 返贫年度=2020, 人均纯收入=8000.0)],
                   [member("H1", "P1")])
    assert returned.findings.iloc[0]["message"].startswith("本户2020年返贫，")
