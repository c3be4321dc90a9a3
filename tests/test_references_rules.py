"""Reference-list rules, table style: hand-built registry and lists, one case per row."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import pytest

from fupin_audit.idcard import check_character
from fupin_audit.references.read import check_reference_ids
from fupin_audit.rules import Rule, load_rules, run_rules
from test_rules_support import AS_OF, household, member, registry

IDENTIFIED = pd.Timestamp("2016-06-01")


def pid(birth: str = "19800101", seq: str = "101", region: str = "150426") -> str:
    first17 = region + birth + seq
    return first17 + check_character(first17)


A, B, C, CADRE, OTHER_CADRE = pid(seq="101"), pid(seq="203"), pid("19700505", "305"), pid("19650303", "417"), pid("19660606", "519")


@pytest.fixture(scope="module")
def ruleset():
    return load_rules()


def ref(ruleset, name: str, *rows: dict[str, Any]) -> pd.DataFrame:
    """A list as the readers give it (dates as datetime64, text as str, origin), IDs then checked."""
    spec = ruleset.references[name]
    data: dict[str, pd.Series] = {}
    for column, declared in spec.columns.items():
        if any(column in r for r in rows):
            values = [r.get(column) for r in rows]
            data[column] = pd.Series(pd.to_datetime(values) if declared.type == "date" else values,
                                     dtype="datetime64[ns]" if declared.type == "date" else "str")
    frame = pd.DataFrame(data)
    frame["_file"] = pd.Series([f"{name}.csv"] * len(rows), dtype="str")
    frame["_sheet"] = pd.Series([""] * len(rows), dtype="str")
    frame["_row"] = pd.Series(range(2, len(rows) + 2), dtype="Int64")
    return check_reference_ids(name, spec, frame, AS_OF)[0]


def village(*, exited: bool = False, identified: Any = IDENTIFIED, **extra: Any):
    """H1: A (head) and B; H2: C. Valid IDs; every household clean."""
    status = {"脱贫属性": "已脱贫" if exited else "未脱贫", "脱贫年度": 2019 if exited else None}
    return registry(
        [household("H1", 首次识别时间=identified, 行政村="甲村", **status, **extra),
         household("H2", 行政村="甲村", 首次识别时间=IDENTIFIED, 脱贫属性="未脱贫", 脱贫年度=None)],
        [member("H1", A, 姓名="甲", 行政村="甲村"), member("H1", B, 姓名="乙", 与户主关系="配偶", 行政村="甲村"),
         member("H2", C, 姓名="丙", 行政村="甲村")],
    )


def found(run, rule_id: str) -> list[tuple[str, str, str]]:
    rows = run.findings[run.findings["rule_id"] == rule_id]
    return sorted(zip(rows["kind"], rows["household_id"], rows["person_id"], strict=True))


def one(run, rule_id: str) -> pd.Series:
    rows = run.findings[run.findings["rule_id"] == rule_id]
    assert len(rows) == 1, rows[["rule_id", "message"]]
    return rows.iloc[0]


@pytest.mark.parametrize(
    ("rule_id", "name", "row", "reg", "want"),
    [
        # payroll: dated before identification → 错评, after → 应退未退, no date → 错评 with a note
        ("ref_payroll", "payroll", {"证件号码": A, "单位": "某局", "入编日期": "2010-01-01"}, {}, "wrongful_inclusion"),
        ("ref_payroll", "payroll", {"证件号码": A, "单位": "某局", "入编日期": "2016-06-01"}, {}, "wrongful_inclusion"),
        ("ref_payroll", "payroll", {"证件号码": A, "单位": "某局", "入编日期": "2018-01-01"}, {}, "should_exit"),
        ("ref_payroll", "payroll", {"证件号码": A, "单位": "某局"}, {}, "wrongful_inclusion"),
        ("ref_payroll", "payroll", {"证件号码": A, "入编日期": "2018-01-01"}, {"identified": None}, "wrongful_inclusion"),
        # arose after identification but the household has exited: nothing left to exit
        ("ref_payroll", "payroll", {"证件号码": A, "入编日期": "2018-01-01"}, {"exited": True}, None),
        ("ref_payroll", "payroll", {"证件号码": A, "入编日期": "2010-01-01"}, {"exited": True}, "wrongful_inclusion"),
        # an event after the reference date (2020-12-31) had not happened
        ("ref_payroll", "payroll", {"证件号码": A, "单位": "某局", "入编日期": "2021-09-01"}, {}, None),
        # cadres: sitting, or in office at identification
        ("ref_cadres", "cadres", {"证件号码": A, "行政村": "甲村", "职务": "村委会主任", "任职日期": "2018-01-01"}, {}, "should_exit"),
        ("ref_cadres", "cadres", {"证件号码": A, "行政村": "甲村", "任职日期": "2011-01-01", "离任日期": "2017-01-01"}, {}, "wrongful_inclusion"),
        ("ref_cadres", "cadres", {"证件号码": A, "行政村": "甲村", "任职日期": "2011-01-01", "离任日期": "2015-01-01"}, {}, None),
        ("ref_cadres", "cadres", {"证件号码": A, "行政村": "甲村", "离任日期": "2017-01-01"}, {}, "wrongful_inclusion"),  # start unknown
        ("ref_cadres", "cadres", {"证件号码": A, "行政村": "甲村", "任职日期": "2021-06-01"}, {}, None),  # not yet appointed
        # vehicles: families of exceptions, large farm machinery counts
        ("ref_vehicles", "vehicles", {"证件号码": A, "号牌号码": "蒙D1", "车辆类型": "小型轿车", "初次登记日期": "2015-01-01"}, {}, "wrongful_inclusion"),
        ("ref_vehicles", "vehicles", {"证件号码": A, "车辆类型": "重型半挂牵引车", "初次登记日期": "2019-01-01"}, {}, "should_exit"),
        ("ref_vehicles", "vehicles", {"证件号码": A, "车辆类型": "普通二轮摩托车", "初次登记日期": "2015-01-01"}, {}, None),
        ("ref_vehicles", "vehicles", {"证件号码": A, "车辆类型": "轻便二轮摩托车"}, {}, None),
        ("ref_vehicles", "vehicles", {"证件号码": A, "车辆类型": "三轮汽车"}, {}, None),
        ("ref_vehicles", "vehicles", {"证件号码": A, "车辆类型": "变型拖拉机"}, {}, None),
        ("ref_vehicles", "vehicles", {"证件号码": A, "车辆类型": "微型普通货车"}, {}, None),
        ("ref_vehicles", "vehicles", {"证件号码": A, "车辆类型": "大中型拖拉机"}, {}, "wrongful_inclusion"),
        ("ref_vehicles", "vehicles", {"证件号码": A, "车辆类型": None}, {}, "wrongful_inclusion"),  # type unknown: never a silent pass
        ("ref_vehicles", "vehicles", {"证件号码": A, "车辆类型": "小型轿车", "初次登记日期": "2021-03-01"}, {}, None),
        # property: town commercial housing and shops; relocation and rebuilding excepted; bare 住宅 not
        ("ref_property", "property", {"证件号码": A, "坐落": "某镇某路1号", "房屋用途": "住宅(商品房)", "登记日期": "2015-01-01"}, {}, "wrongful_inclusion"),
        ("ref_property", "property", {"证件号码": A, "房屋用途": "商铺", "登记日期": "2019-01-01"}, {}, "should_exit"),
        ("ref_property", "property", {"证件号码": A, "房屋用途": "住宅"}, {}, None),
        ("ref_property", "property", {"证件号码": A, "房屋用途": "成套住宅", "房屋性质": "市场化商品房"}, {}, "wrongful_inclusion"),
        ("ref_property", "property", {"证件号码": A, "房屋用途": "住宅", "房屋性质": "宅基地自建房"}, {}, None),
        ("ref_property", "property", {"证件号码": A, "房屋用途": "商铺", "房屋性质": "易地扶贫搬迁安置"}, {}, None),
        ("ref_property", "property", {"证件号码": A, "房屋用途": "商品房", "坐落": "某县灾后重建小区"}, {}, None),
        # business: operating → counts; closed before identification or without a date → not
        ("ref_business", "business", {"证件号码": A, "主体名称": "某店", "角色": "经营者", "登记状态": "存续", "成立日期": "2012-01-01"}, {}, "wrongful_inclusion"),
        ("ref_business", "business", {"证件号码": A, "角色": "法定代表人", "登记状态": "在业", "成立日期": "2018-01-01"}, {}, "should_exit"),
        ("ref_business", "business", {"证件号码": A, "角色": "股东", "登记状态": "注销", "成立日期": "2012-01-01", "注销日期": "2015-01-01"}, {}, None),
        ("ref_business", "business", {"证件号码": A, "角色": "经营者", "登记状态": "注销", "成立日期": "2012-01-01"}, {}, None),
        ("ref_business", "business", {"证件号码": A, "角色": "经营者", "登记状态": "吊销，未注销", "成立日期": "2012-01-01", "注销日期": "2018-01-01"}, {}, "wrongful_inclusion"),
        ("ref_business", "business", {"证件号码": A, "角色": "经营者", "登记状态": "注销", "成立日期": "2017-01-01", "注销日期": "2018-01-01"}, {}, None),
        ("ref_business", "business", {"证件号码": A, "角色": "监事", "登记状态": "存续"}, {}, None),
        ("ref_business", "business", {"证件号码": A, "角色": "财务负责人", "登记状态": "存续"}, {}, None),  # an employee
        ("ref_business", "business", {"证件号码": A, "角色": "负责人", "登记状态": "存续"}, {}, "wrongful_inclusion"),
        # closed only after the reference date: operating then
        ("ref_business", "business", {"证件号码": A, "角色": "经营者", "登记状态": "注销", "成立日期": "2017-01-01", "注销日期": "2022-01-01"}, {}, "should_exit"),
        # deaths: on or before the reference date → 死亡未销; after → nothing
        ("deceased_listed", "deaths", {"证件号码": A, "死亡日期": "2020-12-31"}, {}, "deceased_listed"),
        ("deceased_listed", "deaths", {"证件号码": A, "死亡日期": "2021-01-01"}, {}, None),
        ("deceased_listed", "deaths", {"证件号码": A}, {}, "deceased_listed"),
    ],
)
def test_reference_rule_cases(ruleset, rule_id, name, row, reg, want):
    run = run_rules(ruleset, village(**reg), AS_OF, {name: ref(ruleset, name, row)})
    assert found(run, rule_id) == ([(want, "H1", A)] if want else [])
    assert not [s for s in run.skipped if s.rule_id == rule_id]


def test_timing_is_stated_in_the_message(ruleset):
    run = run_rules(ruleset, village(identified=None), AS_OF,
                    {"payroll": ref(ruleset, "payroll", {"证件号码": A, "单位": "某局", "入编日期": "2018-01-01"})})
    assert "首次识别时间不详" in one(run, "ref_payroll")["message"]
    run = run_rules(ruleset, village(), AS_OF, {"payroll": ref(ruleset, "payroll", {"证件号码": A, "单位": "某局"})})
    assert "入编日期不详" in one(run, "ref_payroll")["message"]
    run = run_rules(ruleset, village(), AS_OF,
                    {"payroll": ref(ruleset, "payroll", {"证件号码": A, "单位": "某局", "入编日期": "2018-01-01"})})
    message = one(run, "ref_payroll")["message"]
    assert "2018-01-01" in message and "2016-06-01" in message and "应退未退" in message


def test_matches_of_one_member_are_one_finding_with_every_row(ruleset):
    cars = ref(ruleset, "vehicles",
               {"证件号码": A, "号牌号码": "蒙D2", "车辆类型": "小型轿车", "初次登记日期": "2019-01-01"},
               {"证件号码": A, "号牌号码": "蒙D1", "车辆类型": "小型普通客车", "初次登记日期": "2010-01-01"},
               {"证件号码": A, "号牌号码": "蒙D3", "车辆类型": "普通二轮摩托车"})
    finding = one(run_rules(ruleset, village(), AS_OF, {"vehicles": cars}), "ref_vehicles")
    assert finding["kind"] == "wrongful_inclusion"  # one match predates identification
    records = json.loads(finding["evidence"])["匹配记录"]
    assert [r["号牌号码"] for r in records] == ["蒙D1", "蒙D2"]
    assert [r["名单来源"] for r in records] == ["vehicles.csv:3", "vehicles.csv:2"]
    assert records[0]["判定"].endswith("错评") and records[1]["判定"].endswith("应退未退")


def test_invalid_ids_are_never_matched_and_15_digit_ids_are(ruleset):
    wrong_check = A[:-1] + ("1" if A[-1] != "1" else "2")
    legacy = "150426" + "650303" + "417"  # 15-digit form of CADRE's number
    reg = registry([household("H1", 首次识别时间=IDENTIFIED)],
                   [member("H1", A), member("H1", CADRE, 与户主关系="配偶"),
                    member("H1", B, 证件有效=False, 与户主关系="之子")])  # a registry ID judged invalid
    payroll = ref(ruleset, "payroll", {"证件号码": wrong_check, "入编日期": "2010-01-01"},
                  {"证件号码": legacy, "入编日期": "2010-01-01"}, {"证件号码": B, "入编日期": "2010-01-01"},
                  {"证件号码": A[:17], "入编日期": "2010-01-01"})
    assert payroll["证件号码"].iloc[1] == CADRE
    assert list(payroll["证件有效"]) == [False, True, True, False]
    run = run_rules(ruleset, reg, AS_OF, {"payroll": payroll})
    assert found(run, "ref_payroll") == [("wrongful_inclusion", "H1", CADRE)]


def test_favoritism_relative_both_directions_same_village_only(ruleset):
    lists = {
        "cadres": ref(ruleset, "cadres", {"证件号码": CADRE, "姓名": "干部", "行政村": "甲村村民委员会", "职务": "村支书"},
                      {"证件号码": OTHER_CADRE, "姓名": "外村干部", "行政村": "乙村", "职务": "村主任"}),
        "relatives": ref(ruleset, "relatives", {"证件号码": CADRE, "亲属证件号码": A, "关系": "兄弟"},
                         {"证件号码": C, "亲属证件号码": CADRE, "关系": "姐妹"},
                         {"证件号码": OTHER_CADRE, "亲属证件号码": B, "关系": "配偶"}),
    }
    run = run_rules(ruleset, village(), AS_OF, lists)
    assert found(run, "favoritism_relative") == [("favoritism", "H1", A), ("favoritism", "H2", C)]
    messages = set(run.findings.loc[run.findings["rule_id"] == "favoritism_relative", "message"])
    assert any("成员是干部的兄弟" in m for m in messages) and any("干部是成员的姐妹" in m for m in messages)


def test_a_cadres_own_household_is_ref_cadres_not_favoritism(ruleset):
    lists = {"cadres": ref(ruleset, "cadres", {"证件号码": A, "行政村": "甲村", "任职日期": "2010-01-01"}),
             "relatives": ref(ruleset, "relatives", {"证件号码": A, "亲属证件号码": B, "关系": "配偶"})}
    run = run_rules(ruleset, village(), AS_OF, lists)
    assert found(run, "ref_cadres") == [("wrongful_inclusion", "H1", A)]
    assert found(run, "favoritism_relative") == []


@pytest.mark.parametrize(
    ("helper", "want"),
    [({"帮扶责任人": "干部"}, True), ({"帮扶责任人": "别人"}, False),
     ({"帮扶责任人": "别人", "帮扶责任人证件号码": CADRE}, True), ({"帮扶责任人": "干部", "帮扶责任人证件号码": B}, False)],
)
def test_favoritism_helper_by_name_in_the_village_or_by_id(ruleset, helper, want):
    lists = {"cadres": ref(ruleset, "cadres", {"证件号码": CADRE, "姓名": "干部", "行政村": "甲村"}),
             "relatives": ref(ruleset, "relatives", {"证件号码": CADRE, "亲属证件号码": A, "关系": "兄弟"})}
    run = run_rules(ruleset, village(**helper), AS_OF, lists)
    assert found(run, "favoritism_helper") == ([("favoritism", "H1", "")] if want else [])


def test_deceased_message_says_exited_or_benefiting_after_death(ruleset):
    deaths = ref(ruleset, "deaths", {"证件号码": A, "死亡日期": "2019-03-01"})
    exited = one(run_rules(ruleset, village(exited=True), AS_OF, {"deaths": deaths}), "deceased_listed")["message"]
    assert "2019-03-01" in exited and "2019年）标记脱贫" in exited
    poor = one(run_rules(ruleset, village(), AS_OF, {"deaths": deaths}), "deceased_listed")["message"]
    assert "继续享受扶贫政策" in poor


def test_rules_needing_a_list_not_given_are_skipped_naming_it(ruleset):
    run = run_rules(ruleset, village(), AS_OF)
    reasons = {s.rule_id: s.reason for s in run.skipped}
    assert "payroll" in reasons["ref_payroll"] and "deaths" in reasons["deceased_listed"]


def test_a_rule_may_set_the_kind_per_row_and_a_bad_kind_skips_it(ruleset):
    def rule(kind_sql: str) -> Rule:
        return Rule(id="per_row", title="t", kind="data_error", severity="low", basis="b", message="m",
                    sql=f"SELECT 户编号, {kind_sql} AS _kind FROM households")
    ok = run_rules(ruleset.model_copy(update={"rules": [rule("CASE WHEN 户编号 = 'H1' THEN 'favoritism' END")]}),
                   village(), AS_OF)
    assert sorted(zip(ok.findings["household_id"], ok.findings["kind"], strict=True)) == [
        ("H1", "favoritism"), ("H2", "data_error")]
    assert "_kind" not in ok.findings["evidence"].iloc[0]
    bad = run_rules(ruleset.model_copy(update={"rules": [rule("'no_such_kind'")]}), village(), AS_OF)
    assert [s.rule_id for s in bad.skipped] == ["per_row"] and "no_such_kind" in bad.skipped[0].reason
