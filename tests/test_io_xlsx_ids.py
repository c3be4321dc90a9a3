"""IDs stored as numbers found in one load when the ID columns can be guessed from the sheet's XML,
and through the second (boolean) load when not: both ways give the same tables."""

from __future__ import annotations

from pathlib import Path

import pytest
import xlsxwriter

from fixtures_io import (
    IDS,
    merged_keys_xlsx,
    numeric_ids_xlsx,
    titled_xlsx,
    two_row_header_xlsx,
    write_xlsx,
)
from fupin_audit.io import excel, xlsxpeek
from fupin_audit.io.reader import read_file
from fupin_audit.io.xlsxpeek import first_rows


@pytest.fixture
def boolean_loads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the second (boolean) loads of whole sheets."""
    calls: list[int] = []
    original = excel._boolean_sheet

    def counted(path: Path, index: int) -> excel.Booleans:
        calls.append(index)
        return original(path, index)

    monkeypatch.setattr(excel, "_boolean_sheet", counted)
    return calls


def test_first_rows_from_shared_strings_with_a_gap_and_a_title(tmp_path: Path) -> None:
    book = xlsxwriter.Workbook(str(tmp_path / "t.xlsx"))
    sheet = book.add_worksheet("人员")
    sheet.write_string(0, 1, "花名册")
    sheet.write_row(2, 1, ["姓名", "证件号码"])
    sheet.write_string(3, 1, "甲")
    sheet.write_number(3, 2, 12.5)
    sheet.write_string(40, 1, "far below")
    book.close()
    head = first_rows(tmp_path / "t.xlsx", "人员", 30, scan=100)
    assert head is not None and len(head.rows) == 30
    rows = head.rows
    assert rows[0] == [None, "花名册", None]
    assert rows[2] == [None, "姓名", "证件号码"] and rows[3] == [None, "甲", "12.5"]
    assert all(row == [None, None, None] for row in rows[4:])
    assert head.not_text == {2: [3]}


def test_first_rows_from_inline_strings(tmp_path: Path) -> None:
    book = xlsxwriter.Workbook(str(tmp_path / "i.xlsx"), {"constant_memory": True})
    book.add_worksheet("其他")
    sheet = book.add_worksheet("人员")
    sheet.write_row(0, 0, ["姓名", "证件号码 "])
    book.close()
    head = first_rows(tmp_path / "i.xlsx", "人员", 2)
    assert head is not None and head.rows == [["姓名", "证件号码 "], [None, None]] and head.not_text == {}


def test_first_rows_gives_none_when_it_cannot_tell(tmp_path: Path) -> None:
    path = titled_xlsx(tmp_path / "t.xlsx")
    assert first_rows(path, "no such sheet", 30) is None
    (tmp_path / "x.xlsx").write_bytes(b"not a zip")
    assert first_rows(tmp_path / "x.xlsx", "人员", 30) is None


@pytest.mark.parametrize("error", [NotImplementedError("Deflate64"), RuntimeError("File is encrypted"), EOFError()])
def test_first_rows_gives_none_when_the_package_cannot_be_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    path = titled_xlsx(tmp_path / "t.xlsx")

    def failing(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr(xlsxpeek, "iterparse", failing)
    assert first_rows(path, "贫困人口", 30) is None
    (raw,) = read_file(path).tables  # and the sheet is still read, the long way
    assert raw.headers[6] == "证件号码" and list(raw.numeric) == [6] and not raw.numeric[6].any()


@pytest.mark.parametrize("fixture", [titled_xlsx, two_row_header_xlsx, merged_keys_xlsx, numeric_ids_xlsx])
def test_one_load_or_two_the_tables_are_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fixture) -> None:
    path = fixture(tmp_path / "f.xlsx")
    guessed = read_file(path).tables
    monkeypatch.setattr(excel, "guess_id_columns", lambda *args, **kwargs: [])
    loaded_twice = read_file(path).tables
    assert len(guessed) == len(loaded_twice) == 1
    first, second = guessed[0], loaded_twice[0]
    assert first.headers == second.headers and first.rows.tolist() == second.rows.tolist()
    assert first.frame.equals(second.frame)
    assert {k: v.tolist() for k, v in first.numeric.items()} == {k: v.tolist() for k, v in second.numeric.items()}


def test_ids_all_text_need_no_second_load(tmp_path: Path, boolean_loads: list[int]) -> None:
    (raw,) = read_file(titled_xlsx(tmp_path / "t.xlsx")).tables
    assert boolean_loads == []
    assert list(raw.numeric) == [6] and not raw.numeric[6].any()


def test_ids_stored_as_numbers_in_the_first_rows_start_the_second_load_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, boolean_loads: list[int]
) -> None:
    attempts: list[list[int]] = []
    monkeypatch.setattr(excel, "_load_typing_ids", lambda reader, index, guess: attempts.append(guess))
    (raw,) = read_file(numeric_ids_xlsx(tmp_path / "n.xlsx")).tables
    assert attempts == [] and boolean_loads == [0]
    assert raw.numeric[2].tolist() == [False, True, False]
    assert raw.numeric[3].tolist() == [True, False, False]


def test_an_id_stored_as_a_number_past_the_scanned_rows_is_still_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, boolean_loads: list[int]
) -> None:
    rows: list[list[object]] = [["姓名", "证件号码"], *[[f"甲{i}", IDS[0]] for i in range(5)], ["乙", 360426199101010071]]
    path = write_xlsx(tmp_path / "late.xlsx", {"人员": rows}, numbers_as_numbers=True)
    monkeypatch.setattr(excel, "SCAN_ROWS", 3)
    (raw,) = read_file(path).tables
    assert boolean_loads == [0]  # the one load found the column mixed; the booleans were loaded after it
    assert raw.numeric[1].tolist() == [False] * 5 + [True]


def test_a_wrong_guess_costs_a_second_load_not_a_missed_number(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, boolean_loads: list[int]
) -> None:
    rows = [["姓名", "证件号码"], ["甲", IDS[0]], ["乙", 360426199101010071]]
    path = write_xlsx(tmp_path / "w.xlsx", {"人员": rows}, numbers_as_numbers=True)
    monkeypatch.setattr(excel, "guess_id_columns", lambda *args, **kwargs: [0])
    (raw,) = read_file(path).tables
    assert boolean_loads == [0]
    assert raw.numeric[1].tolist() == [False, True]
