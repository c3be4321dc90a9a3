"""The command line: exit codes, error texts, outputs, and that it agrees with the library."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from fupin_audit import audit
from fupin_audit.cli import check as check_module
from fupin_audit.cli.app import app

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
VILLAGE = EXAMPLES / "zhuangtouyingzi.xlsx"
CLEAN = EXAMPLES / "clean_village.xlsx"
ID_PATTERN = re.compile(r"(?<![\d*])\d{17}[\dX](?!\d)")

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def no_name_rule_file(path: Path, sql: str) -> Path:
    """A rules file of one's own with a single rule, no_name (data_error, low), running ``sql``."""
    path.write_text(
        "version: 1\nrules:\n  - id: no_name\n    title: 姓名为空\n    kind: data_error\n    severity: low\n"
        f"    sql: {sql}\n    message: 姓名为空\n    basis: 测试\n",
        encoding="utf-8",
    )
    return path


def test_clean_village_exits_0(tmp_path: Path) -> None:
    code, out, err = run("check", str(CLEAN), "--report", str(tmp_path / "r.xlsx"))
    assert code == 0, err
    assert (tmp_path / "r.xlsx").exists()


def test_village_with_high_findings_exits_1_and_never_with_fail_on_never(tmp_path: Path) -> None:
    assert run("check", str(VILLAGE), "--no-report")[0] == 1
    assert run("check", str(VILLAGE), "--no-report", "--fail-on", "never")[0] == 0


def test_default_report_goes_to_current_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    run("check", str(VILLAGE), "--quiet")
    assert (tmp_path / "zhuangtouyingzi_核查报告.xlsx").exists()


def test_missing_file_exits_2_with_one_plain_line(tmp_path: Path) -> None:
    code, out, err = run("check", str(tmp_path / "没有.xlsx"), "--no-report")
    assert code == 2
    assert "没有.xlsx" in err and "Traceback" not in err
    assert out == ""


def test_unreadable_file_exits_2_naming_it(tmp_path: Path) -> None:
    broken = tmp_path / "坏文件.xlsx"
    broken.write_text("this is not a workbook")
    code, _, err = run("check", str(broken), "--no-report")
    assert code == 2
    assert "坏文件.xlsx" in err and "Traceback" not in err


def test_missing_required_column_names_it_and_the_headers_seen(tmp_path: Path) -> None:
    path = tmp_path / "无户编号.csv"
    path.write_text("姓名,证件号码,与户主关系\n张三,11010119900307803X,户主\n", encoding="utf-8")
    code, _, err = run("check", str(path), "--no-report")
    assert code == 2
    assert "户编号" in err and "证件号码" in err and "Traceback" not in err


def test_bad_as_of_and_bad_rules_file_exit_2(tmp_path: Path) -> None:
    code, _, err = run("check", str(VILLAGE), "--no-report", "--as-of", "2019-13-01")
    assert code == 2 and "YYYY-MM-DD" in err
    code, _, err = run("check", str(tmp_path / "not read.xlsx"), "--no-report", "--as-of", "0001-01-01")
    assert code == 2 and "基准日期 0001-01-01" in err  # refused before any file is looked at
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules: [ {id: x, kind: nonsense} ]\n", encoding="utf-8")
    code, _, err = run("check", str(VILLAGE), "--no-report", "--rules", str(rules))
    assert code == 2 and "x" in err


