"""Stable finding ids: the same finding gets the same id across runs, row orders and layouts."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from fupin_audit import audit, findings

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_ids_are_unique_and_stable_across_runs_and_layouts() -> None:
    first = audit(EXAMPLES / "zhuangtouyingzi.xlsx").findings
    again = audit(EXAMPLES / "zhuangtouyingzi.xlsx").findings
    assert first["finding_id"].is_unique and first["finding_id"].str.fullmatch(r"[0-9a-f]{16}").all()
    assert list(first["finding_id"]) == list(again["finding_id"])
    two_sheets = audit(EXAMPLES / "zhuangtouyingzi_two_sheets.xlsx").findings
    key = ["rule_id", "household_id", "person_id"]
    merged = first.merge(two_sheets, on=[*key, "message"], suffixes=("", "_2"))
    assert len(merged) >= len(two_sheets) - 2
    assert (merged["finding_id"] == merged["finding_id_2"]).all()


def test_ids_do_not_depend_on_row_order() -> None:
    rows = [
        {"rule_id": "vocabulary", "kind": "data_error", "severity": "low", "household_id": "1", "person_id": "p",
         "message": "m1", "evidence": {"列": "文化程度"}},
        {"rule_id": "vocabulary", "kind": "data_error", "severity": "low", "household_id": "1", "person_id": "p",
         "message": "m2", "evidence": {"列": "健康状况"}},
        {"rule_id": "exit_cannot_judge", "kind": "data_error", "severity": "medium", "household_id": "1",
         "person_id": "", "message": "a", "evidence": {}},
        {"rule_id": "exit_cannot_judge", "kind": "data_error", "severity": "medium", "household_id": "1",
         "person_id": "", "message": "b", "evidence": {}},
    ]
    forward = findings.combine([findings.make_findings(rows)])
    backward = findings.combine([findings.make_findings(rows[::-1])])
    assert forward["finding_id"].is_unique
    ids = dict(zip(forward["message"], forward["finding_id"], strict=True))
    assert ids == dict(zip(backward["message"], backward["finding_id"], strict=True))
    # the discriminator is the column, not the value: a changed value keeps the id
    changed = findings.make_findings([{**rows[0], "message": "m1 changed", "evidence": {"列": "文化程度", "取值": "x"}}])
    assert changed["finding_id"].iloc[0] == ids["m1"]


def test_producers_without_the_column_still_get_ids() -> None:
    frame = pd.DataFrame([{c: "" for c in findings.COLUMNS if c not in findings.DERIVED_COLUMNS}
                          | {"rule_id": "r", "kind": "data_error", "severity": "low", "household_id": "h"}])
    out = findings.normalize(frame)
    assert out["finding_id"].iloc[0] and out["change"].iloc[0] == ""


def test_combined_ids_are_those_of_the_whole_table() -> None:
    """Parts are numbered on their own; where a key occurs in two parts, or a repeated row is dropped,
    combine numbers the whole table again, so every id is distinct and as if computed at once."""
    row = {"rule_id": "exit_cannot_judge", "kind": "data_error", "severity": "medium", "household_id": "1",
           "person_id": "", "evidence": {}}
    part_a = findings.make_findings([{**row, "message": "a"}, {**row, "message": "c"}])
    part_b = findings.make_findings([{**row, "message": "b"}])
    assert part_a["finding_id"].iloc[0] == part_b["finding_id"].iloc[0]  # each part's first of the key
    combined = findings.combine([part_a, part_b])
    whole = findings.make_findings([{**row, "message": m} for m in "abc"])
    assert combined["finding_id"].is_unique
    assert dict(zip(combined["message"], combined["finding_id"], strict=True)) == dict(
        zip(whole["message"], whole["finding_id"], strict=True)
    )
    repeated = findings.combine([findings.make_findings([{**row, "message": m} for m in "aab"])])
    assert list(repeated["finding_id"]) == list(findings.make_findings([{**row, "message": m} for m in "ab"])["finding_id"])


def test_ids_and_order_do_not_depend_on_input_order_even_for_equal_messages() -> None:
    """Two findings alike in rule, household, person and message, different in evidence only."""
    row = {"rule_id": "exit_cannot_judge", "kind": "data_error", "severity": "medium", "household_id": "1",
           "person_id": "", "message": "同一消息"}
    rows = [{**row, "evidence": {"缺失": "甲"}}, {**row, "evidence": {"缺失": "乙"}}]
    forward = findings.combine([findings.make_findings(rows)])
    backward = findings.combine([findings.make_findings(rows[::-1])])
    assert forward.equals(backward)
    assert forward["finding_id"].is_unique


def test_a_repeated_finding_is_dropped_even_when_a_finding_of_another_kind_sorts_between() -> None:
    """Rows equal in everything the order looks at but the kind: the repeat is not next to the first."""
    row = {"rule_id": "r", "severity": "medium", "household_id": "1", "person_id": "", "message": "m", "evidence": {}}
    parts = [findings.make_findings([{**row, "kind": kind}]) for kind in ("data_error", "wrongful_exit", "data_error")]
    combined = findings.combine(parts)
    assert sorted(combined["kind"]) == ["data_error", "wrongful_exit"]
    assert combined["finding_id"].is_unique
