"""Readers by format: workbooks and sheets, CSV encodings and delimiters, Parquet, damaged input."""

from __future__ import annotations

from pathlib import Path

import pytest

from fixtures_io import (
    BIG5_TEXT,
    HEADERS,
    IDS,
    csv_text,
    encrypted_xlsx,
    member_rows,
    numeric_ids_xlsx,
    write_csv,
    write_parquet,
    write_xls,
    write_xlsx,
)
from fupin_audit.errors import InputError, MissingColumnsError
from fupin_audit.io.delimited import decode
from fupin_audit.io.reader import read_file, read_tables

MEMBERS = [HEADERS, *member_rows()]


def _workbook(tmp_path: Path) -> Path:
    return write_xlsx(
        tmp_path / "村.xlsx",
        {
            "说明": [["本表由扶贫办导出"], ["填表说明：……"]],
            "人员": MEMBERS,
            "户": [["户编号", "户主姓名", "家庭人口数"], ["H001", "成员1", "2"]],
            "旧表": MEMBERS[:2],
            "空表": [],
        },
        hidden=["旧表"],
    )


def test_every_sheet_with_a_header_is_read_and_others_listed(tmp_path: Path) -> None:
    read = read_file(_workbook(tmp_path))
    assert [t.sheet for t in read.tables] == ["人员", "户"]
    assert {(s.name, s.reason) for s in read.skipped_sheets} == {
        ("说明", "未找到可识别的表头"), ("旧表", "隐藏工作表"), ("空表", "空工作表"),
    }
    people = read.tables[0]
    assert len(people.frame) == 4 and people.rows.tolist() == [2, 3, 4, 5]
    assert not people.hidden


def test_hidden_sheet_read_on_request(tmp_path: Path) -> None:
    tables = read_file(_workbook(tmp_path), include_hidden=True).tables
    hidden = [t for t in tables if t.sheet == "旧表"]
    assert len(hidden) == 1 and hidden[0].hidden and len(hidden[0].frame) == 1



def test_a_workbook_whose_registry_is_hidden_says_how_to_read_it(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "村.xlsx", {"封面": [["2019年度建档立卡花名册"]], "人员": MEMBERS}, hidden=["人员"])
    with pytest.raises(InputError) as error:
        read_tables(path)
    assert "隐藏的工作表 人员" in str(error.value) and "--include-hidden" in str(error.value)
    assert len(read_tables(path, include_hidden=True)) == 1

def test_sheet_chosen_by_name_or_number(tmp_path: Path) -> None:
    path = _workbook(tmp_path)
    assert [t.sheet for t in read_file(path, sheet="户").tables] == ["户"]
    assert [t.sheet for t in read_file(path, sheet="2").tables] == ["人员"]


def test_unknown_sheet_lists_the_sheet_names(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"没有名为“人口”的工作表.*1\.说明、2\.人员、3\.户"):
        read_file(_workbook(tmp_path), sheet="人口")


def test_numeric_id_cells_marked(tmp_path: Path) -> None:
    (raw,) = read_file(numeric_ids_xlsx(tmp_path / "n.xlsx")).tables
    assert raw.numeric[2].tolist() == [False, True, False]
    assert raw.numeric[3].tolist() == [True, False, False]
    assert 0 not in raw.numeric and 1 not in raw.numeric
    # the text ID is kept whole; the number came back with its digits changed
    assert raw.frame["c2"][0] == IDS[0]
    assert raw.frame["c2"][1] != "360426199101010071"


def test_numeric_flags_reach_the_normalized_table(tmp_path: Path) -> None:
    (table,) = read_tables(numeric_ids_xlsx(tmp_path / "n.xlsx"))
    assert table.frame["_numeric_证件号码"].tolist() == [False, True, False]
    assert table.frame["_row"].tolist() == [2, 3, 4]
    assert set(table.frame["_sheet"]) == {"人员"}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings_detected(tmp_path: Path, encoding: str) -> None:
    (raw,) = read_file(write_csv(tmp_path / "a.csv", csv_text(), encoding)).tables
    assert raw.headers == HEADERS
    assert raw.header_row == 2 and raw.rows.tolist() == [3, 4, 5, 6]
    assert raw.frame["c5"].tolist() == ["成员1", "成员2", "成员3", "成员4"]
    assert raw.sheet is None


def test_big5_csv_detected(tmp_path: Path) -> None:
    (raw,) = read_file(write_csv(tmp_path / "b.csv", BIG5_TEXT, "big5")).tables
    assert raw.headers[0] == "戶編號"
    assert raw.frame["c1"].tolist() == ["陳大文", "陳美麗", "黃國強"]
    (table,) = read_tables(tmp_path / "b.csv")
    assert "户编号" in table.frame.columns


