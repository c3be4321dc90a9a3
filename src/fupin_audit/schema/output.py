"""Find each household's head (the name household findings carry)."""

from __future__ import annotations

import numpy as np
import pandas as pd

HEAD = "户主"


def head_names(households: pd.DataFrame, members: pd.DataFrame, positions: np.ndarray) -> pd.Series:
    """Each household's head name, on the households index: 户主姓名, else the 姓名 of its first
    member whose 与户主关系 is 户主 (``positions``: each member's household row, keys.py)."""
    names = pd.Series(pd.NA, index=households.index, dtype="str")
    if "户主姓名" in households.columns:
        names = households["户主姓名"].astype("str")
        names = names.where(names.str.len() > 0)
    if {"与户主关系", "姓名"} <= set(members.columns):
        is_head = (members["与户主关系"] == HEAD).fillna(False).to_numpy(dtype=bool)
        rows = np.flatnonzero(is_head & (positions >= 0))
        households_with_head, first = np.unique(positions[rows], return_index=True)
        head_rows = np.full(len(households), -1, dtype=np.intp)
        head_rows[households_with_head] = rows[first]
        from_members = members["姓名"].astype("str").array.take(head_rows, allow_fill=True)  # -1: no head
        names = names.fillna(pd.Series(from_members, index=households.index))
    return names
