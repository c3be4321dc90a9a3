"""The reference date for ages, lines and monitoring ranges, and where it came from."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from .model import RuleSet

SOURCES = ("命令行参数", "规则文件", "登记表年度", "登记表数据日期", "当天日期")


def resolve_as_of(
    cli_value: dt.date | None, ruleset: RuleSet, households: pd.DataFrame
) -> tuple[dt.date, str]:
    """--as-of, else rules.yaml as_of, else 31 Dec of max 年度, else of max 数据日期's year, else today."""
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
