"""The 庄头营子村 example with its seven reference lists: exactly the planted findings are added."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fupin_audit import audit
from fupin_audit.idcard import id_numbers
from fupin_audit.references import INVALID_SHEET, reference_summary
from fupin_audit.references.read import read_references
from fupin_audit.rules import load_rules
from fupin_audit.rules.refspec import validity_column

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
LISTS = ("payroll", "cadres", "relatives", "vehicles", "property", "business", "deaths")
REFERENCE_RULES = {"ref_payroll", "ref_cadres", "ref_vehicles", "ref_property", "ref_business",
                   "deceased_listed", "favoritism_relative", "favoritism_helper"}


def read_expected(name: str, columns: list[str]) -> set[tuple[str, ...]]:
    frame = pd.read_csv(EXAMPLES / name, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    return set(frame[columns].itertuples(index=False, name=None))


@pytest.fixture(scope="module")
def without_lists():
    return audit(EXAMPLES / "zhuangtouyingzi.xlsx")


@pytest.fixture(scope="module")
def with_lists():
    return audit(EXAMPLES / "zhuangtouyingzi.xlsx",
                 references={n: EXAMPLES / "references" / f"{n}.csv" for n in LISTS})


def keys(result) -> set[tuple[str, ...]]:
    return set(result.findings[["rule_id", "kind", "household_id", "person_id"]].itertuples(index=False, name=None))


def test_the_lists_add_exactly_the_planted_findings(with_lists, without_lists):
    base = read_expected("zhuangtouyingzi.expected.csv", ["rule_id", "household_id", "person_id"])
    added = read_expected("zhuangtouyingzi_refs.expected.csv", ["rule_id", "kind", "household_id", "person_id"])
    assert keys(with_lists) - keys(without_lists) == added
    assert keys(without_lists) <= keys(with_lists)
    assert base <= {(r, h, p) for r, _, h, p in keys(with_lists)}
    assert {r for r, *_ in added} >= {"ref_payroll", "ref_vehicles", "ref_property", "ref_business",
                                     "deceased_listed", "favoritism_relative"}
    assert {k for _, k, _, _ in added} == {"wrongful_inclusion", "should_exit", "deceased_listed", "favoritism"}
    skipped = {s.rule_id for s in with_lists.skipped_rules}
    assert not skipped & (REFERENCE_RULES - {"favoritism_helper"})  # the example has no 帮扶责任人


def test_summary_counts_rows_invalid_ids_and_matched_people(with_lists):
    summary = with_lists.references.set_index("名单")
    assert list(summary.index) == list(LISTS)
    assert summary.loc["payroll", "无效证件行数"] == 3  # wrong check character, 17 digits, empty
    assert summary.loc["vehicles", "无效证件行数"] == 1
    assert summary.loc["payroll", "证件号码相同的登记人数"] == 2
    assert summary.loc["relatives", "证件号码相同的登记人数"] == 3  # two in 庄头营子村, one related to a cadre elsewhere
    assert (summary["行数"] >= 200).all()
    invalid = with_lists.reference_matches[INVALID_SHEET]
    assert set(invalid["名单"]) == {"payroll", "vehicles"} and len(invalid) == 4


def test_summary_counts_the_same_without_the_checked_ids(with_lists):
    """The audit counts the lists against the checked registry's sorted ID numbers; a registry not
    checked (no ``valid_ids``) is counted from its members, with the same result."""
    registry = with_lists.registry
    valid = registry.members[registry.members["证件有效"].fillna(False).to_numpy(dtype=bool)]
    assert list(registry.valid_ids) == sorted(set(id_numbers(valid["证件号码"]).tolist()))
    paths = {n: EXAMPLES / "references" / f"{n}.csv" for n in LISTS}
    lists = read_references(load_rules(None), paths, with_lists.as_of)
    unchecked = dataclasses.replace(registry, valid_ids=None)
    assert reference_summary(lists, unchecked).equals(reference_summary(lists, registry))
    for data in lists.values():  # each list's numbers: every valid ID of each of its ID columns, once
        numbers = [id_numbers(data.frame.loc[data.frame[validity_column(c)].fillna(False).to_numpy(dtype=bool), c])
                   for c in data.id_columns]
        assert list(data.ids) == sorted(set(np.concatenate(numbers).tolist())), data.name
    assert len(lists["relatives"].id_columns) == 2
    assert reference_summary(lists, registry).equals(with_lists.references)


def test_evidence_and_sheets_carry_the_matched_rows(with_lists):
    f = with_lists.findings
    car = f[f["rule_id"] == "ref_vehicles"].iloc[0]
    record = json.loads(car["evidence"])["匹配记录"]
    assert record[0]["车辆类型"] == "小型轿车" and record[0]["号牌号码"] == "蒙D8K261"
    assert record[0]["名单来源"].startswith("vehicles.csv:")
    sheet = with_lists.reference_matches["车辆"]
    assert list(sheet["户编号"]) == [car["household_id"]]
    assert sheet["名单来源"].iloc[0] == record[0]["名单来源"]
    assert sheet["登记表来源"].iloc[0].startswith("zhuangtouyingzi.xlsx:")


def test_generator_is_deterministic(tmp_path):
    subprocess.run([sys.executable, str(EXAMPLES / "generate_references.py"), str(tmp_path)], check=True)
    for path in (tmp_path / "references").glob("*.csv"):
        assert path.read_bytes() == (EXAMPLES / "references" / path.name).read_bytes(), path.name
    assert (tmp_path / "zhuangtouyingzi_refs.expected.csv").read_bytes() == (
        EXAMPLES / "zhuangtouyingzi_refs.expected.csv").read_bytes()
