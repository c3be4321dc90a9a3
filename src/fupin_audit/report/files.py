"""Machine-readable findings files: ``.csv`` (UTF-8 with BOM), ``.parquet``, ``.jsonl``.

Same columns as the contract (``findings.COLUMNS``, English names), same order, every value text.
The same findings give the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..atomic import atomic_write
from ..errors import UsageError
from ..findings import COLUMNS
from .records import finding_records


def write_findings(findings: pd.DataFrame, path: Path, *, protected: Iterable[Path] = ()) -> None:
    """Write the findings table to ``path``, the format chosen by its suffix, atomically.

    ``protected`` are paths never to overwrite (the audited inputs). Raises ``UsageError`` for an
    unsupported suffix.
    """
    path = Path(path)
    check_findings_path(path)
    writer = WRITERS[path.suffix.lower()]
    frame = findings.loc[:, list(COLUMNS)]
    with atomic_write(path, protected) as temporary:
        writer(frame, temporary)


def check_findings_path(path: Path) -> None:
    """Raise ``UsageError`` unless ``path``'s suffix names a findings format (checked before an audit)."""
    if Path(path).suffix.lower() not in WRITERS:
        supported = "、".join(WRITERS)
        raise UsageError(f"不支持的问题清单文件类型 {Path(path).name}：请使用 {supported} 结尾的文件名。")


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_risky(values: pd.Series) -> pd.Series:
    """Which text values the CSV writer prefixes with ``'``: those Excel would run as a formula when it
    opens the CSV (a name such as ``=HYPERLINK(...)``), and those that already start with ``'`` and
    such a value, so that removing one ``'`` on reading (baselinefile.unguard) gives every value back."""
    risky = values.str.startswith(FORMULA_START)
    quoted = values.str.startswith("'")
    if quoted.any():
        risky = risky | (quoted & formula_risky(values.str[1:]))
    return risky


def _formula_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with ``'`` before the ``formula_risky`` cells: cells from the data are never formulas,
    in any output."""
    safe = frame.copy()
    for column in safe.columns:
        values = safe[column].astype("str")
        risky = formula_risky(values)
        if risky.any():
            safe[column] = values.where(~risky, "'" + values)
    return safe


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    # utf-8-sig: the BOM lets Excel open the file as UTF-8 instead of the local code page.
    _formula_safe(frame).to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    table = pa.table({c: pa.array(frame[c].astype("str"), type=pa.string()) for c in COLUMNS})
    pq.write_table(table, path)


def _write_jsonl(frame: pd.DataFrame, path: Path) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        for record in finding_records(frame):
            out.write(json.dumps(record, ensure_ascii=False))
            out.write("\n")


WRITERS: dict[str, Callable[[pd.DataFrame, Path], None]] = {
    ".csv": _write_csv,
    ".parquet": _write_parquet,
    ".jsonl": _write_jsonl,
}
