"""A county folder as an audit team gets it: villages in different layouts, stray files, bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from fupin_audit import audit
from fupin_audit.cli.app import app

runner = CliRunner()

FLAT = "县,乡镇,行政村,户编号,姓名,证件号码,与户主关系,人数,脱贫属性,脱贫年度,人均纯收入\n"


def flat_village(path: Path) -> Path:
    """甲村, flat CSV: H1 exited below the line (exit_income_below_line), two members."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        FLAT
        + "某县,某乡,甲村,H1,张三,11010119900307803X,户主,2,已脱贫,2019,2000\n"
        + "某县,某乡,甲村,H1,张四,440308199901101512,之子,2,已脱贫,2019,2000\n",
        encoding="utf-8",
    )
    return path


def two_sheet_village(path: Path) -> Path:
    """乙村, 户信息 + 人员信息 workbook: H2, one member."""
    path.parent.mkdir(parents=True, exist_ok=True)
    households = pd.DataFrame(
        {"县": ["某县"], "乡镇": ["某乡"], "行政村": ["乙村"], "户编号": ["H2"], "家庭人口数": ["1"],
         "脱贫属性": ["未脱贫"], "人均纯收入": ["2000"]}
    )
    members = pd.DataFrame({"户编号": ["H2"], "姓名": ["李五"], "证件号码": ["110101198001010014"], "与户主关系": ["户主"]})
    with pd.ExcelWriter(path) as writer:
        households.to_excel(writer, sheet_name="户信息", index=False)
        members.to_excel(writer, sheet_name="人员信息", index=False)
    return path


def test_flat_villages_beside_a_two_sheet_workbook_keep_their_households(tmp_path: Path) -> None:
    county = tmp_path / "县"
    flat_village(county / "某乡" / "甲村.csv")
    two_sheet_village(county / "某乡" / "乙村.xlsx")
    result = audit(county)
    households = result.registry.households
    assert sorted(households["户编号"]) == ["H1", "H2"]
    assert households.set_index("户编号").loc["H1", "户主姓名"] == "张三"
    assert len(result.registry.members) == 3
    rules = set(result.findings["rule_id"])
    assert "orphan_member" not in rules
    assert "exit_income_below_line" in rules
    # the same as auditing each village alone
    alone = pd.concat([audit(county / "某乡" / "甲村.csv").findings, audit(county / "某乡" / "乙村.xlsx").findings])
    assert sorted(result.findings["finding_id"]) == sorted(alone["finding_id"])


def test_a_member_file_exported_apart_from_its_household_file_is_still_joined(tmp_path: Path) -> None:
    county = tmp_path / "县"
    county.mkdir()
    pd.DataFrame({"行政村": ["乙村"], "户编号": ["H2"], "家庭人口数": ["1"]}).to_excel(county / "户信息.xlsx", index=False)
    pd.DataFrame({"户编号": ["H2", "H9"], "姓名": ["李五", "王六"], "与户主关系": ["户主", "户主"]}).to_excel(
        county / "人员信息.xlsx", index=False
    )
    result = audit(county)
    assert [i.shared_households for i in result.inputs] == [(), ()]  # apart, as exported: no warning
    assert list(result.registry.households["户编号"]) == ["H2"]
    assert list(result.registry.members["行政村"].fillna("")) == ["乙村", ""]
    assert list(result.findings.loc[result.findings["rule_id"] == "orphan_member", "household_id"]) == ["H9"]


def test_keep_going_skips_a_summary_workbook_without_registry_columns(tmp_path: Path) -> None:
    county = tmp_path / "县"
    flat_village(county / "某乡" / "甲村.csv")
    pd.DataFrame({"乡镇": ["某乡"], "行政村": ["甲村"], "户数": [1], "人数": [2]}).to_excel(county / "各村汇总.xlsx", index=False)
    stopped = runner.invoke(app, ["check", str(county), "--no-report"])
    assert stopped.exit_code == 2
    assert "各村汇总.xlsx" in stopped.stderr and "户编号" in stopped.stderr
    went_on = runner.invoke(app, ["check", str(county), "--no-report", "--keep-going", "--fail-on", "never"])
    assert went_on.exit_code == 2, went_on.stderr
    assert "各村汇总.xlsx" in went_on.stderr and "已跳过" in went_on.stderr
    assert "exit_income_below_line" in went_on.stdout or "错退" in went_on.stdout
    result = audit(county, keep_going=True)
    assert sorted(result.registry.households["户编号"]) == ["H1"]
    assert {i.path.name: bool(i.error) for i in result.inputs} == {"甲村.csv": False, "各村汇总.xlsx": True}


