"""Write an Arrow table of text columns as .parquet, .csv (UTF-8) or .xlsx (xlsxwriter, constant memory)."""

from __future__ import annotations

import sys
import time
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import xlsxwriter

FIXED_TIME = datetime(2020, 1, 8, 9, 30, 0)


def write_table(table: pa.Table, path: Path, sheet: str) -> None:
    if path.suffix == ".parquet":
        pq.write_table(table, path)
    elif path.suffix == ".csv":
        write_csv(table, path)
    elif path.suffix == ".xlsx":
        write_xlsx(table, path, sheet)
    else:
        raise ValueError(f"unknown format {path.suffix}")


def write_csv(table: pa.Table, path: Path) -> None:
    pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="needed"))


def write_xlsx(table: pa.Table, path: Path, sheet: str) -> None:
    """Every cell as a string (IDs stay text); empty cells are left blank; progress on stderr."""
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    wb.set_properties({"created": FIXED_TIME})
    ws = wb.add_worksheet(sheet[:31])
    for col, header in enumerate(table.column_names):
        ws.write_string(0, col, header)
    start, total, row = time.perf_counter(), table.num_rows, 1
    for batch in table.to_batches(max_chunksize=50_000):
        columns = [column.to_pylist() for column in batch.columns]
        for values in zip(*columns, strict=True):
            for col, value in enumerate(values):
                if value:
                    ws.write_string(row, col, value)
            row += 1
        print(f"  {path.name}: {row - 1:,}/{total:,} rows, {time.perf_counter() - start:.0f} s", file=sys.stderr)
    wb.close()
