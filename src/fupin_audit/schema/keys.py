"""Which household row each member row belongs to, by 户编号 (one hash pass over both frames)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..fields import HOUSEHOLD_KEY


def household_positions(households: pd.DataFrame, members: pd.DataFrame) -> np.ndarray:
    """For each member row, the position in ``households`` of its 户编号 (the first row when a
    户编号 repeats), or -1 when it has no household row or no 户编号."""
    if HOUSEHOLD_KEY not in members.columns:
        return np.full(len(members), -1, dtype=np.int64)
    both = pa.concat_arrays([_arrow(frame[HOUSEHOLD_KEY]) for frame in (households, members)])
    codes = pc.dictionary_encode(both).indices.fill_null(-1).to_numpy().astype(np.int64)
    house_codes, member_codes = codes[: len(households)], codes[len(households) :]
    position_of_code = np.full(int(codes.max(initial=-1)) + 2, -1, dtype=np.int64)
    known = np.flatnonzero(house_codes >= 0)[::-1]  # reversed: the first row of a repeated key wins
    position_of_code[house_codes[known]] = known
    return np.where(member_codes >= 0, position_of_code[member_codes], -1)


def _arrow(series: pd.Series) -> pa.Array:
    array = pa.array(series.astype("str"), type=pa.large_string())
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array