def test_gbk_that_also_decodes_as_big5_is_read_as_gbk() -> None:
    text = "户编号,姓名,脱贫属性\nH1,张王李,已脱贫\n"
    data = text.encode("gbk")
    data.decode("big5")  # the trap: these bytes are valid Big5 too
    assert decode(data, "x.csv") == (text, "gb18030")


def test_forced_encoding(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "f.csv", csv_text(), "gbk")
    (raw,) = read_file(path, encoding="gbk").tables
    assert raw.frame["c5"][0] == "成员1"
    with pytest.raises(InputError, match="按 utf-8 编码读取时，第 [0-9]+ 字节"):
        read_file(path, encoding="utf-8")


def test_undecodable_bytes_name_the_offset(tmp_path: Path) -> None:
    data = "户编号,姓名\nH1,甲\n".encode() + b"H2,\xff\xfe\x80\n"
    path = tmp_path / "bad.csv"
    path.write_bytes(data)
    offset = data.index(b"\xff")
    with pytest.raises(InputError, match=f"bad.csv：无法识别文件编码.*第 {offset} 字节"):
        read_file(path)


@pytest.mark.parametrize("delimiter", ["\t", ";"])
def test_delimiter_sniffed(tmp_path: Path, delimiter: str) -> None:
    (raw,) = read_file(write_csv(tmp_path / "d.txt", csv_text(delimiter), "utf-8")).tables
    assert raw.headers == HEADERS and len(raw.frame) == 4


def test_csv_blank_line_and_subtotal_keep_line_numbers(tmp_path: Path) -> None:
    text = "户编号,姓名,证件号码\nH1,甲,1\n\nH2,乙,2\n合计,,\n"
    (raw,) = read_file(write_csv(tmp_path / "r.csv", text, "utf-8")).tables
    assert raw.frame["c0"].tolist() == ["H1", "H2"]
    assert raw.rows.tolist() == [2, 4]
    assert raw.skipped == {"空行": [3], "合计行": [5]}




@pytest.mark.parametrize("ragged", [False, True])  # pyarrow's parser, and the line-by-line one
def test_a_title_spanning_two_lines_above_the_header(tmp_path: Path, ragged: bool) -> None:
    text = '"某县\n贫困人口明细",,\n户编号,姓名,证件号码\nH1,甲,1\nH2,乙,2' + (",多" if ragged else "") + "\n"
    (raw,) = read_file(write_csv(tmp_path / "r.csv", text, "utf-8")).tables
    assert raw.frame["c0"].tolist() == ["H1", "H2"]
    assert raw.rows.tolist() == [4, 5]
    assert raw.skipped == {}

def test_a_repeated_header_row_is_skipped_and_counted(tmp_path: Path) -> None:
    text = "户编号,姓名,证件号码\nH1,甲,1\n户编号,姓名,证件号码\nH2,乙,2\n 户编号 ,姓名,\n户编号,丙,3\n"
    (raw,) = read_file(write_csv(tmp_path / "r.csv", text, "utf-8")).tables
    assert raw.frame["c0"].tolist() == ["H1", "H2", "户编号"]  # the last row is data with a bad 户编号: kept
    assert raw.rows.tolist() == [2, 4, 6]
    assert raw.skipped == {"重复的表头行": [3, 5]}

def test_csv_ragged_rows_and_multiline_cells_keep_every_field(tmp_path: Path) -> None:
    text = '标题\n户编号,姓名,证件号码\nH1,"甲\n乙",1\n\nH2,丙\nH3,丁,3,备注\n'
    (raw,) = read_file(write_csv(tmp_path / "r.csv", text, "utf-8")).tables
    assert raw.frame["c0"].tolist() == ["H1", "H2", "H3"]
    assert raw.frame["c1"].tolist() == ["甲\n乙", "丙", "丁"]
    assert raw.frame["c2"].isna().tolist() == [False, True, False]
    assert raw.frame["c3"].tolist()[2] == "备注" and raw.headers[3] == ""
    assert raw.rows.tolist() == [3, 6, 7]
    assert raw.skipped == {"空行": [5]}



def test_a_cell_longer_than_the_csv_modules_default_limit_is_read(tmp_path: Path) -> None:
    note = "很长的备注" * 40_000  # 200,000 characters: Python's csv refuses fields over 131,072 by default
    text = f'户编号,姓名,证件号码,备注\nH1,甲,1,"{note}"\nH2,"乙\n丙",2,短\n'  # a multi-line cell: the csv module's path
    (raw,) = read_file(write_csv(tmp_path / "r.csv", text, "utf-8")).tables
    assert raw.frame["c3"].tolist() == [note, "短"]
    assert raw.rows.tolist() == [2, 3]

