"""``fupin-audit diff OLD NEW`` (or ``--old F... --new F...``): compare two snapshots, write the report
(变化概览, 变化明细 and the findings sheets), the findings file and a summary; exit 0/1/2/3 like check."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..atomic import refuse_inputs_early
from ..diff import DiffResult, diff
from ..errors import UsageError
from ..masking import mask_findings
from ..references import parse_ref_options
from ..report.excel import write_report
from ..report.files import write_findings
from ..report.jsonout import inputs_json, result_to_json, write_json
from ..report.terminal import render_summary
from ..rules.timelimit import check_rule_timeout
from .boundary import reader_may_leave, user_errors
from .check import exit_code, make_observer, report_failed_rules
from .options import (
    AsOfOption,
    DebugOption,
    FailOn,
    FailOnOption,
    FindingsOption,
    JsonOption,
    LogOption,
    MaskIdsOption,
    NoReportOption,
    QuietOption,
    RefOption,
    ReportOption,
    RulesOption,
    RuleTimeoutOption,
    check_output_types,
    parse_as_of,
)

CHANGES_SHEET, CHANGES_OVERVIEW = "变化明细", "变化概览"


def snapshot_paths(paths: list[str] | None, old: list[str] | None, new: list[str] | None) -> tuple[list[str], list[str]]:
    """``OLD NEW`` positionally (one each), or ``--old``/``--new`` (each repeatable, several files)."""
    if old or new:
        if paths or not old or not new:
            raise UsageError("请写 fupin-audit diff 上期 本期，或用 --old 与 --new（可重复）分别给出两期的文件，不要混用。")
        return old, new
    if not paths or len(paths) != 2:
        raise UsageError("diff 需要两期登记表：fupin-audit diff 上期.xlsx 本期.xlsx（每期多个文件时用 --old/--new 重复给出）。")
    return [paths[0]], [paths[1]]


def change_detail(result: DiffResult) -> Any:
    """变化明细: every change except households whose status did not change and were not renumbered."""
    changes = result.changes
    shown = changes["变化类型"].ne("状态未变") | changes["匹配方式"].eq("成员重合")
    return changes[shown.fillna(False).to_numpy()].reset_index(drop=True)


def diff_command(
    paths: Annotated[list[str] | None, typer.Argument(help="上期 本期 两个登记表文件。")] = None,
    old: Annotated[list[str] | None, typer.Option("--old", help="上期登记表文件（可重复）。")] = None,
    new: Annotated[list[str] | None, typer.Option("--new", help="本期登记表文件（可重复）。")] = None,
    rules: RulesOption = None,
    ref: RefOption = None,
    as_of: AsOfOption = None,
    old_as_of: Annotated[str | None, typer.Option("--old-as-of", help="上期基准日 YYYY-MM-DD（默认：上期年度的12月31日）。")] = None,
    report: ReportOption = None,
    no_report: NoReportOption = False,
    findings: FindingsOption = None,
    fail_on: FailOnOption = FailOn.high,
    mask_ids: MaskIdsOption = False,
    as_json: JsonOption = False,
    quiet: QuietOption = False,
    log: LogOption = None,
    rule_timeout: RuleTimeoutOption = None,
    debug: DebugOption = False,
) -> None:
    """比较两期登记表（动态调整）：新识别、脱贫、返贫、清退，成员增减，以及“数字脱贫”等问题。"""
    with user_errors(debug, mask_ids):
        check_rule_timeout(rule_timeout)
        old_paths, new_paths = snapshot_paths(paths, old, new)
        references = parse_ref_options(ref, rules)
        report_path = None if no_report else (report or Path.cwd() / "动态调整_核查报告.xlsx")
        check_output_types(report_path, findings)
        refuse_inputs_early([report_path, findings, log], [*old_paths, *new_paths], rules, references)
        observer = make_observer(show=not (quiet or as_json), log=log)
        try:
            result = diff(old_paths, new_paths, rules=rules, references=references, as_of=parse_as_of(as_of),
                          old_as_of=parse_as_of(old_as_of), rule_timeout=rule_timeout, observer=observer)
            observer.phase("写出")
            if report_path is not None:
                sheets = [(CHANGES_OVERVIEW, result.overview), (CHANGES_SHEET, change_detail(result))]
                write_report(result.new, report_path, mask_ids=mask_ids, extra_sheets=sheets, older=result.old)
            if findings is not None:
                write_findings(mask_findings(result.findings) if mask_ids else result.findings, findings,
                               protected=[*result.new.input_paths(), *result.old.input_paths()])
        finally:
            observer.finish()
        with reader_may_leave():
            if as_json:
                document = result_to_json(result.new, mask_ids=mask_ids)
                document["old_as_of"] = result.old.as_of.isoformat()
                document["old_inputs"] = inputs_json(result.old.inputs, mask_ids)
                document["changes"] = change_counts(result)
                document["overview"] = json.loads(result.overview.to_json(orient="records", force_ascii=False))
                write_json(document, sys.stdout)
            elif not quiet:
                console = Console()
                render_summary(result.new, report_path, findings, console, mask_ids)
                console.print(_changes_table(result))
        report_failed_rules(result.new)
        raise typer.Exit(exit_code(result.new, fail_on))


def change_counts(result: DiffResult) -> dict[str, dict[str, int]]:
    counts = result.changes.groupby(["层级", "变化类型"]).size().reset_index(name="n")
    out: dict[str, dict[str, int]] = {}
    for level, kind, n in zip(counts["层级"], counts["变化类型"], counts["n"], strict=True):
        out.setdefault(str(level), {})[str(kind)] = int(n)
    return out


def _changes_table(result: DiffResult) -> Table:
    table = Table(title="两期变化", title_justify="left")
    for header in ("层级", "变化类型", "数量"):
        table.add_column(header, justify="right" if header == "数量" else "left")
    for level, kinds in change_counts(result).items():
        for kind, n in kinds.items():
            table.add_row(Text(level), Text(kind), f"{n:,}")
    return table
