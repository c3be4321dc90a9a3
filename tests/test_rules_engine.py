"""The engine: sandbox, skipped rules, failing rules, the result-to-findings convention."""

from __future__ import annotations

import json
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from fupin_audit import audit, findings
from fupin_audit.rules import Rule, RuleSet, load_rules, run_rules
from fupin_audit.rules.engine import run_all
from fupin_audit.rules.params import engine_macros
from fupin_audit.rules.render import LOCATOR_TABLES
from fupin_audit.rules.sandbox import open_session
from test_rules_support import AS_OF, found, household, member, registry, registry_rules

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "zhuangtouyingzi.xlsx"


@pytest.fixture(scope="module")
def ruleset():
    """The default rules a registry alone lets run at AS_OF (2020 has no monitoring range: the rule that
    requires one is skipped, which test_rules_exit covers)."""
    rules = registry_rules()
    return rules.model_copy(update={"rules": [r for r in rules.rules if not r.requires_years]})


def with_rules(ruleset: RuleSet, *rules: Rule) -> RuleSet:
    return ruleset.model_copy(update={"rules": [*ruleset.rules, *rules]})


def rule(rule_id: str, sql: str, message: str = "发现{户编号}", requires: list[str] | None = None, **kw) -> Rule:
    return Rule(id=rule_id, title="测试规则", kind=kw.pop("kind", "data_error"), severity="low", sql=sql,
                message=message, requires=requires or [], basis="测试", **kw)


def small_registry():
    return registry([household("H1", 人均纯收入=3000.0), household("H2")],
                    [member("H1", "P1", 姓名="张三"), member("H2", "P2", 姓名="李四")])


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT content AS 户编号 FROM read_text('/etc/hostname')",
        "SELECT '1' AS 户编号 FROM glob('/etc/*')",
    ],
)
def test_a_rule_reading_a_file_is_refused_and_named(ruleset, sql):
    result = run_rules(with_rules(ruleset, rule("reads_file", sql)), small_registry(), AS_OF)
    skipped = {s.rule_id: s for s in result.skipped}
    assert set(skipped) == {"reads_file"}
    assert "reads_file" in skipped["reads_file"].reason
    assert "禁止" in skipped["reads_file"].reason
    # the other rules still ran
    assert ("exit_income_below_line", "H1", "") in found(result.findings)


@pytest.mark.parametrize(
    ("sql", "named"),
    [
        ("SELECT 户编号 FROM households; DROP TABLE members_x", "2 条"),
        ("COPY households TO '/tmp/fupin_leak.csv'", "实际为 COPY"),
        ("SET enable_external_access = true", "实际为 SET"),
        ("-- 装个扩展\ninstall httpfs", "实际为 INSTALL"),
        ("LOAD httpfs", "实际为 LOAD"),
    ],
)
def test_only_single_select_statements_run(ruleset, sql, named):
    result = run_rules(with_rules(ruleset, rule("not_a_select", sql)), small_registry(), AS_OF)
    assert [s.rule_id for s in result.skipped] == ["not_a_select"]
    assert "SELECT" in result.skipped[0].reason and named in result.skipped[0].reason
    assert len(found(result.findings, "exit_income_below_line")) == 1


@pytest.mark.parametrize(
    ("sql", "named"),
    [
        ("WITH x AS (DELETE FROM household_counts RETURNING *) SELECT 户编号 FROM x", "DELETE"),
        ("WITH x AS (INSERT INTO household_counts (户编号) VALUES ('H9') RETURNING *) SELECT 户编号 FROM x", "INSERT"),
        ("WITH x AS (UPDATE household_counts SET 成员数 = 0 RETURNING *) SELECT 户编号 FROM x", "UPDATE"),
    ],
)
def test_a_statement_changing_data_inside_with_is_refused_before_it_runs(ruleset, sql, named):
    """DuckDB types ``WITH x AS (DELETE … RETURNING *) SELECT …`` as a SELECT, and ran the DELETE on a
    derived table (household_counts) the other rules read."""
    counts = rule("counts", "SELECT 户编号, 成员数 FROM household_counts", message="{成员数}")
    result = run_rules(with_rules(ruleset, rule("changes_data", sql), counts), small_registry(), AS_OF)
    assert [s.rule_id for s in result.skipped] == ["changes_data"]
    assert f"只允许 SELECT（查询）语句，WITH 子句中不能有 {named}" in result.skipped[0].reason
    assert sorted(result.findings.loc[result.findings["rule_id"] == "counts", "message"]) == ["1", "1"]


