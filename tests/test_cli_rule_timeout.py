"""``--rule-timeout``: a runaway rule of a custom rules file is stopped, named and failed (exit 2)
while the other rules' findings are written."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fupin_audit.cli.app import app

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "zhuangtouyingzi.xlsx"
SNAPSHOTS = ROOT / "examples" / "snapshots"
runner = CliRunner()

SLOW_RULE = """
  - id: runaway_join
    title: 失控的连接
    kind: data_error
    severity: low{scope}
    sql: |
      SELECT x.户编号 FROM {table} x, range(50000000000) t WHERE t.range < 0
    message: 不会出现
    basis: 测试（10^10 行：不中止要一分钟以上）
"""


def rules_with_slow_rule(folder: Path, table: str = "households", scope: str = "") -> Path:
    """The built-in rules file with a runaway rule first among its rules."""
    default = (ROOT / "rules.yaml").read_text(encoding="utf-8")
    assert default.count("\nrules:\n") == 1
    path = folder / "rules.yaml"
    path.write_text(default.replace("\nrules:\n", "\nrules:\n" + SLOW_RULE.format(table=table, scope=scope), 1),
                    encoding="utf-8")
    return path


@dataclass(frozen=True)
class Run:
    code: int
    stderr: str
    document: dict
    log: list[str]


@pytest.fixture(scope="module")
def timed_out(tmp_path_factory: pytest.TempPathFactory) -> Run:
    folder = tmp_path_factory.mktemp("timeout")
    log = folder / "run.log"
    result = runner.invoke(app, ["check", str(EXAMPLE), "--rules", str(rules_with_slow_rule(folder)), "--no-report",
                                 "--json", "--log", str(log), "--rule-timeout", "0.5"])
    return Run(result.exit_code, result.stderr, json.loads(result.stdout), log.read_text(encoding="utf-8").splitlines())


def test_a_rule_past_the_time_limit_fails_the_run_and_the_other_rules_findings_are_kept(timed_out: Run) -> None:
    assert timed_out.code == 2, timed_out.stderr
    reason = "规则 runaway_join 运行超过 0.5 秒，已中止；"
    assert f"错误：规则 runaway_join（失控的连接）未执行：{reason}" in timed_out.stderr
    [skipped] = [s for s in timed_out.document["skipped_rules"] if s["rule_id"] == "runaway_join"]
    assert skipped["failed"] is True and skipped["reason"].startswith(reason)
    expected = (ROOT / "examples" / "zhuangtouyingzi.expected.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(timed_out.document["findings"]) == len(expected) - 1  # every other rule's findings


@pytest.mark.parametrize("command", ["check", "diff"])
@pytest.mark.parametrize("value", ["0", "-5"])
def test_a_rule_timeout_that_is_not_positive_is_a_usage_error(tmp_path: Path, command: str, value: str) -> None:
    inputs = [str(EXAMPLE)] if command == "check" else [str(SNAPSHOTS / "2019.xlsx"), str(SNAPSHOTS / "2020.xlsx")]
    result = runner.invoke(app, [command, *inputs, "--rule-timeout", value, "--report", str(tmp_path / "r.xlsx")])
    assert result.exit_code == 2
    assert "--rule-timeout" in result.stderr and "须为正数" in result.stderr
    assert list(tmp_path.iterdir()) == []  # refused before anything was read or written


def test_diff_stops_a_runaway_diff_rule_and_exits_2(tmp_path: Path) -> None:
    rules = rules_with_slow_rule(tmp_path, table="changes", scope="\n    scope: diff")
    result = runner.invoke(app, ["diff", str(SNAPSHOTS / "2019.xlsx"), str(SNAPSHOTS / "2020.xlsx"), "--rules", str(rules),
                                 "--no-report", "--json", "--rule-timeout", "0.5"])
    assert result.exit_code == 2, result.stderr
    assert "规则 runaway_join 运行超过 0.5 秒，已中止" in result.stderr
    document = json.loads(result.stdout)
    assert [s["failed"] for s in document["skipped_rules"] if s["rule_id"] == "runaway_join"] == [True]
    assert any(f["rule_id"].startswith("diff_") for f in document["findings"])  # the other diff rules ran
