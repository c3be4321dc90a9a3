"""Library side of ``fupin-audit rules list|show``: the rules as a table, one rule described."""

from __future__ import annotations

import difflib
import re

import pandas as pd

from ..errors import UsageError
from ..kinds import BY_CODE, SEVERITY_TITLES
from .model import Rule, RuleSet, YearTable
from .params import parameters_used

TABLE_COLUMNS = ("id", "title", "kind", "severity", "enabled", "scope", "requires", "sql", "parameters", "message", "basis")


def views_used(sql: str, ruleset: RuleSet) -> list[str]:
    """Derived views a piece of SQL reads, with the views those read (file order)."""
    names = [v.name for v in ruleset.derived]
    used: set[str] = set()
    pending = [sql]
    while pending:
        text = pending.pop()
        for view in ruleset.derived:
            if view.name not in used and re.search(rf"\b{re.escape(view.name)}\b", text):
                used.add(view.name)
                pending.append(view.sql)
    return [n for n in names if n in used]


def rule_parameters(rule: Rule, ruleset: RuleSet) -> tuple[list[str], list[str]]:
    """Parameters a rule's SQL calls itself, and those only the derived views it reads call."""
    direct = parameters_used(rule.sql, ruleset)
    views = "\n".join(v.sql for v in ruleset.derived if v.name in views_used(rule.sql, ruleset))
    return direct, [p for p in parameters_used(views, ruleset) if p not in direct]


def _parameters_cell(rule: Rule, ruleset: RuleSet) -> str:
    direct, via_views = rule_parameters(rule, ruleset)
    text = ", ".join(direct)
    if via_views:
        text += ("; " if text else "") + "经派生视图: " + ", ".join(via_views)
    return text


def rules_table(ruleset: RuleSet) -> pd.DataFrame:
    """One row per rule: id, title, kind, severity, enabled, scope (check: every audit; diff: only
    ``fupin-audit diff``), requires, sql, parameters, message, basis."""
    rows = [
        {
            "id": r.id, "title": r.title, "kind": r.kind, "severity": r.severity, "enabled": r.enabled, "scope": r.scope,
            "requires": ", ".join([*r.requires, *(f"{y}（基准年度的取值）" for y in r.requires_years)]), "sql": r.sql.strip(),
            "parameters": _parameters_cell(r, ruleset), "message": r.message, "basis": r.basis,
        }
        for r in ruleset.rules
    ]
    frame = pd.DataFrame(rows, columns=list(TABLE_COLUMNS))
    text = [c for c in TABLE_COLUMNS if c != "enabled"]
    frame[text] = frame[text].astype("str")
    frame["enabled"] = frame["enabled"].astype("boolean")
    return frame


def _parameter_text(name: str, ruleset: RuleSet) -> str:
    value = ruleset.parameters[name]
    if isinstance(value, YearTable):
        years = "，".join(f"{y}年 {v:g}" for y, v in sorted(value.values.items()))
        label = f"（{value.description}）" if value.description else ""
        return f"  {name}{label}：{years}\n    来源：{value.source}"
    if isinstance(value, list):
        return f"  {name}：{'、'.join(str(v) for v in value)}"
    return f"  {name}：{value}"


def describe_rule(ruleset: RuleSet, rule_id: str) -> str:
    """A rule in full for ``rules show``: header, basis, columns needed, parameters, views and SQL."""
    rule = ruleset.rule(rule_id)
    if rule is None:
        close = difflib.get_close_matches(rule_id, [r.id for r in ruleset.rules], n=5, cutoff=0.5)
        hint = f"相近的规则：{'、'.join(close)}" if close else "用 fupin-audit rules list 查看全部规则"
        raise UsageError(f"没有编号为 {rule_id} 的规则。{hint}")
    kind = BY_CODE[rule.kind]
    direct, via_views = rule_parameters(rule, ruleset)
    views = views_used(rule.sql, ruleset)
    lines = [
        f"{rule.id}：{rule.title}",
        f"类型：{kind.code}（{kind.title}）  严重程度：{rule.severity}（{SEVERITY_TITLES[rule.severity]}）"
        + ("" if rule.enabled else "  已停用"),
        f"依据：{rule.basis}",
        f"所需列：{'、'.join(rule.requires) or '（无）'}",
        *([f"所需参数年度：{'、'.join(rule.requires_years)} 须有基准年度的取值"] if rule.requires_years else []),
        f"消息模板：{rule.message}",
        "规则直接使用的参数：" + ("" if direct else "（无）"),
        *[_parameter_text(p, ruleset) for p in direct],
        f"派生视图：{'、'.join(views) or '（无）'}",
        *(["派生视图使用的参数："] + [_parameter_text(p, ruleset) for p in via_views] if via_views else []),
        "SQL：",
        rule.sql.rstrip(),
    ]
    return "\n".join(lines)
