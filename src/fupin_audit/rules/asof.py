"""The reference date for ages, lines and monitoring ranges, and where it came from."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ..errors import InputError, UsageError
from .model import RuleSet

SOURCES = ("命令行参数", "规则文件", "登记表年度", "登记表数据日期", "当天日期")

EARLIEST = dt.date(2013, 1, 1)
"""建档立卡 began with the 2013–2014 identification: an earlier reference date is a typo (0001-01-01, 1019),
and every age, line and ID check would be computed against it."""


def latest_as_of(today: dt.date | None = None) -> dt.date:
    """The latest reference date that can be meant: the end of next year (a registry's 年度 gives 31
    December of its year, which can lie ahead)."""
    return dt.date((today or dt.date.today()).year + 1, 12, 31)


def check_as_of(as_of: dt.date, source: str) -> None:
    """Raise ``UsageError`` (given: --as-of, the API, the rules file) or ``InputError`` (read from the
    registry) for a reference date outside ``EARLIEST`` … ``latest_as_of()``."""
    latest = latest_as_of()
    if EARLIEST <= as_of <= latest:
        return
    span = f"应在 {EARLIEST.isoformat()} 至 {latest.isoformat()} 之间"
    if source == SOURCES[2]:
        raise InputError(f"登记表年度列最大为 {as_of.year} 年，不能作为基准日期（{span}）：请改正年度列，或用 --as-of 指定基准日期。")
    if source == SOURCES[3]:
        raise InputError(f"登记表数据日期列最晚为 {as_of.year} 年，不能作为基准日期（{span}）：请改正数据日期列，或用 --as-of 指定基准日期。")
    raise UsageError(f"基准日期 {as_of.isoformat()}（来源：{source}）不合理，{span}：请检查是否写错。")


GIVEN = "as_of 参数"
"""The source named when ``audit(as_of=...)`` is refused (the command line checks --as-of itself first)."""


def given_as_of(value: object) -> dt.date | None:
    """The reference date a caller of ``audit``/``diff`` gave, as a date: a ``datetime.date``, a
    ``datetime.datetime`` or ``pandas.Timestamp`` (its date: comparing one with the registry's dates
    raised a bare ``TypeError`` after the whole registry was read), or ISO text ``YYYY-MM-DD``.
    Anything else, or a date outside ``EARLIEST`` … ``latest_as_of()``, raises ``UsageError`` before
    any file is read."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):  # before date: a datetime is a date
        date = value.date()
    elif isinstance(value, dt.date):
        date = value
    elif isinstance(value, str):
        try:
            date = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise UsageError(f"as_of 的值“{value}”不是日期，请写成 YYYY-MM-DD，例如 2019-12-31。") from None
    else:
        raise UsageError(
            f"as_of 须为日期（datetime.date）或 YYYY-MM-DD 格式的文本，而不是 {type(value).__name__}。"
        )
    check_as_of(date, GIVEN)
    return date


def resolve_as_of(
    cli_value: dt.date | None, ruleset: RuleSet, households: pd.DataFrame
) -> tuple[dt.date, str]:
    """--as-of, else rules.yaml as_of, else 31 Dec of max 年度, else of max 数据日期's year, else today;
    one outside 2013 … the end of next year raises (``check_as_of``)."""
    found = _find_as_of(cli_value, ruleset, households)
    check_as_of(*found)
    return found


def _find_as_of(cli_value: dt.date | None, ruleset: RuleSet, households: pd.DataFrame) -> tuple[dt.date, str]:
    if cli_value is not None:
        return cli_value, SOURCES[0]
    if ruleset.as_of is not None:
        return ruleset.as_of, SOURCES[1]
    if "年度" in households.columns:
        year = pd.to_numeric(households["年度"], errors="coerce").max()
        if pd.notna(year):
            return dt.date(int(year), 12, 31), SOURCES[2]
    if "数据日期" in households.columns:
        latest = pd.to_datetime(households["数据日期"], errors="coerce").max()
        if pd.notna(latest):
            return dt.date(latest.year, 12, 31), SOURCES[3]
    return dt.date.today(), SOURCES[4]
