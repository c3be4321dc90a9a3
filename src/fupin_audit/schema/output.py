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
        from_members = np.full(len(households), None, dtype=object)
        from_members[households_with_head] = members["姓名"].iloc[rows[first]].astype("object").to_numpy()
        names = names.fillna(pd.Series(from_members, index=households.index, dtype="str"))
    return names
