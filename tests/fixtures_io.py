"""Fixture files for the reader tests, generated into a folder (pytest ``tmp_path``): nothing binary is committed.

Every ID number below is a public test vector (DOMAIN.md §2) or made up; no real person's data.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import xlsxwriter

HEADERS = ["序号", "县", "乡镇", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "人数", "人均纯收入"]
IDS = ["440308199901101512", "11010119900307803X", "360426199101010071", "810000199408230021"]


def member_rows(count: int = 4) -> list[list[Any]]:
    """Flat person-level rows: two households of two members each (repeated with ``count``)."""
    rows = []
    for i in range(count):
        household = f"H{i // 2 + 1:03d}"
        relation = "户主" if i % 2 == 0 else "配偶"
        rows.append([i + 1, "某县", "某镇", "某村", household, f"成员{i + 1}", IDS[i % len(IDS)], relation, "2", "4500"])
    return rows


def write_xlsx(
    path: Path,
    sheets: dict[str, Sequence[Sequence[Any]]],
    *,
    hidden: Sequence[str] = (),
    numbers_as_numbers: bool = False,
) -> Path:
    """A workbook with one sheet per entry; cells written as text (``None`` left blank) unless
    ``numbers_as_numbers``, when ints and floats are written as numbers."""
    book = xlsxwriter.Workbook(str(path))
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if numbers_as_numbers and isinstance(value, int | float):
                    sheet.write_number(r, c, value)
                else:
                    sheet.write_string(r, c, str(value))
        if name in hidden:
            sheet.hide()
    book.close()
    return path


def titled_xlsx(path: Path) -> Path:
    """The national export: a merged title row and a note row above the header (row 3)."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("贫困人口")
    sheet.merge_range(0, 0, 0, len(HEADERS) - 1, "某县建档立卡贫困人口花名册")
    sheet.write_string(1, 0, "制表单位：某县扶贫办    导出日期：2019-12-31")
    sheet.write_row(2, 0, HEADERS)
    for r, row in enumerate(member_rows(), start=3):
        sheet.write_row(r, 0, [str(v) for v in row])
    book.close()
    return path


def two_row_header_xlsx(path: Path) -> Path:
    """Household sheet whose income columns sit under a merged group cell 收入情况."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("户信息")
    sheet.merge_range(0, 0, 0, 6, "户年度收入情况表")
    for c, text in enumerate(["户编号", "户主姓名", "家庭人口数"]):
        sheet.merge_range(1, c, 2, c, text)
    sheet.merge_range(1, 3, 1, 5, "收入情况")
    sheet.write_row(2, 3, ["工资性收入", "生产经营性收入", "转移性收入"])
    sheet.merge_range(1, 6, 2, 6, "人均纯收入（元）")
    sheet.write_row(3, 0, ["H001", "户主甲", "2", "6000", "1000", "2000", "4500"])
    sheet.write_row(4, 0, ["H002", "户主乙", "3", "9000", "0", "3000", "4000"])
    book.close()
    return path


def merged_keys_xlsx(path: Path) -> Path:
    """户编号 and 行政村 merged over each household's member rows (blank below the first)."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("人员")
    sheet.write_row(0, 0, ["行政村", "户编号", "姓名", "证件号码", "与户主关系"])
    sheet.merge_range(1, 0, 5, 0, "某村")
    sheet.merge_range(1, 1, 3, 1, "H001")
    sheet.merge_range(4, 1, 5, 1, "H002")
    people = [("甲", IDS[0], "户主"), ("乙", IDS[1], "配偶"), ("丙", IDS[2], "之子"), ("丁", IDS[3], "户主"), ("戊", "", "之女")]
    for r, (name, pid, relation) in enumerate(people, start=1):
        sheet.write_string(r, 2, name)
        if pid:
            sheet.write_string(r, 3, pid)
        sheet.write_string(r, 4, relation)
    book.close()
    return path


