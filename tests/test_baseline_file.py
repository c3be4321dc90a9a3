"""--baseline files that were edited or re-saved on the way: read back as written, or refused plainly."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from fupin_audit import audit
from fupin_audit.baseline import compare, read_findings
from fupin_audit.cli.app import app
from fupin_audit.findings import COLUMNS
from fupin_audit.report.files import write_findings

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SOURCE = EXAMPLES / "zhuangtouyingzi_gbk.csv"
runner = CliRunner()


@pytest.fixture(scope="module")
def found() -> pd.DataFrame:
    return audit(SOURCE).findings


def written(found: pd.DataFrame, path: Path) -> pd.DataFrame:
    """``found`` written as a findings file, and that file as text (what Excel would show)."""
    write_findings(found, path)
    return pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)


def refused(registry: Path, baseline: Path) -> str:
    out = runner.invoke(app, ["check", str(registry), "--baseline", str(baseline), "--no-report", "--quiet"])
    assert out.exit_code == 2, out.output
    return out.stderr


@pytest.mark.parametrize(("column", "value"), [("kind", "数据错误"), ("kind", ""), ("severity", "高")])
def test_a_translated_or_blank_kind_or_severity_is_refused_naming_it(
    found: pd.DataFrame, tmp_path: Path, column: str, value: str
) -> None:
    path = tmp_path / "2019.csv"
    frame = written(found, path)
    frame.loc[0, column] = value
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    message = refused(SOURCE, path)
    assert "2019.csv" in message and f"列 {column}" in message
    assert (f"“{value}”" if value else "（空白）") in message


def test_ids_turned_into_numbers_by_excel_are_refused(found: pd.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "2019.csv"
    frame = written(found, path)
    frame.loc[0, "finding_id"] = "5.83606E+15"
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    message = refused(SOURCE, path)
    assert "2019.csv" in message and "finding_id" in message and "“5.83606E+15”" in message
    assert ".parquet" in message and "Excel" in message


def test_an_all_digit_id_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "2019.csv"
    frame = pd.DataFrame([{**dict.fromkeys(COLUMNS, ""), "rule_id": "head_missing", "kind": "data_error",
                           "severity": "high", "finding_id": "5836060000000001"}])
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    assert list(read_findings(path)["finding_id"]) == ["5836060000000001"]


def test_a_csv_saved_as_gbk_by_excel_is_read(found: pd.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "2019.csv"
    frame = written(found, path)
    frame.to_csv(path, index=False, encoding="gbk")
    back = read_findings(path)
    assert list(back["finding_id"]) == list(found["finding_id"])
    assert list(back["message"]) == list(found["message"])


def test_a_csv_in_no_known_encoding_says_so(tmp_path: Path) -> None:
    path = tmp_path / "2019.csv"
    path.write_bytes(b"rule_id,kind,severity,finding_id\n\xff\xfe\x80,data_error,high,0123456789abcdef\n")
    assert "编码" in refused(SOURCE, path)


def test_the_formula_guard_is_removed_on_reading_and_values_round_trip(found: pd.DataFrame, tmp_path: Path) -> None:
    names = ["-罗梓涵", "=1+1", "'-已有引号", "'普通", "@x", "罗'梓涵"]
    rows = found.iloc[: len(names)].copy()
    rows["name"] = names
    path = tmp_path / "2019.csv"
    text = written(rows, path)
    assert text.loc[0, "name"] == "'-罗梓涵"  # what Excel shows: never a formula
    assert list(read_findings(path)["name"]) == names


def test_repeated_rows_count_once(found: pd.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "2019.parquet"
    write_findings(pd.concat([found, found.iloc[:3]], ignore_index=True), path)
    back = read_findings(path)
    assert len(back) == len(found) and not back["finding_id"].duplicated().any()
    _, resolved, _ = compare(found.iloc[1:], back)
    assert list(resolved["finding_id"]) == [found["finding_id"].iloc[0]]


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl"])
def test_a_findings_file_without_findings_is_a_baseline_of_none(suffix: str, tmp_path: Path) -> None:
    # a clean registry's nightly run writes an empty .jsonl (no header line): the next night's
    # --baseline refused it as "not a fupin-audit findings file" (exit 2)
    earlier = tmp_path / f"findings{suffix}"
    first = runner.invoke(app, ["check", str(EXAMPLES / "clean_village.xlsx"), "--no-report", "--quiet", "--findings", str(earlier)])
    assert first.exit_code == 0, first.output
    assert read_findings(earlier).empty
    later = audit(SOURCE, baseline=earlier)
    assert len(later.findings) and set(later.findings["change"]) == {"新增"}
    assert later.resolved.empty
