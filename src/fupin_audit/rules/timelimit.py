"""The per-rule time limit (``--rule-timeout``): a rule's query that runs longer is interrupted, so
that a runaway rule (an accidental cartesian join in a rules file of one's own) cannot hang a run."""

from __future__ import annotations

import threading

import duckdb

from ..errors import UsageError


class RuleTimedOut(Exception):
    """A rule's query ran past the time limit (``seconds``) and was interrupted."""

    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)
        self.seconds = seconds


def check_rule_timeout(seconds: float | None) -> None:
    """Refuse a per-rule time limit that is not a positive number of seconds (None: no limit); a value
    that is no number at all (``audit(rule_timeout="600")``) is refused the same way, not with a bare
    ``TypeError`` from the comparison."""
    if seconds is not None and (isinstance(seconds, bool) or not isinstance(seconds, int | float)):
        raise UsageError(
            f"每条规则的运行时限（rule_timeout）须为秒数（数字），而不是 {type(seconds).__name__}：例如 rule_timeout=600。"
        )
    if seconds is not None and not 0 < seconds <= threading.TIMEOUT_MAX:
        raise UsageError(
            f"每条规则的运行时限（--rule-timeout）{seconds:g} 秒无效：须为正数，例如 --rule-timeout 600；不限时则不写此选项。"
        )


def timeout_reason(name: str, seconds: float, what: str = "规则") -> str:
    """Why a rule (or a derived view: ``what``) that ran past the limit was not run to the end
    (未执行规则, stderr, --json)."""
    return (
        f"{what} {name} 运行超过 {seconds:g} 秒，已中止；请检查其 SQL（如缺少连接条件造成的笛卡尔积），"
        "或在数据量大时放宽 --rule-timeout"
    )


class TimeLimit:
    """Interrupts a cursor's query once ``seconds`` have passed (None: never), until the block ends:
    never after it, when the cursor may be running the next rule or be closed."""

    def __init__(self, cursor: duckdb.DuckDBPyConnection, seconds: float | None) -> None:
        self._cursor = cursor
        self._lock = threading.Lock()
        self._active = True
        self.expired = False
        self._timer: threading.Timer | None = None
        if seconds is not None:
            self._timer = threading.Timer(seconds, self._expire)
            self._timer.daemon = True

    def _expire(self) -> None:
        with self._lock:
            if self._active:
                self.expired = True
                self._cursor.interrupt()

    def __enter__(self) -> TimeLimit:
        if self._timer is not None:
            self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._active = False
        if self._timer is not None:
            self._timer.cancel()
