"""A member without an ID number is known by name in finding ids: re-sorting the sheet keeps each
person's id, and fixing one person's finding resolves that person's, not a housemate's. Every other
finding keeps the id it had."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from fupin_audit import audit

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SOURCE = EXAMPLES / "zhuangtouyingzi_gbk.csv"
TWO_WITHOUT_ID = "1504261072030007"  # 朱欣怡 lacks an ID in the example; 冯志强's is blanked here
NO_IDS = "1504261072030023"  # an exited household with a school-age child: its IDs blanked here


def registry(tmp_path: Path, name: str, *, blank: tuple[str, ...] = (), reverse: bool = False) -> Path:
    """The example with the IDs of the members named in ``blank`` and of household NO_IDS removed;
    ``reverse``: the rows of households TWO_WITHOUT_ID and NO_IDS in reverse order."""
    frame = pd.read_csv(SOURCE, dtype=str, encoding="gbk", keep_default_na=False)
    frame.loc[frame["姓名"].isin(blank) | frame["户编号"].eq(NO_IDS), "身份证号码"] = ""
    if reverse:
        for household in (TWO_WITHOUT_ID, NO_IDS):
            rows = frame.index[frame["户编号"].eq(household)]
            frame.loc[rows] = frame.loc[rows[::-1]].to_numpy()
    path = tmp_path / name
    frame.to_csv(path, index=False, encoding="gbk")
    return path


def ids_by_person(path: Path | str) -> dict[tuple[str, str, str, str], str]:
    """The ids of the findings without a person_id in households TWO_WITHOUT_ID and NO_IDS, by rule,
    household, name and criterion (标准)."""
    found = audit(path).findings
    people = found[found["person_id"].eq("") & found["household_id"].isin([TWO_WITHOUT_ID, NO_IDS])]
    ids = {
        (r, h, n, json.loads(e).get("标准", "")): i
        for r, h, n, e, i in zip(people["rule_id"], people["household_id"], people["name"], people["evidence"],
                                 people["finding_id"], strict=True)
    }
    assert len(ids) == len(people) >= 6
    return ids


def test_resorting_the_sheet_keeps_each_persons_id(tmp_path: Path) -> None:
    forward = ids_by_person(registry(tmp_path, "a.csv", blank=("冯志强",)))
    backward = ids_by_person(registry(tmp_path, "b.csv", blank=("冯志强",), reverse=True))
    assert forward == backward
    assert {("id_missing", TWO_WITHOUT_ID, "冯志强", ""), ("id_missing", TWO_WITHOUT_ID, "朱欣怡", "")} <= set(forward)
    assert any(rule == "exit_cannot_judge" and household == NO_IDS for rule, household, _, _ in forward)


def test_fixing_one_persons_id_resolves_that_persons_finding(tmp_path: Path) -> None:
    earlier = tmp_path / "2019.parquet"
    audit(registry(tmp_path, "2019.csv", blank=("冯志强",))).findings.to_parquet(earlier)
    result = audit(registry(tmp_path, "2020.csv", reverse=True), baseline=earlier)
    assert result.resolved["name"].tolist() == ["冯志强"]
    found = result.findings
    missing = found[found["rule_id"].eq("id_missing") & found["household_id"].eq(TWO_WITHOUT_ID)]
    assert list(zip(missing["name"], missing["change"], strict=True)) == [("朱欣怡", "持续")]
    assert set(result.findings["change"]) == {"持续"}


def test_household_findings_and_findings_with_an_id_keep_their_ids() -> None:
    found = audit(EXAMPLES / "zhuangtouyingzi.xlsx").findings
    ids = {f"{r}|{h}|{p}": i for r, h, p, i in zip(found["rule_id"], found["household_id"], found["person_id"],
                                                   found["finding_id"], strict=True)}
    assert ids.pop("id_missing|1504261072030007|") != "2dc53406b270beff"  # 朱欣怡: now known by name
    assert ids.pop("school_status_stale|1504261072030018|15042620060102146X")  # a rule added since the pin
    assert ids == PINNED


PINNED = dict(line.split() for line in """
id_check_digit|1504261072030003|150426195711061083 e89daa372373efc8
id_birth_date|1504261072030004|150426196902301116 9059d8b41d98d692
id_length|1504261072030005|15042619611051129 b771626ef24b4d98
id_excel_number|1504261072030006|150426198001012000 22ff16a20b3f4680
id_chars|1504261072030008|150426197411O01174 bbb645b8a7839e87
id_future_birth|1504261072030009|15042620200211118X c8690f06d471c475
inconsistent_treatment|1504261072030010| 903958f97ae8d1ff
id_15_digit|1504261072030010|150426196203151219 2e9ce39c41598d16
relation_sex|1504261072030011|150426199210261241 0b028fd66054e306
head_missing|1504261072030012| 4ff56886c2aae766
head_multiple|1504261072030013| 32a69a732bf60252
inconsistent_treatment|1504261072030014| c83ce378123206cb
size_mismatch|1504261072030014| 94826a3a443ecb87
income_arithmetic|1504261072030015| 6d32ffa6658cfe01
inconsistent_treatment|1504261072030015| 2ab5f3666e41c6bc
negative_income|1504261072030016| 0831c9f7a61321e1
inconsistent_treatment|1504261072030017| ffdd0e52c69992cc
vocabulary|1504261072030017|150426199508241411 8e61f7d07a63c5df
household_conflict|1504261072030018| 526ab8945fb7ce14
unreadable_value|1504261072030019|150426197805181479 66bc3abf56c69255
duplicate_person|1504261072030020|150426198306111497 8de0db8a78bd334f
inconsistent_treatment|1504261072030020| 3afa5d5233fd8c4d
duplicate_person|1504261072030021|150426198306111497 3a4208dba1fa77d3
exit_income_below_line|1504261072030022| f56fc241f0c3c9ff
exit_child_out_of_school|1504261072030023|15042620090412153X 20296491cb25bf8e
exit_no_medical_insurance|1504261072030024|150426196605261584 32a28315d1b2c9c5
exit_unsafe_housing|1504261072030025| c3857ef82777a9dd
exit_unsafe_water|1504261072030026| 3101082d3ab57384
exit_same_year_identified|1504261072030027| 44c677545f6b1c90
exit_without_signature|1504261072030028| 180ba897c09502f9
inconsistent_treatment|1504261072030028| 3f30926d02ffe0b9
exit_short_public_notice|1504261072030029| b0704e5aa8310cbf
exit_cannot_judge|1504261072030030| b2b1da5687b2ccb4
inconsistent_treatment|1504261072030036| 4acc764abe648f21
should_exit_meets_standard|1504261072030036| 71e106afc311300e
should_exit_meets_standard|1504261072030037| 65a556dff61e48b2
should_exit_meets_standard|1504261072030038| b8c248a368fa3c36
should_exit_meets_standard|1504261072030039| f7083c29a86c4e60
should_exit_meets_standard|1504261072030040| 7c83bf06e8679ac7
should_exit_meets_standard|1504261072030041| 41f916f465c0afb6
should_exit_meets_standard|1504261072030042| 0c058dd5542fe51f
should_exit_meets_standard|1504261072030043| 3de3931689ed0c91
should_exit_meets_standard|1504261072030044| 282083fe5fba138d
should_exit_meets_standard|1504261072030045| 144109a3a1df545b
should_exit_meets_standard|1504261072030046| 5f0aac79c22d13d4
should_exit_meets_standard|1504261072030047| 6dc4e7302f21281b
inconsistent_treatment|1504261072030048| e467171d01e1b701
should_exit_meets_standard|1504261072030048| d4f7abeff0206f62
should_exit_meets_standard|1504261072030049| ac0da9559bb8b7a0
should_exit_meets_standard|1504261072030050| 570f8a94b6736704
should_exit_meets_standard|1504261072030051| 088e38d6ecdba1d7
should_exit_meets_standard|1504261072030052| bbd4d3fc0b4f0b86
should_exit_meets_standard|1504261072030053| 9cb08d0220a4c03f
should_exit_meets_standard|1504261072030054| 79b4938eab1d50d1
should_exit_meets_standard|1504261072030055| a40d4d1dcb87ee1a
""".strip().splitlines())
"""The ids these findings of the example had before ID-less members were known by name."""
