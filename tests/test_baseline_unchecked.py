"""--baseline: an earlier finding whose check did not run this time is 未复核, never 已整改."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from fupin_audit import audit
from fupin_audit.baseline import mark_unchecked, unchecked_reasons
from fupin_audit.cli.app import app
from fupin_audit.kinds import SEVERITIES
from fupin_audit.recheck import BUILTIN_CHECKS, Coverage
from fupin_audit.report.files import write_findings
from fupin_audit.result import InputFile, SkippedRule
from fupin_audit.rules import load_rules

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SOURCE = EXAMPLES / "zhuangtouyingzi_gbk.csv"
LISTS = ("payroll", "cadres", "relatives", "vehicles", "property", "business", "deaths")
runner = CliRunner()


@pytest.fixture(scope="module")
def earlier(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example's findings with every reference list given, as a findings file."""
    path = tmp_path_factory.mktemp("base") / "2019.parquet"
    lists = {name: EXAMPLES / "references" / f"{name}.csv" for name in LISTS}
    write_findings(audit(SOURCE, references=lists).findings, path)
    return path


def changes(resolved: pd.DataFrame) -> dict[str, str]:
    return dict(zip(resolved["rule_id"], resolved["change"], strict=True))


def test_reference_rules_not_run_now_are_unchecked(earlier: Path) -> None:
    result = audit(SOURCE, baseline=earlier)
    assert len(result.resolved) == 8
    assert set(result.resolved["change"]) == {"未复核"}
    payroll = result.resolved[result.resolved["rule_id"] == "ref_payroll"]
    assert all("未提供对照名单 payroll" in reason for reason in payroll["unchecked_reason"])


def test_unchecked_counted_apart_in_json_summary_and_report(earlier: Path, tmp_path: Path) -> None:
    out = runner.invoke(app, ["check", str(SOURCE), "--baseline", str(earlier), "--json", "--no-report"])
    document = json.loads(out.stdout)
    assert document["baseline"]["resolved"] == 0 and document["baseline"]["unchecked"] == 8
    assert {r["change"] for r in document["resolved"]} == {"未复核"}
    assert all(r["unchecked_reason"] for r in document["resolved"])
    out = runner.invoke(app, ["check", str(SOURCE), "--baseline", str(earlier), "--no-report"])
    assert "已整改 0 条" in out.stdout and "未复核 8" in out.stdout
    report = tmp_path / "r.xlsx"
    runner.invoke(app, ["check", str(SOURCE), "--baseline", str(earlier), "--report", str(report), "--quiet"])
    sheets = pd.read_excel(report, sheet_name=None, dtype=str, engine="calamine")
    assert sheets["已整改"].empty
    assert len(sheets["未复核"]) == 8 and set(sheets["未复核"]["变化"]) == {"未复核"}
    assert sheets["未复核"]["未复核原因"].str.contains("本次未执行").all()


def test_a_rule_skipped_for_a_missing_column_is_unchecked_and_a_fixed_value_resolved(tmp_path: Path) -> None:
    before = tmp_path / "2019.parquet"
    write_findings(audit(SOURCE).findings, before)
    frame = pd.read_csv(SOURCE, dtype=str, encoding="gbk", keep_default_na=False)
    before_findings = audit(SOURCE).findings
    fixed = before_findings.loc[before_findings["rule_id"] == "vocabulary"].iloc[0]
    frame.loc[frame["身份证号码"] == fixed["person_id"], "文化程度"] = "初中"
    path = tmp_path / "2020.csv"
    frame.drop(columns=["签字确认"]).to_csv(path, index=False, encoding="gbk")
    result = audit(path, baseline=before)
    assert changes(result.resolved) == {"exit_without_signature": "未复核", "vocabulary": "已整改"}
    reason = result.resolved.set_index("rule_id").at["exit_without_signature", "unchecked_reason"]
    assert "签字确认" in reason


def test_a_rule_renamed_in_the_rules_file_is_unchecked(tmp_path: Path) -> None:
    before = tmp_path / "2019.parquet"
    write_findings(audit(SOURCE).findings, before)
    rules = tmp_path / "rules.yaml"
    text = (ROOT / "rules.yaml").read_text(encoding="utf-8")
    rules.write_text(text.replace("- id: exit_without_signature", "- id: exit_unsigned"), encoding="utf-8")
    result = audit(SOURCE, rules=rules, baseline=before)
    assert changes(result.resolved) == {"exit_without_signature": "未复核"}
    assert "不在本次规则文件" in result.resolved["unchecked_reason"].iloc[0]


