"""The --json document equals the library result."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

from fupin_audit import findings
from fupin_audit.kinds import KIND_CODES
from fupin_audit.report import jsonout
from fupin_audit.report.jsonout import result_to_json
from test_report_fixtures import ID_PATTERN, make_result


def test_json_document_matches_the_result(tmp_path: Path) -> None:
    result = make_result(tmp_path)
    doc = json.loads(json.dumps(result_to_json(result, mask_ids=False), ensure_ascii=False))
    found = result.findings
    assert doc["version"] == "0.1.0"
    assert doc["as_of"] == "2020-12-31" and doc["as_of_source"] == "登记表年度"
    assert doc["inputs"] == [
        {"path": str(result.inputs[0].path), "sha256": "ab" * 32, "sheets": ["Sheet1"], "rows_read": 120,
         "rows_audited": 117, "rows_skipped": {"空行": 2, "合计行": 1}, "skipped_sheets": [],
         "unknown_columns": [], "duplicate_columns": [], "filled_cells": 0, "shared_households": [], "error": ""}
    ]
    counts = doc["counts"]
    assert counts["total"] == len(found) == len(doc["findings"])
    assert list(counts["by_kind"]) == list(KIND_CODES)
    assert {k: n for k, n in counts["by_kind"].items() if n} == found["kind"].value_counts().to_dict()
    assert counts["by_severity"] == {"high": 2, "medium": 1, "low": 1}
    assert counts["by_village"] == {"甲县/乙镇/丙村": 2, "甲县/丁镇/戊村": 1, "（空）/（空）/（空）": 1}
    assert doc["skipped_rules"] == [
        {"rule_id": "exit_without_signature", "title": "退出未签字确认", "reason": "缺少列", "missing_columns": ["签字确认"], "failed": False}
    ]
    for record, row in zip(doc["findings"], found.to_dict("records"), strict=True):
        assert isinstance(record["evidence"], dict)
        assert record == {**row, "evidence": json.loads(row["evidence"])}


def test_json_masks_every_id(tmp_path: Path) -> None:
    result = make_result(tmp_path)
    text = json.dumps(result_to_json(result, mask_ids=True), ensure_ascii=False)
    assert re.search(ID_PATTERN, text) is None
    assert "110101********8035" in text
    assert re.search(ID_PATTERN, json.dumps(result_to_json(result), ensure_ascii=False))


def test_json_with_no_findings(tmp_path: Path) -> None:
    doc = result_to_json(make_result(tmp_path, findings.empty()))
    assert doc["counts"]["total"] == 0 and doc["findings"] == [] and doc["counts"]["by_village"] == {}
    assert set(doc["counts"]["by_kind"].values()) == {0}


class _Writes(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def write(self, text: str) -> int:
        self.calls += 1
        return super().write(text)


def test_write_json_is_the_document_with_one_line_per_list_item(monkeypatch) -> None:
    monkeypatch.setattr(jsonout, "ITEMS_PER_WRITE", 4)
    findings = [{"rule_id": f"r{i}", "evidence": {"值": i, "文本": "含\n换行与\"引号\""}} for i in range(10)]
    document = {"version": "1", "counts": {"total": 10, "by_kind": {"data_error": 10}}, "inputs": [],
                "findings": findings, "note": "末尾"}
    stream = _Writes()
    jsonout.write_json(document, stream)
    text = stream.getvalue()
    assert json.loads(text) == document
    lines = text.splitlines()
    assert sum(line.startswith('  {"rule_id"') for line in lines) == 10  # each finding on its own line
    assert ' "counts": {' in lines and '  "total": 10,' in lines  # the rest indented
    assert ' "inputs": [],' in lines and text.endswith("}\n")
    assert stream.calls < 25  # written in pieces of ITEMS_PER_WRITE findings, not token by token
