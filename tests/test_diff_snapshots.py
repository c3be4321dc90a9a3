"""fupin-audit diff on the generated snapshot pair (examples/generate_snapshots.py): every planted change
classified, every planted check found, ordinary changes without findings."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from fupin_audit import findings as findings_module
from fupin_audit.cli.app import app
from fupin_audit.diff import DiffResult, diff

SNAPSHOTS = Path(__file__).resolve().parents[1] / "examples" / "snapshots"
OLD, NEW = SNAPSHOTS / "2019.xlsx", SNAPSHOTS / "2020.xlsx"
REFS = {"deaths": SNAPSHOTS / "deaths.xlsx", "payroll": SNAPSHOTS / "payroll.xlsx"}


def rows(name: str) -> set[tuple[str, ...]]:
    with (SNAPSHOTS / name).open(encoding="utf-8-sig", newline="") as f:
        return {tuple(r) for r in list(csv.reader(f))[1:]}


@pytest.fixture(scope="module")
def result() -> DiffResult:
    return diff(OLD, NEW, references=REFS)


def test_every_change_is_classified(result: DiffResult) -> None:
    c = result.changes.fillna({"原户编号": "", "证件号码": ""})
    got = {(a, b, h, o, p) for a, b, h, o, p in zip(c["层级"], c["变化类型"], c["户编号"], c["原户编号"], c["证件号码"], strict=True)}
    assert got == rows("expected_changes.csv")


def test_every_planted_check_is_found_and_nothing_else(result: DiffResult) -> None:
    f = result.findings
    diff_rules = f[f["rule_id"].str.startswith("diff_")]
    got = set(zip(diff_rules["rule_id"], diff_rules["household_id"], diff_rules["person_id"], strict=True))
    assert got == rows("expected_findings.csv")


def test_ordinary_changes_produce_no_finding(result: DiffResult) -> None:
    ordinary = {"1504261072030001", "1504261072030002", "1504261072030004", "1504261072030006",
                "1504261072030012", "1504261072030014", "1504261072030022", "1504261072030021"}
    f = result.findings
    assert not set(f.loc[f["rule_id"].str.startswith("diff_"), "household_id"]) & ordinary


def test_renumbered_household_is_matched_by_members(result: DiffResult) -> None:
    c = result.changes
    row = c[(c["层级"] == "户") & (c["户编号"] == "1504261072030022")].iloc[0]
    assert row["原户编号"] == "1504261072030008" and row["匹配方式"] == "成员重合" and row["变化类型"] == "状态未变"
    assert not ((c["层级"] == "户") & (c["原户编号"] == "1504261072030008") & (c["变化类型"] == "清退")).any()


def test_without_deaths_list_the_death_is_unaccounted() -> None:
    result = diff(OLD, NEW)
    f = result.findings
    unaccounted = set(f.loc[f["rule_id"] == "diff_member_unaccounted", "household_id"])
    assert unaccounted == {"1504261072030002", "1504261072030003"}
    assert "diff_new_household_listed" in {s.rule_id for s in result.new.skipped_rules}


def test_removed_household_findings_are_located(result: DiffResult) -> None:
    f = result.findings
    row = f[f["rule_id"] == "diff_removed_members_elsewhere"].iloc[0]
    assert row["village"] == "庄头营子村" and row["source"].startswith("2019.xlsx")


def test_overview_tally(result: DiffResult) -> None:
    o = result.overview.iloc[0]
    assert (o["上期户数"], o["本期户数"], o["脱贫"], o["返贫"], o["新识别"], o["清退/自然减少"]) == (15, 15, 4, 2, 2, 2)


def test_check_does_not_run_diff_rules() -> None:
    from fupin_audit import audit
    assert not audit(NEW).findings["rule_id"].str.startswith("diff_").any()


def test_cli_diff_writes_report_and_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    report, found = tmp_path / "r.xlsx", tmp_path / "f.csv"
    args = ["diff", str(OLD), str(NEW), "--ref", f"deaths={REFS['deaths']}", "--report", str(report),
            "--findings", str(found), "--quiet"]
    assert runner.invoke(app, args).exit_code == 1  # high: 数字脱贫
    assert runner.invoke(app, [*args, "--fail-on", "never"]).exit_code == 0
    sheets = load_workbook(report, read_only=True).sheetnames
    assert sheets[:3] == ["概览", "变化概览", "变化明细"]
    written = pd.read_csv(found, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(written.columns) == list(findings_module.COLUMNS)
    assert runner.invoke(app, ["diff", str(OLD)]).exit_code == 2
    assert runner.invoke(app, ["diff", "--old", str(OLD), "--new", str(NEW), "--quiet", "--no-report",
                               "--fail-on", "never"]).exit_code == 0
    assert runner.invoke(app, ["diff", str(OLD), str(tmp_path / "missing.xlsx")]).exit_code == 2



def test_the_diff_reports_counts_and_incomes_are_numbers(tmp_path: Path) -> None:
    """An inspector sums 变化概览's counts and sorts 变化明细's incomes: number cells, not text."""
    report = tmp_path / "r.xlsx"
    args = ["diff", str(OLD), str(NEW), "--report", str(report), "--quiet", "--fail-on", "never"]
    assert CliRunner().invoke(app, args).exit_code == 0
    workbook = load_workbook(report, read_only=True)
    header, *rows = workbook["变化概览"].iter_rows(values_only=True)
    assert all(isinstance(v, int) for v in rows[0][header.index("上期户数"):header.index("动态调整问题") + 1])
    header, *rows = workbook["变化明细"].iter_rows(values_only=True)
    incomes = [r[header.index("新人均纯收入")] for r in rows if r[header.index("新人均纯收入")] is not None]
    ages = [r[header.index("年龄")] for r in rows if r[header.index("年龄")] is not None]
    assert incomes and ages and all(isinstance(v, int | float) for v in [*incomes, *ages])
    assert all(isinstance(r[header.index("户编号")], str) for r in rows)  # codes stay text


def test_the_diff_report_and_json_name_both_snapshots_files(tmp_path: Path) -> None:
    runner = CliRunner()
    report = tmp_path / "r.xlsx"
    done = runner.invoke(app, ["diff", str(OLD), str(NEW), "--report", str(report), "--json", "--fail-on", "never"])
    assert done.exit_code == 0, done.output
    document = json.loads(done.stdout)
    assert [i["path"] for i in document["inputs"]] == [str(NEW)]
    assert [i["path"] for i in document["old_inputs"]] == [str(OLD)] and document["old_inputs"][0]["sha256"]
    info = {(r[0], r[1]): r[2] for r in load_workbook(report, read_only=True)["审计信息"].iter_rows(values_only=True)}
    assert info[("输入文件", str(NEW))] and info[("上期输入文件", str(OLD))] == document["old_inputs"][0]["sha256"]
    assert ("上期基准日期", document["old_as_of"]) in info
    overview = {r[0]: r for r in load_workbook(report, read_only=True)["概览"].iter_rows(values_only=True) if r and r[0]}
    assert overview[f"上期：{OLD}"][2] == document["old_inputs"][0]["rows_read"]  # both snapshots' rows read
    assert f"本期：{NEW}" in overview and overview["上期基准日期"][1].startswith(document["old_as_of"])

@pytest.mark.parametrize("output", ["--findings", "--report"])
@pytest.mark.parametrize("target", ["old", "new", "deaths"])
def test_cli_diff_never_overwrites_an_input(tmp_path: Path, output: str, target: str) -> None:
    inputs = {"old": OLD, "new": NEW, "deaths": REFS["deaths"]}
    copies = {}
    for name, path in inputs.items():  # inputs of the output's format, so that the name is a valid output
        if output == "--report":
            copies[name] = tmp_path / path.name
            copies[name].write_bytes(path.read_bytes())
        else:
            copies[name] = tmp_path / f"{path.stem}.parquet"
            pd.read_excel(path, dtype=str, engine="openpyxl").to_parquet(copies[name])
    before = {name: path.read_bytes() for name, path in copies.items()}
    args = ["diff", str(copies["old"]), str(copies["new"]), "--ref", f"deaths={copies['deaths']}", "--quiet",
            "--fail-on", "never", output, str(copies[target])]
    if output == "--findings":
        args.append("--no-report")
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "与输入文件相同" in result.output
    assert {name: path.read_bytes() for name, path in copies.items()} == before


def test_snapshots_regenerate_byte_identical(tmp_path: Path) -> None:
    import importlib.util
    import sys
    sys.path.insert(0, str(SNAPSHOTS.parent))
    spec = importlib.util.spec_from_file_location("generate_snapshots", SNAPSHOTS.parent / "generate_snapshots.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    module.main(tmp_path)
    for path in tmp_path.iterdir():
        assert path.read_bytes() == (SNAPSHOTS / path.name).read_bytes(), path.name
