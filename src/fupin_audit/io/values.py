"""Cell values as typed data: vectorized parsers over a text Series, one per field type.

Every parser takes a pandas ``str`` Series (cells as read) and returns ``(parsed, bad)``: the typed
Series (same index) and a boolean mask of the cells that were not empty but could not be understood
(they are null in ``parsed``; ``normalize.py`` reports each one).

Common cleaning (all types): Unicode NFKC (full-width digits, letters, brackets, comma and space
become half-width), leading/trailing whitespace trimmed (also U+3000 and zero-width spaces), then
these markers of an empty cell become null: "", 无, -, —, /, ／, 空, null, NaN, None (any case).
无 is treated as empty in every column, text and yes/no columns included: in a 是/否 column it
therefore reads as unknown, not as 否, and rules report it as "cannot judge" rather than guess.

Light per-value work (yes/no words, dates, years, vocabulary variants) is done once per distinct
value; bulk work (trimming, NFKC, plain numbers) runs in Arrow compute over the whole column.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from itertools import product
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..fields import HOUSEHOLD_KEY, Field
from .traditional import to_simplified

Parsed = tuple[pd.Series, pd.Series]

EMPTY_MARKERS = ("", "无", "-", "—", "/", "／", "空", "null", "nan", "none")
"""Compared after NFKC and lower-casing (so NULL, NaN, None count too)."""

_EMPTY_SPELLINGS = sorted(
    {"".join(letters) for marker in EMPTY_MARKERS for letters in product(*({c.lower(), c.upper()} for c in marker))}
)
"""Every marker in every mix of cases: after NFKC only ASCII letters lower-case to the markers' letters,
so comparing with these equals lower-casing first, without a lower-cased copy of every cell."""

_TRIM = " \t\n\r\v\f\u00a0\u3000\u200b\u200c\u200d\u2060\ufeff"

TRUE_WORDS = frozenset({"是", "y", "yes", "1", "1.0", "√", "✓", "✔", "对", "對", "有", "true", "t"})
FALSE_WORDS = frozenset({"否", "n", "no", "0", "0.0", "×", "✗", "✘", "错", "錯", "没有", "沒有", "false", "f"})

ENUM_SYNONYMS = {"其它": "其他"} | {f"{g}级{tail}": g for g in "ABCD" for tail in ("", "危房")}
"""Other spellings of a vocabulary term, used when the term is in the field's vocabulary (the housing
grades: D级, D级危房 → D)."""

YEAR_MIN, YEAR_MAX = 1949, 2100
"""A 年度 outside this range is unreadable (a typo such as 2109 or 1019)."""
DATE_YEAR_MIN, DATE_YEAR_MAX = 1900, 2100
_EXCEL_EPOCH = date(1899, 12, 30)
EXCEL_SERIAL_MIN = (date(1950, 1, 1) - _EXCEL_EPOCH).days
EXCEL_SERIAL_MAX = (date(2100, 12, 31) - _EXCEL_EPOCH).days
"""A bare number in a date column is an Excel serial only between 1950-01-01 and 2100-12-31."""

_PLAIN_NUMBER = r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$"
_NUMBER = re.compile(
    r"^(?P<sign>[+-]?)¥?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.?\d*|\.\d+)"
    r"(?P<wan>万)?(?:元|人|口|天|日|个|个月|月|亩|平方米|m2)?$"
)
_DATE_TIME = re.compile(
    r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_YEAR_MONTH = re.compile(r"^(\d{4})[-/.年](\d{1,2})月?$")
_YEAR = re.compile(r"^(\d{4})(?:年度?|\.0+)?$")
_SERIAL = re.compile(r"^(\d{1,5})(?:\.\d+)?$")


# --- common cleaning -------------------------------------------------------------------------

def _to_arrow(values: pd.Series) -> pa.Array:
    if values.dtype != "str":
        values = values.astype("str")
    array = pa.array(values)
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def _to_series(array: pa.Array | pa.ChunkedArray, like: pd.Series) -> pd.Series:
    return pd.Series(pd.array(array, dtype="str"), index=like.index, name=like.name)


def _clean_values(array: pa.Array) -> pa.Array:
    if not pc.all(pc.string_is_ascii(array)).as_py():
        array = pc.utf8_normalize(array, "NFKC")
    array = pc.utf8_trim(array, _TRIM)
    empty = pc.is_in(array, value_set=pa.array(_EMPTY_SPELLINGS, type=array.type))
    return pc.if_else(empty, pa.scalar(None, array.type), array)


def _clean_arrow(values: pd.Series) -> pa.Array:
    """NFKC, trimmed, empty markers as null.

    NFKC is the costly step: it is skipped for all-ASCII columns, and a column with few distinct
    values (most coded columns) is cleaned through its dictionary.
    """
    array = _to_arrow(values)
    if pc.all(pc.string_is_ascii(array)).as_py() is not False:
        return _clean_values(array)
    encoded = pc.dictionary_encode(array)
    if len(encoded.dictionary) * 4 > len(array):
        return _clean_values(array)
    return pc.take(_clean_values(encoded.dictionary), encoded.indices)


def _no_bad(values: pd.Series) -> pd.Series:
    return pd.Series(np.zeros(len(values), dtype=bool), index=values.index)


def _by_distinct(values: pd.Series, parse_one: Callable[[str], Any], dtype: str) -> Parsed:
    """Clean, then apply ``parse_one`` (None = not understood) once to each distinct value."""
    encoded = pc.dictionary_encode(_to_arrow(values))
    distinct = _clean_values(encoded.dictionary).to_pylist()
    parsed = [None if v is None else parse_one(v) for v in distinct]
    failed = np.array([v is not None and p is None for v, p in zip(distinct, parsed, strict=True)] + [False])
    codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
    if dtype == "str":  # Arrow take: a null index gives a null string, no Python objects per row
        typed = pd.array(pc.take(pa.array(parsed, pa.large_string()), encoded.indices), dtype="str")
    else:
        typed = pd.Series(parsed, dtype=dtype).array.take(codes, allow_fill=True)
    return (
        pd.Series(typed, index=values.index, name=values.name),
        pd.Series(failed[codes], index=values.index),  # code -1 (null cell) picks the final False
    )


# --- text, id, enum --------------------------------------------------------------------------

_SCIENTIFIC = r"^[0-9](?:\.[0-9]+)?[eE]\+?[0-9]+$"
_WHOLE_AS_DECIMAL = r"^([0-9]+)\.0+$"


def parse_household_key(values: pd.Series) -> Parsed:
    """户编号 as text. A long code that Excel turned into a number comes back as ``1.50426E+15`` (its
    last digits lost: every household of the village would become one) — bad, so the row is reported
    and not grouped — or as ``1504261072030001.0`` (nothing lost: the ``.0`` is dropped)."""
    array = _clean_arrow(values)
    if not pc.any(pc.match_substring(array, ".")).as_py():  # both shapes have a dot; most columns none
        return _to_series(array, values), _no_bad(values)
    array = pc.replace_substring_regex(array, _WHOLE_AS_DECIMAL, r"\1")
    scientific = pc.fill_null(pc.match_substring_regex(array, _SCIENTIFIC), False)
    array = pc.if_else(scientific, pa.scalar(None, array.type), array)
    return _to_series(array, values), pd.Series(scientific.to_numpy(zero_copy_only=False), index=values.index)


def parse_text(values: pd.Series) -> Parsed:
    """Free text: NFKC full-width → half-width, trimmed, empty markers → null. Never bad."""
    return _to_series(_clean_arrow(values), values), _no_bad(values)


def parse_id(values: pd.Series) -> Parsed:
    """An ID number, cleaned only: spaces and dashes removed, x → X. Validity is checked elsewhere.

    Scientific notation (``4.40308E+17``) is kept as written: the ID checker reports it.
    """
    array = pc.replace_substring_regex(_clean_arrow(values), r"[\s\-‐‑‒–—―]", "")
    array = pc.replace_substring(array, "x", "X")
    array = pc.if_else(pc.equal(array, ""), pa.scalar(None, array.type), array)
    return _to_series(array, values), _no_bad(values)


def _vocabulary_key(text: str) -> str:
    return to_simplified(text).replace("(", "").replace(")", "").casefold()


def parse_enum(values: pd.Series, vocabulary: Sequence[str] = ()) -> Parsed:
    """A coded value: cleaned text, spelled as in ``vocabulary`` when it is a variant of a term.

    Variants: Traditional characters, brackets full-width or half-width or absent (乡（镇）内务工,
    乡(镇)内务工, 乡镇内务工), letter case (c → C), ``ENUM_SYNONYMS`` (其它 → 其他). Values outside the vocabulary are kept as written
    and are not bad here: the schema check reports them.
    """
    terms = {_vocabulary_key(unicodedata.normalize("NFKC", term)): term for term in vocabulary}
    for variant, term in ENUM_SYNONYMS.items():
        if term in vocabulary:
            terms.setdefault(_vocabulary_key(variant), term)

    def one(value: str) -> str:
        return terms.get(_vocabulary_key(value), value)

    typed, _ = _by_distinct(values, one, "str")
    return typed, _no_bad(values)


# --- yes/no ----------------------------------------------------------------------------------

def _bool_one(value: str) -> bool | None:
    word = value.casefold()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def parse_bool(values: pd.Series) -> Parsed:
    """是/否, Y/N, Yes/No, 1/0, √/×, ✓/✗, 对/错, 有/没有, true/false (any case) → boolean."""
    return _by_distinct(values, _bool_one, "boolean")


# --- numbers ---------------------------------------------------------------------------------

def _number_one(value: str) -> float | None:
    match = _NUMBER.match(value.replace(" ", "").replace("\u2212", "-"))
    if match is None:
        return None
    number = float(match["num"].replace(",", ""))
    if match["wan"]:
        number *= 10000
    return -number if match["sign"] == "-" else number


def parse_number(values: pd.Series) -> Parsed:
    """A number written as text: ``1,234.5``, ``１２３``, ``￥300``, ``300元``, ``1.2万`` (× 10000) → Float64.

    A trailing unit 元/人/口/天/日/个/月/亩/平方米 is accepted; thousands separators must group by three.
    Cells that are a plain ASCII number as written (most) are cast as they are, no cleaning could
    change them; only the others are cleaned (full-width digits, spaces, empty markers) and read.
    """
    return _plain_or(_to_arrow(values), values, _parse_cleaned_number)


def _parse_cleaned_number(values: pd.Series) -> Parsed:
    return _plain_or(_clean_arrow(values), values, lambda others: _by_distinct(others, _number_one, "Float64"))


def _plain_or(array: pa.Array, values: pd.Series, others: Callable[[pd.Series], Parsed]) -> Parsed:
    """Cells of ``array`` (the text of ``values``) that are a plain number, cast at once; the other
    non-null cells read by ``others``."""
    plain = pc.fill_null(pc.match_substring_regex(array, _PLAIN_NUMBER), False)
    fast = pc.cast(pc.if_else(plain, array, pa.scalar(None, array.type)), pa.float64())
    numbers = fast.to_numpy(zero_copy_only=False)
    missing = ~plain.to_numpy(zero_copy_only=False)
    bad = np.zeros(len(values), dtype=bool)
    rest = missing & pc.fill_null(pc.greater(pc.binary_length(array), 0), False).to_numpy(zero_copy_only=False)
    if rest.any():  # non-empty cells that are not plain numbers ("" is empty, as after cleaning)
        parsed, failed = others(_to_series(pc.filter(array, pa.array(rest)), values.iloc[rest]))
        numbers[rest] = parsed.to_numpy(dtype=float, na_value=np.nan)
        missing[rest] = parsed.isna().to_numpy()
        bad[rest] = failed.to_numpy()
    typed = pd.arrays.FloatingArray(numbers, missing)
    return pd.Series(typed, index=values.index, name=values.name), pd.Series(bad, index=values.index)


def parse_int(values: pd.Series) -> Parsed:
    """As ``parse_number``, and the number must be whole (``3``, ``3.0``, ``3人``) → Int64."""
    numbers, bad = parse_number(values)
    fraction = numbers.notna() & ((numbers % 1 != 0) | (numbers.abs() >= 2**53))
    fraction = fraction.fillna(False).astype(bool)
    whole = numbers.mask(fraction)
    return whole.astype("Int64"), bad | fraction


# --- dates and years -------------------------------------------------------------------------

def _day(year: int, month: int, day: int) -> pd.Timestamp | None:
    if not DATE_YEAR_MIN <= year <= DATE_YEAR_MAX:
        return None
    try:
        return pd.Timestamp(year, month, day)
    except ValueError:
        return None


def _date_one(value: str) -> pd.Timestamp | None:
    if value.isdigit() and len(value) == 8:
        return _day(int(value[:4]), int(value[4:6]), int(value[6:]))
    if value.isdigit() and len(value) == 6:
        return _day(int(value[:4]), int(value[4:]), 1)
    if match := _YEAR.match(value):
        return _day(int(match[1]), 1, 1)
    if match := _DATE_TIME.match(value):
        return _day(int(match[1]), int(match[2]), int(match[3]))
    if match := _YEAR_MONTH.match(value):
        return _day(int(match[1]), int(match[2]), 1)
    if (match := _SERIAL.match(value)) and EXCEL_SERIAL_MIN <= int(match[1]) <= EXCEL_SERIAL_MAX:
        return pd.Timestamp(_EXCEL_EPOCH + timedelta(days=int(match[1])))
    return None


def parse_date(values: pd.Series) -> Parsed:
    """A date → datetime64[ns].

    Accepted: 2019-12-31, 2019/12/31, 2019.12.31, 20191231, 2019年12月31日, with a time part
    (2019-12-31 00:00:00); Excel serial numbers (43830 → 2019-12-31, only between 1950 and 2100);
    a month (2019-12, 2019年12月, 201912 → the 1st of that month); a bare year (2019, 2019年 →
    1 January of that year). Years outside 1900–2100 and impossible days (2019-02-30) are bad.
    """
    return _by_distinct(values, _date_one, "datetime64[ns]")


def _year_one(value: str) -> int | None:
    match = _YEAR.match(value)
    year = int(match[1]) if match else None
    if year is None and (day := _date_one(value)) is not None:
        year = day.year
    return year if year is not None and YEAR_MIN <= year <= YEAR_MAX else None


def parse_year(values: pd.Series) -> Parsed:
    """A year → Int64: 2019, 2019年, 2019年度, 2019.0, or any date ``parse_date`` reads (its year).

    Years outside 1949–2100 are bad.
    """
    return _by_distinct(values, _year_one, "Int64")


# --- dispatch --------------------------------------------------------------------------------

_PARSERS: dict[str, Callable[[pd.Series], Parsed]] = {
    "text": parse_text,
    "id": parse_id,
    "bool": parse_bool,
    "number": parse_number,
    "int": parse_int,
    "date": parse_date,
    "year": parse_year,
}


def parse_values(values: pd.Series, field: Field) -> Parsed:
    """Parse a column by the type of ``field`` (enum columns against its vocabulary)."""
    if field.type == "enum":
        return parse_enum(values, field.vocabulary)
    if field.name == HOUSEHOLD_KEY:
        return parse_household_key(values)
    return _PARSERS[field.type](values)
