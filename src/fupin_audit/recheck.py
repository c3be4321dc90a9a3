"""Whether an earlier finding that no longer occurs was re-checked (--baseline).

A finding is gone because the problem was put right only if its check ran this time over its file.
When its rule did not run (a reference list or a column missing now, the rule removed, renamed or
disabled in the rules file) or its file could not be read (``--keep-going``), nothing was checked:
the finding is 未复核 (not re-checked), never 已整改 — staff would record unchecked problems as
rectified.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from .result import InputFile, SkippedRule
from .rules.model import RuleSet
from .schema.catalog import BUILT_IN

ROW_CHECKS: frozenset[str] = frozenset({
    # ID numbers (schema/ids.py)
    "id_missing", "id_excel_number", "id_chars", "id_length", "id_birth_date", "id_future_birth",
    "id_check_digit", "id_15_digit",
    # column values (schema/values.py, io/normalize.py)
    "vocabulary", "negative_income", "unreadable_value",
    # two columns of one member row (schema/members.py)
    "relation_sex", "sex_mismatch",
})
"""Built-in checks that look at one row alone: what another file holds cannot change their outcome."""

BUILTIN_CHECKS: frozenset[str] = frozenset(BUILT_IN)
"""Rule ids of the built-in data checks: not in the rules file, run on every audit."""

BUILTIN_COLUMNS: dict[str, tuple[str, ...]] = {
    "head_missing": ("与户主关系",), "head_multiple": ("与户主关系",), "relation_sex": ("与户主关系",),
    "sex_mismatch": ("性别",), "size_mismatch": ("家庭人口数",), "income_arithmetic": ("人均纯收入",),
}
"""Columns a built-in check needs besides 户编号 and 证件号码: a registry without one is not checked by it."""

COLUMN_KEYS = ("列", "column")
"""Evidence keys naming the one column a built-in finding is about (vocabulary, negative_income,
household_conflict, unreadable_value): a registry without that column was not checked for it."""


@dataclass(frozen=True)
class Coverage:
    """What this audit checked: why each rule id that did not run did not, and the files not read."""

    not_run: dict[str, str]
    """Rule id → why it did not run (skipped this time); rules absent from the rule set are not listed."""
    ran: frozenset[str]
    """Rule ids that ran: the rule set's enabled rules not skipped, and the built-in checks."""
    unread: tuple[str, ...]
    """Names of the files that could not be read (a finding's ``source`` starts with its file's name)."""
    columns: frozenset[str] = frozenset()
    """The registry's columns this time (households and members), for the built-in checks' columns."""

    @classmethod
    def of(
        cls, ruleset: RuleSet, skipped: Iterable[SkippedRule], inputs: Iterable[InputFile], columns: Iterable[str] = ()
    ) -> Coverage:
        not_run = {rule.rule_id: rule.reason for rule in skipped}
        enabled = {rule.id for rule in ruleset.enabled_rules()}
        return cls(
            not_run=not_run,
            ran=frozenset((enabled - set(not_run)) | BUILTIN_CHECKS),
            unread=tuple(item.path.name for item in inputs if item.error),
            columns=frozenset(columns),
        )

    def missing_column(self, rule: str, evidence: str) -> str | None:
        """The column a built-in finding needs that the registry lacks this time, if any."""
        needed = list(BUILTIN_COLUMNS.get(rule, ()))
        if rule in BUILTIN_CHECKS and any(f'"{key}"' in evidence for key in COLUMN_KEYS):
            try:
                values = json.loads(evidence)
            except ValueError:
                values = {}
            needed += [str(values[key]) for key in COLUMN_KEYS if isinstance(values, dict) and key in values]
        return next((column for column in needed if column not in self.columns), None)

    def reasons(self, found: pd.DataFrame) -> pd.Series:
        """For each finding of ``found`` (findings columns), why it was not re-checked this time; ""
        where it was (its rule ran over the whole registry)."""
        rules = found["rule_id"].astype("str")
        sources = found["source"].astype("str")
        out = pd.Series("", index=found.index, dtype="str")
        for name in self.unread:
            # ``file:sheet:row`` or ``file:row`` (findings.source_text); a name may itself hold ":".
            # A file read under the same name as an unread one (another folder) is counted unread too,
            # and so is one shown by its path (reading.shown_names: 乐业镇/花名册.xlsx).
            from_file = (sources.eq(name) | sources.str.startswith(name + ":") | sources.str.endswith("/" + name)
                         | sources.str.contains("/" + name + ":", regex=False))
            out = out.where(~from_file | out.ne(""), f"文件 {name} 本次未能读取")
        if self.columns:
            evidence = found["evidence"].astype("str")
            for i in found.index[out.eq("") & rules.isin(BUILTIN_CHECKS)]:
                column = self.missing_column(rules[i], evidence[i])
                if column is not None:
                    out[i] = f"本次登记表没有 {column} 列，检查 {rules[i]} 未能执行"
        for rule in set(rules[out.eq("") & ~rules.isin(self.ran)]):
            why = self.not_run.get(rule)
            text = f"规则 {rule} 本次未执行：{why}" if why else f"规则 {rule} 不在本次规则文件的启用规则中（已删除、改名或停用）"
            out = out.where(rules.ne(rule) | out.ne(""), text)
        if self.unread:
            # Every other check compares rows with rows (members with their household, a household with
            # its village, an ID with every other): the rows of an unread file were missing from it.
            compared = out.eq("") & ~rules.isin(ROW_CHECKS)
            text = f"本次未能读取 {'、'.join(self.unread)}，与其中各行的比对不完整"
            out = out.where(~compared, text)
        return out
