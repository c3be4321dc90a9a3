"""Raw deflate in pieces: the report's rows compressed on the threads that render them (ISA-L runs
outside the GIL), and a zip entry written from text and such pieces together.

A piece is compressed on its own and ends on a byte boundary without a final block (``Z_SYNC_FLUSH``),
so pieces placed one after another are one valid deflate stream (as pigz writes it), and the entry's
CRC-32 is the pieces' combined (``crc32_combine``). Text between pieces goes through the entry's own
compressor, flushed to a byte boundary before a piece and replaced after it: its back-references must
not reach across the piece.

Writing pieces into an entry sets ``zipfile``'s private counters of the open entry (``_crc``,
``_file_size``, ``_compress_size``, written to the entry's header when it closes). Where they are not
found (another Python), the pieces are decompressed and written as text: slower, same file.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

from isal import isal_zlib

DEFLATE_LEVEL = 2
"""ISA-L level (0–3) the report's zip is deflated at: the 5M report's sheet XML (741 MB) in 0.8–1.0 s
and 103 MB, where zlib takes 3.1 s at its fastest level (107 MB) and 10 s at xlsxwriter's level 6
(83 MB)."""

COPY_BYTES = 1 << 20
"""Bytes copied at a time."""
_COUNTERS = ("_compressor", "_fileobj", "_crc", "_file_size", "_compress_size")


def compressor() -> Any:
    """A raw deflate compressor (no zlib header) at ``DEFLATE_LEVEL``."""
    return isal_zlib.compressobj(DEFLATE_LEVEL, isal_zlib.DEFLATED, -15)


@dataclass(frozen=True)
class Piece:
    """Bytes compressed on their own: the deflate data, and the CRC-32 and length of the bytes."""

    data: bytes
    crc: int
    size: int


def compress(data: Any) -> Piece:
    """``data`` (bytes or any buffer) as a piece."""
    deflater = compressor()
    packed = deflater.compress(data) + deflater.flush(isal_zlib.Z_SYNC_FLUSH)
    view = memoryview(data)
    return Piece(packed, isal_zlib.crc32(view), view.nbytes)


@dataclass(frozen=True)
class Span:
    """Pieces written one after another into a file from ``offset``: ``length`` bytes there, which
    decompress to ``size`` bytes with CRC-32 ``crc``."""

    offset: int
    length: int
    size: int
    crc: int

    def then(self, piece: Piece) -> Span:
        """This span with ``piece`` written right after it."""
        return Span(self.offset, self.length + len(piece.data), self.size + piece.size,
                    isal_zlib.crc32_combine(self.crc, piece.crc, piece.size))


def text_size(file_size: int, spans: Sequence[Span]) -> int:
    """Bytes a file holding ``spans`` amounts to once its spans are decompressed."""
    return file_size + sum(span.size - span.length for span in spans)


def copy_into(entry: IO[bytes], source: IO[bytes], spans: Sequence[Span]) -> None:
    """Copy ``source`` from where it is to its end into ``entry``, a zip entry open for writing with a
    raw deflate compressor (``compressor()``): text through the compressor, each of ``spans`` (ordered,
    offsets in ``source``) as the deflate data it is."""
    raw = all(hasattr(entry, name) for name in _COUNTERS)
    position = source.tell()
    for span in spans:
        for block in _blocks(source, span.offset - position):
            entry.write(block)
        if raw:
            _append(entry, span, source)
        else:
            _inflate(entry, source, span.length)
        position = span.offset + span.length
    shutil.copyfileobj(source, entry, COPY_BYTES)


def _blocks(source: IO[bytes], count: int) -> Iterator[bytes]:
    """The next ``count`` bytes of ``source``, a block at a time; OSError when it ends before them."""
    while count > 0:
        block = source.read(min(COPY_BYTES, count))
        if not block:
            raise OSError("the report's row file ended early")
        yield block
        count -= len(block)


def _append(entry: Any, span: Span, source: IO[bytes]) -> None:
    """The span's deflate data into the entry as it is, after the entry's compressor is flushed to a
    byte boundary; a new compressor for what follows."""
    ended = entry._compressor.flush(isal_zlib.Z_SYNC_FLUSH)
    entry._fileobj.write(ended)
    for block in _blocks(source, span.length):
        entry._fileobj.write(block)
    entry._compress_size += len(ended) + span.length
    entry._crc = isal_zlib.crc32_combine(entry._crc, span.crc, span.size)
    entry._file_size += span.size
    entry._compressor = compressor()


def _inflate(entry: IO[bytes], source: IO[bytes], length: int) -> None:
    inflater = isal_zlib.decompressobj(-15)
    for block in _blocks(source, length):
        entry.write(inflater.decompress(block))