def test_internal_error_exits_3_without_traceback_unless_debug(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret 110101199003078035")

    monkeypatch.setattr(check_module, "audit", broken)
    code, _, err = run("check", str(VILLAGE), "--no-report")
    assert code == 3
    assert "内部错误" in err and "Traceback" not in err and "110101199003078035" not in err
    code, _, err = run("check", str(VILLAGE), "--no-report", "--debug")
    assert code == 3 and "Traceback" in err


def test_json_output_equals_library_result() -> None:
    code, out, _ = run("check", str(VILLAGE), "--no-report", "--json", "--fail-on", "never")
    assert code == 0
    document = json.loads(out)
    library = audit(VILLAGE)
    assert document["counts"]["total"] == len(library.findings)
    got = [(f["rule_id"], f["household_id"], f["person_id"]) for f in document["findings"]]
    want = list(zip(library.findings["rule_id"], library.findings["household_id"], library.findings["person_id"], strict=True))
    assert got == want
    assert document["as_of"] == library.as_of.isoformat()


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl"])
def test_findings_file_matches_library(tmp_path: Path, suffix: str) -> None:
    target = tmp_path / f"findings{suffix}"
    run("check", str(VILLAGE), "--no-report", "--quiet", "--findings", str(target))
    if suffix == ".csv":
        frame = pd.read_csv(target, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    elif suffix == ".parquet":
        frame = pd.read_parquet(target)
    else:
        frame = pd.read_json(target, lines=True, dtype=False)
    assert list(frame["rule_id"]) == list(audit(VILLAGE).findings["rule_id"])


def test_mask_ids_leaves_no_full_id_in_any_output(tmp_path: Path) -> None:
    findings_path = tmp_path / "f.csv"
    code, out, _ = run(
        "check", str(VILLAGE), "--mask-ids", "--json", "--findings", str(findings_path),
        "--report", str(tmp_path / "r.xlsx"), "--fail-on", "never",
    )
    assert code == 0
    assert not ID_PATTERN.search(out)
    assert not ID_PATTERN.search(findings_path.read_text(encoding="utf-8-sig"))
    from openpyxl import load_workbook

    workbook = load_workbook(tmp_path / "r.xlsx", read_only=True)
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                assert not (isinstance(value, str) and ID_PATTERN.search(value)), sheet.title


NAMED_ID = "110101199003078035"


def _texts_of_workbook(path: Path) -> list[str]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True)
    return [str(v) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for v in row if v]


def test_mask_ids_masks_an_id_in_a_file_name_in_every_output(tmp_path: Path) -> None:
    named = tmp_path / f"张三_{NAMED_ID}.xlsx"
    named.write_bytes(VILLAGE.read_bytes())
    broken = tmp_path / f"李四_{NAMED_ID[:-4]}1234.xlsx"
    broken.write_text("not a workbook")
    report, findings = tmp_path / "r.xlsx", tmp_path / "f.csv"
    common = ["check", str(named), str(broken), "--keep-going", "--mask-ids", "--report", str(report), "--fail-on", "never"]
    result = runner.invoke(app, [*common, "--findings", str(findings)], env={"COLUMNS": "400"})
    assert result.exit_code == 2  # a file was skipped
    assert "张三_110101********8035.xlsx" in result.stdout  # the summary names the files, masked
    code, out, err = run(*common, "--json")
    document = json.loads(out)
    assert [i["path"].rsplit("/", 1)[-1] for i in document["inputs"]] == ["张三_110101********8035.xlsx", "李四_110101********1234.xlsx"]
    outputs = [result.stdout, result.stderr, out, err, findings.read_text(encoding="utf-8-sig"), *_texts_of_workbook(report)]
    assert not [text for text in outputs if ID_PATTERN.search(text)]


def test_mask_ids_masks_an_id_in_the_name_of_a_file_that_stops_the_audit(tmp_path: Path) -> None:
    broken = tmp_path / f"张三_{NAMED_ID}.xlsx"
    broken.write_text("not a workbook")
    code, _, err = run("check", str(broken), "--no-report", "--mask-ids")
    assert code == 2 and "张三_110101********8035.xlsx" in err and NAMED_ID not in err
    assert NAMED_ID in run("check", str(broken), "--no-report")[2]  # masked only on request


def test_input_file_is_never_modified(tmp_path: Path) -> None:
    before = VILLAGE.read_bytes()
    run("check", str(VILLAGE), "--report", str(tmp_path / "r.xlsx"), "--quiet")
    assert VILLAGE.read_bytes() == before


@pytest.mark.parametrize("command", [["check"], ["rules"], ["rules", "list"], ["rules", "show"], ["rules", "lint"]])
def test_every_command_has_help(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert len(result.stdout.strip().splitlines()) > 3


def test_rules_commands() -> None:
    code, out, _ = run("rules", "list")
    assert code == 0 and "exit_income_below_line" in out
    code, out, _ = run("rules", "show", "exit_income_below_line")
    assert code == 0 and "SELECT" in out.upper()
    code, _, err = run("rules", "show", "no_such_rule")
    assert code == 2 and "no_such_rule" in err
    assert run("rules", "lint")[0] == 0


def test_rules_list_shows_every_title_whole() -> None:
    """The titles were cut with … on an 80-column terminal (Chinese has no spaces to wrap at)."""
    from fupin_audit.rules import load_rules

    code, out, _ = run("rules", "list")
    assert code == 0 and "…" not in out
    titles: dict[str, str] = {}
    current = ""
    for line in out.splitlines():
        cells = [c.strip() for c in line.split("│")[1:-1]]
        if len(cells) == 5:
            current = cells[0] or current
            titles[current] = titles.get(current, "") + cells[3]
    assert {r.id: r.title for r in load_rules().rules} == titles


def test_rules_lint_prints_warnings_on_stderr_and_exits_0(tmp_path: Path) -> None:
    rules = no_name_rule_file(tmp_path / "my.yaml", "SELECT 户编号, 与户主关系 FROM members WHERE 姓名 IS NULL")
    code, out, err = run("rules", "lint", str(rules))
    assert code == 0 and out.strip() == f"{rules}：1 条规则，无错误，1 处警告（写在标准错误输出）。"
    assert err.startswith("警告：规则 no_name 字段 sql：") and "_member" in err


@pytest.mark.parametrize("output", ["--log", "--findings", "--report"])
def test_an_output_named_like_a_registry_file_is_refused_before_the_audit(
    tmp_path: Path, output: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    county = tmp_path / "county"
    county.mkdir()
    suffix = {"--log": ".csv", "--findings": ".csv", "--report": ".xlsx"}[output]
    registry = county / f"village{suffix}"
    source = EXAMPLES / ("zhuangtouyingzi_gbk.csv" if suffix == ".csv" else "zhuangtouyingzi.xlsx")
    registry.write_bytes(source.read_bytes())
    audited: list[object] = []
    monkeypatch.setattr(check_module, "audit", lambda *a, **k: audited.append(a))  # must not be reached
    extra = [] if output == "--report" else ["--no-report"]
    code, _, err = run("check", str(county), output, str(registry), *extra)  # the folder, not the file, given
    assert code == 2 and "与输入文件相同" in err and registry.name in err
    assert not audited
    assert registry.read_bytes() == source.read_bytes()


def test_outputs_never_overwrite_a_reference_list(tmp_path: Path) -> None:
    deaths = tmp_path / "deaths.csv"
    deaths.write_text("证件号码,姓名,死亡日期\n11010119900307803X,张三,2019-01-01\n", encoding="utf-8")
    before = deaths.read_bytes()
    code, _, err = run("check", str(VILLAGE), "--ref", f"deaths={deaths}", "--findings", str(deaths), "--no-report")
    assert code == 2 and "deaths.csv" in err
    assert deaths.read_bytes() == before


def test_a_log_that_is_a_hard_link_to_the_registry_is_refused(tmp_path: Path) -> None:
    registry = tmp_path / "village.csv"
    registry.write_bytes((EXAMPLES / "zhuangtouyingzi_gbk.csv").read_bytes())
    link = tmp_path / "run.log"
    os.link(registry, link)
    code, _, err = run("check", str(registry), "--no-report", "--log", str(link))
    assert code == 2 and "与输入文件相同" in err
    assert registry.read_bytes() == (EXAMPLES / "zhuangtouyingzi_gbk.csv").read_bytes()


@pytest.mark.parametrize(
    ("outputs", "words"),
    [
        (["--report", "{tmp}/sub.xlsx"], "是一个文件夹"),
        (["--no-report", "--findings", "{tmp}/sub.parquet"], "是一个文件夹"),
        (["--no-report", "--log", "{tmp}"], "是一个文件夹"),
        (["--report", "{tmp}/same.xlsx", "--log", "{tmp}/same.xlsx"], "两个输出"),
        (["--no-report", "--findings", "{tmp}/f.csv", "--log", "{tmp}/f.csv"], "两个输出"),
        (["--report", "{tmp}/locked/r.xlsx"], "没有权限"),
    ],
)
def test_an_output_that_cannot_be_written_is_refused_before_the_audit(
    tmp_path: Path, outputs: list[str], words: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "sub.parquet").mkdir()
    (tmp_path / "sub.xlsx").mkdir()
    (tmp_path / "locked").mkdir()
    monkeypatch.setattr(os, "access", lambda p, mode: Path(p).name != "locked")  # root may write anywhere
    audited: list[object] = []
    monkeypatch.setattr(check_module, "audit", lambda *a, **k: audited.append(a))  # must not be reached
    code, _, err = run("check", str(VILLAGE), *(o.format(tmp=tmp_path) for o in outputs))
    assert code == 2 and words in err and "Traceback" not in err
    assert not audited


def test_a_folder_refusing_new_files_at_write_time_is_a_plain_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("fupin_audit.atomic.tempfile.mkstemp", refuse)  # e.g. an immutable folder, as root
    code, _, err = run("check", str(VILLAGE), "--report", str(tmp_path / "r.xlsx"))
    assert code == 2 and "无法在文件夹" in err and "Permission denied" in err


def test_a_file_without_a_header_row_is_refused_without_quoting_its_first_row(tmp_path: Path) -> None:
    registry = tmp_path / "无表头.csv"
    registry.write_text("1504261072030001,王德明,150426195809261012,户主,13812345678\n", encoding="utf-8")
    code, _, err = run("check", str(registry), "--no-report")
    assert code == 2 and "无表头.csv" in err and "不是表头" in err
    for value in ("150426195809261012", "王德明", "13812345678", "1504261072030001"):
        assert value not in err


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_registry_with_only_a_header_is_nothing_audited(tmp_path: Path, suffix: str) -> None:
    registry = tmp_path / f"空表{suffix}"
    header = ["户编号", "姓名", "证件号码", "与户主关系"]
    if suffix == ".csv":
        registry.write_text(",".join(header) + "\n\n合计,,,\n", encoding="utf-8")
    else:
        pd.DataFrame(columns=header).to_excel(registry, index=False)
    code, _, err = run("check", str(registry), "--no-report")
    assert code == 2 and "空表" in err and "没有任何数据行" in err


@pytest.mark.parametrize(
    ("outputs", "words"),
    [(["--report", "r.csv"], ".xlsx"), (["--no-report", "--findings", "f.txt"], ".csv、.parquet、.jsonl")],
)
def test_an_output_of_the_wrong_type_is_refused_before_the_audit(
    tmp_path: Path, outputs: list[str], words: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    audited: list[object] = []
    monkeypatch.setattr(check_module, "audit", lambda *a, **k: audited.append(a))  # must not be reached
    code, _, err = run("check", str(VILLAGE), *(str(tmp_path / o) if "." in o else o for o in outputs))
    assert code == 2 and words in err and not audited
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("stop", [KeyboardInterrupt(), RuntimeError("Query interrupted")])
def test_ctrl_c_anywhere_is_an_interruption_not_an_error(stop: BaseException, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise stop  # DuckDB raises RuntimeError when Ctrl-C reaches a query on the main thread

    monkeypatch.setattr(check_module, "audit", interrupted)
    code, _, err = run("check", str(VILLAGE), "--no-report")
    assert code == 130 and "已中断" in err and "内部错误" not in err


def test_ctrl_c_while_the_rules_are_bound_is_not_a_rules_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C inside a Python function DuckDB calls comes back as that statement's error."""
    from fupin_audit.rules import check as rules_check

    rules = tmp_path / "rules.yaml"
    rules.write_text((EXAMPLES.parent / "rules.yaml").read_text(encoding="utf-8").replace(
        "WHERE 已脱贫 AND 人均纯收入 < 脱贫标准线", "WHERE 已脱贫 AND 人均纯收入 < 脱贫标准线 AND 不存在的列", 1), encoding="utf-8")
    monkeypatch.setattr(rules_check, "duckdb_message",
                        lambda exc: "Invalid Input Error: Python exception occurred while executing the UDF: KeyboardInterrupt")
    code, _, err = run("check", str(VILLAGE), "--no-report", "--rules", str(rules))
    assert code == 130 and "已中断" in err and "规则文件" not in err


FAILING_RULE = """
  - id: my_cast
    title: 户主姓名转数字
    kind: data_error
    severity: low
    sql: SELECT 户编号 FROM households WHERE CAST(户主姓名 AS INTEGER) > 0
    message: 不会出现
    basis: 测试
"""


def test_a_rule_whose_sql_fails_is_named_on_stderr_and_the_exit_code_is_2(tmp_path: Path) -> None:
    """A cron job with --quiet --fail-on never must notice a broken rule: the others ran, exit 2."""
    default = (Path(__file__).resolve().parents[1] / "rules.yaml").read_text(encoding="utf-8")
    rules = tmp_path / "rules.yaml"
    rules.write_text(default.replace("\nreferences:", FAILING_RULE + "\nreferences:", 1), encoding="utf-8")
    code, out, err = run("check", str(VILLAGE), "--rules", str(rules), "--no-report", "--quiet", "--fail-on", "never")
    assert code == 2 and "规则 my_cast（户主姓名转数字）未执行" in err and out == ""
    code, out, _ = run("check", str(VILLAGE), "--rules", str(rules), "--no-report", "--json", "--fail-on", "never")
    skipped = {r["rule_id"]: r["failed"] for r in json.loads(out)["skipped_rules"]}
    assert skipped["my_cast"] is True and skipped["exit_same_year_returned"] is False  # a missing column is no failure
    assert len(json.loads(out)["findings"]) == 57  # the other rules ran


def test_the_summary_says_a_rules_file_replaced_the_built_in_one(tmp_path: Path) -> None:
    """A file of one's own rules runs no 错退 check: the summary must not read as a full audit."""
    own = no_name_rule_file(tmp_path / "my.yaml", "SELECT 户编号, _member FROM members WHERE 姓名 IS NULL")
    result = runner.invoke(app, ["check", str(VILLAGE), "--rules", str(own), "--no-report", "--fail-on", "never"],
                           env={"COLUMNS": "300"})
    assert "规则文件：" in result.stdout and "代替内置规则文件，共 1 条规则" in result.stdout
    assert "规则文件：" not in run("check", str(VILLAGE), "--no-report", "--fail-on", "never")[1]
    document = json.loads(run("check", str(VILLAGE), "--rules", str(own), "--no-report", "--json", "--fail-on", "never")[1])
    assert document["rules_file"]["path"] == str(own) and len(document["rules_file"]["sha256"]) == 64


def test_version_is_printed_and_nothing_is_audited() -> None:
    from fupin_audit import __version__

    out = runner.invoke(app, ["--version"])
    assert out.exit_code == 0
    assert out.stdout.strip() == f"fupin-audit {__version__}"
