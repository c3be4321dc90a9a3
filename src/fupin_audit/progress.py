"""How an audit reports its progress: phases (读取, 校验, 规则, 写出) and steps within them.

The library calls an ``Observer``; the command line passes one that draws a progress bar on a
terminal and/or writes one log line per phase, and one per rule after the 规则 phase's line. An
observer that also has ``RuleObserver``'s methods hears of each rule; one without them still works.
Nothing here sees personal data: only phase names, rule ids, counts and seconds.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path
from typing import IO, Protocol, runtime_checkable


class Observer(Protocol):
    def phase(self, name: str, total: int | None = None) -> None:
        """A new phase begins (the previous one, if any, ends); ``total`` steps if known."""

    def advance(self, steps: int = 1) -> None:
        """``steps`` more steps of the current phase are done."""

    def finish(self) -> None:
        """The last phase ends."""


@runtime_checkable
class RuleObserver(Observer, Protocol):
    """An ``Observer`` that also hears of each rule of the 规则 phase. The rules run on several threads
    at once: these methods are called from any of them."""

    def rule_started(self, rule_id: str) -> None:
        """A rule's query begins."""

    def rule_ended(self, rule_id: str, status: str, seconds: float = 0.0, findings: int = 0) -> None:
        """A rule ended: ``status`` ok, failed (its SQL failed), timeout (it ran past the time limit
        and was stopped) or interrupted (the run was stopped, Ctrl-C or SIGTERM, while it ran); or it
        did not run: skipped (a column or list missing, or disabled) or failed (SQL refused), 0 seconds."""


class Silent:
    """The default: report nothing."""

    def phase(self, name: str, total: int | None = None) -> None:
        return None

    def advance(self, steps: int = 1) -> None:
        return None

    def finish(self) -> None:
        return None

    def rule_started(self, rule_id: str) -> None:
        return None

    def rule_ended(self, rule_id: str, status: str, seconds: float = 0.0, findings: int = 0) -> None:
        return None


class PhaseLog:
    """One line per phase, appended to a log file: time, phase, seconds, steps; after a phase's line,
    one line per rule of that phase (time it ended, rule id, seconds, findings, status), in the order
    the rules started. A rule still running when the log is finished (a run ended by an internal
    error) has status running. No personal data."""

    def __init__(self, path: Path) -> None:
        self._handle: IO[str] = path.open("a", encoding="utf-8")
        self._name: str | None = None
        self._started = 0.0
        self._steps = 0
        self._rules: dict[str, float | str] = {}
        """Rule id → when it started (perf_counter), or its line once it ended."""
        self._rules_lock = threading.Lock()

    def phase(self, name: str, total: int | None = None) -> None:
        self._close_phase()
        self._name, self._started, self._steps = name, time.perf_counter(), 0

    def advance(self, steps: int = 1) -> None:
        self._steps += steps

    def rule_started(self, rule_id: str) -> None:
        with self._rules_lock:
            self._rules[rule_id] = time.perf_counter()

    def rule_ended(self, rule_id: str, status: str, seconds: float = 0.0, findings: int = 0) -> None:
        with self._rules_lock:
            self._rules[rule_id] = _rule_line(rule_id, status, seconds, findings)

    def finish(self) -> None:
        self._close_phase()
        self._handle.close()

    def _close_phase(self) -> None:
        if self._name is None:
            return
        seconds = time.perf_counter() - self._started
        stamp = dt.datetime.now().isoformat(timespec="seconds")
        self._handle.write(f"{stamp}\tphase={self._name}\tseconds={seconds:.3f}\tsteps={self._steps}\n")
        with self._rules_lock:
            rules, self._rules = self._rules, {}
        now = time.perf_counter()
        for rule_id, line in rules.items():
            self._handle.write(line if isinstance(line, str) else _rule_line(rule_id, "running", now - line, 0))
        self._handle.flush()
        self._name = None


def _rule_line(rule_id: str, status: str, seconds: float, findings: int) -> str:
    stamp = dt.datetime.now().isoformat(timespec="seconds")
    return f"{stamp}\trule={rule_id}\tseconds={seconds:.3f}\tfindings={findings}\tstatus={status}\n"


class Fanout:
    """Send every call to several observers."""

    def __init__(self, *observers: Observer) -> None:
        self._observers = observers

    def phase(self, name: str, total: int | None = None) -> None:
        for observer in self._observers:
            observer.phase(name, total)

    def advance(self, steps: int = 1) -> None:
        for observer in self._observers:
            observer.advance(steps)

    def finish(self) -> None:
        for observer in self._observers:
            observer.finish()

    def rule_started(self, rule_id: str) -> None:
        for observer in self._observers:
            if isinstance(observer, RuleObserver):
                observer.rule_started(rule_id)

    def rule_ended(self, rule_id: str, status: str, seconds: float = 0.0, findings: int = 0) -> None:
        for observer in self._observers:
            if isinstance(observer, RuleObserver):
                observer.rule_ended(rule_id, status, seconds, findings)


class Labeled:
    """An observer's phases under a label (``diff`` audits two snapshots: 上期读取 … 本期规则). Steps
    and rules go through as they are; ``finish`` is left to whoever made the observer."""

    def __init__(self, observer: Observer, label: str) -> None:
        self._observer = observer
        self._label = label

    def phase(self, name: str, total: int | None = None) -> None:
        self._observer.phase(self._label + name, total)

    def advance(self, steps: int = 1) -> None:
        self._observer.advance(steps)

    def finish(self) -> None:
        return None

    def rule_started(self, rule_id: str) -> None:
        if isinstance(self._observer, RuleObserver):
            self._observer.rule_started(rule_id)

    def rule_ended(self, rule_id: str, status: str, seconds: float = 0.0, findings: int = 0) -> None:
        if isinstance(self._observer, RuleObserver):
            self._observer.rule_ended(rule_id, status, seconds, findings)