def test_a_broken_rule_is_reported_and_the_others_run(ruleset):
    broken = rule("broken_sql", "SELECT 户编号, no_such_column FROM households")
    result = run_rules(with_rules(ruleset, broken), small_registry(), AS_OF)
    assert [s.rule_id for s in result.skipped] == ["broken_sql"]
    assert "broken_sql" in result.skipped[0].reason and "no_such_column" in result.skipped[0].reason
    assert ("exit_income_below_line", "H1", "") in found(result.findings)



def test_a_rule_failing_on_a_value_does_not_quote_the_value(ruleset):
    failing = rule("casts_id", "SELECT 户编号, CAST(证件号码 AS BIGINT) AS n FROM members")
    reg = registry([household("H1")], [member("H1", "15042619880103103X", 姓名="张三")])
    result = run_rules(with_rules(ruleset, failing), reg, AS_OF)
    (skipped,) = [s for s in result.skipped if s.rule_id == "casts_id"]
    assert "执行失败" in skipped.reason and "'…'" in skipped.reason
    assert "15042619880103103X" not in skipped.reason

def test_missing_column_skips_only_the_rules_needing_it():
    reg = registry([household("H1", 人均纯收入=3000.0, 签字确认=False)],
                   [member("H1", "P1", 是否参加城乡居民基本医疗保险=False)], drop=["人均纯收入"])
    result = run_rules(registry_rules(), reg, AS_OF)
    skipped = {s.rule_id: s for s in result.skipped}
    assert set(skipped) == {"exit_income_below_line", "exit_below_monitoring_range", "should_exit_meets_standard",
                            "inconsistent_treatment", "identified_income_far_above_line"}
    # the monitoring rule lacks both the column and a 2020 range: the column is named
    assert skipped["exit_below_monitoring_range"].missing_columns == ("households.人均纯收入",)
    assert skipped["exit_income_below_line"].missing_columns == ("households.人均纯收入",)
    assert "人均纯收入" in skipped["exit_income_below_line"].reason
    assert found(result.findings) == {
        ("exit_without_signature", "H1", ""), ("exit_no_medical_insurance", "H1", "P1"),
    }


def test_either_of_two_columns_satisfies_a_requirement(ruleset):
    reg = registry([household("H1")], [member("H1", "P1")], drop=["是否危房户", "危房级别"])
    skipped = {s.rule_id: s for s in run_rules(ruleset, reg, AS_OF).skipped}
    assert skipped["exit_unsafe_housing"].missing_columns == ("households.是否危房户|households.危房级别",)


def test_reference_tables_are_registered_by_name(ruleset):
    payroll = pd.DataFrame({"证件号码": pd.Series(["P2"], dtype="str"), "单位": pd.Series(["某局"], dtype="str")})
    match = rule("on_payroll", "SELECT m.户编号, m._member, p.单位 FROM members m JOIN payroll p USING (证件号码)",
                 message="成员在{单位}财政供养", requires=["payroll.证件号码"], kind="wrongful_inclusion")
    result = run_rules(with_rules(ruleset, match), small_registry(), AS_OF, references={"payroll": payroll})
    rows = result.findings[result.findings["rule_id"] == "on_payroll"]
    assert list(zip(rows["household_id"], rows["person_id"], rows["name"], rows["message"], strict=True)) == [
        ("H2", "P2", "李四", "成员在某局财政供养")]
    without = run_rules(with_rules(ruleset, match), small_registry(), AS_OF)
    assert [s.rule_id for s in without.skipped] == ["on_payroll"]
    assert "payroll" in without.skipped[0].reason


