"""Typer options shared by several commands, defined once."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from ..errors import UsageError
from ..report.excel import check_report_path
from ..report.files import check_findings_path
from ..rules.asof import check_as_of


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
RuleTimeoutOption = Annotated[
    float | None,
    typer.Option("--rule-timeout", help="每条规则最多运行的秒数，超时的规则中止并报错（退出码 2），其余规则照常运行（默认不限时）。"),
]


def parse_as_of(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        date = dt.date.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(f"--as-of 的值“{value}”不是日期，请写成 YYYY-MM-DD，例如 2019-12-31。") from None
    check_as_of(date, "--as-of")  # before any file is read
    return date


RefOption = Annotated[
    list[str] | None,
    typer.Option("--ref", help="对照名单 名单名=文件，可重复：payroll、cadres、relatives、vehicles、property、business、deaths。"),
]
ReportOption = Annotated[Path | None, typer.Option("--report", help="Excel 报告路径。")]
NoReportOption = Annotated[bool, typer.Option("--no-report", help="不写 Excel 报告。")]
FindingsOption = Annotated[Path | None, typer.Option("--findings", help="问题清单文件：.csv、.parquet 或 .jsonl。")]
FailOnOption = Annotated[FailOn, typer.Option("--fail-on", help="有此严重程度及以上的问题时退出码为 1。")]
MaskIdsOption = Annotated[bool, typer.Option("--mask-ids", help="所有输出中的证件号码打码（110101********1234）。")]
JsonOption = Annotated[bool, typer.Option("--json", help="在标准输出打印 JSON 结果，而不是摘要。")]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="不打印摘要。")]
LogOption = Annotated[
    Path | None, typer.Option("--log", help="追加写入运行日志：每个阶段一行，每条规则一行（不含个人数据）。")
]


def check_output_types(report: Path | None, findings: Path | None) -> None:
    """Before any work: the report must be .xlsx and the findings file a supported format."""
    if report is not None:
        check_report_path(report)
    if findings is not None:
        check_findings_path(findings)