def _two_files(tmp_path: Path) -> tuple[Path, Path, pd.DataFrame]:
    """The example village split into a.csv and b.csv in one folder, and their findings as a baseline."""
    frame = pd.read_csv(SOURCE, dtype=str, encoding="gbk", keep_default_na=False)
    households = sorted(set(frame["户编号"]))
    county = tmp_path / "county"
    county.mkdir()
    first = frame[frame["户编号"].isin(households[: len(households) // 2])]
    first.to_csv(county / "a.csv", index=False, encoding="gbk")
    frame.drop(first.index).to_csv(county / "b.csv", index=False, encoding="gbk")
    before = tmp_path / "2019.parquet"
    earlier = audit(county).findings
    write_findings(earlier, before)
    return county, before, earlier


def test_findings_of_a_file_not_read_are_unchecked(tmp_path: Path) -> None:
    county, before, earlier = _two_files(tmp_path)
    (county / "b.csv").write_bytes(b"\x00\x01 not a table")
    result = audit(county, keep_going=True, baseline=before)
    assert result.inputs[1].error
    assert set(result.resolved["change"]) == {"未复核"}
    from_b = result.resolved["source"].str.startswith("b.csv:")
    assert from_b.sum() == earlier["source"].str.startswith("b.csv:").sum() > 0
    assert result.resolved.loc[from_b, "unchecked_reason"].eq("文件 b.csv 本次未能读取").all()
    # A finding of a.csv that compared its rows with b.csv's (the same village) is not re-checked either.
    assert result.resolved.loc[~from_b, "unchecked_reason"].str.contains("本次未能读取 b.csv").all()


def coverage(**overrides: object) -> Coverage:
    ruleset = load_rules()
    return Coverage.of(ruleset, overrides.get("skipped", []), overrides.get("inputs", []))  # type: ignore[arg-type]


def test_source_is_matched_by_whole_file_name_even_with_colons() -> None:
    unread = InputFile(Path("x/村:一.xlsx"), "", (), 0, 0, {}, error="坏了")
    found = pd.DataFrame({
        "rule_id": ["id_check_digit"] * 4,
        "source": ["村:一.xlsx:贫困人口:3", "村:一.xlsx", "村:一.xlsx2:贫困人口:3", "村.xlsx:4"],
    })
    reasons = coverage(inputs=[unread]).reasons(found)
    assert list(reasons.ne("")) == [True, True, False, False]


def test_built_in_checks_always_run_and_a_skipped_rule_is_named() -> None:
    skipped = [SkippedRule("exit_without_signature", "脱贫未经签字确认", "输入缺少列 households.签字确认")]
    found = pd.DataFrame({"rule_id": ["head_missing", "exit_without_signature", "exit_unsafe_water", "gone"],
                          "source": ["v.xlsx:1"] * 4})
    reasons = coverage(skipped=skipped).reasons(found)
    assert reasons[0] == "" and reasons[2] == ""
    assert "签字确认" in reasons[1] and "已删除" in reasons[3]


def _built_in_ids_in_source() -> set[str]:
    """Rule ids the built-in checks write: a ``rule_id=`` keyword or ``"rule_id":`` key, a string
    followed by a severity (``("id_missing", "medium")``), and ``_against_id``'s id argument."""
    found: set[str] = set()
    for path in (ROOT / "src" / "fupin_audit").rglob("*.py"):
        if {"rules", "report", "cli", "diff"} & set(path.parts):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            texts: list[ast.expr] = []
            if isinstance(node, ast.Call):
                texts += [k.value for k in node.keywords if k.arg == "rule_id"]
                items = list(node.args)
                if getattr(node.func, "id", "") == "_against_id":
                    texts += items[3:4]
            elif isinstance(node, ast.Dict):
                texts += [v for k, v in zip(node.keys, node.values, strict=True)
                          if isinstance(k, ast.Constant) and k.value == "rule_id"]
                items = []
            else:
                items = list(node.elts) if isinstance(node, ast.Tuple) else []
            for one, two in zip(items, items[1:], strict=False):
                if isinstance(two, ast.Constant) and two.value in SEVERITIES and getattr(one, "value", "") not in SEVERITIES:
                    texts.append(one)
            found |= {t.value for t in texts if isinstance(t, ast.Constant) and re.fullmatch(r"[a-z][a-z0-9_]*", str(t.value))}
    return found


def test_every_built_in_check_id_is_known() -> None:
    in_source = _built_in_ids_in_source()
    assert len(in_source) >= 20, in_source
    assert in_source <= BUILTIN_CHECKS
    rules = {rule.id for rule in load_rules().rules}
    expected = pd.read_csv(EXAMPLES / "zhuangtouyingzi.expected.csv", dtype=str, keep_default_na=False)
    assert set(expected["rule_id"]) - rules <= BUILTIN_CHECKS
    assert not BUILTIN_CHECKS & rules


def test_an_id_in_an_unread_file_name_is_masked_in_the_reason() -> None:
    unread = InputFile(Path("150426198306111497.xlsx"), "", (), 0, 0, {}, error="坏了")
    found = pd.DataFrame({"rule_id": ["head_missing"], "source": ["150426198306111497.xlsx:贫困人口:3"],
                          "change": ["已整改"]})
    marked = mark_unchecked(found, coverage(inputs=[unread]))
    assert "150426198306111497" in marked["unchecked_reason"].iloc[0]
    assert "150426198306111497" not in unchecked_reasons(marked, mask_ids=True).iloc[0]


def test_a_built_in_check_without_its_column_now_is_unchecked(earlier: Path, tmp_path: Path) -> None:
    """The size and vocabulary checks did not run over a registry exported without 家庭人口数 and 文化程度:
    their earlier findings are 未复核; a check that ran (the ID checks) still resolves what was fixed."""
    frame = pd.read_csv(SOURCE, dtype=str, encoding="gbk", keep_default_na=False)
    size_column = next(c for c in frame.columns if c in ("家庭人口数", "人数"))
    fixed = frame["身份证号码"].str.contains("O", regex=False)
    frame.loc[fixed, "身份证号码"] = frame.loc[fixed, "身份证号码"].str.replace("O", "0")
    path = tmp_path / "2020.csv"
    frame.drop(columns=[size_column, "文化程度"]).to_csv(path, index=False, encoding="gbk")
    result = audit(path, baseline=earlier, references={n: EXAMPLES / "references" / f"{n}.csv" for n in LISTS})
    gone = result.resolved
    size = gone[gone["rule_id"].eq("size_mismatch")]
    assert len(size) and set(size["change"]) == {"未复核"}
    assert all("家庭人口数" in reason for reason in size["unchecked_reason"])
    schooling = gone[gone["rule_id"].eq("vocabulary") & gone["evidence"].str.contains("文化程度")]
    assert len(schooling) and set(schooling["change"]) == {"未复核"}
    assert set(gone.loc[gone["rule_id"].eq("id_chars"), "change"]) == {"已整改"}


def test_findings_of_a_file_not_given_this_time_are_unchecked(tmp_path: Path) -> None:
    """Tonight's folder lacks b.csv (being re-exported): its problems were not checked, not put right."""
    county, before, earlier = _two_files(tmp_path)
    (county / "b.csv").unlink()
    result = audit(county, baseline=before)
    from_b = result.resolved["source"].str.startswith("b.csv:")
    assert from_b.sum() == earlier["source"].str.startswith("b.csv:").sum() > 0
    assert result.resolved.loc[from_b, "unchecked_reason"].eq("文件 b.csv 不在本次核查的文件中").all()
    assert set(result.resolved["change"]) == {"未复核"}
    # a.csv's findings that compared its rows with b.csv's cannot have been re-checked either
    assert result.resolved.loc[~from_b, "unchecked_reason"].str.contains("本次没有核查 b.csv").all()
    out = runner.invoke(app, ["check", str(county), "--baseline", str(before), "--no-report"])
    assert "已整改 0 条" in out.stdout


def test_a_renamed_file_is_re_checked_through_its_households(tmp_path: Path) -> None:
    """b.csv exported again as b2.csv, with a blank income filled in: its households were audited, so
    the finding the blank caused is 已整改, not 未复核."""
    county, before, earlier = _two_files(tmp_path)
    frame = pd.read_csv(county / "b.csv", dtype=str, encoding="gbk", keep_default_na=False)
    (county / "b.csv").unlink()
    blank = earlier[earlier["rule_id"].eq("exit_cannot_judge") & earlier["source"].str.startswith("b.csv:")]
    assert len(blank) == 1
    frame.loc[frame["户编号"].eq(blank["household_id"].iloc[0]), "人均纯收入（元）"] = "6000"
    frame.to_csv(county / "b2.csv", index=False, encoding="gbk")
    result = audit(county, baseline=before)
    gone = result.resolved[result.resolved["rule_id"].eq("exit_cannot_judge")]
    assert list(gone["household_id"]) == list(blank["household_id"])
    assert list(gone["change"]) == ["已整改"]
    assert not result.resolved["unchecked_reason"].str.contains("不在本次核查的文件中").any()


def test_file_of_a_source() -> None:
    from fupin_audit.recheck import file_names

    sources = pd.Series(["村:一.xlsx:贫困人口:3", "乐业镇/花名册.XLSX:贫困人口:12", "b.csv:7", "county.parquet", "无后缀:3"])
    assert file_names(sources).fillna("?").tolist() == ["村:一.xlsx", "乐业镇/花名册.XLSX", "b.csv", "county.parquet", "?"]


def test_a_county_missing_many_files_is_said_briefly() -> None:
    read = [InputFile(Path(f"村{i}.xlsx"), "", (), 0, 0, {}) for i in range(3)]
    found = pd.DataFrame({
        "rule_id": ["duplicate_person"] * 9 + ["id_check_digit"],
        "source": [f"村{i}.xlsx:贫困人口:2" for i in range(9)] + ["村0.xlsx:贫困人口:5"],
        "household_id": [f"H{i}" for i in range(10)],
        "evidence": ["{}"] * 10,
    })
    reasons = Coverage.of(load_rules(), [], read, ["户编号"], households=[]).reasons(found)
    assert reasons[3] == "文件 村3.xlsx 不在本次核查的文件中"
    assert reasons[0] == "本次没有核查 村3.xlsx、村4.xlsx、村5.xlsx、村6.xlsx、村7.xlsx 等 6 个文件，与其中各行的比对不完整"
    assert reasons[9] == ""  # a check of one row alone, in a file read this time: re-checked