def test_member_found_by_id_when_rule_returns_no_row_id(ruleset):
    by_id = rule("by_id", "SELECT 户编号, 证件号码, 姓名 AS 称呼 FROM members WHERE 证件号码 = 'P1'", message="{称呼}")
    result = run_rules(RuleSet(version=1, rules=[by_id]), small_registry(), AS_OF)
    row = result.findings.iloc[0]
    assert (row["person_id"], row["name"], row["message"], row["source"]) == ("P1", "张三", "张三", "登记表.xlsx:人:2")


def test_message_formatting_of_values(ruleset):
    sql = """SELECT 'H1' AS 户编号, 1234.0::DOUBLE AS 整数, 12.345::DOUBLE AS 小数, TRUE AS 真, FALSE AS 假, NULL::BOOLEAN AS 不详, NULL::VARCHAR AS 空值,
             DATE '2020-01-02' AS 日期, TIMESTAMP '2021-03-04 00:00:00' AS 时刻, 7::BIGINT AS _隐藏"""
    r = rule("formats", sql, message="{整数}|{小数}|{真}|{假}|{不详}|{空值}|{日期}|{时刻}|{{字面}}")
    result = run_rules(RuleSet(version=1, rules=[r]), small_registry(), AS_OF)
    row = result.findings.iloc[0]
    assert row["message"] == "1234|12.35|是|否|空|空|2020-01-02|2021-03-04|{字面}"
    assert json.loads(row["evidence"]) == {"整数": 1234.0, "小数": 12.345, "真": True, "假": False, "不详": None, "空值": None,
                                           "日期": "2020-01-02", "时刻": "2021-03-04"}
    assert row["household_id"] == "H1" and row["name"] == "户主甲"


def test_result_without_household_column_is_a_failure(ruleset):
    r = rule("no_key", "SELECT 证件号码 FROM members", message="x")
    result = run_rules(RuleSet(version=1, rules=[r]), small_registry(), AS_OF)
    assert "户编号" in result.skipped[0].reason


def test_a_result_row_without_a_household_fails_the_rule(ruleset):
    """Such a finding had no household, name or source: nothing to open, and nothing said why."""
    r = rule("lost_household", "SELECT CASE WHEN 户编号 = 'H1' THEN NULL ELSE 户编号 END AS 户编号 FROM households", message="x")
    result = run_rules(with_rules(ruleset, r), small_registry(), AS_OF)
    assert [(s.rule_id, s.failed) for s in result.skipped] == [("lost_household", True)]
    assert "结果有 1 行的 户编号 为空" in result.skipped[0].reason and "户编号 IS NOT NULL" in result.skipped[0].reason
    assert found(result.findings, "lost_household") == set()
    assert ("exit_income_below_line", "H1", "") in found(result.findings)  # the other rules ran


def test_a_result_row_whose_household_is_not_in_the_registry_fails_the_rule(ruleset):
    """Such a finding (户编号 taken from a list or a typo'd join) had no location and an empty 来源."""
    r = rule("elsewhere", "SELECT CASE WHEN 户编号 = 'H1' THEN 'H9' ELSE 户编号 END AS 户编号 FROM households", message="x")
    result = run_rules(with_rules(ruleset, r), small_registry(), AS_OF)
    assert [(s.rule_id, s.failed) for s in result.skipped] == [("elsewhere", True)]
    assert "结果有 1 行的 户编号 不在登记表中" in result.skipped[0].reason
    assert ("exit_income_below_line", "H1", "") in found(result.findings)  # the other rules ran
    # a member whose household has no row (orphan_member) is in the registry: its household's findings stand
    orphan = registry([household("H1")], [member("H1", "P1"), member("H7", "P7")])
    r = rule("by_members", "SELECT DISTINCT 户编号 FROM members", message="x")
    result = run_rules(with_rules(ruleset, r), orphan, AS_OF)
    assert not [s for s in result.skipped if s.rule_id == "by_members"]
    assert found(result.findings, "by_members") == {("by_members", "H1", ""), ("by_members", "H7", "")}


