"""The terminal summary after ``fupin-audit check``: inputs, reference date, counts, skipped rules, outputs.

Only counts, codes, places and file names are shown, never a person's name or ID number. Every text
from the data goes through ``Text`` so that a ``[`` in a file or village name is not read as markup.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..baseline import change_counts
from ..kinds import SEVERITIES, SEVERITY_TITLES
from ..masking import shown_path
from ..result import AuditResult
from ..rules.loader import default_rules_path
from .rates import exit_rates, rate_lines
from .summary import input_notes, kind_severity_counts, place_counts, table_rows

TOP_PLACES = 15
"""Villages listed by name; the rest are summed in one line."""


def render_summary(
    result: AuditResult, report_path: Path | None, findings_path: Path | None, console: Console, mask_ids: bool = False
) -> None:
    """Print the summary of ``result`` to ``console`` (plain text when it is not a terminal); with
    ``mask_ids`` an ID in a file's name is masked."""
    console.print(Text("fupin-audit 核查摘要", style="bold"))
    console.print(Text(f"基准日期：{result.as_of.isoformat()}（来源：{result.as_of_source}）"))
    if result.rules_path != default_rules_path():
        # a --rules file replaces the built-in one whole: a file of one's own rules runs no 错退 check
        console.print(Text(f"规则文件：{shown_path(result.rules_path, mask_ids)}（代替内置规则文件，共 {len(result.rules_table)} 条规则）"))
    console.print(_inputs_table(result, mask_ids))
    if result.baseline_path is not None:
        counts = change_counts(result.findings, result.resolved)
        unchecked = counts["unchecked"]
        console.print(
            Text(
                f"与上次问题清单（{shown_path(result.baseline_path, mask_ids)}）相比：新增 {counts['new']:,} 条，"
                f"持续 {counts['persisting']:,} 条，已整改 {counts['resolved']:,} 条"
                + (f"，未复核 {unchecked:,} 条（本次未执行其规则、未能读取或未给出其文件，不算已整改）" if unchecked else "")
            )
        )
    findings = result.findings
    if findings.empty:
        console.print(Text("未发现问题。", style="green"))
    else:
        console.print(_kinds_table(result))
    rates = exit_rates(result)
    for label, text in rate_lines(rates) if rates is not None else []:
        console.print(Text(f"{label}：{text}"))
    if not findings.empty:
        console.print(_places_table(result))
    if result.skipped_rules:
        console.print(_skipped_table(result))
    if report_path is not None:
        console.print(Text(f"Excel 报告：{shown_path(report_path, mask_ids)}"))
    if findings_path is not None:
        console.print(Text(f"问题清单文件：{shown_path(findings_path, mask_ids)}"))


def _inputs_table(result: AuditResult, mask_ids: bool) -> Table:
    table = Table(title="输入文件", title_justify="left")
    for header in ("文件", "工作表", "读取行数", "审计行数", "跳过行数", "跳过原因", "说明"):
        # long notes wrap character by character (Chinese has no spaces to wrap at: the lines were cut with …)
        table.add_column(header, justify="right" if header.endswith("数") else "left", overflow="fold")
    for item in result.inputs:
        reasons = "；".join(f"{reason} {n}" for reason, n in item.rows_skipped.items() if n)
        table.add_row(
            Text(shown_path(item.path, mask_ids)),
            Text("、".join(item.sheets)),
            f"{item.rows_read:,}",
            f"{item.rows_audited:,}",
            f"{sum(item.rows_skipped.values()):,}",
            Text(reasons),
            Text(input_notes(item, mask_ids)),
        )
    return table


def _kinds_table(result: AuditResult) -> Table:
    counts = kind_severity_counts(result.findings)
    table = Table(title=f"问题 {len(result.findings):,} 条（按类型）", title_justify="left")
    table.add_column("问题类型")
    table.add_column("代码")
    for severity in SEVERITIES:
        table.add_column(SEVERITY_TITLES[severity], justify="right")
    table.add_column("合计", justify="right")
    for title, kind, *numbers in table_rows(counts, ["title", "kind", *SEVERITIES, "count"]):
        table.add_row(title, kind, *(f"{n:,}" for n in numbers))
    return table


def _places_table(result: AuditResult) -> Table:
    counts = place_counts(result.findings, "village")
    table = Table(title=f"按村（{len(counts):,} 个村）", title_justify="left")
    table.add_column("县/乡镇/村")
    table.add_column("高", justify="right")
    table.add_column("合计", justify="right")
    for place, high, count in table_rows(counts.head(TOP_PLACES), ["place", "high", "count"]):
        table.add_row(Text(place), f"{high:,}", f"{count:,}")
    rest = counts.iloc[TOP_PLACES:]
    if len(rest):
        table.add_row(
            Text(f"其余 {len(rest):,} 个村（见 Excel 报告 概览）"), f"{int(rest['high'].sum()):,}", f"{int(rest['count'].sum()):,}"
        )
    return table


def _skipped_table(result: AuditResult) -> Table:
    """One row per reason: the rules skipped for it (a reason names the missing list or columns)."""
    by_reason: dict[str, list[str]] = {}
    for rule in result.skipped_rules:
        unnamed = [c for c in rule.missing_columns if c not in rule.reason]
        reason = f"{rule.reason}：{'、'.join(unnamed)}" if unnamed else rule.reason
        by_reason.setdefault(reason, []).append(rule.rule_id)
    table = Table(title=f"未执行的规则 {len(result.skipped_rules)} 条", title_justify="left")
    table.add_column("原因", overflow="fold")
    table.add_column("规则编号", overflow="fold")
    for reason, rule_ids in by_reason.items():
        table.add_row(Text(reason), Text("、".join(rule_ids)))
    return table
