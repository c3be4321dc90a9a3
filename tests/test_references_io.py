"""Reading reference lists, --ref on the command line, the references section of a rules file."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from fupin_audit import audit
from fupin_audit.cli.app import app
from fupin_audit.errors import InputError, MissingColumnsError, RulesError, UsageError
from fupin_audit.idcard import check_character
from fupin_audit.references import read_references, reference_paths
from fupin_audit.rules import default_rules_path, load_rules

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
VILLAGE = EXAMPLES / "zhuangtouyingzi.xlsx"
AS_OF = dt.date(2019, 12, 31)
runner = CliRunner()


def pid(birth: str, seq: str = "101") -> str:
    first17 = "150426" + birth + seq
    return first17 + check_character(first17)


@pytest.fixture(scope="module")
def ruleset():
    return load_rules()


def x_id() -> str:
    """A valid number whose check character is X."""
    return next(n for n in (pid("19800101", f"{s:03d}") for s in range(100, 200)) if n.endswith("X"))


def test_a_gbk_list_with_alias_headers_a_title_row_and_legacy_ids(tmp_path, ruleset):
    path = tmp_path / "车辆.csv"
    wrong = pid("19800101", "203")
    wrong = wrong[:-1] + ("1" if wrong[-1] != "1" else "2")
    rows = ["车辆信息（导出）", "车主身份证号,车牌号,车型,登记日期",
            f"{x_id().lower()},蒙D1,小型轿车,2015年3月2日",   # lower-case x is upper-cased
            "150426650303417,蒙D2,普通二轮摩托车,2016/4/5",   # 15-digit: upgraded
            f"{wrong},蒙D3,小型轿车,2017-01-01"]             # wrong check character
    path.write_bytes("\n".join(rows).encode("gbk"))
    data = read_references(ruleset, {"vehicles": path}, AS_OF)["vehicles"]
    frame = data.frame
    first17 = "15042619650303417"
    assert list(frame["证件号码"]) == [x_id(), first17 + check_character(first17), wrong]
    assert list(frame["证件有效"]) == [True, True, False]
    assert list(frame["车辆类型"]) == ["小型轿车", "普通二轮摩托车", "小型轿车"]
    assert str(frame["初次登记日期"].iloc[0].date()) == "2015-03-02"
    assert list(frame["_row"]) == [3, 4, 5]
    assert list(data.invalid["问题"]) == ["校验码错误"] and list(data.invalid["来源"]) == ["车辆.csv:5"]


def test_a_list_missing_a_required_column_is_refused_naming_it(tmp_path, ruleset):
    path = tmp_path / "death.csv"
    path.write_text(f"身份证号,姓名\n{pid('19500101')},某\n", encoding="utf-8")
    with pytest.raises(MissingColumnsError) as error:
        read_references(ruleset, {"deaths": path}, AS_OF)
    assert "死亡日期" in str(error.value) and "deaths" in str(error.value)


def test_unknown_list_name_is_a_usage_error_listing_the_known_ones(ruleset):
    with pytest.raises(UsageError) as error:
        reference_paths(ruleset, {"payrol": "x.csv"})
    assert "payroll" in str(error.value) and "vehicles" in str(error.value)


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stderr


def test_cli_ref_option(tmp_path):
    payroll = tmp_path / "p.csv"
    payroll.write_text("身份证号码,工作单位,入编时间\n15042619880103103X,某局,2018-03-01\n", encoding="utf-8")
    findings = tmp_path / "f.csv"
    code, _ = run("check", str(VILLAGE), "--ref", f"payroll={payroll}", "--no-report", "-q",
                  "--findings", str(findings))
    assert code == 1
    assert "ref_payroll" in findings.read_text(encoding="utf-8-sig")


@pytest.mark.parametrize(("value", "words"), [("payroll", ["名单名=文件路径", "payroll", "deaths"]),
                                              ("=x.csv", ["名单名=文件路径"]),
                                              ("cars=x.csv", ["cars", "vehicles", "payroll"])])
def test_cli_bad_ref_values_exit_2_listing_the_names(value, words):
    code, err = run("check", str(VILLAGE), "--ref", value, "--no-report", "-q")
    assert code == 2
    assert all(w in err for w in words), err


def test_report_has_a_sheet_per_list_and_the_invalid_ids(tmp_path):
    lists = ("payroll", "vehicles", "deaths")
    result = audit(VILLAGE, references={n: EXAMPLES / "references" / f"{n}.csv" for n in lists})
    report = tmp_path / "r.xlsx"
    from fupin_audit.report.excel import write_report
    write_report(result, report)
    names = CalamineWorkbook.from_path(str(report)).sheet_names
    assert {"财政供养人员", "车辆", "死亡注销", "名单无效证件"} <= set(names)


def write_rules(tmp_path: Path, extra: str) -> Path:
    text = default_rules_path().read_text(encoding="utf-8")
    text = text.replace("\nreferences:\n", "\nreferences:\n" + textwrap.indent(textwrap.dedent(extra), "  "), 1)
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_lint_reports_every_problem_of_a_broken_references_section(tmp_path):
    path = write_rules(tmp_path, """
        pets:
          columns:
            证件号码: {type: number, aliases: [身份证号]}
            名字: {aliases: [身份证号]}
        Bad-Name:
          title: 坏名字
          columns: {证件号码: {type: id}}
        """)
    text = path.read_text(encoding="utf-8").replace(
        "requires: [payroll.证件号码]", "requires: [payroll.工号, pension.证件号码]", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulesError) as error:
        load_rules(path)
    problems = "\n".join(error.value.problems)
    for words in ("Bad-Name", "对照名单 pets 字段 title", "对照名单 pets 字段 columns.证件号码.type",
                  "payroll 没有声明列 工号", "pension"):
        assert words in problems, problems
    code, err = run("rules", "lint", str(path))
    assert code == 2


def test_lint_binds_rules_that_read_lists(tmp_path):
    path = tmp_path / "rules.yaml"
    text = default_rules_path().read_text(encoding="utf-8").replace("p.入编日期 AS 事件日期", "p.入编年月 AS 事件日期", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulesError) as error:
        load_rules(path)
    assert any("ref_hits" in p and "入编年月" in p for p in error.value.problems)


def test_a_damaged_list_stops_the_audit_naming_the_list(tmp_path):
    """Lists are read in background threads while the registry is checked; a list that cannot be read
    still stops the audit with one error that names it."""
    damaged = tmp_path / "payroll.xlsx"
    damaged.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(InputError) as error:
        audit(VILLAGE, references={"payroll": damaged})
    assert "payroll" in str(error.value) and "payroll.xlsx" in str(error.value)


def test_an_unreadable_registry_is_reported_before_the_lists(tmp_path):
    registry = tmp_path / "村.xlsx"
    registry.write_bytes(b"PK\x03\x04 not really a workbook")
    deaths = tmp_path / "deaths.csv"
    deaths.write_text("身份证号,姓名\n1,某\n", encoding="utf-8")  # would fail too: no 死亡日期
    with pytest.raises(InputError) as error:
        audit(registry, references={"deaths": deaths})
    assert "村.xlsx" in str(error.value) and not isinstance(error.value, MissingColumnsError)


@pytest.mark.parametrize("name", ["missing.xlsx", "payroll.pdf"])
def test_a_missing_list_file_is_refused_before_the_registry_is_read(tmp_path, monkeypatch, name):
    read = []
    monkeypatch.setattr("fupin_audit.api.read_registry_files", lambda *a, **k: read.append(a))
    if name.endswith(".pdf"):
        (tmp_path / name).write_bytes(b"%PDF-1.4")
    with pytest.raises(InputError) as error:
        audit(VILLAGE, references={"payroll": tmp_path / name})
    assert "对照名单 payroll" in str(error.value) and name in str(error.value)
    assert read == []