def test_disabled_rules_do_not_run(ruleset):
    disabled = [r.model_copy(update={"enabled": False}) if r.id == "exit_income_below_line" else r for r in ruleset.rules]
    result = run_rules(ruleset.model_copy(update={"rules": disabled}), small_registry(), AS_OF)
    assert found(result.findings, "exit_income_below_line") == set()
    # listed under 未执行规则, so that the report does not read as a full audit; not a failure
    assert [(s.rule_id, s.reason, s.failed) for s in result.skipped] == [
        ("exit_income_below_line", "规则文件中已停用（enabled: false）", False)
    ]


def test_findings_are_text_and_parameters_reported(ruleset):
    result = run_rules(ruleset, small_registry(), AS_OF)
    assert all(str(result.findings[c].dtype) == "str" for c in findings.COLUMNS)
    assert result.parameters["as_of"] == "2020-12-31"
    assert result.parameters["poverty_line_as_of"] == {"year": 2020, "value": 4000.0}
    assert result.parameters["monitoring_range_as_of"] is None


def test_poverty_line_carries_forward_after_the_last_year(ruleset):
    reg = registry([household("H1", 人均纯收入=3999.0, 脱贫年度=None)], [member("H1", "P1")])
    result = run_rules(ruleset, reg, AS_OF.replace(year=2022))
    row = result.findings[result.findings["rule_id"] == "exit_income_below_line"].iloc[0]
    assert "2020年标准线4000元" in row["message"]


def test_a_derived_view_kept_as_a_view_gives_the_same_findings():
    """``materialize: false`` creates a plain view instead of a temporary table; the findings of every
    rule are the same either way (checked on the example village, where every rule fires)."""
    default = load_rules(None)
    assert not {v.name: v.materialize for v in default.derived}["members_x"]
    flipped = default.model_copy(update={"derived": [v.model_copy(update={"materialize": not v.materialize})
                                                     for v in default.derived]})
    result = audit(EXAMPLE)
    assert len(result.findings) > 0
    registry_ = result.registry
    as_of = result.as_of
    materialized = findings.combine([run_rules(default, registry_, as_of).findings])
    assert materialized.equals(findings.combine([run_rules(flipped, registry_, as_of).findings]))


def test_similar_households_message_writes_incomes_as_other_messages_do(ruleset):
    reg = registry(
        [household("H1", 人均纯收入=5250.0), household("H2", 人均纯收入=5300.5, 脱贫属性="未脱贫", 脱贫年度=None)],
        [member("H1", "P1"), member("H2", "P2")],
    )
    rows = run_rules(ruleset, reg, AS_OF).findings
    messages = rows.loc[rows["rule_id"] == "inconsistent_treatment", "message"].tolist()
    assert len(messages) == 1
    assert "人均5250元" in messages[0] and "人均5300.5元" in messages[0]
    assert "人均纯收入5250—5300.5元" in messages[0]



@pytest.mark.parametrize(
    ("second", "grouped"),
    [
        ({}, True),
        ({"乡镇": "另一镇"}, False),  # a village of the same name in another township
        ({"县": "另一县"}, False),
        ({"首次识别时间": pd.Timestamp("2020-05-01")}, False),  # identified this year: not due to exit yet
        ({"返贫年度": 2020}, False),  # returned this year
    ],
)
def test_similar_households_are_compared_within_one_village_of_one_township(ruleset, second, grouped):
    reg = registry(
        [household("H1", 人均纯收入=5250.0), household("H2", 人均纯收入=5300.0, 脱贫属性="未脱贫", 脱贫年度=None, **second)],
        [member("H1", "P1"), member("H2", "P2")],
    )
    rows = run_rules(ruleset, reg, AS_OF).findings
    assert found(rows, "inconsistent_treatment") == ({("inconsistent_treatment", "H1", "")} if grouped else set())

