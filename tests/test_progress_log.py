"""``PhaseLog`` (``--log``): a line per phase, then a line per rule of that phase in the order the
rules started, whichever thread reported them."""

from __future__ import annotations

import re
from pathlib import Path

from fupin_audit.progress import PhaseLog, RuleObserver, Silent


def test_rule_lines_follow_their_phase_in_start_order_and_a_rule_never_ended_is_running(tmp_path: Path) -> None:
    log = PhaseLog(tmp_path / "run.log")
    log.phase("规则")
    log.rule_ended("lacking", "skipped")
    log.rule_started("first")
    log.rule_started("second")
    log.rule_ended("second", "ok", 0.25, 3)
    log.rule_started("third")  # still running when the run ended (an internal error)
    log.rule_ended("first", "timeout", 2.0)
    log.phase("写出")
    log.finish()
    lines = [line.split("\t")[1:] for line in (tmp_path / "run.log").read_text(encoding="utf-8").splitlines()]
    assert [line[0] for line in lines] == ["phase=规则", "rule=lacking", "rule=first", "rule=second", "rule=third", "phase=写出"]
    assert lines[1:4] == [
        ["rule=lacking", "seconds=0.000", "findings=0", "status=skipped"],
        ["rule=first", "seconds=2.000", "findings=0", "status=timeout"],
        ["rule=second", "seconds=0.250", "findings=3", "status=ok"],
    ]
    assert lines[4][2:] == ["findings=0", "status=running"] and re.fullmatch(r"seconds=\d+\.\d{3}", lines[4][1])


def test_the_silent_observer_and_the_log_hear_of_rules() -> None:
    assert isinstance(Silent(), RuleObserver)
    assert issubclass(PhaseLog, RuleObserver)


def test_diff_logs_each_snapshots_phases_and_rules_without_personal_data(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from fupin_audit.cli.app import app

    snapshots = Path(__file__).resolve().parents[1] / "examples" / "snapshots"
    log = tmp_path / "diff.log"
    out = CliRunner().invoke(app, [
        "diff", str(snapshots / "2019.xlsx"), str(snapshots / "2020.xlsx"), "--no-report", "--quiet",
        "--log", str(log), "--ref", f"deaths={snapshots / 'deaths.xlsx'}",
    ])
    assert out.exit_code == 1, out.stderr
    lines = [line.split("\t")[1] for line in log.read_text(encoding="utf-8").splitlines()]
    assert [line for line in lines if line.startswith("phase=")] == [
        "phase=上期读取", "phase=上期校验", "phase=上期规则", "phase=本期读取", "phase=本期校验", "phase=本期规则",
        "phase=比对", "phase=写出",
    ]
    compared = lines[lines.index("phase=比对") + 1:lines.index("phase=写出")]
    assert "rule=diff_exit_by_split" in compared and all(line.startswith("rule=diff_") for line in compared)
    assert not re.search(r"\d{15}|[\u4e00-\u9fff]{2,}村", log.read_text(encoding="utf-8"))  # no ID, no place
