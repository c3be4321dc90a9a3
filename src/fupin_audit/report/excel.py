"""The Excel report (DESIGN.md "The Excel report"), written with xlsxwriter in constant_memory mode.

Sheets, in order: 概览, 问题清单 (split into 问题清单(2) … past Excel's row limit), one sheet per kind
that occurs (named by its Chinese title; 数据错误 always), with --baseline 已整改 and (when any) 未复核,
未执行规则, 规则说明, 审计信息, then one sheet per reference list matched. The file is written
beside the target and renamed over it.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from xlsxwriter.workbook import Workbook

from .. import __version__
from ..atomic import atomic_write
from ..baseline import CHANGE_RESOLVED, CHANGE_UNCHECKED, unchecked_reasons
from ..errors import UsageError
from ..findings import CHINESE_HEADERS, COLUMNS
from ..findings import empty as empty_findings
from ..kinds import BY_CODE, KIND_CODES, KINDS, SEVERITY_TITLES
from ..masking import mask_findings, mask_frame, shown_path
from ..result import AuditResult
from ..schema.catalog import BUILT_IN
from . import xlsxtable
from .overview import write_overview
from .sheetrows import prepare
from .xlsxtable import Styles, fitted_widths, frame_columns, number_columns, sheet_name, write_list

WORKBOOK_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}

OVERVIEW, SKIPPED, RULES, AUDIT_INFO, ALL_FINDINGS = "概览", "未执行规则", "规则说明", "审计信息", "问题清单"
RESOLVED, UNCHECKED = CHANGE_RESOLVED, CHANGE_UNCHECKED
DATA_ERROR = "data_error"

SCOPE_TITLES = {"check": "每次核查（check，diff 的本期）", "diff": "仅动态调整（diff）"}
"""规则说明's 适用: a diff rule listed in a check report was not applied there."""

RULE_HEADERS = {
    "id": "规则编号", "title": "规则名称", "kind": "问题类型", "severity": "严重程度", "enabled": "启用", "scope": "适用",
    "requires": "所需列", "sql": "SQL", "parameters": "参数", "message": "问题描述", "basis": "依据",
}


@dataclass(frozen=True)
class FindingsSheet:
    """One findings sheet to write: its name, the list it is (part of), and the rows of the findings
    it holds (ascending positions)."""

    name: str
    base: str
    rows: np.ndarray


def check_report_path(path: Path) -> None:
    """Raise ``UsageError`` unless ``path`` ends in .xlsx (checked before an audit)."""
    if Path(path).suffix.lower() != ".xlsx":
        raise UsageError(f"Excel 报告 {Path(path).name} 须以 .xlsx 结尾：请换一个文件名。")


def write_report(
    result: AuditResult,
    path: Path,
    *,
    mask_ids: bool = False,
    extra_sheets: Sequence[tuple[str, pd.DataFrame]] = (),
    older: AuditResult | None = None,
) -> None:
    """Write the Excel report of ``result`` to ``path`` (atomically; never over an input file).

    With ``mask_ids`` every ID number in every sheet is masked (``110101********8035``).
    ``extra_sheets`` (name, frame) are written right after 概览 (diff: 变化概览, 变化明细);
    ``older`` (diff: the older snapshot's audit) adds its reference date and input files to 审计信息,
    and those files are never overwritten either.
    """
    findings = mask_findings(result.findings) if mask_ids else result.findings
    matches = {k: mask_frame(v) if mask_ids else v for k, v in result.reference_matches.items()}
    references = mask_frame(result.references) if mask_ids else result.references
    display = display_findings(findings)
    taken = {OVERVIEW, SKIPPED, RULES, AUDIT_INFO, *(name for name, _ in extra_sheets)}
    sheets = plan_findings_sheets(findings["kind"], taken)
    check_report_path(path)
    protected = [*result.input_paths(), *(older.input_paths() if older is not None else ())]
    # constant_memory keeps each sheet's rows in a temporary file until the workbook closes: in a private
    # folder (mode 0700) removed with it, not in the shared temporary folder where a killed run left them
    with atomic_write(Path(path), protected) as temporary, tempfile.TemporaryDirectory(prefix="fupin-audit-") as rows:
        workbook = Workbook(str(temporary), {**WORKBOOK_OPTIONS, "tmpdir": rows})
        try:
            styles = Styles.create(workbook)
            write_overview(workbook, OVERVIEW, result, findings, references, _split_notes(sheets), mask_ids, styles, older)
            for name, frame in extra_sheets:
                _write_frame(workbook, name, mask_frame(frame) if mask_ids else frame, styles)
            headers = [CHINESE_HEADERS[c] for c in COLUMNS]
            widths = fitted_widths(headers, [display[c] for c in COLUMNS])
            cells = prepare([display[c] for c in COLUMNS])  # once for 问题清单 and the sheets per kind
            for sheet in sheets:
                write_list(workbook, sheet.name, headers, cells.rows(sheet.rows), widths, styles)
            if result.baseline_path is not None:
                _write_frame(workbook, sheet_name(RESOLVED, taken), _resolved_frame(result, mask_ids, RESOLVED), styles)
                unchecked = _resolved_frame(result, mask_ids, UNCHECKED)
                if len(unchecked):
                    _write_frame(workbook, sheet_name(UNCHECKED, taken), unchecked, styles)
            _write_frame(workbook, SKIPPED, _skipped_frame(result), styles)
            _write_frame(workbook, RULES, _rules_frame(result.rules_table, result.findings), styles)
            _write_frame(workbook, AUDIT_INFO, _audit_info_frame(result, mask_ids, older), styles)
            for key, frame in matches.items():
                _write_frame(workbook, sheet_name(key, taken), frame, styles)
        finally:
            xlsxtable.close(workbook)


