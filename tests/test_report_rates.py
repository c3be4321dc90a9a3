"""The exit-quality rates (错退户占比, 应退未退户占比) in the summary, 概览 and --json."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from rich.console import Console

from fupin_audit import audit
from fupin_audit.report.excel import write_report
from fupin_audit.report.jsonout import result_to_json
from fupin_audit.report.rates import Rate, exit_rates, rate_lines
from fupin_audit.report.terminal import render_summary

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(scope="module")
def village():
    return audit(EXAMPLES / "zhuangtouyingzi.xlsx")


def test_the_example_village_s_rates_follow_its_planted_households(village) -> None:
    # examples/README.md: households 022–026 exited with a 错退 (1, 3, 2, 1, 1 members), 036–055 should exit
    rates = exit_rates(village)
    assert rates is not None
    assert rates.wrongful_exit == Rate(flagged=5, total=28, flagged_people=8, total_people=48)
    assert rates.should_exit == Rate(flagged=20, total=30, flagged_people=28, total_people=46)
    assert rate_lines(rates)[0] == (
        "错退户占比",
        "已脱贫 28 户中 5 户有错退问题，17.9%（人口 8/48，16.7%），高于退出考核的错退率上限 2%（考核按抽查核实的人口计，此为登记数据估算）",
    )


def test_the_rates_are_in_the_summary_the_overview_and_the_json(village, tmp_path: Path) -> None:
    console = Console(record=True, width=400, force_terminal=False, color_system=None)
    render_summary(village, None, None, console)
    text = console.export_text()
    assert "错退户占比：已脱贫 28 户中 5 户有错退问题，17.9%" in text
    assert "应退未退户占比：未脱贫 30 户中 20 户有应退未退问题，66.7%（人口 28/46）" in text
    path = tmp_path / "r.xlsx"
    write_report(village, path)
    rows = {row[0]: row[1] for row in openpyxl.load_workbook(path)["概览"].iter_rows(values_only=True) if row and row[0]}
    assert rows["错退户占比"].startswith("已脱贫 28 户中 5 户有错退问题")
    assert json.loads(json.dumps(result_to_json(village, mask_ids=False)))["counts"]["exit_rates"] == {
        "wrongful_exit": {"households": 5, "of_households": 28, "people": 8, "of_people": 48},
        "should_exit": {"households": 20, "of_households": 30, "people": 28, "of_people": 46},
    }


def test_no_rates_without_the_statuses_that_define_them(tmp_path: Path) -> None:
    rules = tmp_path / "own.yaml"
    rules.write_text("version: 1\nrules: []\n", encoding="utf-8")
    result = audit(EXAMPLES / "zhuangtouyingzi.xlsx", rules=rules)
    assert exit_rates(result) is None
    assert result_to_json(result, mask_ids=False)["counts"]["exit_rates"] is None
    console = Console(record=True, width=200, force_terminal=False, color_system=None)
    render_summary(result, None, None, console)
    assert "占比" not in console.export_text()


def test_a_clean_village_has_rates_of_zero() -> None:
    rates = exit_rates(audit(EXAMPLES / "clean_village.xlsx"))
    assert rates is not None and rates.wrongful_exit.flagged == 0 and rates.wrongful_exit.total == 14
    assert rate_lines(rates)[0][1].startswith("已脱贫 14 户中 0 户有错退问题，0.0%")
    assert "不高于退出考核的错退率上限 2%" in rate_lines(rates)[0][1]
