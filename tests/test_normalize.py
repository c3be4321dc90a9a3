import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fupin_audit import findings
from fupin_audit.io.normalize import column_letter, normalize_table
from fupin_audit.io.table import DuplicateColumn, RawTable, Table

HEADERS = ["序号", "户编号", "姓名", "身份证号码", "与户主关系", "人数", "是否危房户", "脱贫年度", "人均纯收入（元）", "首次识别时间", "户号", "备注"]
ROWS = [
    ["1", "H001", "张三", "44030819990110151x", "户主", "2", "否", "2019", "4,000", "2016-03-01", "H001", ""],
    ["2", "H001", "李四", "4.40308E+17", "配偶", "2", "否", "二〇一九", "4000", "2016年3月", "H001", "外出"],
    ["3", "H002", "王五", " 360426199101010071 ", "戶主", "一", "√", "2020", "abc", "2019年13月", "H002", None],
]


def raw_table(sheet: str | None = "贫困人口") -> RawTable:
    frame = pd.DataFrame({f"c{i}": pd.Series([row[i] for row in ROWS], dtype="str") for i in range(len(HEADERS))})
    return RawTable(
        path=Path("/data/县/村花名册.xlsx"),
        sheet=sheet,
        headers=HEADERS,
        frame=frame,
        rows=np.array([4, 5, 7]),
        numeric={3: np.array([False, True, False])},
        skipped={"合计行": [8]},
        header_row=3,
    )


@pytest.fixture(scope="module")
def table() -> Table:
    return normalize_table(raw_table())


def test_columns_and_dtypes(table: Table) -> None:
    dtypes = table.frame.dtypes.astype(str).to_dict()
    assert dtypes["户编号"] == "str"
    assert dtypes["证件号码"] == "str"
    assert dtypes["家庭人口数"] == "Int64"
    assert dtypes["是否危房户"] == "boolean"
    assert dtypes["脱贫年度"] == "Int64"
    assert dtypes["人均纯收入"] == "Float64"
    assert dtypes["首次识别时间"] == "datetime64[ns]"
    assert dtypes["_row"] == "Int64"
    assert dtypes["_numeric_证件号码"] == "boolean"
    assert table.frame["证件号码"].tolist() == ["44030819990110151X", "4.40308E+17", "360426199101010071"]
    assert table.frame["与户主关系"].tolist() == ["户主", "配偶", "户主"]
    assert table.frame["人均纯收入"].tolist()[:2] == [4000.0, 4000.0]
    assert table.frame["首次识别时间"].tolist()[:2] == [pd.Timestamp("2016-03-01")] * 2


def test_origin_and_id_columns(table: Table) -> None:
    frame = table.frame
    assert frame["_file"].tolist() == ["村花名册.xlsx"] * 3
    assert frame["_sheet"].tolist() == ["贫困人口"] * 3
    assert frame["_row"].tolist() == [4, 5, 7]
    assert frame["_raw_证件号码"].tolist() == ["44030819990110151x", "4.40308E+17", " 360426199101010071 "]
    assert frame["_numeric_证件号码"].tolist() == [False, True, False]


def test_unknown_and_duplicate_columns_kept_as_text(table: Table) -> None:
    assert table.unknown_columns == ["备注"]
    assert table.duplicate_columns == [DuplicateColumn("户号", "户编号", "户编号", 0, 0)]  # 户号 is an alias of 户编号
    assert table.mapping["序号"] == "序号"
    assert table.frame["户号"].tolist() == ["H001", "H001", "H002"]
    assert table.frame["备注"].isna().tolist() == [True, False, True]
    assert table.mapping["身份证号码"] == "证件号码"
    assert table.mapping["人均纯收入（元）"] == "人均纯收入"
    assert "户号" not in table.mapping
    assert table.rows_read == 3
    assert table.skipped == {"合计行": [8]}


