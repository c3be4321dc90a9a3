"""textkeys: the Arrow and integer-code lookups give what the pandas operations they replace give."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fupin_audit.textkeys import first_rows, row_codes, text_in, text_lookup

IDS = pd.Series(["A1", None, "B2", "A1", "C3", ""], index=[10, 11, 12, 13, 14, 15], dtype="str")


@pytest.mark.parametrize("candidates", [
    ["A1", "Z9"],
    pd.Index(["C3", ""], dtype="str"),
    pd.Series(["B2", "B2", None], dtype="str"),
    pd.Series([], dtype="str"),
])
def test_text_in_is_isin_without_missing_values(candidates: object) -> None:
    expected = IDS.isin(candidates) & IDS.notna()  # type: ignore[arg-type]
    got = text_in(IDS, candidates)  # type: ignore[arg-type]
    assert got.dtype == bool and got.index.equals(IDS.index)
    assert got.tolist() == expected.tolist()


def test_text_in_missing_value_is_never_in() -> None:
    assert text_in(IDS, ["A1", None]).tolist() == [True, False, False, True, False, False]


def test_text_in_compares_non_text_as_text() -> None:
    assert text_in(pd.Series([1, 2, 3]), ["2", "3"]).tolist() == [False, True, True]


def test_text_lookup_is_map_with_the_first_key_winning() -> None:
    keys = pd.Series(["A1", "B2", "A1", None], dtype="str")
    results = pd.Series(["h1", "h2", "h3", "h4"], dtype="str")
    got = text_lookup(IDS, keys, results)
    assert got.index.equals(IDS.index) and got.dtype == "str"
    assert got.isna().tolist() == [False, True, False, False, True, True]
    assert got.dropna().tolist() == ["h1", "h2", "h1"]  # A1 → h1, the first of its two rows
    deduplicated = results.set_axis(keys)[(~keys.duplicated() & keys.notna()).to_numpy()]
    assert got.fillna("∅").tolist() == IDS.map(deduplicated).fillna("∅").tolist()


def test_row_codes_equal_exactly_where_the_rows_are_equal() -> None:
    left = pd.DataFrame({"户": ["1", "1", "2", None], "人": ["a", "b", "a", "a"]}, dtype="str")
    right = pd.DataFrame({"户": ["2", "1", None, "3"], "人": ["a", "b", "a", "a"]}, dtype="str")
    codes_left, codes_right = row_codes([left, right], ["户", "人"])
    pairs = {(i, j) for i in range(4) for j in range(4) if codes_left[i] == codes_right[j]}
    assert pairs == {(2, 0), (1, 1), (3, 2)}  # missing 户 matches missing 户, as merge matches them
    assert len(set(codes_left)) == 4


def test_first_rows_is_drop_duplicates() -> None:
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({
        "户": pd.Series(rng.choice(["1", "2", "3", None], 200), dtype="str"),
        "人": pd.Series(rng.choice(["a", "b", None], 200), dtype="str"),
        "值": np.arange(200),
    })
    pd.testing.assert_frame_equal(first_rows(frame, ["户", "人"]), frame.drop_duplicates(["户", "人"]))


TEXT = st.one_of(st.none(), st.sampled_from(["", "A1", "B2", "C3", "户1", "x x"]))


@settings(max_examples=60, deadline=None)
@given(values=st.lists(TEXT, max_size=30), keys=st.lists(TEXT, max_size=30))
def test_lookups_agree_with_pandas_on_any_values(values: list[str | None], keys: list[str | None]) -> None:
    series = pd.Series(values, dtype="str")
    key_series = pd.Series(keys, dtype="str")
    assert text_in(series, key_series).tolist() == (series.isin(key_series) & series.notna()).tolist()
    results = pd.Series([f"r{i}" for i in range(len(keys))], dtype="str")
    first = (~key_series.duplicated() & key_series.notna()).to_numpy()
    expected = series.map(results[first].set_axis(key_series[first]))
    got = text_lookup(series, key_series, results)
    assert [None if pd.isna(v) else v for v in got] == [None if pd.isna(v) else v for v in expected]


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.tuples(TEXT, TEXT), max_size=40), other=st.lists(st.tuples(TEXT, TEXT), max_size=40))
def test_row_codes_and_first_rows_agree_with_pandas(
    rows: list[tuple[str | None, str | None]], other: list[tuple[str | None, str | None]]
) -> None:
    left = pd.DataFrame(rows, columns=["户", "人"], dtype="str") if rows else pd.DataFrame({"户": [], "人": []}, dtype="str")
    right = pd.DataFrame(other, columns=["户", "人"], dtype="str") if other else pd.DataFrame({"户": [], "人": []}, dtype="str")
    pd.testing.assert_frame_equal(first_rows(left, ["户", "人"]), left.drop_duplicates(["户", "人"]))
    codes_left, codes_right = row_codes([left, right], ["户", "人"])
    merged = left.reset_index().merge(right.reset_index(), on=["户", "人"], how="inner")
    expected = set(zip(merged["index_x"], merged["index_y"], strict=True))
    got = {(i, j) for i in range(len(left)) for j in range(len(right)) if codes_left[i] == codes_right[j]}
    assert got == expected
