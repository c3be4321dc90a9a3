"""--baseline: findings marked new or persisting, and earlier findings now gone listed as resolved."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from fupin_audit import audit
from fupin_audit.cli.app import app

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SOURCE = EXAMPLES / "zhuangtouyingzi_gbk.csv"
runner = CliRunner()


def next_year(tmp_path: Path) -> tuple[Path, str, str]:
    """The example a year on: the household with the vocabulary error fixed, a new missing ID."""
    frame = pd.read_csv(SOURCE, dtype=str, encoding="gbk", keep_default_na=False)
    before = audit(SOURCE).findings
    fixed = before.loc[before["rule_id"] == "vocabulary"].iloc[0]
    frame.loc[frame["身份证号码"] == fixed["person_id"], "文化程度"] = "初中"
    clean = frame[~frame["户编号"].isin(set(before["household_id"]))].iloc[0]
    frame.loc[frame["身份证号码"] == clean["身份证号码"], "身份证号码"] = ""
    path = tmp_path / "2020.csv"
    frame.to_csv(path, index=False, encoding="gbk")
    return path, fixed["finding_id"], clean["户编号"]


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".jsonl"])
def test_baseline_marks_new_persisting_and_resolved(tmp_path: Path, suffix: str) -> None:
    earlier = tmp_path / f"2019{suffix}"
    runner.invoke(app, ["check", str(SOURCE), "--no-report", "--quiet", "--findings", str(earlier)])
    registry, fixed_id, new_household = next_year(tmp_path)
    result = audit(registry, baseline=earlier)
    assert list(result.resolved["finding_id"]) == [fixed_id]
    assert set(result.resolved["change"]) == {"已整改"}
    new = result.findings[result.findings["change"] == "新增"]
    assert [(r, h) for r, h in zip(new["rule_id"], new["household_id"], strict=True)] == [("id_missing", new_household)]
    persisting = result.findings["change"] == "持续"
    assert persisting.sum() == len(result.findings) - 1 == len(audit(SOURCE).findings) - 1


def test_baseline_in_json_summary_and_report(tmp_path: Path) -> None:
    earlier = tmp_path / "2019.parquet"
    runner.invoke(app, ["check", str(SOURCE), "--no-report", "--quiet", "--findings", str(earlier)])
    registry, fixed_id, _ = next_year(tmp_path)
    out = runner.invoke(app, ["check", str(registry), "--baseline", str(earlier), "--json", "--no-report"])
    document = json.loads(out.stdout)
    assert document["baseline"]["new"] == 1 and document["baseline"]["resolved"] == 1
    assert [f["finding_id"] for f in document["resolved"]] == [fixed_id]
    out = runner.invoke(app, ["check", str(registry), "--baseline", str(earlier), "--no-report"])
    assert "新增 1 条" in out.stdout and "已整改 1 条" in out.stdout
    report = tmp_path / "r.xlsx"
    runner.invoke(app, ["check", str(registry), "--baseline", str(earlier), "--report", str(report), "--quiet"])
    resolved = pd.read_excel(report, sheet_name="已整改", dtype=str, engine="calamine")
    assert list(resolved["问题编号"]) == [fixed_id]


def test_a_file_that_is_not_a_findings_file_is_refused(tmp_path: Path) -> None:
    bogus = tmp_path / "old.csv"
    bogus.write_text("a,b\n1,2\n", encoding="utf-8")
    out = runner.invoke(app, ["check", str(SOURCE), "--baseline", str(bogus), "--no-report"])
    assert out.exit_code == 2 and "finding_id" in out.stderr


def test_the_report_names_the_earlier_findings_file_and_counts_the_changes(tmp_path: Path) -> None:
    """A filed 已整改 sheet must be tied to the audit it resolves: 概览 counts the changes against the
    earlier file, 审计信息 gives that file's SHA-256 as it was read (before --findings replaced it)."""
    import hashlib

    from openpyxl import load_workbook

    earlier = tmp_path / "2019.parquet"
    runner.invoke(app, ["check", str(SOURCE), "--no-report", "--quiet", "--findings", str(earlier)])
    digest = hashlib.sha256(earlier.read_bytes()).hexdigest()
    registry, _, _ = next_year(tmp_path)
    report = tmp_path / "r.xlsx"
    runner.invoke(app, ["check", str(registry), "--baseline", str(earlier), "--findings", str(earlier),
                        "--report", str(report), "--quiet", "--fail-on", "never"])
    workbook = load_workbook(report, read_only=True)
    overview = {row[0]: row[1] for row in workbook["概览"].iter_rows(values_only=True) if row and row[0]}
    assert overview["上次问题清单"].endswith("2019.parquet") and overview["已整改"] == 1 and overview["未复核"] == 0
    assert overview["新增"] >= 1 and overview["持续"] >= 1
    info = [row for row in workbook["审计信息"].iter_rows(values_only=True) if row[0] == "上次问题清单"]
    assert len(info) == 1 and info[0][2] == digest
