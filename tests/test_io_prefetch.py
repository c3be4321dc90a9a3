"""Parquet inputs decoded while the command loads its libraries (io/prefetch.py): the reader gets the
same table it would have read, each prefetched table once, and reads the file itself whenever the
prefetched one cannot be trusted."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from fixtures_io import write_parquet
from fupin_audit import audit
from fupin_audit.errors import InputError
from fupin_audit.io import prefetch
from fupin_audit.io.reader import read_file


def _wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 5
    while not condition():
        assert time.monotonic() < deadline, "the prefetch thread did not go on"
        time.sleep(0.01)


def _started(paths: list[Path]) -> None:
    thread = prefetch.start(paths)
    assert thread is not None
    thread.join()


def test_prefetched_table_is_the_one_the_reader_reads(tmp_path: Path) -> None:
    path = write_parquet(tmp_path / "村.parquet")
    direct = read_file(path).tables[0]
    _started([path])
    taken: list[pa.Table | None] = []
    original = prefetch.take

    def spy(p: Path) -> pa.Table | None:
        taken.append(original(p))
        return taken[-1]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("fupin_audit.io.parquet.take", spy)
        via_prefetch = read_file(path).tables[0]
    assert taken and taken[0] is not None
    assert via_prefetch.frame.equals(direct.frame)
    assert via_prefetch.headers == direct.headers and list(via_prefetch.rows) == list(direct.rows)


def test_a_table_is_taken_once(tmp_path: Path) -> None:
    path = write_parquet(tmp_path / "村.parquet")
    _started([path])
    assert prefetch.take(path) is not None
    assert prefetch.take(path) is None  # a second audit in the same process reads the file again


def test_a_file_changed_since_is_read_again(tmp_path: Path) -> None:
    path = write_parquet(tmp_path / "村.parquet")
    _started([path])
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert prefetch.take(path) is None


def test_a_damaged_file_is_left_to_the_reader(tmp_path: Path) -> None:
    path = tmp_path / "坏.parquet"
    path.write_bytes(b"PAR1 not really")
    _started([path])
    assert prefetch.take(path) is None
    with pytest.raises(InputError, match="不是有效的 Parquet 文件"):
        read_file(path)


def test_only_existing_parquet_files_are_prefetched(tmp_path: Path) -> None:
    xlsx = tmp_path / "村.xlsx"
    xlsx.write_bytes(b"")
    assert prefetch.start([xlsx, tmp_path / "没有.parquet"]) is None


def test_the_files_a_command_line_names() -> None:
    args = [
        "check", "a.parquet", "b.PARQUET", "c.xlsx", "--quiet", "d.parquet",
        "--ref", "payroll=p.parquet", "--ref=deaths=d2.parquet", "--ref", "cars=v.xlsx",
        "--findings", "out.parquet", "--baseline", "old.parquet", "--rules", "r.parquet",
    ]
    assert prefetch.command_files(args) == [Path(n) for n in ("a.parquet", "b.PARQUET", "d.parquet", "p.parquet", "d2.parquet")]
    assert prefetch.command_files(["diff", "old.parquet", "new.parquet"]) == [Path("old.parquet"), Path("new.parquet")]
    assert prefetch.command_files(["rules", "lint", "x.parquet"]) == []
    assert prefetch.command_files([]) == []


def test_the_command_audits_a_prefetched_registry_and_lists(tmp_path: Path) -> None:
    """End to end through the entry point, which prefetches: the same findings as the library."""
    registry = write_parquet(tmp_path / "村.parquet")
    deaths = tmp_path / "死亡.parquet"
    pq.write_table(pa.table({"证件号码": ["11010119900307803X"], "死亡日期": ["2015-01-01"]}), deaths)
    found = tmp_path / "f.csv"
    done = subprocess.run(
        [sys.executable, "-m", "fupin_audit", "check", str(registry), "--ref", f"deaths={deaths}",
         "--findings", str(found), "--no-report", "--quiet", "--fail-on", "never"],
        capture_output=True, text=True, encoding="utf-8", cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    expected = audit([registry], references={"deaths": deaths}).findings
    lines = found.read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == len(expected) + 1
    assert "deceased_listed" in found.read_text(encoding="utf-8-sig")


def _started_recording(paths: list[Path]) -> tuple[threading.Thread, list[str]]:
    """The prefetch thread started on ``paths``, and the names of the files it decodes, in order."""
    decoded: list[str] = []

    def read(path: Path) -> pa.Table:
        decoded.append(path.name)
        return pq.read_table(path)

    thread = prefetch.start(paths, read=read)
    assert thread is not None
    return thread, decoded


def test_decoding_stays_two_tables_ahead_of_the_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A glob naming many village files: the thread decodes two, then waits for the reader; a file the
    reader asks for before its turn is left to the reader, which never waits on the thread."""
    monkeypatch.setattr(prefetch, "AHEAD_BYTES", 0)  # as if the files were large
    paths = [write_parquet(tmp_path / f"村{i}.parquet") for i in range(5)]
    thread, decoded = _started_recording(paths)
    thread.join(timeout=0.5)
    assert thread.is_alive() and decoded == ["村0.parquet", "村1.parquet"]
    assert prefetch.take(paths[3]) is None  # not begun: claimed by the reader, which reads it itself
    assert prefetch.take(paths[0]) is not None  # frees a place: 村2 is decoded, 村3 skipped
    _wait_until(lambda: len(decoded) == 3)
    assert prefetch.take(paths[1]) is not None
    assert prefetch.take(paths[2]) is not None
    thread.join(timeout=5)
    assert decoded == ["村0.parquet", "村1.parquet", "村2.parquet", "村4.parquet"]
    assert prefetch.take(paths[4]) is not None


