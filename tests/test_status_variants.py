"""Status spellings seen in real exports count as exited or not exited, without vocabulary noise."""

from __future__ import annotations

from pathlib import Path

import pytest

from fupin_audit import audit

HEADER = "行政村,户编号,姓名,证件号码,与户主关系,人数,脱贫属性,脱贫年度,人均纯收入,年度\n"


@pytest.mark.parametrize("status", ["已脱贫（享受政策）", "脱贫户(不享受政策)", "稳定脱贫户", "已脫貧"])
def test_exited_spellings_are_exits(tmp_path: Path, status: str) -> None:
    path = tmp_path / "村.csv"
    path.write_text(HEADER + f"甲村,H1,张三,11010119900307803X,户主,1,{status},2019,3000,2019\n", encoding="utf-8")
    found = audit(path).findings
    assert "exit_income_below_line" in set(found["rule_id"])
    assert "vocabulary" not in set(found["rule_id"])
