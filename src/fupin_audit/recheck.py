"""Whether an earlier finding that no longer occurs was re-checked (--baseline).

A finding is gone because the problem was put right only if its check ran this time over its file.
When its rule did not run (a reference list or a column missing now, the rule removed, renamed or
disabled in the rules file), its file could not be read (``--keep-going``) or was not among this
audit's files at all (a village's file missing from the folder tonight), nothing was checked: the
finding is 未复核 (not re-checked), never 已整改 — staff would record unchecked problems as
rectified. A household audited this time under another file's name (the file renamed or re-exported)
was re-checked.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from .io.reader import SUPPORTED
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
    read: tuple[str, ...] | None = None
    """Names of the files read this time; None: not known (every earlier file counts as read)."""
    households: frozenset[str] = frozenset()
    """户编号 audited this time: a household here was re-checked, whichever file it was in."""

    @classmethod
    def of(
        cls,
        ruleset: RuleSet,
        skipped: Iterable[SkippedRule],
        inputs: Iterable[InputFile],
        columns: Iterable[str] = (),
        households: Iterable[str] | None = None,
    ) -> Coverage:
        """``households``: the 户编号 audited this time; given, an earlier finding of a file that is not
        among ``inputs`` (and of a household not among them) is 未复核."""
        not_run = {rule.rule_id: rule.reason for rule in skipped}
        enabled = {rule.id for rule in ruleset.enabled_rules()}
        inputs = list(inputs)
        return cls(
            not_run=not_run,
            ran=frozenset((enabled - set(not_run)) | BUILTIN_CHECKS),
            unread=tuple(item.path.name for item in inputs if item.error),
            columns=frozenset(columns),
            read=None if households is None else tuple(item.path.name for item in inputs if not item.error),
            households=frozenset(households or ()),
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
        sources = found["source"].fillna("").astype("str")
        out = pd.Series("", index=found.index, dtype="str")
        files = file_names(sources)
        # a file of the same name in another folder counts too, and so does one shown by its path
        # (reading.shown_names: 乐业镇/花名册.xlsx is 花名册.xlsx)
        named = files.str.rsplit("/", n=1).str[-1]
        unread = named.isin(self.unread).fillna(False).astype(bool)
        out = out.where(~unread, "文件 " + named.fillna("") + " 本次未能读取")
        gone = self._not_given(found, sources, named, out)
        out = out.where(~gone, "文件 " + files.fillna("") + " 不在本次核查的文件中")
        absent = list(dict.fromkeys(files[gone]))
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
        if self.unread or absent:
            # Every other check compares rows with rows (members with their household, a household with
            # its village, an ID with every other): the rows of a file unread or not given were missing from it.
            compared = out.eq("") & ~rules.isin(ROW_CHECKS)
            missing = [f"未能读取 {_listed(self.unread)}"] if self.unread else []
            missing += [f"没有核查 {_listed(absent)}"] if absent else []
            text = f"本次{'，'.join(missing)}，与其中各行的比对不完整"
            out = out.where(~compared, text)
        return out

    def _not_given(self, found: pd.DataFrame, sources: pd.Series, named: pd.Series, out: pd.Series) -> pd.Series:
        """Findings (with no reason yet) of a file that was not among this audit's files, on a household
        not audited this time either (``named``: each source's file name, ``file_names``' last part)."""
        if self.read is None:
            return pd.Series(False, index=found.index)
        given = sources.eq("") | named.isna() | named.isin(self.read)
        audited = found["household_id"].astype("str").isin(self.households)
        return (~given & ~audited & out.eq("")).fillna(False).astype(bool)


_FILE_NAME = r"^(.*?(?:" + "|".join(re.escape(s) for s in SUPPORTED) + r"))(?::|$)"


def file_names(sources: pd.Series) -> pd.Series:
    """The file of each ``file:sheet:row`` source (a name may itself hold ":"; it ends with a suffix the
    readers take), missing where none does."""
    return sources.str.extract(f"(?i){_FILE_NAME}", expand=False)


def _listed(names: Sequence[str], most: int = 5) -> str:
    """File names for a reason shown beside every finding: a county folder may miss hundreds."""
    shown = "、".join(names[:most])
    return shown if len(names) <= most else f"{shown} 等 {len(names)} 个文件"
