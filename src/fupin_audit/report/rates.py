"""The exit-quality rates a county team reports against (DOMAIN.md: 错退率 at most 2 % in the county
exit checks), estimated from the registry: households (and their members) with a 错退 finding among
the exited ones, and with an 应退未退 finding among those not exited.

An estimate from the registry's data, not the checked sample the assessment counts: the report says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..result import AuditResult
from ..textkeys import text_in

WRONGFUL_EXIT_LIMIT = 2.0
"""Percent: the county exit checks' ceiling on the wrongful-exit rate (DOMAIN.md, 三率一度)."""


@dataclass(frozen=True)
class Rate:
    """``flagged`` of ``total`` households (and ``flagged_people`` of ``total_people`` members)."""

    flagged: int
    total: int
    flagged_people: int
    total_people: int

    @property
    def percent(self) -> float | None:
        return 100.0 * self.flagged / self.total if self.total else None

    @property
    def people_percent(self) -> float | None:
        return 100.0 * self.flagged_people / self.total_people if self.total_people else None


@dataclass(frozen=True)
class ExitRates:
    wrongful_exit: Rate
    """错退: exited households with a wrongful_exit finding."""
    should_exit: Rate
    """应退未退: households not exited with a should_exit finding."""


def exit_rates(result: AuditResult) -> ExitRates | None:
    """The rates of ``result``; None when the rules file names no exit and poor statuses (a file of
    one's own without them) or the registry has no 脱贫属性."""
    exit_statuses, poor_statuses = result.parameters.get("exit_statuses"), result.parameters.get("poor_statuses")
    households = result.registry.households
    if not isinstance(exit_statuses, list) or not isinstance(poor_statuses, list) or "脱贫属性" not in households:
        return None
    keys = households["户编号"].astype("str")
    status = households["脱贫属性"]
    members = result.registry.members["户编号"].astype("str")
    found = result.findings
    return ExitRates(
        wrongful_exit=_rate(keys[text_in(status, exit_statuses)], found.loc[found["kind"] == "wrongful_exit", "household_id"], members),
        should_exit=_rate(keys[text_in(status, poor_statuses)], found.loc[found["kind"] == "should_exit", "household_id"], members),
    )


def _rate(eligible: pd.Series, flagged_ids: pd.Series, members: pd.Series) -> Rate:
    """``eligible`` households' numbers, those of them among ``flagged_ids``, and the members (their
    households' numbers) of each (text_in: pandas' own text hashing took 0.2 s at 500,000 members)."""
    eligible = pd.Series(eligible.unique(), dtype="str")
    flagged = eligible[text_in(eligible, flagged_ids)]
    return Rate(
        flagged=len(flagged),
        total=len(eligible),
        flagged_people=int(text_in(members, flagged).sum()),
        total_people=int(text_in(members, eligible).sum()),
    )


def rates_json(rates: ExitRates | None) -> dict[str, dict[str, int]] | None:
    """``--json``'s ``counts.exit_rates``: households and people flagged and in all, per rate."""
    if rates is None:
        return None
    return {
        name: {"households": r.flagged, "of_households": r.total, "people": r.flagged_people, "of_people": r.total_people}
        for name, r in (("wrongful_exit", rates.wrongful_exit), ("should_exit", rates.should_exit))
    }


def rate_lines(rates: ExitRates) -> list[tuple[str, str]]:
    """The rates in words, as (label, text) pairs (terminal and 概览)."""
    lines = []
    wrong, should = rates.wrongful_exit, rates.should_exit
    if wrong.percent is not None:
        side = "高于" if wrong.percent > WRONGFUL_EXIT_LIMIT else "不高于"
        lines.append((
            "错退户占比",
            f"已脱贫 {wrong.total:,} 户中 {wrong.flagged:,} 户有错退问题，{wrong.percent:.1f}%"
            f"（人口 {wrong.flagged_people:,}/{wrong.total_people:,}，{wrong.people_percent or 0:.1f}%），"
            f"{side}退出考核的错退率上限 {WRONGFUL_EXIT_LIMIT:g}%（考核按抽查核实的人口计，此为登记数据估算）",
        ))
    if should.percent is not None:
        lines.append((
            "应退未退户占比",
            f"未脱贫 {should.total:,} 户中 {should.flagged:,} 户有应退未退问题，{should.percent:.1f}%"
            f"（人口 {should.flagged_people:,}/{should.total_people:,}）",
        ))
    return lines
