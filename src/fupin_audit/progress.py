"""How an audit reports its progress: phases (读取, 校验, 规则, 写出) and steps within them.

The library calls an ``Observer``; the command line passes one that draws a progress bar on a
terminal and/or writes one log line per phase. Nothing here sees personal data: only phase names,
counts and seconds.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import IO, Protocol


class Observer(Protocol):
    def phase(self, name: str, total: int | None = None) -> None:
        """A new phase begins (the previous one, if any, ends); ``total`` steps if known."""

    def advance(self, steps: int = 1) -> None:
        """``steps`` more steps of the current phase are done."""

    def finish(self) -> None:
        """The last phase ends."""


class Silent:
    """The default: report nothing."""

    def phase(self, name: str, total: int | None = None) -> None:
        return None

    def advance(self, steps: int = 1) -> None:
        return None

    def finish(self) -> None:
        return None


class PhaseLog:
    """One line per phase, appended to a log file: time, phase, seconds, steps. No personal data."""

    def __init__(self, path: Path) -> None:
        self._handle: IO[str] = path.open("a", encoding="utf-8")
        self._name: str | None = None
        self._started = 0.0
        self._steps = 0

    def phase(self, name: str, total: int | None = None) -> None:
        self._close_phase()
        self._name, self._started, self._steps = name, time.perf_counter(), 0

    def advance(self, steps: int = 1) -> None:
        self._steps += steps

    def finish(self) -> None:
        self._close_phase()
        self._handle.close()

    def _close_phase(self) -> None:
        if self._name is None:
            return
        seconds = time.perf_counter() - self._started
        stamp = dt.datetime.now().isoformat(timespec="seconds")
        self._handle.write(f"{stamp}\tphase={self._name}\tseconds={seconds:.3f}\tsteps={self._steps}\n")
        self._handle.flush()
        self._name = None


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