def display_findings(findings: pd.DataFrame) -> pd.DataFrame:
    """The findings as shown: kind as its Chinese title, severity as 高/中/低, everything else as is."""
    display = findings.loc[:, list(COLUMNS)].reset_index(drop=True)
    display["kind"] = display["kind"].map({k.code: k.title for k in KINDS}).astype("str")
    display["severity"] = display["severity"].map(SEVERITY_TITLES).astype("str")
    return display


def plan_findings_sheets(kinds: pd.Series, taken: set[str]) -> list[FindingsSheet]:
    """问题清单, then each occurring kind (数据错误 always, last), each split at Excel's row limit;
    ``kinds`` is the findings' kind column."""
    per_sheet = xlsxtable.EXCEL_ROWS - 1
    kind_codes = kinds.reset_index(drop=True)
    groups: list[tuple[str, np.ndarray]] = [(ALL_FINDINGS, np.arange(len(kind_codes)))]
    occurring = set(kind_codes.unique())
    for kind in KINDS:
        if kind.code != DATA_ERROR and kind.code in occurring:
            groups.append((kind.title, np.flatnonzero(kind_codes.eq(kind.code).to_numpy())))
    groups.append((BY_CODE[DATA_ERROR].title, np.flatnonzero(kind_codes.eq(DATA_ERROR).to_numpy())))
    sheets = []
    for base, rows in groups:
        for start, stop in xlsxtable.chunks(len(rows), per_sheet):
            sheets.append(FindingsSheet(sheet_name(base, taken), base, rows[start:stop]))
    return sheets


def _split_notes(sheets: list[FindingsSheet]) -> list[str]:
    """One sentence per findings sheet that had to be split, naming its parts."""
    parts: dict[str, list[FindingsSheet]] = {}
    for sheet in sheets:
        parts.setdefault(sheet.base, []).append(sheet)
    return [
        f"{base} 共 {sum(len(s.rows) for s in group):,} 条，超过 Excel 单个工作表 "
        f"{xlsxtable.EXCEL_ROWS - 1:,} 行的上限，已分为：{'、'.join(s.name for s in group)}。"
        for base, group in parts.items()
        if len(group) > 1
    ]


def _write_frame(workbook: Workbook, name: str, frame: pd.DataFrame, styles: Styles) -> None:
    headers, columns = frame_columns(frame)
    write_list(workbook, name, headers, prepare(columns, number_columns(frame)), fitted_widths(headers, columns), styles)


