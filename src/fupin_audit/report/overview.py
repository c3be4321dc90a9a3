"""The report's 概览 sheet: reference date, notes, parameters, inputs, counts by kind (with a chart),
severity, rule and village, and the reference lists used. Rows are written top to bottom
(constant_memory); counts are numbers, every text from the data is written with ``write_string``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import pandas as pd
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ..baseline import change_counts
from ..kinds import BY_CODE
from ..masking import shown_path
from ..result import AuditResult
from .rates import exit_rates, rate_lines
from .summary import (
    input_notes,
    kind_severity_counts,
    place_counts,
    rule_counts,
    severity_counts,
    table_rows,
)
from .xlsxtable import WIDTH_CAP, Styles, cell_width, to_text

Cell = str | int | float
CHART_COLUMN = 8


class _Cursor:
    """Writes rows in order and remembers the widest text per column."""

    def __init__(self, sheet: Worksheet, styles: Styles):
        self.sheet, self.styles, self.row = sheet, styles, 0
        self.widths: dict[int, int] = {}

    def line(self, cells: Sequence[object], cell_format: Format | None = None) -> int:
        for col, value in enumerate(cells):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                text = str(value)
                if text:
                    self.sheet.write_string(self.row, col, text, cell_format)
                    self.widths[col] = max(self.widths.get(col, 0), cell_width(text))
            else:
                self.sheet.write_number(self.row, col, value, cell_format)
        self.row += 1
        return self.row - 1

    def section(self, title: str, headers: Sequence[str]) -> int:
        """A blank row, a bold title, a header row; returns the header's row."""
        self.row += 1
        self.line([title], self.styles.section)
        return self.line(headers, self.styles.header)


def write_overview(
    workbook: Workbook,
    name: str,
    result: AuditResult,
    findings: pd.DataFrame,
    references: pd.DataFrame,
    notes: Sequence[str],
    mask_ids: bool,
    styles: Styles,
    older: AuditResult | None = None,
) -> Worksheet:
    """Add the 概览 sheet (``findings`` already masked when ``mask_ids``); ``older``: diff's older
    snapshot, whose date and files are shown beside the newer one's."""
    sheet = workbook.add_worksheet(name)
    cursor = _Cursor(sheet, styles)
    cursor.line(["建档立卡贫困户核查报告"], styles.title)
    cursor.line(["基准日期", f"{result.as_of.isoformat()}（来源：{result.as_of_source}）"])
    if older is not None:
        cursor.line(["上期基准日期", f"{older.as_of.isoformat()}（来源：{older.as_of_source}）"])
    cursor.line(["运行时间", result.started.isoformat(sep=" ", timespec="seconds")])
    cursor.line(["问题总数", len(findings)])
    rates = exit_rates(result)
    for label, text in rate_lines(rates) if rates is not None else []:
        cursor.line([label, text])
    if result.baseline_path is not None:
        counts = change_counts(result.findings, result.resolved)
        cursor.line(["上次问题清单", shown_path(result.baseline_path, mask_ids)])
        for title, key in (("新增", "new"), ("持续", "persisting"), ("已整改", "resolved"), ("未复核", "unchecked")):
            cursor.line([title, counts[key]])
    cursor.line(["证件号码打码", "是" if mask_ids else "否"])
    for note in notes:
        cursor.line(["说明", note])

    cursor.section("参数", ["参数", "取值"])
    for key, value in _flatten(result.parameters):
        cursor.line([key, value])

    cursor.section("输入文件", ["文件", "工作表", "读取行数", "审计行数", "跳过行数", "跳过原因", "说明"])
    snapshots = [("上期：", older), ("本期：", result)] if older is not None else [("", result)]
    for label, snapshot in snapshots:
        for item in snapshot.inputs:
            reasons = "；".join(f"{reason} {n}" for reason, n in item.rows_skipped.items() if n)
            skipped = sum(item.rows_skipped.values())
            cursor.line([
                label + shown_path(item.path, mask_ids), "、".join(item.sheets), item.rows_read, item.rows_audited,
                skipped, reasons, input_notes(item, mask_ids),
            ])

    kinds = kind_severity_counts(findings)
    header = cursor.section("按问题类型", ["问题类型", "代码", "高", "中", "低", "合计"])
    for values in table_rows(kinds, ["title", "kind", "high", "medium", "low", "count"]):
        cursor.line(values)
    if len(kinds):
        _chart(workbook, sheet, name, header, len(kinds))
    cursor.line(["合计", "", *(int(kinds[c].sum()) for c in ("high", "medium", "low", "count"))], styles.section)

    cursor.section("按严重程度", ["严重程度", "代码", "数量"])
    for values in table_rows(severity_counts(findings), ["title", "severity", "count"]):
        cursor.line(values)

    cursor.section("按规则", ["规则编号", "规则名称", "问题类型", "数量"])
    rules = rule_counts(findings, result.rules_table)
    rules["kind"] = rules["kind"].map({code: kind.title for code, kind in BY_CODE.items()})
    for values in table_rows(rules, ["rule_id", "title", "kind", "count"]):
        cursor.line(values)

    cursor.section("按村", ["县/乡镇/村", "高", "合计"])
    for values in table_rows(place_counts(findings, "village"), ["place", "high", "count"]):
        cursor.line(values)

    if not references.empty:
        cursor.section("参照名单", [str(c) for c in references.columns])
        for cells in zip(*(_cells(references[c]) for c in references.columns), strict=True):
            cursor.line(cells)

    for col, width in sorted(cursor.widths.items()):
        sheet.set_column(col, col, min(max(width + 2, 10), WIDTH_CAP))
    return sheet


def _cells(column: pd.Series) -> list[Cell]:
    """Counts stay numbers (when complete); everything else is display text."""
    numeric = pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(column.dtype)
    if numeric and column.notna().all():
        return list(column.tolist())
    return list(to_text(column).tolist())


def _chart(workbook: Workbook, sheet: Worksheet, name: str, header: int, count: int) -> None:
    """A column chart of findings by kind, beside the kind table."""
    chart = workbook.add_chart({"type": "column"})
    assert chart is not None  # add_chart returns None only for an unknown type
    chart.add_series(
        {
            "name": "问题数",
            "categories": [name, header + 1, 0, header + count, 0],
            "values": [name, header + 1, 5, header + count, 5],
            "data_labels": {"value": True},
        }
    )
    chart.set_title({"name": "按问题类型"})
    chart.set_legend({"none": True})
    sheet.insert_chart(header, CHART_COLUMN, chart)


def _flatten(parameters: Mapping[Any, object], prefix: str = "") -> Iterator[tuple[str, Cell]]:
    """``(key.sub, value)`` pairs; numbers stay numbers, lists and other values become text."""
    for key, value in parameters.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            yield from _flatten(value, f"{path}.")
        elif isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            yield path, value
        elif isinstance(value, (list, tuple)):
            yield path, json.dumps(list(value), ensure_ascii=False, default=str)
        else:
            yield path, "" if value is None else str(value)
