"""Findings files (.csv with BOM, .parquet, .jsonl) and the atomic writer."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from fupin_audit import findings
from fupin_audit.atomic import atomic_write
from fupin_audit.errors import UsageError
from fupin_audit.report.files import write_findings
from test_report_fixtures import ID_A, sample_findings


def test_csv_has_bom_english_header_and_round_trips(tmp_path: Path) -> None:
    found = sample_findings()
    path = tmp_path / "f.csv"
    write_findings(found, path)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data[3:].decode("utf-8").splitlines()[0] == ",".join(findings.COLUMNS)
    back = pd.read_csv(path, encoding="utf-8-sig", dtype="str", keep_default_na=False)
    formula = found["name"].str.startswith("=")
    assert formula.sum() == 1
    assert back.loc[formula, "name"].tolist() == ["'" + found.loc[formula, "name"].iloc[0]]
    pd.testing.assert_frame_equal(back[~formula], found[~formula], check_dtype=False)
    assert ID_A in back["person_id"].tolist()  # an ID stays text, all 18 characters


def test_parquet_round_trips_with_every_column_text(tmp_path: Path) -> None:
    found = sample_findings()
    path = tmp_path / "f.parquet"
    write_findings(found, path)
    schema = pq.read_schema(path)
    assert schema.names == list(findings.COLUMNS)
    assert {str(t) for t in schema.types} == {"string"}
    pd.testing.assert_frame_equal(pd.read_parquet(path), found, check_dtype=False)


def test_jsonl_has_one_object_per_line_with_parsed_evidence(tmp_path: Path) -> None:
    found = sample_findings()
    path = tmp_path / "f.jsonl"
    write_findings(found, path)
    text = path.read_text(encoding="utf-8")
    assert "人均纯收入" in text  # ensure_ascii=False
    records = [json.loads(line) for line in text.splitlines()]
    assert len(records) == len(found)
    assert all(list(r) == list(findings.COLUMNS) for r in records)
    assert all(isinstance(r["evidence"], dict) for r in records)
    back = pd.DataFrame(records)
    back["evidence"] = back["evidence"].map(findings.evidence_json)
    pd.testing.assert_frame_equal(back, found, check_dtype=False)


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl", ".CSV"])
def test_same_findings_give_same_bytes(tmp_path: Path, suffix: str) -> None:
    first, second = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
    write_findings(sample_findings(), first)
    write_findings(sample_findings(), second)
    assert first.read_bytes() == second.read_bytes()


def test_empty_findings_write_a_header_only(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    write_findings(findings.empty(), path)
    assert path.read_text(encoding="utf-8-sig").strip() == ",".join(findings.COLUMNS)


def test_unknown_suffix_names_the_supported_ones(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"\.csv.*\.parquet.*\.jsonl"):
        write_findings(sample_findings(), tmp_path / "f.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_findings_file_never_overwrites_an_input(tmp_path: Path) -> None:
    registry = tmp_path / "村.csv"
    registry.write_bytes(b"original")
    with pytest.raises(UsageError, match="输入文件"):
        write_findings(sample_findings(), registry, protected=[tmp_path / "." / "村.csv"])
    assert registry.read_bytes() == b"original"


def test_atomic_write_replaces_on_success_and_keeps_old_file_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "report.xlsx"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_write(target) as temporary:
        assert temporary.parent == tmp_path and temporary.suffix == ".xlsx" and temporary != target
        temporary.write_bytes(b"half")
        raise RuntimeError("boom")
    assert target.read_bytes() == b"old"
    assert list(tmp_path.iterdir()) == [target]
    with atomic_write(target) as temporary:
        temporary.write_bytes(b"new")
    assert target.read_bytes() == b"new"
    assert list(tmp_path.iterdir()) == [target]


def test_atomic_write_refuses_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="不存在"), atomic_write(tmp_path / "no" / "r.csv"):
        pass


def test_csv_never_carries_a_formula_for_excel(tmp_path: Path) -> None:
    frame = findings.make_findings([{"rule_id": "x", "kind": "data_error", "severity": "low", "name": "=HYPERLINK(\"http://x\")", "message": "-1"}])
    target = tmp_path / "f.csv"
    write_findings(frame, target)
    back = pd.read_csv(target, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    assert back.loc[0, "name"] == "'=HYPERLINK(\"http://x\")"
    assert back.loc[0, "message"] == "'-1"


def test_a_full_disk_while_writing_is_the_places_error_not_a_bug(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # ENOSPC while the findings were written was exit 3, "这是 fupin-audit 的缺陷 … 报告给维护者"
    import errno

    from typer.testing import CliRunner

    from fupin_audit.cli.app import app
    from fupin_audit.report import files

    def full(frame: pd.DataFrame, path: Path) -> None:
        path.write_text("半", encoding="utf-8")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setitem(files.WRITERS, ".csv", full)
    target = tmp_path / "findings.csv"
    target.write_text("昨天的问题清单", encoding="utf-8")
    example = Path(__file__).resolve().parents[1] / "examples" / "clean_village.xlsx"
    out = CliRunner().invoke(app, ["check", str(example), "--no-report", "--quiet", "--findings", str(target)])
    assert out.exit_code == 2, out.output
    assert "No space left on device" in out.stderr and "缺陷" not in out.stderr
    assert "原有的同名文件未改动" in out.stderr
    assert target.read_text(encoding="utf-8") == "昨天的问题清单"
    assert [p.name for p in tmp_path.iterdir()] == ["findings.csv"]  # the temporary file removed


def test_an_unexpected_os_error_is_still_raised_as_it_is(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError), atomic_write(tmp_path / "x.csv") as temporary:
        temporary.unlink()
        (tmp_path / "gone" / "y").read_text()
