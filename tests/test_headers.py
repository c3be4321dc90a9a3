import pytest

from fupin_audit.fields import FIELDS, Field
from fupin_audit.io.headers import clean_header, closest, map_headers, match_header
from fupin_audit.io.traditional import TABLE, to_simplified


@pytest.mark.parametrize(
    ("written", "cleaned"),
    [
        ("户编号", "户编号"),
        (" 户 编 号 ", "户编号"),
        ("户\u3000编号", "户编号"),
        ("户编号\n", "户编号"),
        ("人均纯收入（元）", "人均纯收入"),
        ("人均纯收入(元/人)", "人均纯收入"),
        ("务工时间（月）", "务工时间"),
        ("【必填】姓名", "姓名"),
        ("姓名[注]", "姓名"),
        ("1.姓名", "姓名"),
        ("1、姓名", "姓名"),
        ("12.姓名", "姓名"),
        ("（一）姓名", "姓名"),
        ("(1)姓名", "姓名"),
        ("一、姓名", "姓名"),
        ("①姓名", "姓名"),
        ("姓名：", "姓名"),
        ("姓名:", "姓名"),
        ("*姓名", "姓名"),
        ("戶編號", "户编号"),
        ("證件號碼", "证件号码"),
        ("脫貧屬性", "脱贫属性"),
        ("與戶主關係", "与户主关系"),
        ("ＡＢＣ１２３", "ABC123"),
        ("收入情况/工资性收入（元）", "收入情况/工资性收入"),
        ("（元）", ""),
    ],
)
def test_clean_header(written: str, cleaned: str) -> None:
    assert clean_header(written) == cleaned


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("户编号", "户编号"),
        ("户号", "户编号"),
        ("戶編號", "户编号"),
        ("證件號碼", "证件号码"),
        ("身份证号码", "证件号码"),
        ("公民身份号码", "证件号码"),
        ("脫貧屬性", "脱贫属性"),
        ("與戶主關係", "与户主关系"),
        ("人数", "家庭人口数"),
        ("家庭人口", "家庭人口数"),
        ("人均纯收入（元）", "人均纯收入"),
        (" 3、人均纯收入（元）：", "人均纯收入"),
        ("是否危房户", "是否危房户"),
        ("危房户", "是否危房户"),
        ("饮水困难", "饮水困难"),
        ("是否饮水困难", "饮水困难"),
        ("是否参加大病医疗", "参加大病医疗"),
        ("参加城乡居民基本医疗保险", "是否参加城乡居民基本医疗保险"),
        ("县(市、区、旗)", "县"),
        ("县（市、区、旗）", "县"),
        ("乡（镇）", "乡镇"),
        ("收入情况/工资性收入", "工资性收入"),
        ("收入情况/工资性收入/元", "工资性收入"),
        ("家庭成员/姓名", "姓名"),
        ("五保金/特困供养金", "五保金"),
        ("备注", None),
        ("", None),
        ("（元）", None),
        ("是否", None),
    ],
)
def test_match_header(written: str, canonical: str | None) -> None:
    assert match_header(written) == canonical


def test_no_alias_means_two_fields() -> None:
    seen: dict[str, str] = {}
    for f in FIELDS:
        for spelling in {clean_header(s) for s in (f.name, *f.aliases)}:
            assert seen.setdefault(spelling, f.name) == f.name, spelling


def test_every_catalogue_spelling_matches_its_field() -> None:
    for f in FIELDS:
        for spelling in (f.name, *f.aliases):
            assert match_header(spelling) == f.name, spelling


def test_match_header_with_other_fields() -> None:
    fields = [Field("单位", "member", "text", ("工作单位",))]
    assert match_header("工作单位", fields) == "单位"
    assert match_header("户编号", fields) is None


def test_map_headers_keeps_first_and_lists_duplicates() -> None:
    result = map_headers(["序号", "户编号", "姓名", "户号", "身份证号", "证件号码", "备注"])
    assert result.mapping == {0: "序号", 1: "户编号", 2: "姓名", 4: "证件号码"}
    assert result.unknown == [3, 5, 6]
    assert result.duplicates == {3: "户编号", 5: "证件号码"}


def test_closest_finds_lookalikes_in_order() -> None:
    headers = ["户 编码", "姓名", "农户编号", "联系电话"]
    assert closest("户编号", headers) == ["户 编码", "农户编号"]
    assert closest("户编号", headers, n=1) == ["户 编码"]
    assert closest("证件号码", ["身份证", "姓名"]) == ["身份证"]
    assert closest("户编号", ["姓名", ""]) == []


def test_traditional_table_is_one_way() -> None:
    assert set(TABLE) & set(TABLE.values()) == set()
    assert to_simplified("貧困戶") == "贫困户"
    assert to_simplified("张三") == "张三"
