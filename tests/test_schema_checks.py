"""Built-in data checks (schema.check_registry): each check with rows in, (rule, household, person) out."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from fixtures_io import HEADERS, IDS, member_rows, write_xlsx
from fupin_audit import audit, findings
from fupin_audit.fields import BY_NAME
from fupin_audit.idcard import check_character
from fupin_audit.registry import Registry
from fupin_audit.schema import check_registry
from fupin_audit.schema.keys import household_positions

AS_OF = dt.date(2024, 12, 31)
DTYPES = {"text": "str", "enum": "str", "id": "str", "bool": "boolean", "number": "Float64", "int": "Int64", "year": "Int64"}


def pid(first17: str) -> str:
    return first17 + check_character(first17)


MAN, WOMAN = pid("44030819800101001"), pid("44030819820202002")  # sequence 001 odd, 002 even
BOY, GIRL = pid("44030820100303003"), pid("44030820120404004")


def frame(rows: Sequence[Mapping[str, Any]], sheet: str) -> pd.DataFrame:
    """A normalized frame as io would build it: catalogue dtypes, origin columns, _raw_/_numeric_ IDs."""
    names = list(dict.fromkeys(k for row in rows for k in row))
    data: dict[str, pd.Series] = {}
    for name in names:
        values = [row.get(name) for row in rows]
        data[name] = pd.Series(values, dtype=DTYPES[BY_NAME[name].type])
        if BY_NAME[name].type == "id":
            data[f"_raw_{name}"] = pd.Series(values, dtype="str")
            data[f"_numeric_{name}"] = pd.Series([False] * len(rows), dtype="boolean")
    data["_file"] = pd.Series(["村.xlsx"] * len(rows), dtype="str")
    data["_sheet"] = pd.Series([sheet] * len(rows), dtype="str")
    data["_row"] = pd.Series(range(2, len(rows) + 2), dtype="Int64")
    return pd.DataFrame(data)


def registry(members: Sequence[Mapping[str, Any]], households: Sequence[Mapping[str, Any]]) -> Registry:
    return Registry(households=frame(households, "户"), members=frame(members, "人"), problems=findings.empty())


def member(household: str, name: str, id_: str | None, relation: str = "户主", **more: Any) -> dict[str, Any]:
    return {"行政村": "一村", "户编号": household, "姓名": name, "证件号码": id_, "与户主关系": relation, **more}


def household(key: str, **more: Any) -> dict[str, Any]:
    return {"行政村": "一村", "户编号": key, **more}


def run(members: Sequence[Mapping[str, Any]], households: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    _, found = check_registry(registry(members, households), AS_OF)
    assert list(found.columns) == list(findings.COLUMNS)
    return found


def triples(found: pd.DataFrame) -> set[tuple[str, str, str]]:
    return set(zip(found["rule_id"], found["household_id"], found["person_id"], strict=True))


CLEAN_MEMBERS = [
    member("H1", "张大", MAN, "户主", 健康状况="健康", 性别="男"),
    member("H1", "李二", WOMAN, "配偶", 性别="女"),
    member("H1", "张小", BOY, "之子", 在校生状况="小学", 性别="男"),
    member("H1", "张妹", GIRL, "之女", 性别="女"),
]
CLEAN_HOUSEHOLD = household(
    "H1", 户主姓名="张大", 家庭人口数=4, 脱贫属性="已脱贫", 工资性收入=12000.0, 生产经营性收入=3000.0,
    财产性收入=0.0, 转移性收入=1000.0, 生产经营性支出=2000.0, 人均纯收入=3500.0,
)


def test_clean_household_gives_no_finding() -> None:
    assert len(run(CLEAN_MEMBERS, [CLEAN_HOUSEHOLD])) == 0


BAD_CHECK = "440308199901101513"
CASES: list[tuple[str, list[dict[str, Any]], list[dict[str, Any]], set[tuple[str, str, str]]]] = [
    ("id_missing", [member("H1", "甲", None)], [household("H1")], {("id_missing", "H1", "")}),
    ("id_length", [member("H1", "甲", "4403081999011015")], [household("H1")], {("id_length", "H1", "4403081999011015")}),
    ("id_chars", [member("H1", "甲", "不详")], [household("H1")], {("id_chars", "H1", "不详")}),
    ("id_check_digit", [member("H1", "甲", BAD_CHECK)], [household("H1")], {("id_check_digit", "H1", BAD_CHECK)}),
    ("id_birth_date", [member("H1", "甲", "440308199902301512")], [household("H1")],
     {("id_birth_date", "H1", "440308199902301512")}),
    ("id_future_birth", [member("H1", "甲", pid("44030820250101001"))], [household("H1")],
     {("id_future_birth", "H1", pid("44030820250101001"))}),
    ("id_15_digit", [member("H1", "甲", "610104620927690", "之母")], [household("H1")],
     {("id_15_digit", "H1", "610104196209276908"), ("head_missing", "H1", "")}),
    ("id_excel_number", [member("H1", "甲", "440308199901101000"), member("H1", "乙", "4.40308E+17", "配偶")],
     [household("H1")], {("id_excel_number", "H1", "440308199901101000"), ("id_excel_number", "H1", "4.40308E+17")}),
    ("relation_sex", [member("H1", "甲", MAN), member("H1", "乙", BOY, "之女"), member("H1", "丙", GIRL, "之女")],
     [household("H1")], {("relation_sex", "H1", BOY)}),
    ("relation_sex skips invalid IDs", [member("H1", "甲", MAN), member("H1", "乙", BAD_CHECK, "之母")],
     [household("H1")], {("id_check_digit", "H1", BAD_CHECK)}),
    ("sex_mismatch", [member("H1", "甲", MAN, 性别="女"), member("H1", "乙", GIRL, "之女", 性别="男"),
                      member("H1", "丙", WOMAN, "配偶", 性别="女"), member("H1", "丁", BOY, "之子")],
     [household("H1")], {("sex_mismatch", "H1", MAN), ("sex_mismatch", "H1", GIRL)}),
    ("sex_mismatch skips invalid IDs and values outside 男/女",
     [member("H1", "甲", MAN, 性别="男"), member("H1", "乙", BAD_CHECK, "配偶", 性别="男"),
      member("H1", "丙", GIRL, "之女", 性别="男性")],
     [household("H1")], {("id_check_digit", "H1", BAD_CHECK), ("vocabulary", "H1", GIRL)}),
    ("head_missing", [member("H1", "甲", MAN, "配偶")], [household("H1")], {("head_missing", "H1", "")}),
    ("head_missing without members", [member("H1", "甲", MAN)], [household("H1"), household("H2")],
     {("head_missing", "H2", "")}),
    ("head_multiple", [member("H1", "甲", MAN), member("H1", "乙", WOMAN)], [household("H1")],
     {("head_multiple", "H1", "")}),
    ("size_mismatch", [member("H1", "甲", MAN)], [household("H1", 家庭人口数=2), household("H2", 家庭人口数=None)],
     {("size_mismatch", "H1", ""), ("head_missing", "H2", "")}),
    ("negative_income", [member("H1", "甲", MAN)], [household("H1", 转移性收入=-10.0, 生产经营性支出=-5.0)],
     {("negative_income", "H1", "")}),
    ("vocabulary", [member("H1", "甲", MAN, 健康状况="很好", 在校生状况=None)],
     [household("H1", 脱贫属性="脱了", 危房级别="C")],
     {("vocabulary", "H1", MAN), ("vocabulary", "H1", "")}),
    ("vocabulary on relation", [member("H1", "甲", MAN), member("H1", "乙", WOMAN, "老伴")], [household("H1")],
     {("vocabulary", "H1", WOMAN)}),
    ("duplicate_person", [member("H1", "甲", MAN), member("H2", "甲", MAN), member("H3", "乙", WOMAN)],
     [household("H1"), household("H2"), household("H3")],
     {("duplicate_person", "H1", MAN), ("duplicate_person", "H2", MAN)}),
    ("duplicates ignore invalid IDs", [member("H1", "甲", BAD_CHECK), member("H2", "乙", BAD_CHECK)],
     [household("H1"), household("H2")],
     {("id_check_digit", "H1", BAD_CHECK), ("id_check_digit", "H2", BAD_CHECK)}),
]


@pytest.mark.parametrize(("label", "members", "households", "expected"), CASES, ids=[c[0] for c in CASES])
def test_check(
    label: str, members: list[dict[str, Any]], households: list[dict[str, Any]], expected: set[tuple[str, str, str]]
) -> None:
    assert triples(run(members, households)) == expected


def income(per_capita: float, wage: float = 10000.0, expense: float | None = 1000.0, size: int = 3) -> dict[str, Any]:
    values: dict[str, Any] = {"工资性收入": wage, "生产经营性收入": 500.0, "财产性收入": 0.0, "转移性收入": 1000.0}
    if expense is not None:
        values["生产经营性支出"] = expense
    return household("H1", 人均纯收入=per_capita, 家庭人口数=size, **values)


THREE = [member("H1", "甲", MAN), member("H1", "乙", WOMAN, "配偶"), member("H1", "丙", BOY, "之子")]


@pytest.mark.parametrize(
    ("row", "flagged"),
    [
        (income(3500.0), False),  # (10000+500+0+1000−1000)/3 = 3500
        (income(3501.0), False),  # exactly 1.00 off passes
        (income(3498.99), True),  # 1.01 off fails
        (income(3501.01), True),
        (income(3833.33, expense=None), False),  # no expense column: counts as 0
        (household("H1", 人均纯收入=100.0, 工资性收入=1.0), False),  # components missing: does not run
        (income(100.0, wage=None), False),  # a component null for this household: does not run
    ],
)
def test_income_arithmetic_tolerance(row: dict[str, Any], flagged: bool) -> None:
    found = run(THREE, [row])
    assert (found["rule_id"] == "income_arithmetic").any() == flagged


def test_income_divides_by_members_listed_not_stated_size() -> None:
    found = run(THREE, [income(3500.0, size=5)])
    assert triples(found) == {("size_mismatch", "H1", "")}


def test_income_uses_stated_size_when_no_member_listed() -> None:
    found = run([member("H9", "甲", MAN)], [income(2625.0, size=4)])  # 10500/4
    assert "income_arithmetic" not in set(found["rule_id"])


def test_messages_name_the_values() -> None:
    members = [
        member("H1", "甲", MAN),
        member("H1", "乙", BAD_CHECK, "配偶"),
        member("H1", "丙", BOY, "之女", 性别="女"),
        member("H1", "丁", "440308199901101000", "之子"),
        member("H2", "甲", MAN),
    ]
    households = [
        household("H1", 户主姓名="甲", 家庭人口数=5, 人均纯收入=3200.0, 工资性收入=11502.0, 生产经营性收入=0.0,
                  财产性收入=0.0, 转移性收入=0.0),
        household("H2"),
    ]
    found = run(members, households)
    by_rule = dict(zip(found["rule_id"], found["message"], strict=True))
    assert by_rule["id_check_digit"] == "证件号码“440308199901101513”校验位错误，应为“2”"
    assert by_rule["relation_sex"] == "与户主关系为“之女”，但证件号码显示为男性"
    assert by_rule["sex_mismatch"] == "性别登记为女，但证件号码显示为男性"
    assert by_rule["size_mismatch"] == "家庭人口数为5，但名单中有4人"
    assert by_rule["income_arithmetic"] == "人均纯收入3200.00元与收入构成计算值2875.50元相差324.50元"
    assert by_rule["id_excel_number"] == (
        "证件号码“440308199901101000”曾被Excel存为数字，后几位已丢失，无法恢复，请从原始档案重新录入"
    )
    duplicates = found.loc[found["rule_id"] == "duplicate_person", "message"].tolist()
    assert duplicates == [
        f"证件号码“{MAN}”同时登记在其他户：户编号H2（一村）",
        f"证件号码“{MAN}”同时登记在其他户：户编号H1（一村）",
    ]


def test_finding_fields_point_at_the_row() -> None:
    members = [member("H1", "甲", MAN), member("H1", "乙", BOY, "之女")]
    found = run(members, [household("H1", 家庭人口数=3)])
    sex = found[found["rule_id"] == "relation_sex"].iloc[0]
    assert (sex["kind"], sex["severity"], sex["village"], sex["name"]) == ("data_error", "medium", "一村", "乙")
    assert sex["source"] == "村.xlsx:人:3"
    assert json.loads(sex["evidence"]) == {"与户主关系": "之女", "证件性别": "男", "证件号码": BOY}
    stated = run([member("H1", "甲", MAN, 性别="女")], [household("H1")]).iloc[0]
    assert (stated["rule_id"], stated["kind"], stated["severity"], stated["name"]) == ("sex_mismatch", "data_error", "medium", "甲")
    assert json.loads(stated["evidence"]) == {"性别": "女", "证件性别": "男", "证件号码": MAN}
    size = found[found["rule_id"] == "size_mismatch"].iloc[0]
    assert (size["name"], size["person_id"], size["source"]) == ("甲", "", "村.xlsx:户:2")
    assert json.loads(size["evidence"]) == {"家庭人口数": 3, "名单人数": 2}


def test_household_finding_named_after_head_member_when_no_head_name_column() -> None:
    found = run([member("H1", "甲", MAN), member("H1", "乙", WOMAN, "配偶")], [household("H1", 家庭人口数=1)])
    assert found["name"].tolist() == ["甲"]


def test_duplicate_names_every_other_household() -> None:
    members = [member("H1", "甲", MAN), member("H2", "甲", MAN), member("H3", "甲", MAN)]
    found = run(members, [household("H1"), household("H2"), household("H3")])
    assert set(found["kind"]) == {"duplicate_person"} and set(found["severity"]) == {"high"}
    first = json.loads(found.iloc[0]["evidence"])
    assert [o["户编号"] for o in first["其他户"]] == ["H2", "H3"]
    assert first["其他户"][0]["来源"] == ["村.xlsx:人:3"]


def test_number_in_many_households_lists_the_first_ones_and_counts_all(monkeypatch: pytest.MonkeyPatch) -> None:
    from fupin_audit.schema import duplicates
    monkeypatch.setattr(duplicates, "OTHERS_LISTED", 3)
    keys = [f"H{i}" for i in range(1, 7)]
    found = run([member(k, "甲", MAN) for k in keys], [household(k) for k in keys])
    assert len(found) == 6 and set(found["rule_id"]) == {"duplicate_person"}
    first = found[found["household_id"] == "H1"].iloc[0]
    evidence = json.loads(first["evidence"])
    assert [o["户编号"] for o in evidence["其他户"]] == ["H2", "H3", "H4"] and evidence["其他户数"] == 5
    assert first["message"] == f"证件号码“{MAN}”同时登记在其他5户：户编号H2（一村）、户编号H3（一村）、户编号H4（一村）等（列出前3户）"
    last = json.loads(found[found["household_id"] == "H6"].iloc[0]["evidence"])
    assert [o["户编号"] for o in last["其他户"]] == ["H1", "H2", "H3"]
    few = run([member(k, "甲", MAN) for k in keys[:4]], [household(k) for k in keys[:4]])
    assert all("其他户数" not in json.loads(e) for e in few["evidence"])  # at most OTHERS_LISTED: all listed


def test_same_household_twice_is_not_a_duplicate_person() -> None:
    found = run([member("H1", "甲", MAN), member("H1", "乙", WOMAN, "配偶"), member("H1", "乙", WOMAN, "配偶")],
                [household("H1")])
    assert "duplicate_person" not in set(found["rule_id"])


def test_one_number_twice_in_one_household_is_reported_once_on_the_repeat() -> None:
    found = run(
        [member("H1", "甲", MAN), member("H1", "乙", WOMAN, "配偶"), member("H1", "乙", WOMAN, "配偶"),
         member("H2", "丙", BAD_CHECK), member("H2", "丙", BAD_CHECK)],
        [household("H1", 家庭人口数=3), household("H2", 家庭人口数=2)],
    )
    repeats = found[found["rule_id"] == "duplicate_in_household"]
    assert list(zip(repeats["household_id"], repeats["person_id"], strict=True)) == [("H1", WOMAN)]
    assert repeats.iloc[0]["source"] == "村.xlsx:人:4"
    assert "村.xlsx:人:3" in repeats.iloc[0]["message"]


def test_returned_registry_has_derived_columns_and_input_is_untouched() -> None:
    reg = registry([member("H1", "甲", "610104620927690"), member("H1", "乙", BAD_CHECK, "配偶")], [household("H1")])
    before = reg.members.copy()
    new, _ = check_registry(reg, AS_OF)
    pd.testing.assert_frame_equal(reg.members, before)
    out = new.members
    assert out["证件号码"].tolist() == ["610104196209276908", BAD_CHECK]
    assert out["证件有效"].tolist() == [True, False]
    assert out["证件有效"].dtype == "boolean"
    assert out["证件出生日期"].iloc[0] == pd.Timestamp("1962-09-27") and pd.isna(out["证件出生日期"].iloc[1])
    assert out["证件性别"].iloc[0] == "女" and pd.isna(out["证件性别"].iloc[1])
    assert new.households is reg.households


def test_absent_columns_skip_their_checks() -> None:
    members = frame([{"户编号": "H1", "姓名": "甲"}, {"户编号": "H1", "姓名": "乙"}], "人")
    households = frame([{"户编号": "H1"}], "户")
    new, found = check_registry(Registry(households, members, findings.empty()), AS_OF)
    assert len(found) == 0
    assert "证件有效" not in new.members.columns


def test_findings_are_deterministic() -> None:
    members = [*CLEAN_MEMBERS, member("H2", "甲", MAN), member("H2", "乙", BAD_CHECK, "老伴")]
    households = [CLEAN_HOUSEHOLD, household("H2", 家庭人口数=3, 脱贫属性="乱")]
    first, second = run(members, households), run(members, households)
    pd.testing.assert_frame_equal(first, second)


def test_any_index_and_household_sheet_without_members() -> None:
    reg = registry([member("H1", "甲", MAN, 健康状况="坏"), member("H2", "乙", MAN)], [household("H1"), household("H2")])
    reg.members.index = pd.Index([5, 5])
    reg.households.index = pd.Index(["a", "b"])
    _, found = check_registry(reg, AS_OF)
    assert triples(found) == {("vocabulary", "H1", MAN), ("duplicate_person", "H1", MAN), ("duplicate_person", "H2", MAN)}
    no_members = Registry(frame([household("H1", 家庭人口数=3, 脱贫属性="错")], "户"), reg.members.iloc[:0], findings.empty())
    _, found = check_registry(no_members, AS_OF)
    assert triples(found) == {("vocabulary", "H1", "")}


def test_frames_concatenated_from_several_files() -> None:
    """Arrow-backed columns of concatenated frames are chunked; keys and IDs must still match."""
    one = registry([member("H1", "甲", MAN)], [household("H1")])
    two = registry([member("H2", "甲", MAN), member("H2", "乙", "610104620927690", "配偶")], [household("H2")])
    both = Registry(
        pd.concat([one.households, two.households], ignore_index=True),
        pd.concat([one.members, two.members], ignore_index=True),
        findings.empty(),
    )
    new, found = check_registry(both, AS_OF)
    assert triples(found) == {
        ("duplicate_person", "H1", MAN), ("duplicate_person", "H2", MAN), ("id_15_digit", "H2", "610104196209276908"),
    }
    assert new.members["证件号码"].tolist() == [MAN, MAN, "610104196209276908"]


@pytest.mark.parametrize(
    "member_keys",
    [
        ["H1", "H1", "H2", "H2", "H2", "H3"],  # grouped, as exported
        ["H2", "H1", "H2", "H3", "H1", "H2"],  # interleaved
        [None, None, "H1", "HX", "HX", None, "H3", "H1"],  # blank keys, a key with no household row
        [],
    ],
)
def test_household_positions_whether_or_not_members_are_grouped(member_keys: list[str | None]) -> None:
    """Each member's household row (the first when a 户编号 repeats), -1 without one: looked up once
    per run of one 户编号, the same as row by row."""
    households = pd.DataFrame({"户编号": pd.Series(["H3", "H1", "H2", "H1"], dtype="str")})
    members = pd.DataFrame({"户编号": pd.Series(member_keys, dtype="str")})
    first_row = {"H3": 0, "H1": 1, "H2": 2}
    expected = [first_row.get(key, -1) if key is not None else -1 for key in member_keys]
    assert household_positions(households, members).tolist() == expected


def test_sex_column_read_from_a_file_is_checked_against_the_id(tmp_path: Path) -> None:
    """From a workbook with a 性别 column to findings: only the member whose 性别 contradicts the ID
    (1512 and 803X encode men, 0021 a woman); a blank 性别 is not checked."""
    rows = member_rows(4)
    stated = ["女", "男", "", "女"]  # the first is wrong
    book = write_xlsx(tmp_path / "村.xlsx", {"人": [[*HEADERS, "性别"], *[[*r, s] for r, s in zip(rows, stated, strict=True)]]})
    found = audit(book).findings
    mismatched = found[found["rule_id"] == "sex_mismatch"]
    assert list(zip(mismatched["household_id"], mismatched["person_id"], mismatched["message"], strict=True)) == [
        ("H001", IDS[0], "性别登记为女，但证件号码显示为男性")
    ]
    assert mismatched["source"].tolist() == ["村.xlsx:人:2"]
