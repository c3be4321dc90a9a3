"""A hand-built AuditResult shared by the report tests (imported as ``test_report_fixtures``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from fupin_audit import findings
from fupin_audit.registry import Registry
from fupin_audit.result import AuditResult, InputFile, SkippedRule
from fupin_audit.rules.catalog import TABLE_COLUMNS

ID_A = "110101199003078035"
ID_B = "11010519491231002X"
ID_15 = "110101900307803"
ID_PATTERN = r"(?<![0-9])([0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9])"


def sample_findings() -> pd.DataFrame:
    rows = [
        {"rule_id": "exit_income_below_line", "kind": "wrongful_exit", "severity": "high", "county": "甲县",
             "township": "乙镇", "village": "丙村", "household_id": "H001", "person_id": "", "name": "=HYPERLINK(\"x\")",
             "message": "人均纯收入 2500 元低于 2019 年贫困线 3747 元", "evidence": {"人均纯收入": 2500, "贫困线": 3747},
             "source": "花名册.xlsx:Sheet1:3"},
        {"rule_id": "duplicate_person", "kind": "duplicate_person", "severity": "high", "county": "甲县",
             "township": "乙镇", "village": "丙村", "household_id": "H002", "person_id": ID_A, "name": "张三",
             "message": f"证件号码 {ID_A} 同时出现在户 H003", "evidence": {"证件号码": ID_A, "其他户": ["H003"]},
             "source": "花名册.xlsx:Sheet1:7"},
        {"rule_id": "id_15_digit", "kind": "data_error", "severity": "low", "county": "甲县", "township": "丁镇",
             "village": "戊村", "household_id": "H004", "person_id": ID_B, "name": "<r>李四</r>",
             "message": f"15 位证件号码 {ID_15} 已升为 18 位 {ID_B}", "evidence": {"原值": ID_15},
             "source": f"{ID_A}名单.csv:12"},
        {"rule_id": "size_mismatch", "kind": "data_error", "severity": "medium", "county": "", "township": "",
             "village": "", "household_id": "H005", "person_id": "", "name": "王五", "message": "家庭人口数 4 与成员 3 人不符",
             "evidence": {"家庭人口数": 4, "成员数": 3}, "source": "花名册.xlsx:Sheet1:20"},
    ]
    return findings.combine([findings.make_findings(rows)])


def make_result(tmp_path: Path, found: pd.DataFrame | None = None) -> AuditResult:
    registry_file = tmp_path / "花名册.xlsx"
    registry_file.write_bytes(b"input")
    rules_file = tmp_path / "rules.yaml"
    rules_file.write_text("rules: []\n", encoding="utf-8")
    empty = pd.DataFrame()
    return AuditResult(
        registry=Registry(households=empty, members=empty, problems=findings.empty()),
        findings=sample_findings() if found is None else found,
        as_of=dt.date(2020, 12, 31),
        as_of_source="登记表年度",
        inputs=[InputFile(registry_file, "ab" * 32, ("Sheet1",), 120, 117, {"空行": 2, "合计行": 1})],
        rules_path=rules_file,
        rules_sha256="cd" * 32,
        rules_table=pd.DataFrame(
            {"id": ["exit_income_below_line"], "title": ["已脱贫户收入低于贫困线"], "kind": ["wrongful_exit"],
             "severity": ["high"], "scope": ["check"], "requires": ["households.人均纯收入"],
             "sql": ["SELECT *\nFROM households"], "parameters": ['{"line": 3747}'],
             "message": ["人均纯收入{人均纯收入}元"], "basis": ["国开办发〔2017〕56号"]},
            dtype="str",
        ).assign(enabled=pd.array([True], dtype="boolean"))[list(TABLE_COLUMNS)],
        parameters={"poverty_line": {2019: 3747, 2020: 4000}, "monitoring_range": {2021: 6000},
                    "exempt_vehicles": ["三轮车", "农用车"], "public_notice_days": 7},
        skipped_rules=[SkippedRule("exit_without_signature", "退出未签字确认", "缺少列", ("签字确认",))],
        references=pd.DataFrame({"名单": ["payroll"], "文件": ["财政供养.xlsx"], "行数": [10], "匹配人数": [1]}),
        reference_matches={
            "payroll": pd.DataFrame(
                {"证件号码": [ID_A], "姓名": ["张三"], "单位": ["某局"], "入编日期": pd.to_datetime(["2015-03-01"]),
                 "说明": [f"名单行 2，证件号码 {ID_B}"]}
            ).astype({"证件号码": "str", "姓名": "str", "单位": "str", "说明": "str"}),
        },
        started=dt.datetime(2024, 5, 6, 7, 8, 9),
        version="0.1.0",
    )


def test_sample_findings_follow_the_contract() -> None:
    frame = sample_findings()
    assert tuple(frame.columns) == findings.COLUMNS
    assert len(frame) == 4
    assert all(frame[c].dtype == "str" for c in findings.COLUMNS)