def test_parquet_read_as_text_with_numeric_ids_marked(tmp_path: Path) -> None:
    (raw,) = read_file(write_parquet(tmp_path / "p.parquet", numeric_ids=True)).tables
    assert raw.headers == ["户编号", "姓名", "证件号码", "人数"]
    assert raw.rows.tolist() == [1, 2, 3, 4]
    assert raw.frame["c3"].tolist() == ["2", "2", "2", "2"]
    assert raw.numeric[2].tolist() == [True, False, True, True]  # the X-ending ID is stored as null
    (plain,) = read_file(write_parquet(tmp_path / "q.parquet")).tables
    assert not plain.numeric[2].any()


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="文件不存在"):
        read_file(tmp_path / "无.xlsx")


def test_unsupported_suffix(tmp_path: Path) -> None:
    path = tmp_path / "a.docx"
    path.write_bytes(b"x")
    with pytest.raises(InputError, match="不支持的文件类型“.docx”"):
        read_file(path)


def test_truncated_workbook(tmp_path: Path) -> None:
    whole = _workbook(tmp_path).read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(InputError, match="cut.xlsx：文件已损坏或不完整"):
        read_file(path)


def test_text_file_renamed_xlsx(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "t.xlsx", csv_text(), "gbk")
    with pytest.raises(InputError, match="t.xlsx：扩展名是 .xlsx，内容却不是 Excel 工作簿"):
        read_file(path)


def test_html_renamed_xls(tmp_path: Path) -> None:
    path = tmp_path / "h.xls"
    path.write_text("<html><table><tr><td>户编号</td></tr></table></html>", encoding="utf-8")
    with pytest.raises(InputError, match="扩展名是 .xls，内容却不是 Excel 工作簿"):
        read_file(path)


@pytest.mark.parametrize("name", ["e.xlsx", "e.xls"])
def test_encrypted_workbook(tmp_path: Path, name: str) -> None:
    with pytest.raises(InputError, match="设有打开密码"):
        read_file(encrypted_xlsx(tmp_path / name))


def test_empty_files(tmp_path: Path) -> None:
    for name in ("z.xlsx", "z.csv"):
        (tmp_path / name).write_bytes(b"")
        with pytest.raises(InputError, match="文件是空的"):
            read_file(tmp_path / name)


def test_workbook_with_only_empty_sheet(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "e.xlsx", {"Sheet1": []})
    read = read_file(path)
    assert read.tables == [] and read.skipped_sheets[0].reason == "空工作表"
    with pytest.raises(MissingColumnsError):
        read_tables(path)


def test_no_recognizable_header_lists_what_was_seen(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "x.xlsx", {"S": [["标题"], ["户 编码", "名字", "号码"], ["1", "2", "3"]]})
    with pytest.raises(MissingColumnsError) as caught:
        read_tables(path)
    assert caught.value.seen == ["户 编码", "名字", "号码"]
    assert "户编号" in caught.value.missing
    assert "户 编码" in str(caught.value)


def test_legacy_xls_read_with_numeric_ids(tmp_path: Path) -> None:
    sheets = {
        "人员": [["花名册"], ["户编号", "姓名", "证件号码"], ["H1", "甲", IDS[0]], ["H1", "乙", 360426199101010071]],
        "户": [["户编号", "家庭人口数"], ["H1", 2]],
    }
    people, households = read_file(write_xls(tmp_path / "旧.xls", sheets)).tables
    assert people.sheet == "人员" and people.header_row == 2 and people.rows.tolist() == [3, 4]
    assert people.frame["c2"][0] == IDS[0]
    assert people.numeric[2].tolist() == [False, True]
    assert households.frame["c1"].tolist() == ["2"]


def test_workbook_under_the_other_suffix_read_by_content(tmp_path: Path) -> None:
    (old,) = read_file(write_xls(tmp_path / "旧.xlsx", {"S": [["户编号", "姓名"], ["H1", "甲"]]})).tables
    (new,) = read_file(write_xlsx(tmp_path / "新.xls", {"S": [["户编号", "姓名"], ["H2", "乙"]]})).tables
    assert old.frame["c0"].tolist() == ["H1"] and new.frame["c0"].tolist() == ["H2"]


def test_utf16_text_export_with_tabs(tmp_path: Path) -> None:
    (raw,) = read_file(write_csv(tmp_path / "u.txt", csv_text("\t"), "utf-16")).tables
    assert raw.headers == HEADERS and raw.rows.tolist() == [3, 4, 5, 6]
