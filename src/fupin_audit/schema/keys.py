"""Which household row each member row belongs to, by 户编号 (one hash pass over both frames)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..fields import HOUSEHOLD_KEY


def household_positions(households: pd.DataFrame, members: pd.DataFrame) -> np.ndarray:
    """For each member row, the position in ``households`` of its 户编号 (the first row when a
    户编号 repeats), or -1 when it has no household row or no 户编号.

    The rows of a household usually follow each other: only the first row of each run of one
    户编号 is looked up, and its position repeated over the run (5M members: 1.04–1.09 → 0.69–0.76 s)."""
    if HOUSEHOLD_KEY not in members.columns:
        return np.full(len(members), -1, dtype=np.int64)
    keys = _arrow(members[HOUSEHOLD_KEY])
    if not len(keys):
        return np.zeros(0, dtype=np.int64)
    differ = pc.fill_null(pc.not_equal(keys.slice(1), keys.slice(0, len(keys) - 1)), True)  # null: a run of its own
    starts = np.concatenate(([0], np.flatnonzero(differ.to_numpy(zero_copy_only=False)) + 1))
    both = pa.concat_arrays([_arrow(households[HOUSEHOLD_KEY]), keys.take(pa.array(starts))])
    codes = pc.dictionary_encode(both).indices.fill_null(-1).to_numpy().astype(np.int64)
    house_codes, run_codes = codes[: len(households)], codes[len(households) :]
    position_of_code = np.full(int(codes.max(initial=-1)) + 2, -1, dtype=np.int64)
    known = np.flatnonzero(house_codes >= 0)[::-1]  # reversed: the first row of a repeated key wins
    position_of_code[house_codes[known]] = known
    run_positions = np.where(run_codes >= 0, position_of_code[run_codes], -1)
    return np.repeat(run_positions, np.diff(np.append(starts, len(keys))))


def _arrow(series: pd.Series) -> pa.Array:
    array = pa.array(series.astype("str"), type=pa.large_string())
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array
