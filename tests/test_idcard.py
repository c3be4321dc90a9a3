"""GB 11643 ID numbers: DOMAIN.md §2 vectors, statuses, normalization, Excel damage."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from fupin_audit.idcard import STATUSES, check_character, check_ids, id_numbers, is_valid, upgrade15

AS_OF = dt.date(2024, 12, 31)


def with_check(first17: str) -> str:
    return first17 + check_character(first17)


def check(values: list[str | None], numeric: list[bool] | None = None, as_of: dt.date = AS_OF) -> pd.DataFrame:
    flags = pd.Series(numeric, dtype="boolean") if numeric is not None else None
    return check_ids(pd.Series(values, dtype="str"), flags, as_of)


@pytest.mark.parametrize(
    ("value", "status", "normalized", "birth", "sex"),
    [
        ("440308199901101512", "ok", "440308199901101512", "1999-01-10", "男"),
        ("11010119900307803X", "ok", "11010119900307803X", "1990-03-07", "男"),
        ("360426199101010071", "ok", "360426199101010071", "1991-01-01", "男"),
        ("44011320141005001x", "ok", "44011320141005001X", "2014-10-05", "男"),
        ("810000199408230021", "ok", "810000199408230021", "1994-08-23", "女"),
        ("440308199901101513", "bad_check", "440308199901101513", None, None),
        ("36042619910102009X", "bad_check", "36042619910102009X", None, None),
        ("440308199902301512", "bad_date", "440308199902301512", None, None),
        ("360426199113010079", "bad_date", "360426199113010079", None, None),
        ("610104620927690", "upgraded15", "610104196209276908", "1962-09-27", "女"),
    ],
)
def test_domain_vectors(value: str, status: str, normalized: str, birth: str | None, sex: str | None) -> None:
    row = check([value]).iloc[0]
    assert row["status"] == status
    assert row["normalized"] == normalized
    if birth is None:
        assert pd.isna(row["birth_date"]) and pd.isna(row["sex"])
    else:
        assert row["birth_date"] == pd.Timestamp(birth)
        assert row["sex"] == sex


@pytest.mark.parametrize(
    ("value", "numeric", "status"),
    [
        (None, False, "missing"),
        ("", False, "missing"),
        ("   ", False, "missing"),
        ("4.40308E+17", False, "excel_number"),
        ("4.40308199901101e17", False, "excel_number"),
        ("440308199901101000", False, "excel_number"),  # check would be 2: Excel truncation
        ("440308199901101504", True, "excel_number"),  # stored as a number: digits lost
        ("610104620927690", True, "upgraded15"),  # 15 digits survive Excel's 15 significant digits
        ("12345", True, "bad_length"),
        ("610104621327690", True, "bad_date"),  # numeric but intact: its own fault is reported
        ("4403081999011015X", True, "excel_number"),
        ("4403081999011015", False, "bad_length"),
        ("4403081999011015121", False, "bad_length"),
        ("44030819990110151X1", False, "bad_chars"),
        ("不详", False, "bad_chars"),
        ("4403081999O1101512", False, "bad_chars"),
        ("44030819990X101512", False, "bad_chars"),
        ("61010462092769X", False, "bad_chars"),
        ("440308189901101517", False, "bad_date"),  # before 1900
        ("440308200002301514", False, "bad_date"),  # 2000-02-30
        ("610104621327690", False, "bad_date"),  # 15-digit, month 13
        ("440308202501010011", False, "future_birth"),
        (with_check("44030820241231001"), False, "ok"),  # born on the reference date
        (with_check("44030820000229151"), False, "ok"),  # leap day of 2000
        ("440308190002291510", False, "bad_date"),  # 1900 is not a leap year
    ],
)
def test_statuses(value: str | None, numeric: bool, status: str) -> None:
    assert check([value], [numeric]).iloc[0]["status"] == status


def test_genuine_number_ending_in_000_is_valid() -> None:
    first17 = next(f for r in range(110101, 110200) if check_character(f := f"{r}19800101100") == "0")
    row = check([first17 + "0"]).iloc[0]
    assert row["status"] == "ok"
    # ... unless the workbook stored it as a number (cannot be told from a truncated one)
    assert check([first17 + "0"], [True]).iloc[0]["status"] == "excel_number"


def test_normalized_keeps_cleaned_text_when_invalid_and_trims() -> None:
    result = check([" 440308199901101512 ", "abc", None])
    assert result["normalized"].iloc[0] == "440308199901101512"
    assert result["status"].iloc[0] == "ok"
    assert result["normalized"].iloc[1] == "abc"
    assert pd.isna(result["normalized"].iloc[2])


def test_index_and_dtypes_follow_input() -> None:
    ids = pd.Series(["440308199901101512", "x"], index=[7, 3], dtype="str")
    result = check_ids(ids, None, AS_OF)
    assert list(result.index) == [7, 3]
    assert list(result.columns) == ["normalized", "status", "birth_date", "sex", "number"]
    assert str(result["birth_date"].dtype) == "datetime64[ns]"
    assert set(result["status"].cat.categories) == set(STATUSES)
    assert result["sex"].dtype == "str"


def test_vectorized_matches_scalar_on_random_numbers() -> None:
    rng = np.random.default_rng(5)
    first17 = ["".join(map(str, rng.integers(0, 10, 17))) for _ in range(300)]
    values = [f + (check_character(f) if i % 2 else "0") for i, f in enumerate(first17)]
    statuses = check(values, as_of=dt.date.max)["status"].astype("str").tolist()
    for value, status in zip(values, statuses, strict=True):
        assert (status == "ok") == is_valid(value)


def test_scalar_helpers() -> None:
    assert check_character("44030819990110151") == "2"
    assert check_character("11010119900307803") == "X"
    assert upgrade15("610104620927690") == "610104196209276908"
    assert is_valid("44011320141005001x")
    assert is_valid("610104620927690")
    assert not is_valid("440308199901101513")
    assert not is_valid("")
    with pytest.raises(ValueError):
        check_character("4403081999")
    with pytest.raises(ValueError):
        upgrade15("61010462092769X")


def test_empty_series() -> None:
    result = check_ids(pd.Series([], dtype="str"), None, AS_OF)
    assert len(result) == 0
    assert list(result.columns) == ["normalized", "status", "birth_date", "sex", "number"]


def test_id_numbers_are_one_integer_per_distinct_number() -> None:
    ids = ["11010519491231002X", "110105194912310021", "11010519491231002X", "440524188001010014"]
    numbers = id_numbers(pd.Series(ids, dtype="str"))
    assert numbers[0] == numbers[2] and len(set(numbers.tolist())) == 3
    assert numbers[0] == 11010519491231002 * 11 + 10 and numbers[1] == 11010519491231002 * 11 + 1


def test_number_is_id_numbers_of_each_valid_normalized_id() -> None:
    """check_ids' ``number`` (from the bytes it already parsed) equals ``id_numbers`` of the normalized
    text for ok and upgraded15 rows (lower-case x, 15 digits included) and is -1 for every other status."""
    good = [body + check_character(body) for body in ("44030819800101001", "36042619910101007", "81000019940823002")]
    ids = [
        "11010519491231002X", "11010519491231002x", *good, f" {good[0]} ", "610104620927690",
        "110105194912310022", "11010519491231002", "1101051949123100XX", "4.40308E+17",
        "440308199901101000", None, "", "110105199913310021", "440524188001010014",
    ]
    result = check_ids(pd.Series(ids, dtype="str"), None, AS_OF)
    valid = result["status"].isin(["ok", "upgraded15"]).to_numpy()
    assert valid.sum() == 7 and (~valid).sum() == 9
    assert result["number"].dtype == "int64"
    assert result["number"][valid].tolist() == id_numbers(result["normalized"][valid]).tolist()
    assert (result["number"][~valid] == -1).all()