def test_similar_households_group_from_each_groups_lowest_income(ruleset):
    """A group spans the tolerance (the larger of 300 元 and 10 %) from its lowest income, not from the
    household before: 5600 starts a group (600 above 5000), and 6200 is 100 above 6100 but 600 above
    5600, so it starts a third, alone."""
    incomes = {"H1": 5000.0, "H2": 5400.0, "H3": 5500.0, "H4": 5600.0, "H5": 6100.0, "H6": 6200.0}
    poor = {"H2", "H4", "H6"}
    reg = registry(
        [household(h, 人均纯收入=v, **({"脱贫属性": "未脱贫", "脱贫年度": None} if h in poor else {}))
         for h, v in incomes.items()],
        [member(h, f"P{h}") for h in incomes],
    )
    rows = run_rules(ruleset, reg, AS_OF).findings
    groups = rows[rows["rule_id"] == "inconsistent_treatment"].sort_values("household_id")
    assert groups["household_id"].tolist() == ["H1", "H4"]
    first, second = groups["message"].tolist()
    assert first.startswith("同村3户情况相近（人均纯收入5000—5500元") and "H3" in first and "H4" not in first
    assert second.startswith("同村2户情况相近（人均纯收入5600—6100元") and "H6" not in second


CONTAINS_CASES = [
    ("微型普通货车", ["摩托车", "微型*货车"], True),
    ("轻型普通货车", ["摩托车", "微型*货车"], False),
    ("微型货车", ["微型*货车"], True),  # * matches no character too
    ("商铺(临街)", ["(临街)"], True),  # regex characters in a term are plain text
    ("商铺临街", ["(临街)"], False),
    ("a.b+c|d", ["b+c|"], True),
    ("abc", ["a.c"], False),
    ("第一行\n第二行", ["一*二"], True),  # * spans a line break, as LIKE's % does
    ("任何值", [], None),  # an empty list: NULL, as list_bool_or of no terms
    (None, ["摩托车"], None),
]


@pytest.mark.parametrize(("text", "terms", "expected"), CONTAINS_CASES)
def test_contains_any_matches_like_with_star_wildcards(text, terms, expected) -> None:
    """contains_any(text, terms) as the default rules use it: the same answer as a LIKE '%term%' per
    term with * as %, the definition it replaced."""
    con = duckdb.connect()
    for statement in engine_macros(AS_OF, []):
        con.execute(statement)
    like = "list_bool_or(list_transform(?::VARCHAR[], lambda t: ?::VARCHAR LIKE '%' || replace(t, '*', '%') || '%'))"
    got = con.execute("SELECT contains_any(?::VARCHAR, ?::VARCHAR[])", [text, terms]).fetchone()
    defined = con.execute(f"SELECT {like}", [terms, text]).fetchone()
    assert got is not None and defined is not None
    assert got[0] == expected == defined[0]


