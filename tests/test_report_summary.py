"""Count tables shared by the terminal, Excel and JSON outputs."""

from __future__ import annotations

from fupin_audit import audit, findings
from fupin_audit.report.summary import (
    input_notes,
    kind_counts,
    kind_severity_counts,
    place_counts,
    place_path,
    rule_counts,
    severity_counts,
)
from test_report_fixtures import sample_findings


def test_kind_counts_follow_the_catalogue_with_chinese_titles() -> None:
    counts = kind_counts(sample_findings())
    assert counts.to_dict("list") == {
        "kind": ["wrongful_exit", "duplicate_person", "data_error"],
        "title": ["错退", "人员重复", "数据错误"],
        "count": [1, 1, 2],
    }
    assert len(kind_counts(findings.empty(), include_zero=True)) == 10


def test_kind_severity_counts_split_each_kind() -> None:
    counts = kind_severity_counts(sample_findings()).set_index("kind")
    assert counts.loc["data_error", ["high", "medium", "low", "count"]].tolist() == [0, 1, 1, 2]
    assert counts["count"].sum() == 4
    assert kind_severity_counts(findings.empty()).empty


def test_severity_and_rule_counts() -> None:
    assert severity_counts(sample_findings())["count"].tolist() == [2, 1, 1]
    rules = rule_counts(sample_findings(), None)
    titles = dict(zip(rules["rule_id"], rules["title"], strict=True))
    assert rules["count"].sum() == 4 and titles["exit_income_below_line"] == ""  # no rules table given
    assert titles["size_mismatch"] == "家庭人口数与名单人数不符"  # a built-in check is known by its title
    assert rules["rule_id"].tolist() == sorted(rules["rule_id"])  # ties ordered by id


def test_place_paths_and_counts() -> None:
    found = sample_findings()
    assert "（空）/（空）/（空）" in place_path(found).tolist()
    assert place_path(found, "county").tolist().count("甲县") == 3
    counts = place_counts(found)
    assert counts.iloc[0].tolist() == ["甲县/乙镇/丙村", 2, 2]
    assert counts["count"].sum() == len(found)
    assert place_counts(findings.empty()).empty


def test_a_duplicate_id_column_is_named_as_such_with_its_disagreements(tmp_path):
    rows = ["户编号,姓名,与户主关系,身份证号码,证件号码",
            "H1,张三,户主,440308199901101512,440308199901101512",
            "H1,李四,配偶,,11010119900307803X",
            "H2,王五,户主,360426199101010071,360426199101010072"]
    path = tmp_path / "花名册.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    item = audit(path).inputs[0]
    assert item.unknown_columns == ()
    assert input_notes(item) == ("重复的列“证件号码”与“身份证号码”同为证件号码，只用了“身份证号码”："
                                 "1 行取值不同，1 行只有本列有值（按空值核查），请核实哪一列正确后删去另一列")
