"""Resident ID numbers (GB 11643-1999): vectorized checking, normalization, birth date and sex.

An 18-character number is a 6-digit region code, the birth date YYYYMMDD, a 3-digit sequence (the
17th digit odd for men, even for women) and a check character: S = Σ aᵢ·Wᵢ mod 11 over the first 17
digits with the weights below, mapped 0..10 → 1,0,X,9,8,7,6,5,4,3,2. Legacy 15-digit numbers
(YYMMDD of the 19xx century, no check character) are upgraded by inserting "19" and appending the
check character. 810000/820000/830000 (Hong Kong/Macau/Taiwan residence permits) follow the same rule.

``check_ids`` works on the Arrow buffer of a pandas "str" Series: rows of 18 and 15 bytes are
gathered into fixed-width ``uint8`` matrices and checked with numpy (5M numbers in about a second);
only the rare rows of other lengths go through a regular expression.

Numbers damaged by Excel. A cell stored as a number keeps 15 significant digits, so an 18-digit
number comes back as "440308199901101000" or "4.40308E+17": the last digits are lost and cannot be
recovered. Status ``excel_number`` is given, in this order, when
- the reader marked the cell as stored as a number (``numeric``) and its text is not a number of at
  most 15 digits (a 15-digit legacy number fits in Excel's 15 significant digits and survives
  intact, so it is checked as a legacy number; a short number is simply ``bad_length``);
- the text is in scientific notation ("4.40308E+17");
- the text has 18 digits, the last three are zeros and the check character fails. Three final zeros
  alone prove nothing: a genuine number may end in "000" (sequence "x00", check character 0, about
  one number in 1,100), and such a number passes its check. A number truncated by Excel fails the
  check ten times out of eleven; the eleventh passes and cannot be told apart from a genuine one
  unless the reader saw the numeric cell (first case).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

STATUSES: tuple[str, ...] = (
    "ok", "upgraded15", "missing", "excel_number", "bad_length", "bad_chars",
    "bad_check", "bad_date", "future_birth",
)
"""Every status ``check_ids`` gives; ``ok`` and ``upgraded15`` are the valid ones."""
VALID_STATUSES: tuple[str, ...] = ("ok", "upgraded15")

WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int32)
_WEIGHT_LIST: list[int] = WEIGHTS.tolist()
CHECK_CHARS = "10X98765432"
_CHECK_BYTES = np.frombuffer(CHECK_CHARS.encode(), dtype=np.uint8)
_X, _LOWER_X, _ZERO = ord("X"), ord("x"), ord("0")
_NS_PER_DAY = 86_400 * 10**9
_YEARS = np.arange(10000)
_LEAP = (((_YEARS % 4 == 0) & (_YEARS % 100 != 0)) | (_YEARS % 400 == 0)).astype(np.intp)
_DAYS_BEFORE_YEAR = (_YEARS - 1970).astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64)
_DAYS_IN_MONTH = np.array(  # [leap, month], month 0 unused
    [[0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]]
)
_DAYS_BEFORE_MONTH = np.concatenate([np.zeros((2, 1), np.int64), np.cumsum(_DAYS_IN_MONTH, axis=1)[:, :-1]], axis=1)
_SCIENTIFIC = r"^[0-9](\.[0-9]+)?[Ee]\+?[0-9]+$"
_ALLOWED = r"^[0-9]*[Xx]?$"
_CODE = {s: i for i, s in enumerate(STATUSES)}


def check_character(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("check_character needs exactly 17 digits")
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHT_LIST, strict=True))
    return CHECK_CHARS[total % 11]


def upgrade15(id15: str) -> str:
    """Upgrade a legacy 15-digit number: insert the century "19" and append the check character."""
    if len(id15) != 15 or not id15.isascii() or not id15.isdigit():
        raise ValueError("upgrade15 needs exactly 15 digits")
    first17 = id15[:6] + "19" + id15[6:]
    return first17 + check_character(first17)


def is_valid(id: str) -> bool:
    """True for a valid 18-character number or a valid legacy 15-digit one (any birth date so far)."""
    result = check_ids(pd.Series([id], dtype="str"), None, dt.date.max)
    return str(result["status"].iloc[0]) in VALID_STATUSES


def check_ids(ids: pd.Series, numeric: pd.Series | None, as_of: dt.date) -> pd.DataFrame:
    """Check every number of ``ids`` (text); ``numeric`` marks cells the workbook stored as numbers.

    Returns a frame on the index of ``ids`` with ``normalized`` (str: the 18-character number, upper
    case X, 15-digit numbers upgraded; otherwise the trimmed input), ``status`` (categorical, one of
    ``STATUSES``), ``birth_date`` (datetime64[ns], NaT unless ok/upgraded15), ``sex`` (str,
    "男"/"女", null unless ok/upgraded15) and ``number`` (int64: the normalized number as
    ``id_numbers`` gives it, from the bytes already in hand; -1 unless ok/upgraded15).
    A number has one status, the first that applies of:
    missing, excel_number (numeric cell or scientific notation), bad_chars (anything but digits and
    a final X), bad_length (neither 18 nor 15 characters), excel_number (18 digits ending in 000
    whose check fails), bad_date (impossible date or before 1900), future_birth (after ``as_of``),
    bad_check, upgraded15, ok.
    """
    text = ids if isinstance(ids.dtype, pd.StringDtype) else ids.astype("str")
    arr = pa.array(text, type=pa.large_string())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    arr = pc.utf8_trim_whitespace(arr)
    n = len(arr)
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset : arr.offset + n + 1]
    data = arr.buffers()[2]
    raw = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
    lengths = np.diff(offsets)
    present = arr.is_valid().to_numpy(zero_copy_only=False) & (lengths > 0)
    is_numeric = _flag(numeric, n)

    status = np.full(n, _CODE["missing"], dtype=np.int8)
    births = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    sex = np.full(n, -1, dtype=np.int8)
    changed: list[tuple[np.ndarray, np.ndarray]] = []  # (rows, new 18-byte values)
    as_of_days = (as_of - dt.date(1970, 1, 1)).days

    rows18 = np.flatnonzero(present & (lengths == 18))
    m18 = _fixed_width(raw, offsets[rows18], 18)
    lower = m18[:, 17] == _LOWER_X
    m18[lower, 17] = _X
    changed.append((rows18[lower], m18[lower]))
    status[rows18] = _status18(m18, as_of_days, births, sex, rows18)
    number = np.full(n, -1, dtype=np.int64)
    number[rows18] = _as_number(m18)

    rows15 = np.flatnonzero(present & (lengths == 15))
    m15 = _fixed_width(raw, offsets[rows15], 15)
    status15, upgraded = _status15(m15, births, sex, rows15)
    status[rows15] = status15
    good15 = status15 == _CODE["upgraded15"]
    changed.append((rows15[good15], upgraded[good15]))
    number[rows15[good15]] = _as_number(upgraded[good15])

    other = np.flatnonzero(present & (lengths != 18) & (lengths != 15))
    if len(other):
        allowed = pc.match_substring_regex(arr.take(pa.array(other)), _ALLOWED)
        status[other] = np.where(allowed.to_numpy(zero_copy_only=False), _CODE["bad_length"], _CODE["bad_chars"])

    _mark_excel_numbers(arr, status, is_numeric, present, lengths)

    normalized = _replace_rows(arr, changed)
    number[~np.isin(status, [_CODE[v] for v in VALID_STATUSES])] = -1
    sex_text = pa.DictionaryArray.from_arrays(pa.array(sex, mask=sex < 0), pa.array(["女", "男"])).cast(pa.string())
    return pd.DataFrame(
        {
            "normalized": pd.array(normalized, dtype="str"),
            "status": pd.Categorical.from_codes(status, categories=pd.Index(STATUSES)),
            "birth_date": births,
            "sex": pd.array(sex_text, dtype="str"),
            "number": number,
        },
        index=ids.index,
    )


def id_numbers(ids: pd.Series) -> np.ndarray:
    """Valid ID numbers (as normalized: 17 digits and a check character) as integers, the first 17
    digits times 11 plus the check value (X = 10): equal numbers, equal integers; compared and sorted
    as numbers, millions at once, where hashing the text would cost seconds."""
    ids = pa.array(ids, type=pa.large_string(), from_pandas=True)
    body = pc.cast(pc.utf8_slice_codeunits(ids, 0, 17), pa.int64())
    check = pc.cast(pc.replace_substring(pc.utf8_slice_codeunits(ids, 17, 18), "X", "10"), pa.int64())
    return np.asarray(body.to_numpy(zero_copy_only=False)) * 11 + np.asarray(check.to_numpy(zero_copy_only=False))


def _as_number(m: np.ndarray) -> np.ndarray:
    """``id_numbers`` of (rows, 18) bytes: 17 digits (checked by the caller before use) and a check
    character (X = 10)."""
    body = np.zeros(len(m), dtype=np.int64)
    for column in range(17):  # digit by digit: no (rows, 17) int64 copy, whose first use costs 0.1 s at 500k
        body *= 10
        body += m[:, column] - np.uint8(_ZERO)
    check = m[:, 17].astype(np.int64) - _ZERO
    return body * 11 + np.where(m[:, 17] == _X, 10, check)


def distinct_of_sorted(ordered: np.ndarray) -> np.ndarray:
    """Each value of a sorted array once (``np.unique``, which sorts again, is ten times slower on
    millions of ID numbers)."""
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))] if len(ordered) else ordered


def _flag(numeric: pd.Series | None, n: int) -> np.ndarray:
    if numeric is None:
        return np.zeros(n, dtype=bool)
    return numeric.astype("boolean").fillna(False).to_numpy(dtype=bool)


def _fixed_width(raw: np.ndarray, starts: np.ndarray, width: int) -> np.ndarray:
    """A (rows, width) uint8 copy of the bytes starting at each offset of the string buffer."""
    if not len(starts):
        return np.zeros((0, width), dtype=np.uint8)
    if np.all(np.diff(starts) == width):  # consecutive rows: one slice of the buffer
        return raw[starts[0] : starts[0] + width * len(starts)].reshape(-1, width).copy()
    return np.lib.stride_tricks.sliding_window_view(raw, width)[starts]


def _replace_rows(arr: pa.Array, changed: list[tuple[np.ndarray, np.ndarray]]) -> pa.Array:
    """``arr`` with the given rows replaced by the given 18-byte values."""
    rows = np.concatenate([r for r, _ in changed])
    if not len(rows):
        return arr
    values = np.concatenate([v for _, v in changed])[np.argsort(rows, kind="stable")]
    mask = np.zeros(len(arr), dtype=bool)
    mask[rows] = True
    texts = pa.array(values.view("S18").ravel(), pa.binary()).cast(pa.large_string())
    return pc.replace_with_mask(arr, pa.array(mask), texts)


def _number(d: np.ndarray, first: int, width: int) -> np.ndarray:
    """The decimal number in columns ``first .. first+width`` of a digit matrix, as int32."""
    out = np.zeros(len(d), dtype=np.int32)
    for i in range(first, first + width):
        out = out * 10 + d[:, i]
    return out


def _all_digits(d: np.ndarray) -> np.ndarray:
    """Rows of a digit matrix (bytes minus "0") whose every column is 0..9."""
    ok = np.ones(len(d), dtype=bool)
    for i in range(d.shape[1]):
        ok &= d[:, i] <= 9
    return ok


def _checksum(d: np.ndarray) -> np.ndarray:
    """Σ aᵢ·Wᵢ mod 11 over the first 17 columns of a digit matrix (garbage for non-digit rows).

    uint16 cannot overflow: the sum is at most 255·10·17.
    """
    total = np.zeros(len(d), dtype=np.uint16)
    for i, weight in enumerate(_WEIGHT_LIST):
        total += d[:, i] * np.uint16(weight)
    return total % 11


def _dates(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(valid, days since 1970-01-01) per row; a date is valid when it exists and is not before 1900.

    Table look-ups by year (0..9999) and month instead of numpy's calendar conversions, which are
    several times slower over millions of rows. Days of invalid dates are meaningless.
    """
    month_ok = (month - 1).astype(np.uint32) < 12
    key = _LEAP[year] * 13 + np.where(month_ok, month, 0)
    valid = month_ok & (day >= 1) & (day <= _DAYS_IN_MONTH.ravel()[key]) & (year >= 1900)
    return valid, _DAYS_BEFORE_YEAR[year] + _DAYS_BEFORE_MONTH.ravel()[key] + (day - 1)