def test_rules_on_several_cursors_give_each_rule_its_own_outcome_in_order(ruleset):
    failing = rule("fails_at_run_time", "SELECT 户编号, error('故意失败') AS x FROM households")
    local = rule("reads_a_derived_view", "SELECT 户编号 FROM households_x WHERE 人均纯收入 = 3000")
    rules = [*ruleset.enabled_rules("check")[:3], failing, local, *ruleset.enabled_rules("check")[3:]]
    reg = small_registry()
    outcomes = {}
    for threads in (1, 3):
        session = open_session(with_rules(ruleset, failing, local), AS_OF, reg.households, reg.members)
        try:
            for statement in LOCATOR_TABLES:
                session.con.execute(statement)
            outcomes[threads] = run_all(session, rules, threads=threads)
        finally:
            session.close()
    assert len(outcomes[3]) == len(rules)
    for one, several in zip(outcomes[1], outcomes[3], strict=True):
        if isinstance(one, duckdb.Error):
            assert type(several) is type(one) and str(several) == str(one)
        else:
            pd.testing.assert_frame_equal(one, several)
    assert [i for i, o in enumerate(outcomes[3]) if isinstance(o, duckdb.Error)] == [3]
    assert list(outcomes[3][4]["household_id"]) == ["H1"]  # the derived views are seen on every cursor
    assert set(outcomes[3][0]["rule_id"]) <= {rules[0].id}


def test_message_and_evidence_may_use_columns_the_locators_also_have(ruleset):
    named = rule("names_the_person", "SELECT 户编号, 证件号码, 姓名, 县 FROM members WHERE 姓名 = '张三'",
                 message="{姓名}（{证件号码}）在{县}，户{户编号}")
    result = run_rules(with_rules(ruleset, named), small_registry(), AS_OF)
    assert [s.rule_id for s in result.skipped] == []
    row = result.findings[result.findings["rule_id"] == "names_the_person"].iloc[0]
    assert row["message"] == "张三（P1）在某县，户H1"
    assert json.loads(row["evidence"]) == {"县": "某县"}


def test_every_cursor_of_a_session_is_locked_down(ruleset):
    reg = small_registry()
    session = open_session(ruleset, AS_OF, reg.households, reg.members)
    local_frame = pd.DataFrame({"户编号": ["from Python"]})  # what a replacement scan would find
    try:
        for con in (session.con, session.cursor()):
            settings = dict(con.sql(
                "SELECT name, value FROM duckdb_settings() WHERE name IN "
                "('python_enable_replacements', 'enable_external_access', 'lock_configuration')"
            ).fetchall())
            assert settings == {"python_enable_replacements": "false", "enable_external_access": "false",
                                "lock_configuration": "true"}
            with pytest.raises(duckdb.CatalogException):
                con.sql("SELECT * FROM local_frame").fetchall()
            assert con.sql("SELECT count(*) FROM households_x").fetchall() == [(2,)]
    finally:
        session.close()
    assert len(local_frame) == 1


def test_duckdb_spills_to_a_private_folder_removed_with_the_session(ruleset, tmp_path, monkeypatch):
    import os
    import stat
    import tempfile

    monkeypatch.chdir(tmp_path)  # DuckDB's own default would be .tmp here
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "system-temp"))
    (tmp_path / "system-temp").mkdir()
    reg = small_registry()
    session = open_session(ruleset, AS_OF, reg.households, reg.members)
    try:
        for con in (session.con, session.cursor()):
            ((folder,),) = con.sql("SELECT current_setting('temp_directory')").fetchall()
            assert folder == session.spill and os.path.dirname(folder) == str(tmp_path / "system-temp")
        assert stat.S_IMODE(os.stat(session.spill).st_mode) == 0o700
    finally:
        session.close()
    assert not os.path.exists(session.spill) and not (tmp_path / ".tmp").exists()
    from fupin_audit.rules import sandbox

    def refused(*_: object) -> None:
        raise duckdb.InvalidInputException("macro refused")

    monkeypatch.setattr(sandbox, "create_macros", refused)
    with pytest.raises(duckdb.InvalidInputException):  # a session that cannot be opened leaves no folder either
        open_session(ruleset, AS_OF, reg.households, reg.members)
    assert os.listdir(tmp_path / "system-temp") == []


