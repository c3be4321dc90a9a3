"""What the readers hand on: a sheet as read (``RawTable``) and the same sheet normalized (``Table``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd


@dataclass
class RawTable:
    """One sheet of a workbook, or one CSV/Parquet file, exactly as read: every cell as text.

    ``frame`` has one column per sheet column, named ``c0, c1, …``; ``headers`` holds the header text
    of each column as written (two-row headers joined as ``收入情况/工资性收入``). ``rows`` gives the
    1-based row number in the sheet (or line in the CSV) of each frame row; ``numeric`` marks, per
    column position, the cells that the workbook stored as numbers (an ID stored as a number has lost
    digits). ``skipped`` counts rows dropped on purpose (blank, subtotal 合计) by reason, with their
    row numbers, so that no row is lost without saying so. ``filled`` counts, per header, the cells
    of a merged key column (户编号, 县 … given once per household) filled down from the cell above.
    """

    path: Path
    sheet: str | None
    headers: list[str]
    frame: pd.DataFrame
    rows: np.ndarray
    numeric: dict[int, np.ndarray] = field(default_factory=dict)
    skipped: dict[str, list[int]] = field(default_factory=dict)
    filled: dict[str, int] = field(default_factory=dict)
    header_row: int = 1
    hidden: bool = False


@dataclass(frozen=True)
class DuplicateColumn:
    """A second column meaning a field another column already gives (身份证号码 beside 证件号码): kept
    as text under its ``header``, not used. ``used`` is the header of the column used for ``field``;
    ``differing_rows`` counts the rows where both hold a value and the values differ, ``only_here_rows``
    those where only this column holds one (the audit sees a blank there)."""

    header: str
    field: str
    used: str
    differing_rows: int
    only_here_rows: int

    def note(self) -> str:
        """One phrase for the summary and 概览: which column was used and where the two disagree."""
        gaps = [f"{self.differing_rows} 行取值不同" if self.differing_rows else "",
                f"{self.only_here_rows} 行只有本列有值（按空值核查）" if self.only_here_rows else ""]
        said = "，".join(g for g in gaps if g)
        verdict = f"{said}，请核实哪一列正确后删去另一列" if said else "取值一致"
        return f"“{self.header}”与“{self.used}”同为{self.field}，只用了“{self.used}”：{verdict}"


@dataclass
class Table:
    """A ``RawTable`` after header mapping and value normalization.

    ``frame`` has canonical columns (fields.py) typed by field type — text/enum/id: ``str``; bool:
    ``boolean``; number: ``Float64``; int and year: ``Int64``; date: ``datetime64[ns]`` — plus
    unknown columns kept as text under their header, plus ``_file``, ``_sheet``, ``_row`` (origin of
    each row). For each id-type column ``X`` it also carries ``_raw_X`` (the text as read) and
    ``_numeric_X`` (the cell was stored as a number). ``problems`` is a findings frame
    (``findings.COLUMNS``) of ``data_error`` rows for values that could not be understood.
    """

    path: Path
    sheet: str | None
    frame: pd.DataFrame
    mapping: dict[str, str]
    unknown_columns: list[str]
    problems: pd.DataFrame
    rows_read: int
    skipped: dict[str, list[int]] = field(default_factory=dict)
    duplicate_columns: list[DuplicateColumn] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"{self.path.name}（工作表 {self.sheet}）" if self.sheet else self.path.name