def _nanoseconds(days: np.ndarray) -> np.ndarray:
    return (days.astype(np.int64) * _NS_PER_DAY).view("datetime64[ns]")


def _status18(m: np.ndarray, as_of: int, births: np.ndarray, sex: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Status codes of 18-character rows; fills ``births`` and ``sex`` of the valid ones."""
    d = m - np.uint8(_ZERO)  # non-digits wrap around to values above 9
    chars_ok = _all_digits(d[:, :17]) & ((d[:, 17] <= 9) | (m[:, 17] == _X))
    check_ok = _CHECK_BYTES[_checksum(d)] == m[:, 17]
    zeros = (m[:, 15] == _ZERO) & (m[:, 16] == _ZERO) & (m[:, 17] == _ZERO)
    date_ok, days = _dates(_number(d, 6, 4), _number(d, 10, 2), _number(d, 12, 2))
    out = np.full(len(m), _CODE["ok"], dtype=np.int8)  # lowest priority first, each overwriting
    out[~check_ok] = _CODE["bad_check"]
    out[date_ok & (days > as_of)] = _CODE["future_birth"]
    out[~date_ok] = _CODE["bad_date"]
    out[zeros & ~check_ok] = _CODE["excel_number"]
    out[~chars_ok] = _CODE["bad_chars"]
    good = out == _CODE["ok"]
    births[rows[good]] = _nanoseconds(days[good])
    sex[rows[good]] = d[good, 16] % 2
    return out


def _status15(
    m: np.ndarray, births: np.ndarray, sex: np.ndarray, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Status codes of 15-character rows and their upgraded 18-byte forms; fills births and sex."""
    d = m - np.uint8(_ZERO)
    chars_ok = _all_digits(d)
    date_ok, days = _dates(1900 + _number(d, 6, 2), _number(d, 8, 2), _number(d, 10, 2))
    out = np.select([~chars_ok, ~date_ok], [_CODE["bad_chars"], _CODE["bad_date"]], _CODE["upgraded15"]).astype(np.int8)
    upgraded = np.empty((len(m), 18), dtype=np.uint8)
    upgraded[:, :6] = m[:, :6]
    upgraded[:, 6:8] = np.frombuffer(b"19", dtype=np.uint8)
    upgraded[:, 8:17] = m[:, 6:15]
    upgraded[:, 17] = _CHECK_BYTES[_checksum(upgraded - np.uint8(_ZERO))]
    good = out == _CODE["upgraded15"]
    births[rows[good]] = _nanoseconds(days[good])
    sex[rows[good]] = d[good, 14] % 2
    return out, upgraded


def _mark_excel_numbers(
    arr: pa.Array, status: np.ndarray, numeric: np.ndarray, present: np.ndarray, lengths: np.ndarray
) -> None:
    """Overwrite with ``excel_number`` the numeric cells that lost digits and scientific notation.

    A numeric cell whose text is a number of at most 15 digits lost nothing and keeps its status.
    """
    lost = present & numeric
    short = np.flatnonzero(lost & (lengths <= 15))
    if len(short):
        digits_only = pc.match_substring_regex(arr.take(pa.array(short)), r"^[0-9]+$")
        lost[short[digits_only.to_numpy(zero_copy_only=False)]] = False
    odd = np.flatnonzero(present & (status == _CODE["bad_chars"]))
    if len(odd):
        scientific = pc.match_substring_regex(arr.take(pa.array(odd)), _SCIENTIFIC)
        lost[odd[scientific.to_numpy(zero_copy_only=False)]] = True
    status[lost] = _CODE["excel_number"]