def test_unreadable_values_become_null_and_findings(table: Table) -> None:
    frame = table.frame
    assert pd.isna(frame["脱贫年度"].iloc[1])
    assert pd.isna(frame["家庭人口数"].iloc[2])
    assert pd.isna(frame["人均纯收入"].iloc[2])
    assert pd.isna(frame["首次识别时间"].iloc[2])
    problems = table.problems
    assert list(problems.columns) == list(findings.COLUMNS)
    assert len(problems) == 4
    assert set(problems["rule_id"]) == {"unreadable_value"}
    assert set(problems["kind"]) == {"data_error"}
    assert set(problems["severity"]) == {"medium"}
    cells = {json.loads(e)["cell"]: row for e, (_, row) in zip(problems["evidence"], problems.iterrows(), strict=True)}
    assert set(cells) == {"H5", "F7", "I7", "J7"}
    year = cells["H5"]
    assert year["message"] == "列“脱贫年度”的值“二〇一九”不是有效年份，已按空值处理"
    assert year["evidence"] == findings.evidence_json({"cell": "H5", "column": "脱贫年度", "header": "脱贫年度", "value": "二〇一九"})
    assert year["source"] == "村花名册.xlsx:贫困人口:5"
    assert year["household_id"] == "H001"
    assert year["person_id"] == "4.40308E+17"
    assert year["name"] == "李四"
    income = cells["I7"]
    assert income["message"] == "列“人均纯收入（元）”的值“abc”不是有效数字，已按空值处理"
    assert json.loads(income["evidence"])["column"] == "人均纯收入"
    assert income["person_id"] == "360426199101010071"
    assert "有效日期" in cells["J7"]["message"]
    assert "有效整数" in cells["F7"]["message"]


def test_csv_source_has_no_sheet() -> None:
    table = normalize_table(raw_table(sheet=None))
    assert table.frame["_sheet"].tolist() == [""] * 3
    assert set(table.problems["source"]) == {"村花名册.xlsx:5", "村花名册.xlsx:7"}


def test_clean_table_has_no_problems_and_same_name_headers_stay_apart() -> None:
    frame = pd.DataFrame({"c0": pd.Series(["H1"], dtype="str"), "c1": pd.Series(["H2"], dtype="str"), "c2": pd.Series(["x"], dtype="str")})
    raw = RawTable(Path("a.csv"), None, ["户编号", "户编号", ""], frame, np.array([2]))
    table = normalize_table(raw)
    assert table.problems.empty and list(table.problems.columns) == list(findings.COLUMNS)
    assert table.frame["户编号"].tolist() == ["H1"]
    assert table.unknown_columns == ["第C列"]  # the second 户编号 is a duplicate column, not an unknown one
    assert table.duplicate_columns == [DuplicateColumn("户编号", "户编号", "户编号", 1, 0)]
    assert table.frame["户编号（B列）"].tolist() == ["H2"]
    assert "_raw_户编号" not in table.frame.columns


def test_empty_sheet() -> None:
    frame = pd.DataFrame({"c0": pd.Series([], dtype="str"), "c1": pd.Series([], dtype="str")})
    table = normalize_table(RawTable(Path("a.xlsx"), "S", ["证件号码", "年度"], frame, np.array([], dtype=int)))
    assert table.rows_read == 0
    assert table.frame["年度"].dtype == "Int64"
    assert table.frame["_numeric_证件号码"].dtype == "boolean"
    assert table.problems.empty


@pytest.mark.parametrize(("position", "letters"), [(0, "A"), (7, "H"), (25, "Z"), (26, "AA"), (51, "AZ"), (52, "BA"), (701, "ZZ"), (702, "AAA")])
def test_column_letter(position: int, letters: str) -> None:
    assert column_letter(position) == letters


def test_a_second_column_of_a_field_is_compared_with_the_used_one() -> None:
    ids = ["440308199901101512", "11010119900307803X", None, "360426199101010071", None]
    again = ["440308199901101512", "11010119900307803x ", "360426199101010071", "360426199101010072", None]
    frame = pd.DataFrame({"c0": pd.Series(["H1"] * 5, dtype="str"), "c1": pd.Series(ids, dtype="str"),
                          "c2": pd.Series(again, dtype="str")})
    table = normalize_table(RawTable(Path("a.csv"), None, ["户编号", "身份证号码", "证件号码"], frame, np.arange(2, 7)))
    assert table.mapping == {"户编号": "户编号", "身份证号码": "证件号码"}
    # row 2: x against X differs as written; row 3: only the second column has a value; row 4: differs
    assert table.duplicate_columns == [DuplicateColumn("证件号码", "证件号码", "身份证号码", 2, 1)]
    assert table.unknown_columns == []
    assert table.duplicate_columns[0].note() == (
        "“证件号码”与“身份证号码”同为证件号码，只用了“身份证号码”：2 行取值不同，1 行只有本列有值（按空值核查），"
        "请核实哪一列正确后删去另一列")
    assert DuplicateColumn("人口", "家庭人口数", "人数", 0, 0).note() == "“人口”与“人数”同为家庭人口数，只用了“人数”：取值一致"
