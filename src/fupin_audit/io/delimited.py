"""CSV and other delimited text (.csv, .txt): encoding and delimiter found, every cell as text.

The encoding is found by strict decoding in turn: UTF-16 when the file starts with its BOM (Excel's
"Unicode text"), UTF-8 (with or without BOM), then GB18030 (a
superset of GBK) and Big5. Big5 bytes nearly always decode as GB18030 too, so when both decode the
one whose characters are the common ones of its own standard wins (GB2312 hanzi for GB, Big5 level-1
hanzi for Big5). The delimiter (comma, tab, semicolon) is the one under which a header row names the
most known fields. The data are parsed by pyarrow with every column as text; ragged rows or quoted
cells spanning lines fall back to Python's csv module, which keeps every field and exact line numbers.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..errors import InputError
from ..fields import FIELDS, Field
from .layout import HEAD_ROWS, Header, build, find_header, likely_header
from .table import RawTable

csv.field_size_limit(2**31 - 1)  # the module refuses cells over 131,072 characters by default; a note column may hold more
DELIMITERS = (",", "\t", ";")
HEAD_TEXT = 1 << 20
"""Characters searched for the first rows (the header is within the first 30 lines)."""
SAMPLE = 1 << 16
"""Bytes sampled to choose between GB18030 and Big5."""


def _common_share(text: str, encoding: str) -> float:
    """Share of the non-ASCII characters of ``text`` that are common hanzi of ``encoding``'s standard."""
    wide = [ch for ch in text if ord(ch) > 0x7F]
    if not wide:
        return 1.0
    common = 0
    for ch in wide:
        try:
            encoded = ch.encode("gb2312" if encoding == "gb18030" else "big5")
        except UnicodeEncodeError:
            continue
        lead = encoded[0]
        common += (0xB0 <= lead <= 0xF7) if encoding == "gb18030" else (0xA4 <= lead <= 0xC6)
    return common / len(wide)


def decode(data: bytes, name: str, encoding: str | None = None) -> tuple[str, str]:
    """The text of ``data`` and the encoding used; ``InputError`` naming the first bad byte if none fits."""
    if encoding is not None:
        try:
            return data.decode(encoding), encoding
        except LookupError:
            raise InputError(f"{name}：不认识的编码“{encoding}”。请用 utf-8、gbk、gb18030 或 big5。") from None
        except UnicodeDecodeError as error:
            raise InputError(
                f"{name}：按 {encoding} 编码读取时，第 {error.start} 字节（从 0 数起）无法解码。请确认文件编码，或不指定编码让程序自动识别。"
            ) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return decode(data, name, "utf-16")
    try:
        return data.decode("utf-8-sig"), "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    except UnicodeDecodeError as error:
        failures = {"utf-8": error.start}
    sample = data[:SAMPLE]
    shares = {enc: _common_share(sample.decode(enc, errors="ignore"), enc) for enc in ("gb18030", "big5")}
    for candidate in sorted(shares, key=lambda enc: -shares[enc]):
        try:
            return data.decode(candidate), candidate
        except UnicodeDecodeError as error:
            failures[candidate] = error.start
    furthest = max(failures, key=lambda enc: failures[enc])
    raise InputError(
        f"{name}：无法识别文件编码（按 UTF-8、GBK/GB18030、Big5 都读不通；按 {furthest} 读到第 {failures[furthest]} 字节"
        "（从 0 数起）出错）。请用 Excel 或记事本另存为 UTF-8 编码的 CSV 后重试。"
    )


def _lines(text: str) -> list[str]:
    """The first lines of the text, split where the CSV parser splits them."""
    return re.split(r"\r\n|\n|\r", text[:HEAD_TEXT], maxsplit=HEAD_ROWS)[:HEAD_ROWS]


def _head(text: str, delimiter: str) -> list[list[str | None]]:
    lines = _lines(text)
    return [[cell or None for cell in row] for row in csv.reader(lines, delimiter=delimiter)]


def _lines_before_data(text: str, delimiter: str, records: int) -> int:
    """The lines the first ``records`` records take (a quoted title cell may span several lines)."""
    reader = csv.reader(_lines(text), delimiter=delimiter)
    for _ in itertools.islice(reader, records):
        pass
    return reader.line_num


def sniff(text: str, fields: Sequence[Field] = FIELDS) -> tuple[str, Header | None]:
    """The delimiter under which a header row names the most known fields (the most frequent one
    if no header is found), and that header."""
    best: tuple[int, str, Header | None] = (-1, ",", None)
    for delimiter in DELIMITERS:
        head = _head(text, delimiter)
        header = find_header(head, fields)
        score = sum(1 for h in header.headers if h) if header else 0
        if score > best[0]:
            best = (score, delimiter, header)
    if best[2] is None:
        sample = "\n".join(_lines(text))
        return max(DELIMITERS, key=sample.count), None
    return best[1], best[2]


def _fast(utf8: bytes, skip: int, width: int, delimiter: str) -> pa.Table | None:
    """pyarrow's parser, every column text; None when rows are ragged or a quoted cell spans lines
    (then only the line-by-line parser keeps exact line numbers and every field)."""
    names = [f"c{j}" for j in range(width)]
    try:
        table = pacsv.read_csv(
            io.BytesIO(utf8),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=skip, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=True),
        )
    except pa.ArrowInvalid:
        return None
    if b'"' in utf8:  # only a quoted cell can hold a line break
        for column in table.columns:
            if pc.any(pc.match_substring_regex(column, "[\r\n]")).as_py():
                return None
    return table


def _by_line(text: str, skip: int, delimiter: str) -> tuple[pa.Table, np.ndarray]:
    """Python's csv parser: short rows padded, long rows widen the table; exact first line of each row."""
    breaks = [m.end() for m in itertools.islice(re.finditer(r"\r\n|\n|\r", text), skip)]
    reader = csv.reader(io.StringIO(text[breaks[-1] if breaks else 0 :], newline=""), delimiter=delimiter)
    records: list[list[str]] = []
    lines: list[int] = []
    before = 0
    for record in reader:
        records.append(record)
        lines.append(skip + before + 1)
        before = reader.line_num
    width = max((len(r) for r in records), default=0)
    columns = [pa.array([r[j] if j < len(r) and r[j] != "" else None for r in records], pa.string()) for j in range(width)]
    return pa.table(columns, names=[f"c{j}" for j in range(width)]), np.asarray(lines, dtype=np.int64)


def read_delimited(
    path: Path, *, encoding: str | None = None, fields: Sequence[Field] = FIELDS
) -> RawTable | list[str]:
    """The table in a delimited text file, or the texts of its fullest top row when no header row
    is recognizable.

    ``rows`` are the 1-based line numbers of each row's first line.
    """
    data = path.read_bytes()
    if not data.strip():
        raise InputError(f"{path.name}：文件是空的。请重新导出该文件。")
    text, _ = decode(data, path.name, encoding)
    text = text.removeprefix("\ufeff")
    delimiter, header = sniff(text, fields)
    if header is None:
        return likely_header(_head(text, delimiter))
    start = _lines_before_data(text, delimiter, header.index + 1)  # lines, as both parsers skip them
    table = _fast(text.encode("utf-8"), start, len(header.headers), delimiter)
    if table is None:
        table, rows = _by_line(text, start, delimiter)
    else:
        rows = np.arange(start + 1, start + 1 + table.num_rows, dtype=np.int64)
    raw, _ = build(path, None, header, table, rows, fields)
    return raw
