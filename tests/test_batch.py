"""Auditing several files as one registry: folders, --keep-going, progress, logs, determinism."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from fupin_audit import audit
from fupin_audit.cli.app import app
from fupin_audit.errors import InputError

HEADER = "县,乡镇,行政村,户编号,姓名,证件号码,与户主关系,人数,脱贫属性,人均纯收入\n"
runner = CliRunner()


def village(folder: Path, name: str, rows: list[str]) -> Path:
    path = folder / name
    path.write_text(HEADER + "".join(f"{r}\n" for r in rows), encoding="utf-8")
    return path


def two_villages(folder: Path) -> None:
    folder.mkdir(exist_ok=True)
    village(folder, "甲村.csv", ["某县,某乡,甲村,H1,张三,11010119900307803X,户主,1,未脱贫,2000"])
    village(
        folder,
        "乙村.csv",
        [
            "某县,某乡,乙村,H2,张三,11010119900307803X,户主,2,未脱贫,2000",
            "某县,某乡,乙村,H2,李四,440308199901101512,之子,2,未脱贫,2000",
        ],
    )


def test_folder_is_audited_as_one_registry_and_duplicates_across_files_found(tmp_path: Path) -> None:
    two_villages(tmp_path / "county")
    result = audit(tmp_path / "county")
    duplicates = result.findings[result.findings["rule_id"] == "duplicate_person"]
    assert sorted(duplicates["household_id"]) == ["H1", "H2"]
    assert [i.path.name for i in result.inputs] == sorted(["甲村.csv", "乙村.csv"])
    assert sorted(duplicates["village"]) == sorted(["甲村", "乙村"])



def test_one_file_named_twice_in_other_ways_is_read_once(tmp_path: Path) -> None:
    county = tmp_path / "county"
    two_villages(county)
    first = county / "甲村.csv"
    (tmp_path / "链接.csv").symlink_to(first)
    (county / "._甲村.csv").write_bytes(b"\x00\x05\x16\x07 macOS metadata")  # AppleDouble, as copied from a Mac
    result = audit([first, tmp_path / "county" / ".." / "county" / "甲村.csv", tmp_path / "链接.csv", county])
    assert [i.path for i in result.inputs] == [first, county / "乙村.csv"]
    assert len(result.findings) == len(audit(county).findings)

def test_a_note_in_the_folder_is_left_out_but_tables_saved_as_text_are_read(tmp_path: Path) -> None:
    county = tmp_path / "county"
    two_villages(county)
    (county / "说明.txt").write_text("丙村的花名册由村会计整理, 2020年3月报送。\n如有疑问请联系乡扶贫办.\n", encoding="utf-8")
    unicode_text = HEADER.replace(",", "\t") + "某县\t某乡\t丙村\tH3\t王五\t440308199901101512\t户主\t1\t未脱贫\t2000\n"
    (county / "丙村.txt").write_bytes(unicode_text.encode("utf-16"))  # Excel's "Unicode text" export
    (county / "丁村.tsv").write_text(unicode_text.replace("丙村", "丁村").replace("H3", "H4"), encoding="utf-8")
    result = audit(county)
    assert [i.path.name for i in result.inputs] == sorted(["甲村.csv", "乙村.csv", "丙村.txt", "丁村.tsv"])
    assert sorted(result.registry.households["行政村"]) == sorted(["甲村", "乙村", "丙村", "丁村"])
    with pytest.raises(InputError, match="说明.txt"):  # named, it is read (and is no registry)
        audit(county / "说明.txt")


def test_last_runs_outputs_in_the_folder_are_not_read_as_registries(tmp_path: Path) -> None:
    county = tmp_path / "county"
    two_villages(county)
    outputs = ["--report", str(county / "报告.xlsx"), "--findings", str(county / "问题.csv")]
    first = runner.invoke(app, ["check", str(county), *outputs, "--quiet", "--fail-on", "never"])
    assert first.exit_code == 0, first.output
    runner.invoke(app, ["check", str(county), "--no-report", "--findings", str(county / "问题.parquet"),
                        "--quiet", "--fail-on", "never"])
    assert {p.name for p in county.iterdir()} == {"甲村.csv", "乙村.csv", "报告.xlsx", "问题.csv", "问题.parquet"}
    again = runner.invoke(app, ["check", str(county), *outputs, "--quiet", "--fail-on", "never"])
    assert again.exit_code == 0, again.output
    result = audit(county)
    assert [i.path.name for i in result.inputs] == sorted(["甲村.csv", "乙村.csv"])
    assert len(result.findings) == len(audit([county / "甲村.csv", county / "乙村.csv"]).findings)


def test_keep_going_skips_an_unreadable_file_but_exit_code_says_so(tmp_path: Path) -> None:
    two_villages(tmp_path / "county")
    (tmp_path / "county" / "坏.xlsx").write_bytes(b"PK\x03\x04 truncated")
    result = runner.invoke(app, ["check", str(tmp_path / "county"), "--no-report", "--quiet"])
    assert result.exit_code == 2 and "坏.xlsx" in result.stderr
    report = tmp_path / "r.xlsx"
    result = runner.invoke(
        app, ["check", str(tmp_path / "county"), "--keep-going", "--report", str(report), "--quiet"]
    )
    assert result.exit_code == 2
    assert "坏.xlsx" in result.stderr and "已跳过" in result.stderr
    assert report.exists()


def test_every_unreadable_file_of_a_folder_is_named_at_once(tmp_path: Path) -> None:
    """Without --keep-going a county folder with three bad files says so for all three in one run, not
    one per run; each with its own reason."""
    two_villages(tmp_path / "county")
    (tmp_path / "county" / "坏.xlsx").write_bytes(b"PK\x03\x04 truncated")
    (tmp_path / "county" / "坏.parquet").write_bytes(b"PAR1 not really")
    (tmp_path / "county" / "汇总.csv").write_text("乡镇,户数\n梧桐花镇,3\n", encoding="utf-8")
    result = runner.invoke(app, ["check", str(tmp_path / "county"), "--no-report", "--quiet"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("错误：3 个文件无法读取") and "--keep-going" in lines[0]
    named = {name: line for line in lines[1:] for name in ("坏.xlsx", "坏.parquet", "汇总.csv") if name in line}
    assert len(named) == 3 == len(lines) - 1
    assert "缺少必需的列" in named["汇总.csv"]


def test_no_progress_bar_when_output_is_not_a_terminal(tmp_path: Path) -> None:
    two_villages(tmp_path / "county")
    result = runner.invoke(app, ["check", str(tmp_path / "county"), "--no-report", "--fail-on", "never"])
    assert result.exit_code == 0
    assert "读取" not in result.stderr and "━" not in result.stderr


def test_log_has_one_line_per_phase_and_no_personal_data(tmp_path: Path) -> None:
    two_villages(tmp_path / "county")
    log = tmp_path / "run.log"
    runner.invoke(app, ["check", str(tmp_path / "county"), "--no-report", "--quiet", "--log", str(log)])
    lines = log.read_text(encoding="utf-8").splitlines()
    assert [line.split("\t")[1] for line in lines if "\tphase=" in line] == ["phase=读取", "phase=校验", "phase=规则", "phase=写出"]
    text = log.read_text(encoding="utf-8")
    assert "张三" not in text and "11010119900307803X" not in text and "H1" not in text


def test_same_input_gives_byte_identical_findings_files(tmp_path: Path) -> None:
    two_villages(tmp_path / "county")
    outputs = []
    for name in ("a.csv", "b.csv", "a.parquet", "b.parquet"):
        target = tmp_path / name
        runner.invoke(app, ["check", str(tmp_path / "county"), "--no-report", "--quiet", "--findings", str(target)])
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1] and outputs[2] == outputs[3]
    assert len(outputs[0]) > 100
