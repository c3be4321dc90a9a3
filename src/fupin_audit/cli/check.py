"""``fupin-audit check REGISTRY...``: audit, write the report and findings, summarize, exit 0/1/2/3."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ..api import audit
from ..atomic import refuse_inputs_early
from ..errors import UsageError
from ..findings import SEVERITY_ORDER
from ..masking import mask_findings, mask_in
from ..progress import Fanout, Observer, PhaseLog
from ..references import parse_ref_options
from ..report.excel import write_report
from ..report.files import write_findings
from ..report.jsonout import result_to_json, write_json
from ..report.terminal import render_summary
from ..result import AuditResult
from ..rules.timelimit import check_rule_timeout
from .boundary import reader_may_leave, user_errors
from .exitcodes import EXIT_FINDINGS, EXIT_NOT_AUDITED, EXIT_OK
from .observe import ProgressBars
from .options import (
    AsOfOption,
    DebugOption,
    FailOn,
    LogOption,
    RulesOption,
    RuleTimeoutOption,
    check_output_types,
    parse_as_of,
)


def default_report_path(registry: str) -> Path:
    """``<input name>_核查报告.xlsx`` in the current folder."""
    stem = Path(registry.rstrip("/\\")).stem.replace("*", "").strip("._") or "registry"
    return Path.cwd() / f"{stem}_核查报告.xlsx"


def make_observer(*, show: bool, log: Path | None) -> Observer:
    """Progress bars on a terminal (stderr), unless quiet; a phase log when asked."""
    observers: list[Observer] = []
    console = Console(stderr=True)
    if show and console.is_terminal:
        observers.append(ProgressBars(console))
    if log is not None:
        try:
            observers.append(PhaseLog(log))
        except OSError as exc:
            raise UsageError(f"无法写入运行日志 {log}（{exc.strerror}）：请换一个日志文件路径。") from None
    return Fanout(*observers)


def exit_code(result: AuditResult, fail_on: FailOn) -> int:
    """2 when a file was skipped (--keep-going) or a rule's SQL failed, else 1 when findings reach
    ``fail_on``, else 0."""
    if any(i.error for i in result.inputs) or any(rule.failed for rule in result.skipped_rules):
        return EXIT_NOT_AUDITED
    if fail_on is FailOn.never or result.findings.empty:
        return EXIT_OK
    threshold = SEVERITY_ORDER[fail_on.value]
    worst = min(SEVERITY_ORDER[s] for s in result.findings["severity"])
    return EXIT_FINDINGS if worst <= threshold else EXIT_OK


def check(
    registry: Annotated[list[str], typer.Argument(help="登记表文件、文件夹或通配符（可多个，合并为一个登记表核查）。")],
    rules: RulesOption = None,
    ref: Annotated[
        list[str] | None,
        typer.Option("--ref", help="对照名单 名单名=文件，可重复：payroll、cadres、relatives、vehicles、property、business、deaths。"),
    ] = None,
    as_of: AsOfOption = None,
    report: Annotated[Path | None, typer.Option("--report", help="Excel 核查报告路径（默认：<输入文件名>_核查报告.xlsx）。")] = None,
    no_report: Annotated[bool, typer.Option("--no-report", help="不写 Excel 报告。")] = False,
    findings: Annotated[Path | None, typer.Option("--findings", help="问题清单文件：.csv、.parquet 或 .jsonl。")] = None,
    fail_on: Annotated[FailOn, typer.Option("--fail-on", help="有此严重程度及以上的问题时退出码为 1。")] = FailOn.high,
    mask_ids: Annotated[bool, typer.Option("--mask-ids", help="所有输出中的证件号码打码（110101********1234）。")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="在标准输出打印 JSON 结果，而不是摘要。")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="不打印摘要。")] = False,
    sheet: Annotated[str | None, typer.Option("--sheet", help="只读这个工作表（名称或从1开始的序号）。")] = None,
    encoding: Annotated[str | None, typer.Option("--encoding", help="CSV 编码（默认自动识别）。")] = None,
    include_hidden: Annotated[bool, typer.Option("--include-hidden", help="也读取隐藏的工作表。")] = False,
    keep_going: Annotated[bool, typer.Option("--keep-going", help="跳过无法读取的文件，继续核查其余文件（退出码仍为 2）。")] = False,
    log: LogOption = None,
    rule_timeout: RuleTimeoutOption = None,
    baseline: Annotated[
        Path | None,
        typer.Option("--baseline", help="上次的问题清单（--findings 写出的文件）：标出新增、持续和已整改的问题。", dir_okay=False),
    ] = None,
    debug: DebugOption = False,
) -> None:
    """核查登记表，输出 Excel 报告、问题清单和摘要。"""
    with user_errors(debug, mask_ids):
        check_rule_timeout(rule_timeout)
        references = parse_ref_options(ref, rules)
        report_path = None if no_report else (report or default_report_path(registry[0]))
        check_output_types(report_path, findings)
        refuse_inputs_early([report_path, findings, log], registry, rules, references)
        observer = make_observer(show=not (quiet or as_json), log=log)
        try:
            result = audit(
                registry,
                rules=rules,
                as_of=parse_as_of(as_of),
                sheet=sheet,
                encoding=encoding,
                include_hidden=include_hidden,
                keep_going=keep_going,
                observer=observer,
                references=references,
                baseline=baseline,
                rule_timeout=rule_timeout,
            )
            observer.phase("写出")
            if report_path is not None:
                write_report(result, report_path, mask_ids=mask_ids)
            if findings is not None:
                write_findings(
                    mask_findings(result.findings) if mask_ids else result.findings, findings,
                    protected=result.input_paths(),
                )
        finally:
            observer.finish()
        with reader_may_leave():
            if as_json:
                write_json(result_to_json(result, mask_ids=mask_ids), sys.stdout)
            elif not quiet:
                render_summary(result, report_path, findings, Console(), mask_ids)
        for failed in (i for i in result.inputs if i.error):
            print(f"错误：{mask_in(failed.error) if mask_ids else failed.error}（已跳过）", file=sys.stderr)
        named: set[Path] = set()
        for item in (i for i in result.inputs if i.shared_households):
            named.add(item.path)
            if all(path in named for path, _ in item.shared_households):
                continue  # said already, from the other file's side
            note = f"注意：{item.path} {item.shared_note()}。"
            print(mask_in(note) if mask_ids else note, file=sys.stderr)
        report_failed_rules(result)
        raise typer.Exit(exit_code(result, fail_on))


def report_failed_rules(result: AuditResult) -> None:
    """One line on stderr per rule whose SQL failed or that ran past --rule-timeout: the other rules
    ran, the exit code is 2."""
    for rule in (r for r in result.skipped_rules if r.failed):
        print(f"错误：规则 {rule.rule_id}（{rule.title}）未执行：{rule.reason}", file=sys.stderr)