@pytest.mark.parametrize("slow_first", [True, False])
def test_when_one_rule_breaks_the_run_the_running_queries_stop_and_no_rule_starts(ruleset, monkeypatch, slow_first):
    from fupin_audit.rules import engine

    # 10^11 rows: a minute or more if not interrupted (a failure rather than a hang), under a second if it is
    slow = rule("runs_for_ever", "SELECT h.户编号 FROM households h, range(50000000000) t WHERE t.range < 0")
    boom, after = rule("breaks", "SELECT 户编号 FROM households"), rule("after", "SELECT 户编号 FROM households")
    started: list[str] = []
    real_run_rule = engine.run_rule

    def run_rule(con, one):  # the failing rule on the first worker or on the second
        started.append(one.id)
        if one.id == "breaks":
            time.sleep(0.5)  # the slow rule is running by now
            raise RuntimeError("a bug, not a SQL error")
        return real_run_rule(con, one)

    monkeypatch.setattr(engine, "run_rule", run_rule)
    reg = small_registry()
    session = open_session(ruleset, AS_OF, reg.households, reg.members)
    try:
        for statement in LOCATOR_TABLES:
            session.con.execute(statement)
        begun = time.monotonic()
        with pytest.raises(RuntimeError, match="a bug"):
            run_all(session, [slow, boom, after] if slow_first else [boom, slow, after], threads=2)
        assert time.monotonic() - begun < 5  # the long query was interrupted
    finally:
        session.close()
    assert sorted(started) == ["breaks", "runs_for_ever"]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 户编号 FROM households WHERE 人均纯收入 = 3000 -- 只看 H1",
        "SELECT 户编号 FROM households WHERE 人均纯收入 = 3000; /* 结束 */",
        "SELECT 户编号 FROM households WHERE 人均纯收入 = 3000 ;\n-- 注释一\n-- 注释二\n",
        "SELECT 户编号 FROM households WHERE 人均纯收入 = 3000 AND 户编号 <> '--;' -- 字符串里的 -- 和 ; 不是注释",
    ],
)
def test_a_rule_may_end_with_comments_and_semicolons(ruleset, sql):
    result = run_rules(with_rules(ruleset, rule("commented", sql)), small_registry(), AS_OF)
    assert [s.rule_id for s in result.skipped] == []
    assert found(result.findings, "commented") == {("commented", "H1", "")}


