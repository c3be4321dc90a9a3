"""Evidence is JSON that any reader accepts (jq, JavaScript, a strict parser), in every output."""

from __future__ import annotations

import json

from fupin_audit.findings import evidence_json
from fupin_audit.rules import Rule, RuleSet, run_rules
from test_rules_support import AS_OF, household, member, registry


def _strict(text: str) -> object:
    """``json.loads`` as jq, JavaScript or any RFC 8259 reader: NaN and Infinity are not JSON."""

    def refuse(constant: str) -> object:
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def test_a_rules_nan_or_infinite_value_is_null_in_the_evidence():
    sql = """SELECT 户编号, 'nan'::DOUBLE AS 比值, 'inf'::DOUBLE AS 上限, '-inf'::FLOAT AS 下限, 1.5::DOUBLE AS 收入
             FROM households"""
    rule = Rule(id="ratios", title="测试规则", kind="data_error", severity="low", sql=sql, message="{比值}", basis="测试")
    found = run_rules(RuleSet(version=1, rules=[rule]), registry([household("H1")], [member("H1", "P1")]), AS_OF).findings
    assert len(found) == 1
    assert _strict(found.iloc[0]["evidence"]) == {"比值": None, "上限": None, "下限": None, "收入": 1.5}


def test_python_evidence_with_nan_is_json():
    text = evidence_json({"差额": float("nan"), "各项": [float("-inf"), 2.0], "明细": {"上限": float("inf")}})
    assert _strict(text) == {"差额": None, "各项": [None, 2.0], "明细": {"上限": None}}
    assert evidence_json({"收入": 1.5, "名单": ["甲"]}) == '{"名单": ["甲"], "收入": 1.5}'  # unchanged otherwise


def test_nan_inside_a_rules_list_or_struct_is_null_and_text_spelling_nan_is_kept():
    sql = """SELECT 户编号, ['nan'::DOUBLE, 1.5] AS 各项, {'上限': 'inf'::DOUBLE, '说明': 'NaN,Infinity'} AS 明细
             FROM households"""
    rule = Rule(id="lists", title="测试规则", kind="data_error", severity="low", sql=sql, message="x", basis="测试")
    found = run_rules(RuleSet(version=1, rules=[rule]), registry([household("H1")], [member("H1", "P1")]), AS_OF).findings
    assert _strict(found.iloc[0]["evidence"]) == {"各项": [None, 1.5], "明细": {"上限": None, "说明": "NaN,Infinity"}}
