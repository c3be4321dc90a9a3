"""Parquet inputs decoded while the command's libraries load.

Loading pandas, pyarrow and DuckDB takes the command about 0.6 s on one core, with the other idle;
decoding a county's Parquet registry and its lists takes about as long. ``start`` decodes the files
in a background thread meanwhile (Arrow releases the GIL), at most two tables ahead of the reader
(more when they are small), and
``take`` hands a decoded table to the reader, which reads the file itself when none was prefetched
or its turn has not come. A file changed since it was prefetched
(another size, time or inode) is read again; one that could not be decoded is read again, so that
the reader reports what is wrong with it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pyarrow is imported by the thread: the command's entry point imports this module first
    import pyarrow as pa

Key = tuple[str, int, int, int]

VALUE_OPTIONS = frozenset({
    "--rules", "--as-of", "--report", "--findings", "--fail-on", "--sheet", "--encoding", "--log",
    "--rule-timeout", "--baseline",
})
"""Options of ``check`` and ``diff`` followed by a value that is not an input file (``--ref``'s is)."""


def read_arrow_table(path: Path) -> pa.Table:
    """A Parquet file's table, text columns as ``large_string`` (the type pandas keeps text in),
    widened one row group at a time (the whole table's text widened at once cost ~3 s and 2.5 GB more
    at 5M rows × 41 columns).

    Read by ``ParquetFile``, not ``read_table``: that one goes through pyarrow's dataset layer, whose
    first use loads ~0.2 s of modules and took 1.5–2× the CPU (500k rows: 0.84–1.9 against 0.65 CPU
    seconds in a fresh process; 5M: 6.7–13 against 5.6, and 0.2 GB more)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    with pq.ParquetFile(path) as parquet:
        schema = parquet.schema_arrow
        wanted = pa.schema(
            [f.with_type(pa.large_string()) if pa.types.is_string(f.type) else f for f in schema], metadata=schema.metadata
        )
        groups = [parquet.read_row_group(i).cast(wanted) for i in range(parquet.num_row_groups)]
    return pa.concat_tables(groups) if groups else wanted.empty_table()


AHEAD = 2
"""Tables decoded and not yet taken, at most: a shell glob naming a province's village files must not
hold them all decoded at once (a 20 MB Parquet file is 300 MB of text in memory) …"""

AHEAD_BYTES = 32 << 20
"""… unless they are small: files totalling this much on disk may all be decoded ahead (a county's
seven 100,000-row lists, 1.5 MB each, decode while the libraries load, not beside the registry's
reading)."""


class _Ahead:
    """What the decoding thread holds: each file's place from the start of its decoding until its
    table is taken (``AHEAD`` places, or any number within ``AHEAD_BYTES`` on disk)."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._count = 0
        self._bytes = 0

    def acquire(self, size: int) -> None:
        with self._changed:
            self._changed.wait_for(lambda: self._count < AHEAD or self._bytes + size <= AHEAD_BYTES)
            self._count += 1
            self._bytes += size

    def release(self, size: int) -> None:
        with self._changed:
            self._count -= 1
            self._bytes -= size
            self._changed.notify_all()


@dataclass
class _Slot:
    ahead: _Ahead
    size: int
    """The file's bytes on disk (its share of ``AHEAD_BYTES``)."""
    done: threading.Event = field(default_factory=threading.Event)
    table: pa.Table | None = None
    state: str = "queued"
    """queued, decoding, decoded, or claimed (taken before its decoding began: the reader reads it)."""


_lock = threading.Lock()
_slots: dict[Key, _Slot] = {}


def _key(path: Path) -> Key | None:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return (os.path.realpath(path), found.st_ino, found.st_size, found.st_mtime_ns)


def start(paths: Sequence[Path], read: Callable[[Path], pa.Table] = read_arrow_table) -> threading.Thread | None:
    """Decode each Parquet file of ``paths`` in order, in a daemon thread, at most ``AHEAD`` tables
    ahead of the reader; other files are left alone. Returns the thread (None: nothing to decode)."""
    chosen: list[tuple[Path, _Slot]] = []
    ahead = _Ahead()
    with _lock:
        for path in paths:
            key = _key(path) if path.suffix.lower() == ".parquet" else None
            if key is not None and key not in _slots:
                _slots[key] = slot = _Slot(ahead, key[2])
                chosen.append((path, slot))
    if not chosen:
        return None

    def work() -> None:
        for path, slot in chosen:
            ahead.acquire(slot.size)  # released when the table is taken (never, for a file no reader asks for)
            with _lock:
                if slot.state == "claimed":
                    ahead.release(slot.size)
                    continue
                slot.state = "decoding"
            try:
                slot.table = read(path)
            except Exception:  # the reader reads the file again and says what is wrong with it
                slot.table = None
            finally:
                slot.state = "decoded"
                slot.done.set()

    thread = threading.Thread(target=work, name="fupin-audit-prefetch", daemon=True)
    thread.start()
    return thread


def take(path: Path) -> pa.Table | None:
    """The table prefetched from ``path`` (waiting for it if it is being decoded), once; None when it
    was not prefetched, its decoding has not begun (the caller reads the file itself: waiting could
    be on files no reader asks for), it could not be decoded, or the file has changed since."""
    key = _key(path)
    with _lock:
        slot = _slots.pop(key, None) if key is not None else None
        if slot is not None and slot.state == "queued":
            slot.state = "claimed"
            return None
    if slot is None:
        return None
    slot.done.wait()
    slot.ahead.release(slot.size)
    return slot.table


def command_files(args: Sequence[str]) -> list[Path]:
    """The Parquet files a ``check`` or ``diff`` command line names: its arguments and ``--ref`` values
    (``--ref NAME=PATH`` or ``--ref=NAME=PATH``). A guess made before the arguments are parsed: a file
    named for another purpose is decoded and never taken, which costs time, not correctness."""
    if not args or args[0] not in ("check", "diff"):
        return []
    found: list[str] = []
    rest = list(args[1:])
    for i, arg in enumerate(rest):
        before = rest[i - 1] if i > 0 else ""
        if arg.startswith("--ref="):
            found.append(arg.removeprefix("--ref=").partition("=")[2])
        elif before == "--ref":
            found.append(arg.partition("=")[2])
        elif not arg.startswith("-") and before not in VALUE_OPTIONS:
            found.append(arg)
    return [Path(name) for name in found if name.lower().endswith(".parquet")]