def test_waiting_for_interrupted_rules_outlasts_a_second_interrupt(monkeypatch):
    """A second Ctrl-C or SIGTERM while the interrupted queries end must not cut the wait short: the
    session would be closed under a busy cursor (DuckDB's ResourceInUseException, an exit 3)."""
    import time
    from concurrent.futures import ThreadPoolExecutor

    from fupin_audit.rules import engine

    calls = []
    real_wait = engine.wait

    def impatient(futures, *args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise KeyboardInterrupt
        return real_wait(futures, *args, **kwargs)

    monkeypatch.setattr(engine, "wait", impatient)
    with ThreadPoolExecutor(max_workers=1) as pool:
        query = pool.submit(time.sleep, 0.3)
        engine._outlast_interrupts([query])
        assert query.done() and len(calls) == 2


RUNS_FOR_EVER = "SELECT h.户编号 FROM households h, range(50000000000) t WHERE t.range < 0"
"""10^10 rows after the filter's scan: a minute or more unless interrupted."""


def test_a_rule_running_past_its_time_limit_is_stopped_reported_failed_and_the_others_run(ruleset):
    rules = with_rules(ruleset, rule("runs_for_ever", RUNS_FOR_EVER),
                       rule("quick", "SELECT 户编号 FROM households WHERE 人均纯收入 = 3000"))
    begun = time.monotonic()
    result = run_rules(rules, small_registry(), AS_OF, rule_timeout=0.5)
    assert time.monotonic() - begun < 5
    [timed_out] = [s for s in result.skipped if s.rule_id == "runs_for_ever"]
    assert timed_out.failed
    assert timed_out.reason.startswith("规则 runs_for_ever 运行超过 0.5 秒，已中止；")
    assert found(result.findings, "quick") == {("quick", "H1", "")}
    assert not any(s.failed for s in result.skipped if s.rule_id != "runs_for_ever")


def test_a_derived_view_running_past_the_time_limit_is_stopped_and_the_rules_using_it_fail(ruleset):
    """The limit covered rules only: a runaway derived view in a rules file of one's own still hung."""
    from fupin_audit.rules.model import Derived

    slow = Derived(name="slow_view", sql=RUNS_FOR_EVER)
    rules = with_rules(ruleset.model_copy(update={"derived": [*ruleset.derived, slow]}),
                       rule("uses_slow", "SELECT 户编号 FROM slow_view"),
                       rule("quick", "SELECT 户编号 FROM households WHERE 人均纯收入 = 3000"))
    begun = time.monotonic()
    result = run_rules(rules, small_registry(), AS_OF, rule_timeout=0.5)
    assert time.monotonic() - begun < 5
    [failed] = [s for s in result.skipped if s.rule_id == "uses_slow"]
    assert failed.failed and failed.reason.startswith("所用派生视图 slow_view 创建失败：派生视图 slow_view 运行超过 0.5 秒，已中止；")
    assert found(result.findings, "quick") == {("quick", "H1", "")}


@pytest.mark.parametrize("seconds", [0, -1.0, float("nan"), float("inf")])
def test_a_time_limit_that_is_not_a_positive_number_of_seconds_is_refused(ruleset, seconds):
    from fupin_audit.errors import UsageError

    with pytest.raises(UsageError, match="--rule-timeout"):
        run_rules(ruleset, small_registry(), AS_OF, rule_timeout=seconds)
    with pytest.raises(UsageError, match="--rule-timeout"):  # before any file is read
        audit(Path("no such file.xlsx"), rule_timeout=seconds)


def test_an_observer_hears_of_each_rule_and_one_without_rule_methods_still_works(ruleset):
    from fupin_audit.progress import Fanout

    class PhasesOnly:  # an Observer written before rules were reported
        def phase(self, name: str, total: int | None = None) -> None: ...
        def advance(self, steps: int = 1) -> None: ...
        def finish(self) -> None: ...

    class Heard(PhasesOnly):
        def __init__(self) -> None:
            self.events: list[tuple[str, ...]] = []

        def rule_started(self, rule_id: str) -> None:
            self.events.append(("started", rule_id))

        def rule_ended(self, rule_id: str, status: str, seconds: float = 0.0, findings: int = 0) -> None:
            self.events.append((rule_id, status, str(findings)))

    heard = Heard()
    rules = with_rules(ruleset, rule("runs_for_ever", RUNS_FOR_EVER), rule("quick", "SELECT 户编号 FROM households"),
                       rule("broken", "SELECT 户编号 FROM households WHERE 户编号 + 1 > 0"),
                       rule("lacking", "SELECT 户编号 FROM households", requires=["households.没有这列"]),
                       rule("off", "SELECT 户编号 FROM households", enabled=False))
    run_rules(rules, small_registry(), AS_OF, rule_timeout=0.5, observer=Fanout(PhasesOnly(), heard))
    ended = {e[0]: e[1:] for e in heard.events if e[0] != "started"}
    assert {k: ended[k] for k in ("runs_for_ever", "quick", "broken", "lacking", "off")} == {
        "runs_for_ever": ("timeout", "0"), "quick": ("ok", "2"), "broken": ("failed", "0"),
        "lacking": ("skipped", "0"), "off": ("skipped", "0"),
    }
    started = [e[1] for e in heard.events if e[0] == "started"]
    order = [r.id for r in rules.rules]
    assert started == sorted(started, key=order.index)  # in rule order, whichever cursor took them
    assert {"runs_for_ever", "quick", "broken"} <= set(started) and not {"lacking", "off"} & set(started)
