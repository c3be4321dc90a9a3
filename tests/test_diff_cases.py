"""fupin-audit diff on small snapshot pairs built for one boundary each (CSV files, valid IDs)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from fupin_audit.diff import DiffResult, diff
from fupin_audit.errors import UsageError

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
HEADER = ("县", "乡镇", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "人数", "脱贫属性", "脱贫年度",
          "首次识别时间", "转移性收入", "人均纯收入", "年度")


def pid(birth: str, seq: int) -> str:
    body = f"150426{birth}{seq:03d}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, WEIGHTS, strict=True)) % 11]


HEAD, SPOUSE, FATHER, LONE = pid("19700101", 11), pid("19720101", 22), pid("19400101", 31), pid("19350101", 41)


def snapshot(path: Path, year: int, households: list[dict], columns: tuple[str, ...] = HEADER) -> Path:
    """households: {hid, status, members: [(name, id, relation)], and any column's value}."""
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(columns)
        for h in households:
            for name, number, relation in h["members"]:
                row = {"县": "翁牛特旗", "乡镇": "梧桐花镇", "行政村": "庄头营子村", "户编号": h["hid"], "姓名": name,
                       "证件号码": number, "与户主关系": relation, "人数": len(h["members"]), "脱贫属性": h["status"],
                       "首次识别时间": "2014-06-01", "转移性收入": 600, "人均纯收入": 3000, "年度": year}
                row.update({k: v for k, v in h.items() if k not in ("hid", "status", "members")})
                out.writerow([row.get(c, "") for c in columns])
    return path


def changes(result: DiffResult, level: str) -> set[tuple[str, str]]:
    c = result.changes[result.changes["层级"].eq(level)]
    keys = c["户编号"] if level == "户" else c["姓名"]
    return set(zip(keys, c["变化类型"], strict=True))


def diff_findings(result: DiffResult) -> pd.DataFrame:
    f = result.findings
    return f[f["rule_id"].str.startswith("diff_")]


FAMILY = [("张一", HEAD, "户主"), ("李一", SPOUSE, "配偶"), ("张父", FATHER, "之父")]


def test_a_death_after_the_newer_reference_date_is_no_death(tmp_path: Path) -> None:
    old = snapshot(tmp_path / "old.csv", 2019, [{"hid": "001", "status": "未脱贫", "members": FAMILY},
                                                {"hid": "002", "status": "未脱贫", "members": [("孤老", LONE, "户主")]}])
    new = snapshot(tmp_path / "new.csv", 2020, [{"hid": "001", "status": "未脱贫", "members": FAMILY[:2]}])
    deaths = tmp_path / "deaths.csv"
    deaths.write_text(f"证件号码,姓名,死亡日期\n{FATHER},张父,2021-03-01\n{LONE},孤老,2020-05-01\n", encoding="utf-8")
    result = diff(old, new, references={"deaths": deaths})
    assert ("张父", "迁出") in changes(result, "成员") and ("002", "自然减少") in changes(result, "户")
    (message,) = diff_findings(result).loc[lambda f: f["rule_id"].eq("diff_member_unaccounted"), "message"]
    assert "死亡名单记其2021-03-01死亡，晚于本期基准日" in message


def test_a_listed_event_after_identification_is_no_wrongful_inclusion(tmp_path: Path) -> None:
    old = snapshot(tmp_path / "old.csv", 2019, [{"hid": "001", "status": "未脱贫", "members": FAMILY}])
    new = snapshot(tmp_path / "new.csv", 2020, [
        {"hid": "001", "status": "未脱贫", "members": FAMILY},
        {"hid": "002", "status": "未脱贫", "members": [("王二", LONE, "户主")], "首次识别时间": "2020-03-01"},
    ])
    payroll = tmp_path / "payroll.csv"
    payroll.write_text(f"证件号码,姓名,单位,入编日期\n{LONE},王二,某局,2020-09-01\n", encoding="utf-8")
    result = diff(old, new, references={"payroll": payroll})
    assert ("002", "新识别") in changes(result, "户")
    assert "diff_new_household_listed" not in set(diff_findings(result)["rule_id"])
    assert "ref_payroll" in set(result.findings["rule_id"])  # 应退未退, not 错评
    payroll.write_text(f"证件号码,姓名,单位,入编日期\n{LONE},王二,某局,2019-09-01\n", encoding="utf-8")
    assert "diff_new_household_listed" in set(diff_findings(diff(old, new, references={"payroll": payroll}))["rule_id"])


def test_the_rules_files_as_of_is_the_newer_snapshots_only(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    default = (Path(__file__).resolve().parents[1] / "rules.yaml").read_text(encoding="utf-8")
    rules.write_text("as_of: 2020-12-31\n" + default, encoding="utf-8")
    baby = ("张小", pid("20200301", 51), "之子")
    old = snapshot(tmp_path / "old.csv", 2019, [{"hid": "001", "status": "未脱贫", "members": FAMILY}])
    new = snapshot(tmp_path / "new.csv", 2020, [{"hid": "001", "status": "未脱贫", "members": [*FAMILY, baby]}])
    result = diff(old, new, rules=rules)
    assert (result.old.as_of, result.new.as_of) == (dt.date(2019, 12, 31), dt.date(2020, 12, 31))
    assert ("张小", "出生") in changes(result, "成员")


def test_an_older_snapshot_without_status_column_is_compared(tmp_path: Path) -> None:
    columns = tuple(c for c in HEADER if c != "脱贫属性")
    old = snapshot(tmp_path / "old.csv", 2019, [{"hid": "001", "status": "", "members": FAMILY, "脱贫年度": 2020}], columns)
    new = snapshot(tmp_path / "new.csv", 2020, [{"hid": "001", "status": "已脱贫", "members": FAMILY, "脱贫年度": 2020}])
    result = diff(old, new)
    assert result.overview["本期户数"].sum() == 1


def _unaccounted(result: DiffResult) -> pd.DataFrame:
    f = diff_findings(result)
    return f[f["rule_id"].eq("diff_member_unaccounted")]


def test_a_member_whose_id_is_valid_in_one_snapshot_only_is_matched_by_name(tmp_path: Path) -> None:
    wrong_check = HEAD[:-1] + ("0" if HEAD[-1] != "0" else "1")  # corrected between the exports
    lost_digits = SPOUSE[:15] + "000"  # Excel lost the last digits in the newer export
    old = snapshot(tmp_path / "old.csv", 2019, [{"hid": "001", "status": "未脱贫",
                                                 "members": [("张一", wrong_check, "户主"), FAMILY[1], FAMILY[2]]}])
    new = snapshot(tmp_path / "new.csv", 2020, [{"hid": "001", "status": "未脱贫",
                                                 "members": [FAMILY[0], ("李一", lost_digits, "配偶"), FAMILY[2]]}])
    result = diff(old, new)
    assert changes(result, "成员") == set() and _unaccounted(result).empty
    without_ids = snapshot(tmp_path / "no_id.csv", 2019, [{"hid": "001", "status": "未脱贫", "members": FAMILY}],
                           tuple(c for c in HEADER if c != "证件号码"))
    result = diff(without_ids, snapshot(tmp_path / "new2.csv", 2020, [{"hid": "001", "status": "未脱贫", "members": FAMILY}]))
    assert changes(result, "成员") == set() and _unaccounted(result).empty


def test_names_differing_only_in_spaces_or_width_are_one_name(tmp_path: Path) -> None:
    wrong_check = HEAD[:-1] + ("0" if HEAD[-1] != "0" else "1")
    old = snapshot(tmp_path / "old.csv", 2019, [{"hid": "001", "status": "未脱贫",
                                                 "members": [("张 一", wrong_check, "户主"), ("李一", SPOUSE[:15] + "000", "配偶"),
                                                             FAMILY[2]]}])
    new = snapshot(tmp_path / "new.csv", 2020, [{"hid": "001", "status": "未脱贫",
                                                 "members": [FAMILY[0], ("李\u3000一", SPOUSE, "配偶"), FAMILY[2]]}])
    result = diff(old, new)
    assert changes(result, "成员") == set() and _unaccounted(result).empty


def test_a_name_twice_on_one_side_is_not_matched_by_name(tmp_path: Path) -> None:
    twins = [("张二", pid("20000101", 61), "之子"), ("张二", pid("20000101", 73), "之子")]
    old = snapshot(tmp_path / "old.csv", 2019, [{"hid": "001", "status": "未脱贫",
                                                 "members": [FAMILY[0], ("张二", "150426200001", "之子")]}])
    new = snapshot(tmp_path / "new.csv", 2020, [{"hid": "001", "status": "未脱贫", "members": [FAMILY[0], *twins]}])
    c = diff(old, new).changes
    assert sorted(c.loc[c["层级"].eq("成员"), "变化类型"]) == ["迁入", "迁入", "迁出"]


def test_back_from_removal_is_newly_identified_and_an_unclassified_status_cannot_be_judged(tmp_path: Path) -> None:
    statuses = [("清退", "已脱贫"), ("清退", "未脱贫"), ("未脱贫", ""), ("否", "已脱贫"), ("已脱贫", "稳定脱贫"), ("否", "否")]
    people = [pid(f"19{50 + k}0101", 80 + k) for k in range(len(statuses))]
    old = snapshot(tmp_path / "old.csv", 2019, [{"hid": f"00{k}", "status": o, "members": [(f"户主{k}", people[k], "户主")]}
                                                for k, (o, _) in enumerate(statuses)])
    new = snapshot(tmp_path / "new.csv", 2020, [{"hid": f"00{k}", "status": n, "members": [(f"户主{k}", people[k], "户主")],
                                                 "人均纯收入": 5000} for k, (_, n) in enumerate(statuses)])
    result = diff(old, new)
    assert changes(result, "户") == {("000", "新识别"), ("001", "新识别"), ("002", "状态不明"), ("003", "状态不明"),
                                    ("004", "状态未变"), ("005", "状态未变")}
    f = diff_findings(result)
    judged = dict(zip(f.loc[f["rule_id"].eq("diff_cannot_judge"), "household_id"],
                      f.loc[f["rule_id"].eq("diff_cannot_judge"), "message"], strict=True))
    assert set(judged) == {"002", "003"}
    assert judged["003"].startswith("上期“否”，本期“已脱贫”") and "上期脱贫属性“否”" in judged["003"]
    assert judged["002"].startswith("上期“未脱贫”，本期为空") and "本期脱贫属性为空" in judged["002"]


def test_households_are_matched_by_shared_members_one_to_one_most_shared_first(tmp_path: Path) -> None:
    a = [(f"甲{k}", pid(f"196{k}0101", 90 + k), "户主" if k == 0 else "之兄弟姐妹") for k in range(4)]
    b = [(f"乙{k}", pid(f"197{k}0202", 20 + k), "户主" if k == 0 else "之子") for k in range(3)]
    old = snapshot(tmp_path / "old.csv", 2019, [{"hid": "A", "status": "未脱贫", "members": a},
                                                {"hid": "B", "status": "未脱贫", "members": b}])
    new = snapshot(tmp_path / "new.csv", 2020, [{"hid": "X", "status": "未脱贫", "members": [a[0], a[1], *b]},
                                                {"hid": "Y", "status": "未脱贫", "members": a[2:]}])
    c = diff(old, new).changes
    pairs = c.loc[c["层级"].eq("户"), ["原户编号", "户编号", "匹配方式"]].fillna("").to_numpy().tolist()
    assert sorted(pairs) == [["A", "Y", "成员重合"], ["B", "X", "成员重合"]]


def household_sheet(path: Path, year: int, rows: list[str]) -> Path:
    """A household-level sheet (one row per household, 家庭人口数, no member rows): 户编号,家庭人口数,脱贫属性,
    脱贫年度,转移性收入,人均纯收入 per row."""
    header = "县,乡镇,行政村,户主姓名,户主证件号码,年度,户编号,家庭人口数,脱贫属性,脱贫年度,转移性收入,人均纯收入\n"
    heads = [HEAD, SPOUSE, FATHER, LONE]
    lines = [f"翁牛特旗,梧桐花镇,庄头营子村,户主{k},{heads[k]},{year},{row}\n" for k, row in enumerate(rows)]
    path.write_text(header + "".join(lines), encoding="utf-8")
    return path


def test_household_level_sheets_count_members_from_the_household_size(tmp_path: Path) -> None:
    old = household_sheet(tmp_path / "old.csv", 2019, ["001,1,未脱贫,,1000,3000", "002,3,未脱贫,,600,3000",
                                                       "003,,未脱贫,,600,3000", "004,2,未脱贫,,600,3000"])
    new = household_sheet(tmp_path / "new.csv", 2020, ["001,1,已脱贫,2020,3000,4100", "002,2,已脱贫,2020,600,5000",
                                                       "003,,已脱贫,2020,900,4500", "004,2,已脱贫,2020,600,5000"])
    result = diff(old, new)
    households = result.changes[result.changes["层级"].eq("户")].set_index("户编号")
    assert households.loc["002", ["原成员数", "新成员数"]].tolist() == [3, 2]
    assert not result.changes["层级"].eq("成员").any()
    f = diff_findings(result)
    assert set(zip(f["rule_id"], f["household_id"], strict=True)) == {
        ("diff_exit_by_transfer", "001"), ("diff_exit_by_split", "002"), ("diff_cannot_judge", "003")}
    (split,) = f.loc[f["rule_id"].eq("diff_exit_by_split"), "message"]
    assert "1人（无成员明细" in split


def test_an_unaccounted_member_is_located_at_the_row_in_the_older_snapshot(tmp_path: Path) -> None:
    old = snapshot(tmp_path / "old.csv", 2019, [{"hid": "001", "status": "未脱贫", "members": FAMILY}])
    new = snapshot(tmp_path / "new.csv", 2020, [{"hid": "101", "status": "未脱贫", "members": FAMILY[:2]}])
    (source,) = _unaccounted(diff(old, new))["source"]
    assert source == "old.csv:4"  # 张父's row; the newer file has no row of his
    no_id = snapshot(tmp_path / "old2.csv", 2019, [{"hid": "001", "status": "未脱贫",
                                                    "members": [*FAMILY[:2], ("张父", "15042619400101", "之父")]}])
    (source,) = _unaccounted(diff(no_id, new))["source"]
    assert source == "old2.csv:4"  # found by name: he has no valid ID


def test_snapshots_given_newer_first_are_refused(tmp_path: Path) -> None:
    old = snapshot(tmp_path / "2019.csv", 2019, [{"hid": "001", "status": "未脱贫", "members": FAMILY}])
    new = snapshot(tmp_path / "2020.csv", 2020, [{"hid": "001", "status": "已脱贫", "members": FAMILY}])
    with pytest.raises(UsageError, match="两期文件是否写反了"):
        diff(new, old)
    assert diff(old, old).changes["变化类型"].eq("状态未变").all()  # one year's two exports: same date