def test_small_files_are_decoded_ahead_within_the_byte_budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the two tables, files are decoded ahead while those waiting total at most AHEAD_BYTES on
    disk: the county's small lists all decode at once; a large file waits for a place."""
    paths = [write_parquet(tmp_path / f"名单{i}.parquet") for i in range(5)]
    size = paths[0].stat().st_size
    monkeypatch.setattr(prefetch, "AHEAD_BYTES", 4 * size)
    thread, decoded = _started_recording(paths)
    _wait_until(lambda: len(decoded) == 4)
    thread.join(timeout=0.3)
    assert thread.is_alive() and len(decoded) == 4  # a fifth would pass the budget, and two are waiting
    assert prefetch.take(paths[0]) is not None
    thread.join(timeout=5)
    assert not thread.is_alive() and decoded == [p.name for p in paths]
    assert all(prefetch.take(path) is not None for path in paths[1:])


@pytest.mark.parametrize("rows_per_group", [None, 2])
def test_text_is_read_as_large_string_from_every_row_group(tmp_path: Path, rows_per_group: int | None) -> None:
    """Text is widened one row group at a time: every group's rows come back, in order, as the
    large_string pandas keeps text in; other types and a dictionary column are left as they are."""
    table = pa.table({
        "户编号": [f"H{i}" for i in range(5)],
        "人数": [1, 2, 3, None, 5],
        "民族": pa.array(["汉", "回", "汉", None, "汉"]).dictionary_encode(),
    })
    path = tmp_path / "村.parquet"
    pq.write_table(table, path, row_group_size=rows_per_group)
    read = prefetch.read_arrow_table(path)
    assert pq.ParquetFile(path).num_row_groups == (3 if rows_per_group else 1)
    assert read.schema.field("户编号").type == pa.large_string()
    assert read.schema.field("人数").type == pa.int64()
    assert pa.types.is_dictionary(read.schema.field("民族").type)
    assert read.column("户编号").to_pylist() == table.column("户编号").to_pylist()
    assert read.column("人数").to_pylist() == [1, 2, 3, None, 5]
    assert read.column("民族").to_pylist() == ["汉", "回", "汉", None, "汉"]


def test_a_parquet_file_without_rows_reads_as_its_columns(tmp_path: Path) -> None:
    path = tmp_path / "空.parquet"
    pq.write_table(pa.table({"户编号": pa.array([], pa.string())}), path)
    read = prefetch.read_arrow_table(path)
    assert read.num_rows == 0 and read.schema.field("户编号").type == pa.large_string()
