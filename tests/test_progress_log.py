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
