"""Vectorized building blocks for synthetic registries: ID numbers, names, dates, text columns.

Everything draws from one ``numpy.random.Generator`` so a seed fixes the output. Text columns are
built as Arrow string arrays (``take`` on a small dictionary, joins), which is far faster than
numpy or pandas string operations at a million rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
CHECK = np.frombuffer(b"10X98765432", dtype=np.uint8)

SURNAMES = list("王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢")
MALE = ["建国", "建军", "志强", "国庆", "海军", "永胜", "振华", "文斌", "春生", "德福", "宝山", "玉林", "树林",
        "金山", "立新", "明亮", "浩然", "子轩", "宇航", "俊杰", "家豪", "正华", "云飞", "国富", "兴华", "光明",
        "绍文", "开贵", "应祥", "天福"]
FEMALE = ["桂兰", "秀英", "玉兰", "淑珍", "凤琴", "桂芝", "丽娟", "春梅", "秀兰", "海燕", "晓燕", "丽华", "雪梅",
          "欣怡", "梓涵", "雨欣", "思雨", "佳怡", "玉珍", "凤英", "素芬", "金花", "润芬", "琼仙", "美仙", "桂英",
          "兰英", "会芬", "丽萍", "艳芳"]

# male sequence numbers are odd, female even; none ends in 00 (a lost-digit number looks like that);
# registry members use 1..599, people who only appear in reference lists 600..999, so they never collide
_SEQ_MALE = np.arange(1, 600, 2, dtype=np.int64)
_SEQ_FEMALE = np.array([v for v in range(2, 600, 2) if v % 100], dtype=np.int64)
_SEQ_OUTSIDE = np.array([v for v in range(600, 1000) if v % 100], dtype=np.int64)


def pick(values: Sequence[str], index: np.ndarray) -> pa.Array:
    """``values[index]`` as an Arrow string array."""
    return pa.array(list(values), pa.string()).take(pa.array(index))


def choose(rng: np.random.Generator, values: Sequence[str], n: int, p: Sequence[float] | None = None) -> pa.Array:
    return pick(values, rng.choice(len(values), n, p=p))


def join(*parts: pa.Array | str) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def digits(values: np.ndarray, width: int) -> np.ndarray:
    """(n, width) array of the decimal digits of non-negative integers."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return (values.astype(np.int64)[:, None] // powers) % 10


def id_codes(region: np.ndarray, birth: np.ndarray, seq: np.ndarray) -> np.ndarray:
    """(n, 18) ASCII codes of valid ID numbers from region codes, birth dates (datetime64[D]), sequences."""
    days = birth.astype("datetime64[D]")
    year = days.astype("datetime64[Y]").astype(np.int64) + 1970
    month = days.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day = (days - days.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    first17 = np.concatenate(
        [digits(region, 6), digits(year * 10000 + month * 100 + day, 8), digits(seq, 3)], axis=1)
    codes = np.empty((len(region), 18), dtype=np.uint8)
    codes[:, :17] = first17 + ord("0")
    codes[:, 17] = CHECK[(first17 @ WEIGHTS) % 11]
    return codes


def id_text(codes: np.ndarray) -> pa.Array:
    """Arrow strings from an (n, 18) code array."""
    data = np.ascontiguousarray(codes, dtype=np.uint8)
    fixed = pa.FixedSizeBinaryArray.from_buffers(pa.binary(18), len(data), [None, pa.py_buffer(data.tobytes())])
    return fixed.cast(pa.binary()).cast(pa.string())


def member_sequences(region: np.ndarray, birth: np.ndarray, male: np.ndarray) -> np.ndarray:
    """Sequence numbers unique within (region, birth date, sex), with the sex's parity."""
    order = np.lexsort((male, birth, region))
    key = np.stack([region[order], birth[order].astype(np.int64), male[order]], axis=1)
    new_group = np.ones(len(order), dtype=bool)
    new_group[1:] = np.any(key[1:] != key[:-1], axis=1)
    starts = np.flatnonzero(new_group)
    rank_sorted = np.arange(len(order)) - np.repeat(starts, np.diff(np.append(starts, len(order))))
    rank = np.empty_like(rank_sorted)
    rank[order] = rank_sorted
    if rank.max(initial=0) >= len(_SEQ_FEMALE):
        raise ValueError("too many people share a region, birth date and sex for unique ID numbers")
    return np.where(male, _SEQ_MALE[np.minimum(rank, len(_SEQ_MALE) - 1)], _SEQ_FEMALE[rank])


def outside_ids(rng: np.random.Generator, n: int, regions: np.ndarray) -> pa.Array:
    """Valid IDs of people who are not on the registry (sequence 600..999)."""
    birth = random_dates(rng, n, "1940-01-01", "2000-12-31")
    return id_text(id_codes(rng.choice(regions, n), birth, rng.choice(_SEQ_OUTSIDE, n)))


def random_dates(rng: np.random.Generator, n: int, first: str, last: str) -> np.ndarray:
    start, end = np.datetime64(first, "D"), np.datetime64(last, "D")
    return start + rng.integers(0, int((end - start).astype(int)) + 1, n).astype("timedelta64[D]")


def date_text(dates: np.ndarray) -> pa.Array:
    return pa.array(dates.astype("datetime64[D]")).cast(pa.string())


def number_text(values: np.ndarray) -> pa.Array:
    return pa.array(values).cast(pa.string())


def names(male: np.ndarray, surname: np.ndarray, seed: np.ndarray) -> pa.Array:
    """Names: ``surname`` indexes SURNAMES; the given name, picked by ``seed``, follows the sex."""
    given = np.where(male, seed % len(MALE), len(MALE) + seed % len(FEMALE))
    return join(pick(SURNAMES, surname), pick(MALE + FEMALE, given))


def random_names(rng: np.random.Generator, n: int) -> pa.Array:
    return names(rng.random(n) < 0.5, rng.integers(0, len(SURNAMES), n), rng.integers(0, 1 << 30, n))
