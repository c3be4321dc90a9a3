"""Header cleaning and mapping: which canonical field (fields.py) a column header means.

A header as written carries noise the national system never had: full-width characters, spaces
inside (``户 编 号``), units and notes in brackets (``人均纯收入（元）``), numbering (``1.``, ``（一）``,
``①``), Traditional characters (``戶編號``), a trailing colon. ``clean_header`` removes all of it;
``match_header`` compares the cleaned header with the cleaned canonical names and aliases, with or
without a ``是否`` prefix, and for a two-row header joined as ``收入情况/工资性收入`` with its last part.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from ..fields import FIELDS, Field
from .traditional import to_simplified

_SPACES = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")
# Enclosed numbers (①, ⑴, ⒈, ❶ …): NFKC would turn ① into a bare "1", so they go first.
_ENCLOSED_NUMBER = re.compile(r"^[\u2460-\u24ff\u2776-\u2793]+[.、]?")
_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|\{[^{}]*\}|【[^【】]*】|〔[^〔〕]*〕|〈[^〈〉]*〉")
_NUMBERING = re.compile(r"^(?:\d+(?:\.\d+)*[.、:)]|[一二三四五六七八九十]+[、.]|第[一二三四五六七八九十\d]+[项列、.]?)")
_MARKS = "*:：.、-_ "
_UNIT_PARTS = frozenset({"元", "万元", "元/人", "元/年", "月", "个月", "人", "天", "日", "年", "岁", "亩", "平方米", "㎡", "m2", "%"})


def clean_header(text: str) -> str:
    """A header as the catalogue spells it: no spaces, units, numbering; half-width; Simplified.

    ``" 人均纯收入（元）"`` → ``"人均纯收入"``; ``"1、戶編號："`` → ``"户编号"``; ``"（一）姓名"`` → ``"姓名"``.
    The ``/`` of a joined two-row header is kept (``match_header`` splits on it).
    """
    out = _SPACES.sub("", str(text))
    out = _ENCLOSED_NUMBER.sub("", out)
    out = unicodedata.normalize("NFKC", out)
    out = to_simplified(out)
    previous = None
    while previous != out:  # nested brackets: innermost first
        previous, out = out, _BRACKETED.sub("", out)
    out = _NUMBERING.sub("", out)
    return out.strip(_MARKS)


def _variants(key: str) -> list[str]:
    """The same header with the ``是否`` prefix removed or added."""
    if key.startswith("是否") and len(key) > 2:
        return [key[2:]]
    return ["是否" + key]


@lru_cache(maxsize=16)
def _index(fields: tuple[Field, ...]) -> dict[str, str]:
    """Cleaned header → canonical name. Exact spellings win over ``是否`` variants; the first field wins."""
    exact: dict[str, str] = {}
    for f in fields:
        for spelling in (f.name, *f.aliases):
            exact.setdefault(clean_header(spelling).casefold(), f.name)
    index = dict(exact)
    for key, name in exact.items():
        for variant in _variants(key):
            index.setdefault(variant, name)
    return index


def _last_part(cleaned: str) -> str:
    parts = [p for p in cleaned.split("/") if p and p.casefold() not in _UNIT_PARTS]
    return parts[-1] if parts else ""


class _Catalogue:
    """The header index of one field catalogue, hashed by identity: a key of ``_match``'s cache that
    costs nothing to hash (hashing the fields tuple itself, ~70 dataclasses, cost as much as matching
    the header did, for every cell of a sheet's top rows: 0.1 s per small village file)."""

    def __init__(self, fields: tuple[Field, ...]):
        self.index = _index(fields)


@lru_cache(maxsize=16)
def _catalogue(fields: tuple[Field, ...]) -> _Catalogue:
    return _Catalogue(fields)


@lru_cache(maxsize=4096)
def _match(text: str, catalogue: _Catalogue) -> str | None:
    index = catalogue.index
    cleaned = clean_header(text).casefold()
    if not cleaned:
        return None
    found = index.get(cleaned)
    if found is None and "/" in cleaned:
        found = index.get(_last_part(cleaned))
    return found


def header_matcher(fields: Sequence[Field] = FIELDS) -> Callable[[str], str | None]:
    """``match_header`` against one catalogue, for many texts: the catalogue is looked up once."""
    catalogue = _catalogue(tuple(fields))
    return lambda text: _match(str(text), catalogue)


def match_header(text: str, fields: Sequence[Field] = FIELDS) -> str | None:
    """The canonical name that header ``text`` means, or None when it is not a known field."""
    return header_matcher(fields)(text)


@dataclass
class HeaderMap:
    """Column position → canonical name; ``unknown`` positions are kept under their own header.

    ``duplicates`` maps the position of a second (third …) column that means an already mapped field
    to that field's name; such a column is also in ``unknown``.
    """

    mapping: dict[int, str] = field(default_factory=dict)
    unknown: list[int] = field(default_factory=list)
    duplicates: dict[int, str] = field(default_factory=dict)


def map_headers(headers: list[str], fields: Sequence[Field] = FIELDS) -> HeaderMap:
    """Map each header to its canonical name; the first column meaning a field wins."""
    result = HeaderMap()
    taken: set[str] = set()
    match = header_matcher(fields)
    matched: dict[str, str | None] = {}  # once per distinct header (a sheet may be 16,384 columns wide)
    for position, header in enumerate(headers):
        text = str(header)
        if text not in matched:
            matched[text] = match(text)
        name = matched[text]
        if name is None:
            result.unknown.append(position)
        elif name in taken:
            result.unknown.append(position)
            result.duplicates[position] = name
        else:
            taken.add(name)
            result.mapping[position] = name
    return result


def closest(name: str, headers: list[str], n: int = 3, *, fields: Sequence[Field] = FIELDS) -> list[str]:
    """The ``n`` headers (as written) that look most like field ``name`` or one of its aliases.

    For the "missing column" error: ``closest("户编号", ["户 编码", "姓名"])`` → ``["户 编码"]``.
    """
    spellings = [name]
    for f in fields:
        if f.name == name:
            spellings.extend(f.aliases)
    targets = {clean_header(s).casefold() for s in spellings} - {""}
    scored: list[tuple[float, int, str]] = []
    for position, header in enumerate(headers):
        cleaned = clean_header(header).casefold()
        if not cleaned:
            continue
        score = max(difflib.SequenceMatcher(None, cleaned, t).ratio() for t in targets)
        if score >= 0.5:
            scored.append((-score, position, header))
    return [header for _, _, header in sorted(scored)[:n]]
