"""Loading and linting rules files: every problem reported at once, naming the rule and the field."""

from __future__ import annotations

import textwrap
import threading
import time
from pathlib import Path

import pytest

from fupin_audit import audit
from fupin_audit.errors import RulesError
from fupin_audit.rules import default_rules_path, load_rules
from fupin_audit.rules.loader import bind_rules, parse_rules
from fupin_audit.rules.model import YearTable

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
GOOD_RULE = """
  - id: ok_rule
    title: 正常规则
    kind: wrongful_exit
    severity: high
    requires: [households.人均纯收入]
    sql: SELECT 户编号, 人均纯收入 FROM households WHERE 人均纯收入 < poverty_line(2020)
    message: 收入{人均纯收入}元
    basis: 测试
"""

HEAD = "version: 1\nparameters:\n  poverty_line: {source: 测试, values: {2020: 4000}}\nrules:"
UNKNOWN_COLUMN_RULE = """
  - id: unknown_column
    title: 未知列
    kind: data_error
    severity: low
    sql: SELECT 户编号, 不存在的列 FROM households
    message: x
    basis: 测试
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(RulesError) as info:
        load_rules(path)
    assert str(path) in str(info.value)
    return info.value.problems


def test_default_rules_load_and_cover_the_contract():
    ruleset = load_rules()
    assert ruleset.path == default_rules_path()
    assert {r.id for r in ruleset.rules} >= {
        "exit_income_below_line", "exit_child_out_of_school", "exit_no_medical_insurance", "exit_unsafe_housing",
        "exit_unsafe_water", "should_exit_meets_standard", "exit_same_year_identified", "exit_same_year_returned",
        "exit_without_signature", "exit_short_public_notice", "exit_below_monitoring_range", "exit_cannot_judge",
    }
    line = ruleset.parameters["poverty_line"]
    assert isinstance(line, YearTable) and line.values[2017] == 3335 and line.source
    assert ruleset.parameters["public_notice_min_days"] == 7
    assert all(r.basis and r.title and r.enabled for r in ruleset.rules)


def test_good_minimal_file(tmp_path):
    path = write(tmp_path, HEAD + GOOD_RULE)
    assert [r.id for r in load_rules(path).rules] == ["ok_rule"]


def test_many_problems_reported_at_once(tmp_path):
    text = HEAD + GOOD_RULE + """
  - id: ok_rule
    title: 重复
    kind: wrongful_exit
    severity: high
    sql: SELECT 户编号 FROM households
    message: x
    basis: 测试
  - id: bad_kind
    title: 类型错
    kind: wrongfull_exit
    severity: urgent
    sql: SELECT 户编号 FROM households
    message: x
    basis: 测试
  - id: no_sql
    title: 缺 SQL
    kind: data_error
    severity: low
    basis: 测试
  - id: bad_syntax
    title: 语法错
    kind: data_error
    severity: low
    sql: SELEC 户编号 FROM households
    message: x
    basis: 测试
  - id: bad_placeholder
    title: 占位符
    kind: data_error
    severity: low
    sql: SELECT 户编号 FROM households
    message: 收入{人均纯收入}
    basis: 测试""" + UNKNOWN_COLUMN_RULE + """  - id: two_statements
    title: 两条语句
    kind: data_error
    severity: low
    sql: SELECT 户编号 FROM households; DROP TABLE members
    message: x
    basis: 测试
  - id: alias_requires
    title: 别名
    kind: data_error
    severity: low
    requires: [households.人均收入]
    sql: SELECT 户编号 FROM households
    message: x
    basis: 测试