def test_an_unreadable_file_is_named_with_its_township_folder(tmp_path: Path) -> None:
    county = tmp_path / "县"
    flat_village(county / "甲乡" / "花名册.csv")
    (county / "乙乡").mkdir()
    (county / "乙乡" / "花名册.xlsx").write_bytes(b"PK\x03\x04 damaged")
    went_on = runner.invoke(app, ["check", str(county), "--no-report", "--keep-going"])
    assert went_on.exit_code == 2
    assert str(Path("乙乡") / "花名册.xlsx") in went_on.stderr
    stopped = runner.invoke(app, ["check", str(county), "--no-report"])
    assert stopped.exit_code == 2 and str(Path("乙乡") / "花名册.xlsx") in stopped.stderr


def test_a_village_exported_twice_is_named(tmp_path: Path) -> None:
    county = tmp_path / "县"
    old = flat_village(county / "某乡" / "甲村_旧.csv")
    new = flat_village(county / "某乡" / "甲村.csv")
    flat_village(county / "某乡" / "乙村.csv").write_text(FLAT + "某县,某乡,乙村,H7,赵七,110101197001010012,户主,1,未脱贫,,2000\n")
    result = audit(county)
    shared = {i.path.name: i.shared_households for i in result.inputs}
    assert shared == {"甲村.csv": ((old, 1),), "甲村_旧.csv": ((new, 1),), "乙村.csv": ()}
    out = runner.invoke(app, ["check", str(county), "--no-report", "--fail-on", "never"])
    assert out.exit_code == 0
    warnings = [line for line in out.stderr.splitlines() if "相同的户编号" in line]
    assert len(warnings) == 1 and "甲村_旧.csv" in warnings[0] and "甲村.csv" in warnings[0]
    assert "只保留一份" in out.stdout  # the summary's 说明 column
    document = json.loads(runner.invoke(app, ["check", str(county), "--no-report", "--fail-on", "never", "--json"]).stdout)
    by_name = {Path(i["path"]).name: i["shared_households"] for i in document["inputs"]}
    assert by_name == {"甲村.csv": [{"path": str(old), "households": 1}],
                       "甲村_旧.csv": [{"path": str(new), "households": 1}], "乙村.csv": []}


def test_a_two_sheet_workbook_exported_twice_counts_each_household_once(tmp_path: Path) -> None:
    county = tmp_path / "县"
    first = two_sheet_village(county / "乙村.xlsx")
    second = two_sheet_village(county / "乙村_新.xlsx")
    shared = {i.path: i.shared_households for i in audit(county).inputs}
    assert shared == {first: ((second, 1),), second: ((first, 1),)}


