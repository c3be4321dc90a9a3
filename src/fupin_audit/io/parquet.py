"""Parquet files: the column names are the headers; every column is read as text.

Row numbers are the 1-based position of each row in the file. An id-type column stored with a
numeric Arrow type marks all its cells as numbers (the IDs have lost their leading zeros or digits).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa

from ..errors import InputError
from ..fields import FIELDS, Field
from .layout import Header, build, id_columns
from .prefetch import read_arrow_table, take
from .table import RawTable


def _as_text(column: pa.ChunkedArray) -> pa.ChunkedArray:
    if pa.types.is_dictionary(column.type):
        return _as_text(column.cast(column.type.value_type))
    return column.cast(pa.large_string())


def read_parquet(path: Path, *, fields: Sequence[Field] = FIELDS) -> RawTable:
    """The table in a Parquet file, every cell as text."""
    try:
        table = take(path)  # decoded while the command loaded its libraries (prefetch.py)
        if table is None:
            table = read_arrow_table(path)
    except (pa.ArrowException, OSError):
        raise InputError(f"{path.name}：不是有效的 Parquet 文件，或文件已损坏。请重新导出该文件。") from None
    if table.num_columns == 0:
        raise InputError(f"{path.name}：文件中没有任何列。请重新导出该文件。")
    header = Header(-1, [str(name) for name in table.column_names], False)
    numeric_types = {
        j: pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t)
        for j, t in enumerate(table.schema.types)
    }
    valid = {j: table.column(j).is_valid().to_numpy(zero_copy_only=False) for j in id_columns(header.headers, fields)}
    try:
        text = pa.table([_as_text(c) for c in table.columns], names=[f"c{j}" for j in range(table.num_columns)])
    except pa.ArrowNotImplementedError:
        raise InputError(f"{path.name}：含有无法转为文本的列类型（如嵌套结构）。请导出为普通表格列。") from None
    rows = np.arange(1, table.num_rows + 1, dtype=np.int64)
    raw, kept = build(path, None, header, text, rows, fields)
    for j, stored in valid.items():
        raw.numeric[j] = stored[kept] if numeric_types[j] else np.zeros(len(kept), dtype=bool)
    return raw