"""
    problems = problems_of(write(tmp_path, text))
    joined = "\n".join(problems)
    expectations = [
        ("ok_rule", "重复"),
        ("bad_kind 字段 kind", "wrongfull_exit"),
        ("bad_kind 字段 severity", "urgent"),
        ("no_sql 字段 sql", "缺少必填字段"),
        ("no_sql 字段 message", "缺少必填字段"),
        ("bad_syntax 字段 sql", "语法错误"),
        ("bad_placeholder 字段 message", "人均纯收入"),
        ("unknown_column 字段 sql", "不存在的列"),
        ("two_statements 字段 sql", "2 条"),
        ("alias_requires 字段 requires", "人均纯收入"),
    ]
    for where, what in expectations:
        assert any(where in p and what in p for p in problems), (where, what, joined)
    assert len(problems) == len(expectations)


def test_file_reading_rule_is_a_lint_error(tmp_path):
    text = """
    version: 1
    rules:
      - id: reads_file
        title: 读文件
        kind: data_error
        severity: low
        sql: SELECT * FROM read_csv('/etc/passwd')
        message: x
        basis: 测试
    """
    problems = problems_of(write(tmp_path, text))
    assert len(problems) == 1 and "reads_file" in problems[0]


def test_requires_years_must_name_a_year_table(tmp_path):
    text = """
    version: 1
    parameters:
      line: 3000
      range: {source: 测试, values: {2021: 6000}}
    rules:
      - id: by_year
        title: 按年度
        kind: data_error
        severity: low
        requires_years: [range, line, nothing]
        sql: SELECT 户编号 FROM households WHERE 人均纯收入 < range(as_of_year())
        message: x
        basis: 测试
    """
    problems = problems_of(write(tmp_path, text))
    assert len(problems) == 2, problems
    assert all("by_year 字段 requires_years" in p for p in problems)
    assert "line 不是" in problems[0] and "nothing 不是" in problems[1]


def test_a_statement_changing_data_inside_with_gets_the_select_only_message(tmp_path):
    """DuckDB types these as SELECT; they got DuckDB's binder text, or (on a derived table) none."""
    text = HEAD + "".join(
        GOOD_RULE.replace("ok_rule", f"with_{verb.lower()}").replace(
            "SELECT 户编号, 人均纯收入 FROM households WHERE 人均纯收入 < poverty_line(2020)",
            f"WITH x AS ({statement} RETURNING *) SELECT 户编号, 人均纯收入 FROM x")
        for verb, statement in [("DELETE", "DELETE FROM members"), ("UPDATE", "UPDATE households SET 人均纯收入 = 0"),
                                ("INSERT", "INSERT INTO households (户编号) VALUES ('1')")]
    )
    problems = problems_of(write(tmp_path, text))
    assert problems == [
        f"规则 with_{verb.lower()} 字段 sql：只允许 SELECT（查询）语句，WITH 子句中不能有 {verb}（规则只能读取数据，不能修改）"
        for verb in ("DELETE", "UPDATE", "INSERT")
    ]


def test_yaml_syntax_error_gives_the_line(tmp_path):
    problems = problems_of(write(tmp_path, "version: 1\nrules:\n  - id: x\n    title: [unclosed\n"))
    assert len(problems) == 1 and "第 5 行" in problems[0], problems


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "顶层"),
        ("- a\n- b\n", "顶层"),
        ("rules: []\n", "字段 version：缺少必填字段"),
        ("version: 1\nunknown_key: 1\n", "unknown_key"),
        ("version: 1\nas_of: 2020-13-01\n", "month must be in 1..12"),
        ("version: 1\nas_of: 明天\n", "as_of"),
    ],
)
def test_top_level_problems(tmp_path, text, expected):
    problems = problems_of(write(tmp_path, text))
    assert any(expected in p for p in problems), problems


def test_parameter_problems_name_each_parameter(tmp_path):
    text = """
    version: 1
    parameters:
      poverty_line: {values: {2020: abc}}
      as_of: 3
      Bad-Name: 1
      mixed: [1, 文本]
      fine: 7
    """
    problems = problems_of(write(tmp_path, text))
    assert any("poverty_line 字段 source" in p for p in problems)
    assert any("poverty_line 字段 values.2020" in p and "数字" in p for p in problems)
    assert any("参数 as_of" in p and "保留" in p for p in problems)
    assert any("参数 Bad-Name" in p for p in problems)
    assert any("参数 mixed" in p for p in problems)
    assert not any("fine" in p for p in problems)


def test_derived_view_problems(tmp_path):
    text = """
    version: 1
    derived:
      - name: members_y
        sql: SELECT *, 没有这列 FROM members
      - name: members
        sql: SELECT 1
    """
    problems = problems_of(write(tmp_path, text))
    assert any("派生视图 members_y 字段 sql" in p and "没有这列" in p for p in problems)
    assert any("派生视图 members 字段 name" in p and "保留" in p for p in problems)


def test_unreadable_file(tmp_path):
    problems = problems_of(tmp_path / "missing.yaml")
    assert "无法读取" in problems[0] and "No such file" in problems[0]
    gbk = tmp_path / "gbk.yaml"
    gbk.write_bytes(("version: 1\n# 规则说明\n" + HEAD).encode("gbk"))
    problems = problems_of(gbk)
    assert "不是 UTF-8 编码" in problems[0] and "第 14 字节" in problems[0] and "codec" not in problems[0]