def test_finding_the_header_does_not_hash_the_field_catalogue_for_every_cell(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """300 small village files took 25 s to read, 0.1 s of each spent hashing the ~70 fields of the
    catalogue once per cell of the top rows (the key of the header matcher's cache)."""
    from fupin_audit.fields import Field
    from fupin_audit.io.layout import find_header

    hashed = 0
    original = Field.__hash__

    def counting(self: Field) -> int:
        nonlocal hashed
        hashed += 1
        return original(self)

    monkeypatch.setattr(Field, "__hash__", counting)
    header = ["户编号", "姓名", "证件号码", "与户主关系", *(f"备注{i}" for i in range(36))]
    rows = [header, *([f"H{r}", f"人{r}", f"1101011990{r:08d}", "户主", *(f"值{r}-{i}" for i in range(36))] for r in range(29))]
    found = find_header(rows)
    assert found is not None and found.index == 0
    assert hashed < 1_000  # was 144,668 (every cell of the top rows × the catalogue)


def test_a_household_sheet_without_location_takes_it_from_its_members(tmp_path: Path) -> None:
    path = tmp_path / "两表.xlsx"
    households = pd.DataFrame({"户编号": ["H1"], "家庭人口数": ["1"], "脱贫属性": ["已脱贫"], "脱贫年度": ["2019"],
                               "人均纯收入": ["2000"], "年度": ["2019"]})
    members = pd.DataFrame({"县": ["某县"], "乡镇": ["某乡"], "行政村": ["甲村"], "户编号": ["H1"], "姓名": ["张三"],
                            "证件号码": ["11010119900307803X"], "与户主关系": ["户主"]})
    with pd.ExcelWriter(path) as writer:
        households.to_excel(writer, sheet_name="户信息", index=False)
        members.to_excel(writer, sheet_name="人员信息", index=False)
    result = audit(path)
    assert list(result.registry.households.columns[:4]) == ["县", "乡镇", "行政村", "户编号"]
    found = result.findings[result.findings["rule_id"] == "exit_income_below_line"]
    assert found[["county", "township", "village"]].values.tolist() == [["某县", "某乡", "甲村"]]


def test_files_in_a_hidden_folder_are_not_read(tmp_path: Path) -> None:
    county = tmp_path / "县"
    flat_village(county / "某乡" / "甲村.csv")
    flat_village(county / ".Trash-1000" / "files" / "甲村.csv")  # deleted from the USB stick, still there
    result = audit(county)
    assert [i.path.name for i in result.inputs] == ["甲村.csv"]
    assert "duplicate_in_household" not in set(result.findings["rule_id"])


def other_village(path: Path) -> Path:
    """丙村, flat CSV like 甲村 (H3 exited below the line), under the same file name in another folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(FLAT + "某县,另乡,丙村,H3,王六,360426199101010071,户主,1,已脱贫,2019,2000\n", encoding="utf-8")
    return path


def test_files_of_one_name_in_two_folders_are_told_apart_in_the_source(tmp_path: Path) -> None:
    """Every township folder may hold its own 花名册.csv: 来源 said 花名册.csv:2 for both, so nobody
    could tell which file to open."""
    flat_village(tmp_path / "县" / "某乡" / "花名册.csv")
    other_village(tmp_path / "县" / "另乡" / "花名册.csv")
    flat_village(tmp_path / "县" / "单独" / "甲村.csv").write_text(
        FLAT + "某县,某乡,丁村,H4,赵七,110101199003078035,户主,1,已脱贫,2019,2000\n", encoding="utf-8")
    found = audit(tmp_path / "县").findings
    below = found[found["rule_id"] == "exit_income_below_line"].set_index("household_id")["source"]
    assert below.to_dict() == {"H1": "某乡/花名册.csv:2", "H3": "另乡/花名册.csv:2", "H4": "甲村.csv:2"}
    # one file alone keeps its name
    alone = audit(tmp_path / "县" / "某乡" / "花名册.csv").findings
    assert set(alone.loc[alone["rule_id"] == "exit_income_below_line", "source"]) == {"花名册.csv:2"}


def test_a_finding_of_a_file_shown_by_its_path_is_unchecked_when_that_file_is_not_read(tmp_path: Path) -> None:
    from fupin_audit.report.files import write_findings

    first = flat_village(tmp_path / "县" / "某乡" / "花名册.csv")
    first.write_text(first.read_text(encoding="utf-8").replace("440308199901101512", "440308199901101513"),
                     encoding="utf-8")  # a wrong check character: a finding on that row alone (id_check_digit)
    other_village(tmp_path / "县" / "另乡" / "花名册.csv")
    earlier = tmp_path / "earlier.csv"
    write_findings(audit(tmp_path / "县").findings, earlier)
    first.write_bytes(b"\x00\x01 not a table")  # 某乡's file is damaged this time
    result = audit(tmp_path / "县", baseline=earlier, keep_going=True)
    gone = result.resolved.set_index("rule_id")
    assert gone.loc["id_check_digit", "source"] == "某乡/花名册.csv:3"
    assert gone.loc["id_check_digit", "change"] == "未复核"  # not 已整改: its file was not read