def blank_and_total_xlsx(path: Path) -> Path:
    """A blank row inside the data and a 合计 row at the end."""
    rows: list[list[Any]] = [HEADERS, *member_rows()[:2], [None] * len(HEADERS), *member_rows()[2:]]
    rows.append([None, "合 计", None, None, None, None, None, None, "4", None])
    return write_xlsx(path, {"人员": rows})


def numeric_ids_xlsx(path: Path) -> Path:
    """An ID column holding some IDs typed as numbers (digits lost) among IDs stored as text."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("人员")
    sheet.write_row(0, 0, ["户编号", "姓名", "证件号码", "户主证件号码"])
    sheet.write_row(1, 0, ["H001", "甲"])
    sheet.write_string(1, 2, IDS[0])
    sheet.write_number(1, 3, 440308199901101512)
    sheet.write_row(2, 0, ["H001", "乙"])
    sheet.write_number(2, 2, 360426199101010071)
    sheet.write_string(2, 3, IDS[0])
    sheet.write_row(3, 0, ["H002", "丙"])
    sheet.write_string(3, 2, "11010119900307803X")
    book.close()
    return path


def encrypted_xlsx(path: Path) -> Path:
    """The shape of a password-protected .xlsx: an OLE compound file whose directory names
    ``EncryptionInfo`` and ``EncryptedPackage`` streams (content not encrypted for real)."""
    sector = 512
    header = bytearray(sector)
    header[0:8] = bytes.fromhex("D0CF11E0A1B11AE1")
    header[24:26] = (0x3E).to_bytes(2, "little")
    header[26:28] = (3).to_bytes(2, "little")
    header[28:30] = (0xFFFE).to_bytes(2, "little")
    header[30:32] = (9).to_bytes(2, "little")
    header[32:34] = (6).to_bytes(2, "little")
    header[48:52] = (0).to_bytes(4, "little")
    directory = bytearray(sector)
    for i, name in enumerate(("Root Entry", "EncryptionInfo", "EncryptedPackage")):
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        directory[i * 128 : i * 128 + len(encoded)] = encoded
        directory[i * 128 + 64 : i * 128 + 66] = len(encoded).to_bytes(2, "little")
    path.write_bytes(bytes(header) + bytes(directory) + bytes(sector))
    return path


def csv_text(delimiter: str = ",") -> str:
    """A CSV export with a title line above the header, in traditional-free simplified text."""
    lines = ["某村贫困人口名单", delimiter.join(HEADERS)]
    lines += [delimiter.join(str(v) for v in row) for row in member_rows()]
    return "\r\n".join(lines) + "\r\n"


BIG5_TEXT = (
    "某村貧困人口名冊\n戶編號,姓名,證件號碼,與戶主關係,脫貧屬性\n"
    "H001,陳大文,440308199901101512,戶主,已脫貧\nH001,陳美麗,11010119900307803X,配偶,已脫貧\n"
    "H002,黃國強,360426199101010071,戶主,未脫貧\n"
)


def write_csv(path: Path, text: str, encoding: str) -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def write_parquet(path: Path, *, numeric_ids: bool = False) -> Path:
    """A Parquet table of members; with ``numeric_ids`` the ID column is stored as int64."""
    rows = member_rows()
    ids: pa.Array = (
        pa.array([int(r[6]) if r[6][-1].isdigit() else None for r in rows], pa.int64())
        if numeric_ids
        else pa.array([r[6] for r in rows])
    )
    table = pa.table({"户编号": [r[4] for r in rows], "姓名": [r[5] for r in rows], "证件号码": ids, "人数": [2, 2, 2, 2]})
    pq.write_table(table, path)
    return path


def large_xlsx(path: Path, rows: int, columns: int = 26) -> Path:
    """A generated flat registry of ``rows`` × ``columns`` (text cells; IDs as text) for timing."""
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("贫困人口")
    headers = HEADERS + [f"备注{j}" for j in range(columns - len(HEADERS))]
    sheet.write_row(0, 0, headers)
    for r in range(1, rows + 1):
        sheet.write_row(r, 0, [str(r), "某县", "某镇", "某村", f"H{r // 3:06d}", f"成员{r}", IDS[r % 4], "户主", "3", "4500"])
        sheet.write_row(r, len(HEADERS), [f"x{r % 97}"] * (columns - len(HEADERS)))
    book.close()
    return path


def _record(kind: int, body: bytes) -> bytes:
    return struct.pack("<HH", kind, len(body)) + body


def _biff8(sheets: dict[str, Sequence[Sequence[Any]]]) -> bytes:
    """A minimal BIFF8 workbook stream: shared strings (LABELSST) and numbers (NUMBER)."""
    strings: list[str] = []
    sheet_streams: list[bytes] = []
    for rows in sheets.values():
        cells = b""
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, int | float):
                    cells += _record(0x0203, struct.pack("<HHHd", r, c, 0, float(value)))
                else:
                    if value not in strings:
                        strings.append(value)
                    cells += _record(0x00FD, struct.pack("<HHHI", r, c, 0, strings.index(value)))
        width = max((len(row) for row in rows), default=0)
        dimensions = _record(0x0200, struct.pack("<IIHHH", 0, len(rows), 0, width, 0))
        sheet_streams.append(_record(0x0809, struct.pack("<HHHHII", 0x0600, 0x10, 0x0DBB, 0x07CC, 0, 6)) + dimensions + cells + _record(0x000A, b""))
    sst = struct.pack("<II", len(strings), len(strings)) + b"".join(
        struct.pack("<HB", len(s), 1) + s.encode("utf-16-le") for s in strings
    )
    names = list(sheets)
    head = _record(0x0809, struct.pack("<HHHHII", 0x0600, 0x05, 0x0DBB, 0x07CC, 0, 6)) + _record(0x0042, struct.pack("<H", 1200))
    bound_size = sum(4 + 8 + len(n.encode("utf-16-le")) for n in names)
    tail = _record(0x00FC, sst) + _record(0x01AF, b"\x00" * 4096) + _record(0x000A, b"")
    offset = len(head) + bound_size + len(tail)
    bound = b""
    for name, stream in zip(names, sheet_streams, strict=True):
        bound += _record(0x0085, struct.pack("<IBBBB", offset, 0, 0, len(name), 1) + name.encode("utf-16-le"))
        offset += len(stream)
    return head + bound + tail + b"".join(sheet_streams)


def write_xls(path: Path, sheets: dict[str, Sequence[Sequence[Any]]]) -> Path:
    """A legacy .xls (BIFF8 in an OLE compound file, 512-byte sectors) holding ``sheets``."""
    stream = _biff8(sheets)
    stream += b"\x00" * (-len(stream) % 512)
    count = len(stream) // 512
    fat = [0xFFFFFFFD, 0xFFFFFFFE] + [2 + i + 1 for i in range(count - 1)] + [0xFFFFFFFE]
    fat += [0xFFFFFFFF] * (128 - len(fat))
    header = bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 16 + struct.pack(
        "<HHHHH6sIIIIIIIII", 0x3E, 3, 0xFFFE, 9, 6, b"", 0, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0
    )
    header += struct.pack("<109I", 0, *([0xFFFFFFFF] * 108))

    def entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
        encoded = (name.encode("utf-16-le") + b"\x00\x00") if name else b""
        return struct.pack(
            "<64sHBBIII16sIQQIQ", encoded, len(encoded), kind, 1, 0xFFFFFFFF, 0xFFFFFFFF, child, b"", 0, 0, 0, start, size
        )

    directory = entry("Root Entry", 5, 1, 0xFFFFFFFE, 0) + entry("Workbook", 2, 0xFFFFFFFF, 2, len(_biff8(sheets)))
    directory += entry("", 0, 0xFFFFFFFF, 0, 0) * 2
    path.write_bytes(header + struct.pack("<128I", *fat) + directory + stream)
    return path
