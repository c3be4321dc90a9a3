"""Typer options shared by several commands, defined once."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from ..errors import UsageError


class FailOn(StrEnum):
    high = "high"
    medium = "medium"
    low = "low"
    never = "never"


RulesOption = Annotated[
    Path | None, typer.Option("--rules", help="规则文件（默认使用内置 rules.yaml）。", dir_okay=False)
]
AsOfOption = Annotated[
    str | None, typer.Option("--as-of", help="核查基准日 YYYY-MM-DD（默认：规则文件，其次登记表年度的12月31日）。")
]
DebugOption = Annotated[bool, typer.Option("--debug", help="出错时显示程序调用栈（不含数据）。")]


def parse_as_of(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(f"--as-of 的值“{value}”不是日期，请写成 YYYY-MM-DD，例如 2019-12-31。") from None
