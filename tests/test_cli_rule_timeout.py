"""``--rule-timeout``: a runaway rule of a custom rules file is stopped, named and failed (exit 2)
while the other rules' findings are written; ``--log`` has one line per rule after the 规则 phase."""

from __future__ import annotations

import json
import re
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


def test_the_log_has_a_line_per_rule_after_the_rules_phase(timed_out: Run) -> None:
    phases = [line for line in timed_out.log if "\tphase=" in line]
    assert [line.split("\t")[1] for line in phases] == ["phase=读取", "phase=校验", "phase=规则", "phase=写出"]
    assert all(re.fullmatch(r"\S+\tphase=\S+\tseconds=\d+\.\d{3}\tsteps=\d+", line) for line in phases)  # as before
    at = timed_out.log.index(phases[2])
    rules = timed_out.log[at + 1:timed_out.log.index(phases[3])]
    fields = [re.fullmatch(r"\S+\trule=(\w+)\tseconds=\d+\.\d{3}\tfindings=(\d+)\tstatus=(\w+)", line) for line in rules]
    assert all(fields), rules
    logged = {m.group(1): (int(m.group(2)), m.group(3)) for m in fields if m}
    assert logged["runaway_join"] == (0, "timeout")
    assert logged["ref_payroll"] == (0, "skipped")  # no --ref payroll
    counted: dict[str, int] = {}
    for finding in timed_out.document["findings"]:
        counted[finding["rule_id"]] = counted.get(finding["rule_id"], 0) + 1
    ran = {rule: n for rule, (n, status) in logged.items() if status == "ok"}
    assert ran and all(counted.get(rule, 0) == n for rule, n in ran.items())
    assert len(logged) == len(rules)  # one line per rule
    text = "\n".join(timed_out.log)  # rule ids and counts, never data
    values = {f[c] for f in timed_out.document["findings"] for c in ("household_id", "person_id", "name") if f[c]}
    assert values and not [v for v in values if v in text]


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