CONVENTION_TYPE_RULES = """
version: 1
rules:
  - id: member_as_text
    title: _member 为文本
    kind: data_error
    severity: low
    sql: SELECT 户编号, 'x' AS _member FROM households
    message: x
    basis: 测试
  - id: kind_as_number
    title: _kind 为数字
    kind: data_error
    severity: low
    sql: SELECT 户编号, 1 AS _kind FROM households
    message: x
    basis: 测试
"""


def test_lint_binds_the_findings_query_an_audit_would_report_as_skipped(tmp_path):
    path = write(tmp_path, CONVENTION_TYPE_RULES)
    assert [r.id for r in load_rules(path).rules] == ["member_as_text", "kind_as_number"]  # every run: not bound
    with pytest.raises(RulesError) as info:
        load_rules(path, thorough=True)
    problems = info.value.problems
    assert len(problems) == 2
    assert "member_as_text" in problems[0] and "_member 须为 members 的行号" in problems[0]
    assert "kind_as_number" in problems[1] and "_kind 须为文本" in problems[1]


def test_lint_passes_the_default_rules_and_their_findings_queries():
    linted = load_rules(thorough=True)
    assert len(linted.rules) == len(load_rules().rules)
    assert linted.warnings == []  # favoritism_helper reads ref_members, grouped by household: no warning


PERSON_RULES = "version: 1\nderived:\n  - name: kids\n    sql: SELECT 户编号, 姓名 FROM members WHERE 在校生状况 = '非在校生'\nrules:" + "".join(
    f"\n  - {{id: {rule_id}, title: 测试, kind: data_error, severity: low, message: x, basis: 测试, sql: \"{sql}\"}}"
    for rule_id, sql in [
        ("old_people", "SELECT m.户编号, m.姓名 FROM members m JOIN households h USING (户编号) WHERE m.证件出生日期 < DATE '1940-01-01'"),
        ("out_of_school", "SELECT 户编号 FROM kids"),
        ("by_row", "SELECT 户编号, _member FROM members WHERE 姓名 IS NULL"),
        ("by_id", "SELECT 户编号, 证件号码 FROM members WHERE 姓名 IS NULL"),
        ("large_household", "SELECT 户编号, count(*) AS 人数 FROM members GROUP BY 户编号 HAVING count(*) > 8"),
        ("household_with_a_child_out_of_school", "SELECT 户编号 FROM households WHERE 户编号 IN (SELECT 户编号 FROM kids)"),
    ]
)


def test_lint_warns_of_a_rule_whose_rows_are_members_but_name_no_person(tmp_path):
    """Its findings had no 证件号码, the head's name and the household's row, and lint said nothing."""
    path = write(tmp_path, PERSON_RULES)
    assert load_rules(path).warnings == []  # an audit binds without looking
    old_people, out_of_school = load_rules(path, thorough=True).warnings
    assert old_people.startswith("规则 old_people 字段 sql：结果的每一行是一名成员（来自 members），但没有 _member 列")
    assert "证件号码为空" in old_people and "在 SELECT 中加上 _member（有表别名时写 m._member）" in old_people
    assert "可不理会" in old_people and "派生视图" not in old_people
    assert out_of_school.startswith("规则 out_of_school 字段 sql：结果的每一行是一名成员（来自 kids）")
    assert "kids 没有 _member 列，须先在派生视图的 SELECT 中保留它" in out_of_school


def test_parse_leaves_the_sql_to_bind_which_reports_what_load_reports(tmp_path):
    path = write(tmp_path, HEAD + GOOD_RULE + UNKNOWN_COLUMN_RULE)
    ruleset = parse_rules(path)
    assert [r.id for r in ruleset.rules] == ["ok_rule", "unknown_column"] and ruleset.path == path
    with pytest.raises(RulesError) as bound:
        bind_rules(ruleset)
    assert str(path) in str(bound.value)
    assert bound.value.problems == problems_of(path)
    assert len(bound.value.problems) == 1 and "不存在的列" in bound.value.problems[0]


def test_parse_lists_sql_problems_beside_the_structural_ones(tmp_path):
    path = write(tmp_path, HEAD + GOOD_RULE + UNKNOWN_COLUMN_RULE + """
  - id: bad_kind
    title: 类型错
    kind: wrongfull_exit
    severity: low
    sql: SELECT 户编号 FROM households
    message: x
    basis: 测试
""")
    with pytest.raises(RulesError) as parsed:
        parse_rules(path)
    assert parsed.value.problems == problems_of(path)
    assert any("不存在的列" in p for p in parsed.value.problems) and any("wrongfull_exit" in p for p in parsed.value.problems)


