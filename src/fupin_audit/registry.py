"""The registry: ``households`` (one row per 户编号) and ``members`` (one row per person)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .io.table import Table


@dataclass
class Registry:
    """Two frames with canonical column names (fields.py) plus ``_file``, ``_sheet``, ``_row``.

    ``households`` carries the key columns (县, 乡镇, 行政村, 自然村, 户编号) and household-level
    fields; its origin columns point at the household's first row (the head's row in a flat
    export). ``members`` carries the key columns and member-level fields. ``problems`` holds the
    data_error findings found while reading and assembling (unreadable values, household values that
    disagree between member rows). ``tables`` are the normalized sheets it was built from.
    """

    households: pd.DataFrame
    members: pd.DataFrame
    problems: pd.DataFrame
    tables: list[Table] = field(default_factory=list)
