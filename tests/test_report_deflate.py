"""Zip entries written from text and pieces deflated elsewhere are the bytes they stand for."""

from __future__ import annotations

import io
import zipfile

import pytest

from fupin_audit.report import deflate

TEXT = [b"<worksheet><sheetData>", "<row>甲</row>".encode() * 500, b"", b"<row>tail</row></sheetData>" * 3]
PIECES = [b"<row r=\"2\">" + bytes(range(256)) * 40, "<c>李四 110101199003078035</c>".encode() * 2000, b"x"]


def _source() -> tuple[io.BytesIO, list[deflate.Span], bytes]:
    """A file of text and deflated spans (two pieces in the first span), and the text it stands for."""
    source, expected, spans = io.BytesIO(), b"", []
    source.write(TEXT[0])
    expected += TEXT[0]
    for text, pieces in ((TEXT[1], PIECES[:2]), (TEXT[2], PIECES[2:])):
        span = deflate.Span(source.tell(), 0, 0, 0)
        for data in pieces:
            piece = deflate.compress(data)
            source.write(piece.data)
            span = span.then(piece)
            expected += data
        spans.append(span)
        source.write(text)
        expected += text
    source.write(TEXT[3])
    expected += TEXT[3]
    source.seek(0)
    return source, spans, expected


def _entry(source: io.BytesIO, spans: list[deflate.Span]) -> zipfile.ZipFile:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo("sheet.xml")
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w") as entry:
            entry._compressor = deflate.compressor()  # type: ignore[attr-defined]
            deflate.copy_into(entry, source, spans)
    return zipfile.ZipFile(out)


def test_text_and_pieces_make_one_entry_with_the_right_crc_and_size() -> None:
    source, spans, expected = _source()
    assert deflate.text_size(len(source.getvalue()), spans) == len(expected)
    archive = _entry(source, spans)
    assert archive.testzip() is None  # the CRC-32 combined from the pieces checks
    assert archive.read("sheet.xml") == expected
    assert archive.getinfo("sheet.xml").file_size == len(expected)


def test_the_entry_counters_written_into_are_the_ones_zipfile_keeps() -> None:
    """Were zipfile's counters renamed, pieces would be decompressed again (correct, slower)."""
    with zipfile.ZipFile(io.BytesIO(), "w", compression=zipfile.ZIP_DEFLATED) as archive, archive.open("x", "w") as entry:
        assert all(hasattr(entry, name) for name in deflate._COUNTERS)


def test_without_those_counters_the_pieces_are_inflated_into_the_same_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(deflate, "_COUNTERS", (*deflate._COUNTERS, "_not_in_this_python"))
    source, spans, expected = _source()
    archive = _entry(source, spans)
    assert archive.testzip() is None
    assert archive.read("sheet.xml") == expected


def test_a_row_file_cut_short_is_an_error_not_a_short_sheet() -> None:
    source, spans, _ = _source()
    cut = io.BytesIO(source.getvalue()[: spans[0].offset + spans[0].length // 2])
    with pytest.raises(OSError, match="ended early"):
        _entry(cut, spans)