def _resolved_frame(result: AuditResult, mask_ids: bool, change: str) -> pd.DataFrame:
    """The baseline's findings that no longer occur whose ``change`` is ``change``, with the findings'
    Chinese headers: 已整改, or 未复核 with a last column saying why they were not re-checked.

    Two sheets, not one with its 变化 column: a sheet named 已整改 is what staff file as put right,
    and must hold nothing that was not checked again."""
    resolved = result.resolved if len(result.resolved.columns) else empty_findings()
    chosen = resolved[resolved["change"].eq(change).to_numpy()]
    shown = display_findings(mask_findings(chosen, ids_keyed=result.resolved_keyed) if mask_ids else chosen).rename(columns=CHINESE_HEADERS)
    if change == UNCHECKED:
        shown["未复核原因"] = unchecked_reasons(chosen, mask_ids).to_numpy()
    return shown


def _rules_frame(rules: pd.DataFrame, found: pd.DataFrame) -> pd.DataFrame:
    """规则说明: the rules table, then the built-in data checks (their kind and severity as this run's
    findings give them), with Chinese headers, kinds and severities as the findings show them. A rule
    whose findings took another kind too (ref_payroll's ``_kind``: 应退未退 for an event after
    identification) shows its kind as 错评、应退未退."""
    seen = found.drop_duplicates("rule_id").set_index("rule_id") if len(found) else None
    built_in = pd.DataFrame([
        {"id": rule_id, "title": title, "enabled": True, "scope": "check", "sql": "（内置检查，不在规则文件中）", "basis": what,
         "kind": seen.at[rule_id, "kind"] if seen is not None and rule_id in seen.index else "",
         "severity": seen.at[rule_id, "severity"] if seen is not None and rule_id in seen.index else ""}
        for rule_id, (title, what) in BUILT_IN.items()
    ]).reindex(columns=rules.columns)
    shown = pd.concat([rules, built_in.astype({c: rules[c].dtype for c in rules.columns})], ignore_index=True)
    for column, titles in (("severity", SEVERITY_TITLES), ("scope", SCOPE_TITLES)):
        if column in shown:
            shown[column] = shown[column].map(lambda value, t=titles: t.get(value, value)).astype("str")
    if "kind" in shown:
        found_kinds = found.groupby("rule_id")["kind"].unique().to_dict() if len(found) else {}
        shown["kind"] = [_kind_titles(kind, found_kinds.get(rule_id, ())) for rule_id, kind in
                         zip(shown["id"], shown["kind"].fillna(""), strict=True)]
    return shown.rename(columns=RULE_HEADERS)


def _kind_titles(declared: str, found: Sequence[str]) -> str:
    """The declared kind's title, then those of the other kinds the rule's findings have, in catalogue order."""
    others = [k for k in KIND_CODES if k in set(found) and k != declared]
    return "、".join(BY_CODE[k].title if k in BY_CODE else k for k in [declared, *others] if k)


def _skipped_frame(result: AuditResult) -> pd.DataFrame:
    rules = result.skipped_rules
    return pd.DataFrame(
        {
            "规则编号": [r.rule_id for r in rules],
            "规则名称": [r.title for r in rules],
            "原因": [r.reason for r in rules],
            "缺少的列": ["、".join(r.missing_columns) for r in rules],
        },
        dtype="str",
    )


def _audit_info_frame(result: AuditResult, mask_ids: bool, older: AuditResult | None) -> pd.DataFrame:
    rows = [
        ("工具", "fupin-audit", ""),
        ("版本", result.version or __version__, ""),
        ("运行时间", result.started.isoformat(sep=" ", timespec="seconds"), ""),
        ("基准日期", result.as_of.isoformat(), ""),
        ("基准日期来源", result.as_of_source, ""),
        ("证件号码打码", "是" if mask_ids else "否", ""),
    ]
    rows += [("输入文件", shown_path(item.path, mask_ids), item.sha256) for item in result.inputs]
    if older is not None:
        rows.append(("上期基准日期", older.as_of.isoformat(), ""))
        rows += [("上期输入文件", shown_path(item.path, mask_ids), item.sha256) for item in older.inputs]
    rows.append(("规则文件", shown_path(result.rules_path, mask_ids), result.rules_sha256))
    if result.baseline_path is not None:
        rows.append(("上次问题清单", shown_path(result.baseline_path, mask_ids), result.baseline_sha256))
    return pd.DataFrame(rows, columns=["项目", "内容", "SHA-256"], dtype="str")
