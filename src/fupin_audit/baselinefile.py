"""Reading an earlier findings file back (``--baseline``) as the writer wrote it, and refusing one that
was changed on the way (opened and re-saved in Excel, columns translated) with a message that says so.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd

from .errors import InputError
from .kinds import KIND_CODES, SEVERITIES
from .report.files import formula_risky

FINDING_ID = re.compile(r"[0-9a-fA-F]{16}")
"""A finding_id as written: the first 16 hex digits of a SHA-256 (findings.finding_ids)."""

_LONG_NUMBER = re.compile(r"[0-9０-９]{6}")
"""A value with six digits in a row may be an ID number (shifted columns): never quoted in a message."""

SAVED_BY_EXCEL = "请改用 .parquet 格式的问题清单作 --baseline（--findings 写成 .parquet），或使用未经 Excel 另存的原 CSV 文件。"


def read_csv(path: Path) -> pd.DataFrame:
    """A findings CSV: UTF-8 (with or without the BOM the writer puts), else GB18030 (Excel's
    "CSV" on Chinese Windows saves GBK); every value text, the writer's formula guard removed."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise InputError(
                f"{path.name}：文件编码无法识别（既不是 UTF-8 也不是 GBK/GB18030），无法读取为问题清单。" + SAVED_BY_EXCEL
            ) from None
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    return frame.apply(unguard) if len(frame.columns) else frame


def unguard(values: pd.Series) -> pd.Series:
    """Remove the ``'`` the CSV writer puts before a cell (report/files.py), exactly where it puts it:
    a ``'`` followed by a value it would guard."""
    text = values.astype("str")
    guarded = text.str.startswith("'")
    if guarded.any():
        guarded = guarded & formula_risky(text.str[1:])
    return text.where(~guarded, text.str[1:]) if guarded.any() else text


def check_values(frame: pd.DataFrame, name: str) -> None:
    """Raise ``InputError`` naming the file, the column and the values when kind or severity holds a
    value the writer never writes, or finding_id one that is not 16 hex digits."""
    for column, allowed in (("kind", KIND_CODES), ("severity", SEVERITIES)):
        bad = sorted(set(frame[column].unique()) - set(allowed))
        if bad:
            raise InputError(
                f"{name}：列 {column} 有无法识别的取值 {_shown(bad)}（应为 {'、'.join(allowed)} 之一）。"
                f"请用 --findings 写出的原文件作 --baseline，不要在 Excel 中翻译或改动 {column} 列。"
            )
    ids = frame["finding_id"]
    bad_ids = ids[ids.ne("") & ~ids.str.fullmatch(FINDING_ID.pattern)]
    if len(bad_ids):
        raise InputError(
            f"{name}：列 finding_id 有 {len(bad_ids):,} 个值不是 16 位十六进制的问题编号，如 {_shown(bad_ids.unique()[:3])}"
            "：文件多半被 Excel 打开后另存过，长数字被改成了科学计数法，无法再与本次的问题对应。" + SAVED_BY_EXCEL
        )


def _shown(values: object) -> str:
    shown = []
    for value in list(values)[:5]:  # type: ignore[call-overload]
        text = str(value)
        if not text:
            shown.append("（空白）")
        elif _LONG_NUMBER.search(text):
            shown.append("（一个含长串数字的值，不列出）")
        else:
            shown.append(f"“{text[:30]}”")
    return "、".join(shown)