def test_an_audit_reports_sql_the_engine_refuses_without_waiting_for_the_read(tmp_path, monkeypatch):
    """``audit`` binds the rules while the registry is read; a refused rule raises at once."""
    path = write(tmp_path, HEAD
                 + GOOD_RULE.replace("人均纯收入 FROM", "不存在的列 FROM"))
    release = threading.Event()
    monkeypatch.setattr("fupin_audit.api.read_registry_files", lambda *a, **k: release.wait(30))
    started = time.perf_counter()
    try:
        with pytest.raises(RulesError) as error:
            audit(EXAMPLES / "zhuangtouyingzi.xlsx", rules=path)
        assert time.perf_counter() - started < 20
    finally:
        release.set()
    assert "不存在的列" in str(error.value)


def test_a_requires_column_one_character_off_a_standard_name_is_named(tmp_path):
    """A typo in requires passed lint and the rule was skipped on every registry, blaming the input."""
    typo = GOOD_RULE.replace("requires: [households.人均纯收入]", "requires: [households.人均纯收人]")
    own = GOOD_RULE.replace("ok_rule", "own_column").replace("requires: [households.人均纯收入]", "requires: [households.备注2]")
    problems = problems_of(write(tmp_path, HEAD + typo + own))
    assert problems == ["规则 ok_rule 字段 requires：人均纯收人 不是标准列名，是不是 人均纯收入？"]


def test_an_alias_in_a_rules_sql_gets_the_standard_name(tmp_path):
    alias = GOOD_RULE.replace("SELECT 户编号, 人均纯收入 FROM households WHERE 人均纯收入 < poverty_line(2020)",
                              "SELECT 户编号, 人均纯收入 FROM households WHERE 人数 > 5").replace("requires: [households.人均纯收入]", "")
    (problem,) = problems_of(write(tmp_path, HEAD + alias))
    assert "人数 是别名，应写作标准列名 家庭人口数" in problem


def test_a_parameter_not_declared_is_named_with_the_declared_ones_close_to_it(tmp_path):
    """DuckDB's own text offered one function of its whole catalogue ("Did you mean ..."), never
    saying that a parameter is declared under ``parameters``."""
    head = "version: 1\nparameters:\n  poverty_line: {source: 测试, values: {2020: 4000}}\n  public_notice_min_days: 7\n"
    view = "derived:\n  - name: hx\n    sql: SELECT *, public_notice_days() AS n FROM households\nrules:"
    rules = "".join(GOOD_RULE.replace("ok_rule", rule_id).replace("poverty_line(2020)", call)
                    for rule_id, call in [("typo", "Poverty_Lin(2020)"), ("elsewhere", "county_floor()"), ("builtin", "lenght('x')")])
    view_problem, typo, elsewhere, builtin = problems_of(write(tmp_path, head + view + rules))
    assert view_problem == ("派生视图 hx 字段 sql：public_notice_days() 未定义：规则文件的 parameters 下没有声明参数 public_notice_days"
                            "（相近的已声明参数：public_notice_min_days()）；请改正名称，或在 parameters 下声明 public_notice_days")
    assert typo == ("规则 typo 字段 sql：poverty_lin() 未定义：规则文件的 parameters 下没有声明参数 poverty_lin"
                    "（相近的已声明参数：poverty_line()、poverty_line_year()）；请改正名称，或在 parameters 下声明 poverty_lin")
    assert elsewhere.startswith("规则 elsewhere 字段 sql：county_floor() 未定义：它不是 DuckDB 函数，规则文件的 parameters 下也没有声明参数 county_floor")
    assert elsewhere.endswith("；若是参数，请在 parameters 下声明") and "Did you mean" not in elsewhere
    assert builtin == ("规则 builtin 字段 sql：lenght() 未定义：它不是 DuckDB 函数，规则文件的 parameters 下也没有声明参数 lenght"
                       "（DuckDB 中相近的函数：length）；若是参数，请在 parameters 下声明")


def test_rules_lint_takes_the_file_as_rules_too(tmp_path):
    from typer.testing import CliRunner

    from fupin_audit.cli.app import app

    path = write(tmp_path, HEAD + GOOD_RULE)
    assert CliRunner().invoke(app, ["rules", "lint", "--rules", str(path)]).exit_code == 0
    other = CliRunner().invoke(app, ["rules", "lint", str(path), "--rules", str(default_rules_path())])
    assert other.exit_code == 2 and "只能检查一个" in other.stderr
