"""Assembling households and members from normalized sheets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fupin_audit import findings
from fupin_audit.io.table import Table
from fupin_audit.registry import build_registry


def table(rows: list[dict[str, object]], sheet: str = "贫困人口") -> Table:
    frame = pd.DataFrame(rows)
    for column in frame.columns:
        if frame[column].dtype == object:
            frame[column] = frame[column].astype("str").where(frame[column].notna(), None)
    frame["_file"] = "村.xlsx"
    frame["_sheet"] = sheet
    frame["_row"] = pd.array(range(4, 4 + len(frame)), dtype="Int64")
    return Table(
        path=Path("村.xlsx"),
        sheet=sheet,
        frame=frame,
        mapping={},
        unknown_columns=[],
        problems=findings.empty(),
        rows_read=len(frame),
    )


def person(household: str, name: str, relation: str, **values: object) -> dict[str, object]:
    return {"行政村": "庄头营子村", "户编号": household, "姓名": name, "与户主关系": relation, **values}


def test_flat_export_is_split_into_households_and_members() -> None:
    registry = build_registry(
        [
            table(
                [
                    person("H1", "甲", "户主", 家庭人口数=2, 脱贫属性="已脱贫"),
                    person("H1", "乙", "配偶", 家庭人口数=2, 脱贫属性="已脱贫"),
                    person("H2", "丙", "户主", 家庭人口数=1, 脱贫属性="未脱贫"),
                ]
            )
        ]
    )
    households = registry.households.set_index("户编号")
    assert list(households.index) == ["H1", "H2"]
    assert households.loc["H1", "脱贫属性"] == "已脱贫"
    assert households.loc["H1", "户主姓名"] == "甲"
    assert "脱贫属性" not in registry.members.columns
    assert list(registry.members["姓名"]) == ["甲", "乙", "丙"]
    assert registry.problems.empty


def test_household_values_that_disagree_are_reported_and_head_value_kept() -> None:
    registry = build_registry(
        [
            table(
                [
                    person("H1", "乙", "配偶", 人均纯收入=5000.0),
                    person("H1", "甲", "户主", 人均纯收入=4200.0),
                    person("H2", "丙", "户主", 人均纯收入=4200.0),
                ]
            )
        ]
    )
    assert registry.households.set_index("户编号").loc["H1", "人均纯收入"] == 4200.0
    conflicts = registry.problems
    assert list(conflicts["rule_id"]) == ["household_conflict"]
    assert conflicts.loc[0, "household_id"] == "H1"
    assert "4200" in conflicts.loc[0, "message"] and "5000" in conflicts.loc[0, "message"]
    assert conflicts.loc[0, "source"] == "村.xlsx:贫困人口:5"


def test_disagreement_in_every_value_type_blanks_aside() -> None:
    day = pd.Timestamp("2016-05-01")
    rows = [
        person("H2", "丙", "户主", 脱贫属性="已脱贫", 脱贫年度=2018, 首次识别时间=day, 是否危房户=False),
        person("H1", "乙", "配偶", 脱贫属性="未脱贫", 脱贫年度=None, 首次识别时间=None, 是否危房户=True),
        person("H1", "甲", "户主", 脱贫属性="已脱贫", 脱贫年度=2019, 首次识别时间=day, 是否危房户=False),
        person("H2", "丁", "之子", 脱贫属性=None, 脱贫年度=2019, 首次识别时间=pd.Timestamp("2017-01-01"),
               是否危房户=None),
        person("H3", "戊", "户主", 脱贫属性="已脱贫", 脱贫年度=None, 首次识别时间=None, 是否危房户=None),
        person("H3", "己", "之女", 脱贫属性=None, 脱贫年度=2019, 首次识别时间=day, 是否危房户=True),
    ]
    sheet = table([{k: v for k, v in row.items() if k in ("行政村", "户编号", "姓名", "与户主关系", "脱贫属性")}
                   for row in rows])
    for column, dtype in (("脱贫年度", "Int64"), ("首次识别时间", "datetime64[ns]"), ("是否危房户", "boolean")):
        sheet.frame[column] = pd.array([row[column] for row in rows], dtype=dtype)
    built = build_registry([sheet])
    conflicts = built.problems
    found = [(h, m.split("“")[1].split("”")[0])
             for h, m in zip(conflicts["household_id"], conflicts["message"], strict=True)]
    # blanks never disagree (H3), nor the same value twice
    assert sorted(found) == [("H1", "是否危房户"), ("H1", "脱贫属性"), ("H2", "脱贫年度"), ("H2", "首次识别时间")]
    shown = dict(zip(conflicts["message"].str.split("“").str[1].str.split("”").str[0], conflicts["message"], strict=True))
    assert "（是、否）" in shown["是否危房户"]  # yes/no as the registry writes them, not True/False
    assert "（2016-05-01、2017-01-01）" in shown["首次识别时间"]


def test_rows_without_household_number_are_reported_not_lost() -> None:
    registry = build_registry([table([person("H1", "甲", "户主"), person(None, "乙", "配偶")])])  # type: ignore[arg-type]
    assert list(registry.problems["rule_id"]) == ["household_id_missing"]
    assert registry.problems.loc[0, "source"] == "村.xlsx:贫困人口:5"
    assert len(registry.households) == 1


def test_two_sheet_workbook_is_joined_by_household_number() -> None:
    households = table(
        [
            {"行政村": "庄头营子村", "户编号": "H1", "家庭人口数": 2, "脱贫属性": "已脱贫"},
            {"行政村": "庄头营子村", "户编号": "H2", "家庭人口数": 1, "脱贫属性": "未脱贫"},
        ],
        sheet="户信息",
    )
    members = table(
        [
            {"户编号": "H1", "姓名": "甲", "与户主关系": "户主"},
            {"户编号": "H1", "姓名": "乙", "与户主关系": "配偶"},
            {"户编号": "H9", "姓名": "丁", "与户主关系": "户主"},
        ],
        sheet="人员信息",
    )
    registry = build_registry([members, households])
    assert list(registry.households["户编号"]) == ["H1", "H2"]
    assert list(registry.members["行政村"].fillna("")) == ["庄头营子村", "庄头营子村", ""]
    assert list(registry.problems["rule_id"]) == ["orphan_member"]
    assert registry.problems.loc[0, "household_id"] == "H9"


def test_household_sheet_rows_without_household_number_are_reported() -> None:
    households = table(
        [
            {"行政村": "庄头营子村", "户编号": "H1", "家庭人口数": 1},
            {"行政村": "庄头营子村", "户编号": None, "家庭人口数": 3},
        ],
        sheet="户信息",
    )
    members = table([{"户编号": "H1", "姓名": "甲", "与户主关系": "户主"}], sheet="人员信息")
    registry = build_registry([members, households])
    assert list(registry.households["户编号"]) == ["H1"]
    assert list(registry.problems["rule_id"]) == ["household_id_missing"]
    assert registry.problems.loc[0, "source"] == "村.xlsx:户信息:5"


@pytest.mark.parametrize("seed", range(6))
def test_conflicts_are_the_households_with_two_distinct_values(seed: int) -> None:
    """Households' rows grouped or interleaved (a household in several runs), columns with blanks and
    without: a household is reported in a column exactly when two of its non-blank values differ."""
    rng = np.random.default_rng(seed)
    count = 60
    keys = [f"H{k}" for k in rng.integers(0, 12, count)]
    if seed % 2:
        keys.sort()  # grouped, as exported; else interleaved
    relations = rng.choice(["户主", "配偶", "之子"], count)
    incomes = rng.choice([4200.0, 5000.0], count, p=[0.9, 0.1])
    status = rng.choice(["已脱贫", "未脱贫", None], count, p=[0.85, 0.05, 0.1])
    sheet = table([person(k, f"人{i}", str(r)) for i, (k, r) in enumerate(zip(keys, relations, strict=True))])
    sheet.frame["人均纯收入"] = pd.array(incomes, dtype="Float64")  # no blanks
    sheet.frame["脱贫属性"] = pd.Series(status, dtype="str")  # blanks
    conflicts = build_registry([sheet]).problems
    found = {(h, m.split("“")[1].split("”")[0]) for h, m in zip(conflicts["household_id"], conflicts["message"], strict=True)}
    frame = pd.DataFrame({"户编号": keys, "人均纯收入": incomes, "脱贫属性": status})
    expected = {(h, c) for c in ("人均纯收入", "脱贫属性") for h, group in frame.groupby("户编号")
                if group[c].dropna().nunique() > 1}
    assert found == expected


@pytest.mark.parametrize("seed", range(6))
def test_household_values_are_the_head_rows_else_the_first_row_with_one(seed: int) -> None:
    """Each household value is its head row's; where the head has none (or there is no head), the
    first value in file order: for a column with blanks and for one without."""
    rng = np.random.default_rng(seed)
    count = 80
    keys = [f"H{k}" for k in rng.integers(0, 15, count)]
    relations = rng.choice(["户主", "配偶", "之子"], count, p=[0.2, 0.4, 0.4])
    sheet = table([person(k, f"人{i}", str(r)) for i, (k, r) in enumerate(zip(keys, relations, strict=True))])
    incomes = rng.choice([4200.0, 5000.0, 6100.0], count)
    status = rng.choice(["已脱贫", "未脱贫", None], count, p=[0.3, 0.3, 0.4])
    sheet.frame["人均纯收入"] = pd.array(incomes, dtype="Float64")  # no blanks
    sheet.frame["脱贫属性"] = pd.Series(status, dtype="str")  # blanks
    households = build_registry([sheet]).households.set_index("户编号")
    frame = pd.DataFrame({"户编号": keys, "head": relations == "户主", "人均纯收入": incomes, "脱贫属性": status})
    ordered = pd.concat([frame[frame["head"]], frame[~frame["head"]]])  # head rows first, each in file order
    expected = ordered.groupby("户编号", sort=False)[["人均纯收入", "脱贫属性"]].first()
    assert sorted(households.index) == sorted(expected.index)
    for column in ("人均纯收入", "脱贫属性"):
        got = households[column].astype(object).where(households[column].notna(), None)
        want = expected[column].astype(object).where(expected[column].notna(), None)
        assert got.to_dict() == want.to_dict(), column


def test_household_sheet_without_head_names_takes_the_first_head_row() -> None:
    households = table([{"户编号": "H1", "家庭人口数": 3}, {"户编号": "H2", "家庭人口数": 1}], sheet="户信息")
    members = table(
        [
            {"户编号": "H1", "姓名": "乙", "与户主关系": "配偶", "证件号码": "X2"},
            {"户编号": "H1", "姓名": "甲", "与户主关系": "户主", "证件号码": "X1"},
            {"户编号": "H1", "姓名": "戊", "与户主关系": "户主", "证件号码": "X5"},
            {"户编号": "H2", "姓名": "丙", "与户主关系": "之子", "证件号码": "X3"},
        ],
        sheet="人员信息",
    )
    households = build_registry([members, households]).households.set_index("户编号")
    assert households.loc["H1", "户主姓名"] == "甲" and households.loc["H1", "户主证件号码"] == "X1"
    assert pd.isna(households.loc["H2", "户主姓名"]) and pd.isna(households.loc["H2", "户主证件号码"])


def test_a_household_conflict_is_named_by_the_head() -> None:
    """DESIGN: a household finding's name is the head's; household_conflict had none (made before the
    heads of a flat export were known)."""
    from pathlib import Path

    from fupin_audit import audit

    found = audit(Path(__file__).resolve().parents[1] / "examples" / "zhuangtouyingzi.xlsx").findings
    conflict = found[found["rule_id"].eq("household_conflict")]
    assert list(conflict["name"]) == ["刘永胜"]
