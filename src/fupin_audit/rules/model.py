"""The rules file as pydantic models: parameters, derived views and rules (see rules.yaml)."""

from __future__ import annotations

import datetime as dt
import re
import string
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from ..kinds import KIND_CODES, SEVERITIES
from .refspec import ReferenceList

IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")
"""Rule ids, parameter names and derived view names: lower-case SQL identifiers."""

DIFF_TABLES = ("changes", "old_households", "old_members")
"""Tables only ``scope: diff`` rules see (``fupin-audit diff``): the changes between two snapshots
and the older snapshot's registry (the newer one is ``households`` / ``members``)."""

RESERVED_NAMES = frozenset({"as_of", "as_of_year", "has_column", "contains_any", "households", "members", *DIFF_TABLES})
"""Macro and table names the engine defines itself; parameters and views may not take them."""

SCOPES = ("check", "diff")
CHOICES: dict[str, tuple[str, tuple[str, ...]]] = {
    "scope": (" scope", SCOPES),
    "kind": ("问题类型", KIND_CODES),
    "severity": ("严重程度", SEVERITIES),
}
"""Fields of a rule limited to a list of values: what to call the field in a message, and the list."""
"""``check``: run on one registry (check and diff's newer snapshot); ``diff``: run only by diff."""


class YearTable(BaseModel):
    """A value per year (poverty line, monitoring range), available to SQL as ``name(year)``."""

    model_config = ConfigDict(extra="forbid")

    description: str = ""
    source: str = Field(min_length=1)
    """Where the numbers come from (policy document, statistics bulletin); shown in the report."""
    carry_forward: bool = False
    """True: a year after the last listed one uses the last listed value (``name_year(y)`` says which)."""
    values: dict[int, float] = Field(min_length=1)
    notes: dict[int, str] = Field(default_factory=dict)
    """Optional source note per year, for values that differ from the table's ``source``."""


ParameterValue = YearTable | bool | int | float | str | list[str] | list[float]


_PYDANTIC_TEXT = {
    "missing": "缺少必填字段",
    "extra_forbidden": "未知字段（拼写错误？）",
    "string_type": "应为文本",
    "string_too_short": "不能为空",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "int_type": "应为整数",
    "int_parsing": "应为整数（年份）",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "list_type": "应为列表",
    "dict_type": "应为映射",
    "date_from_datetime_parsing": "应为日期 YYYY-MM-DD",
    "date_parsing": "应为日期 YYYY-MM-DD",
    "date_type": "应为日期 YYYY-MM-DD",
    "too_short": "不能为空",
}


def error_text(err: Any) -> str:
    """A pydantic error in plain Chinese (our own validators already speak Chinese)."""
    if err["type"] == "value_error":
        return str(err["msg"]).removeprefix("Value error, ")
    if err["type"] == "literal_error":
        return f"应为 {err.get('ctx', {}).get('expected', '')} 之一"
    return _PYDANTIC_TEXT.get(err["type"], str(err["msg"]))


def _parameter(item: object) -> ParameterValue:
    """A parameter value: a year table (mapping), a list of texts or of numbers, or a scalar."""
    if isinstance(item, dict):
        return YearTable.model_validate(item)
    if isinstance(item, list):
        if item and all(isinstance(v, str) for v in item):
            return [str(v) for v in item]
        if all(isinstance(v, int | float) and not isinstance(v, bool) for v in item):
            return [float(v) for v in item]
        raise ValueError("列表的元素须全为文本或全为数字")
    if isinstance(item, bool | int | float | str):
        return item
    raise ValueError("取值须为数字、文本、true/false、列表，或带 values 的年度表")


class Derived(BaseModel):
    """A view declared once and shared by rules (``CREATE VIEW name AS sql``), in file order."""

    model_config = ConfigDict(extra="forbid")

    name: str
    description: str = ""
    sql: str = Field(min_length=1)
    materialize: bool = True
    """Computed once per run as a temporary table (true), or kept a view that each query using it
    computes again (false: no copy of the data, for per-row columns over a large table)."""

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not IDENTIFIER.match(value):
            raise ValueError(f"视图名 {value!r} 须为小写字母、数字和下划线组成的标识符")
        if value in RESERVED_NAMES:
            raise ValueError(f"视图名 {value!r} 为保留名称")
        return value


class Rule(BaseModel):
    """One rule: each row its SQL returns is a finding (see README "Writing rules")."""

    model_config = ConfigDict(extra="forbid")

    id: str
    title: str = Field(min_length=1)
    kind: str
    severity: str
    sql: str = Field(min_length=1)
    message: str = Field(min_length=1)
    requires: list[str] = Field(default_factory=list)
    """Input columns as ``table.column``; ``a.x|a.y`` is satisfied by either. Missing → rule skipped."""
    requires_years: list[str] = Field(default_factory=list)
    """Year-table parameters (monitoring_range) that must give a value for the reference year; one that
    does not → rule skipped, saying so (a rule whose threshold is NULL would pass every household)."""
    basis: str = Field(min_length=1)
    enabled: bool = True
    scope: str = "check"
    """``check`` (default) or ``diff``: a diff rule also sees the DIFF_TABLES and runs only in diff."""

    @field_validator("scope", "kind", "severity")
    @classmethod
    def _one_of(cls, value: str, info: ValidationInfo) -> str:
        what, allowed = CHOICES[str(info.field_name)]
        if value not in allowed:
            raise ValueError(f"未知的{what} {value!r}，可选：{', '.join(allowed)}")
        return value

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not IDENTIFIER.match(value):
            raise ValueError(f"规则编号 {value!r} 须为小写字母、数字和下划线组成的标识符")
        return value


    @field_validator("message")
    @classmethod
    def _message(cls, value: str) -> str:
        for _, name, spec, conversion in string.Formatter().parse(value):
            if name is not None and (not name or spec or conversion or not name.isidentifier()):
                raise ValueError(f"占位符 {{{name}{'!' + conversion if conversion else ''}{':' + spec if spec else ''}}} 须为 SQL 结果的列名，不带格式说明")
        return value

    @field_validator("requires")
    @classmethod
    def _requires(cls, value: list[str]) -> list[str]:
        for item in value:
            for option in item.split("|"):
                table, _, column = option.strip().partition(".")
                if not table or not column:
                    raise ValueError(f"requires 项 {item!r} 应写作 表名.列名（多选一用 | 分隔）")
        return value

    def placeholders(self) -> list[str]:
        """The field names the message template uses, in order, without repeats."""
        names = [n for _, n, _, _ in string.Formatter().parse(self.message) if n]
        return list(dict.fromkeys(names))

    def requirement_options(self) -> list[list[tuple[str, str]]]:
        """``requires`` as alternatives: each item is a list of (table, column), any one suffices."""
        return [
            [tuple(o.strip().split(".", 1)) for o in item.split("|")]  # type: ignore[misc]
            for item in self.requires
        ]


def _reference_name(value: str) -> str:
    if not IDENTIFIER.match(value) or value in RESERVED_NAMES:
        raise ValueError(f"对照名单名 {value!r} 须为小写字母、数字和下划线组成的标识符，且不能是保留名称（{'、'.join(sorted(RESERVED_NAMES))}）")
    return value


ReferenceName = Annotated[str, AfterValidator(_reference_name)]
"""A list's name: the SQL table name and the --ref name (each key checked on its own)."""


class RuleSet(BaseModel):
    """A validated rules file."""

    model_config = ConfigDict(extra="forbid")

    version: int | str
    as_of: dt.date | None = None
    parameters: dict[str, ParameterValue] = Field(default_factory=dict)
    derived: list[Derived] = Field(default_factory=list)
    rules: list[Rule] = Field(default_factory=list)
    references: dict[ReferenceName, ReferenceList] = Field(default_factory=dict)
    """Outside lists matched with the registry (refspec.py), by name: payroll, cadres …"""
    _path: Path | None = PrivateAttr(default=None)
    _warnings: list[str] = PrivateAttr(default_factory=list)

    @field_validator("parameters", mode="before")
    @classmethod
    def _parameters(cls, value: object) -> object:
        """Check each parameter on its own so that every bad one is named (one problem per line)."""
        if not isinstance(value, dict):
            return value
        problems: list[str] = []
        checked: dict[str, object] = {}
        for name, item in value.items():
            if not isinstance(name, str) or not IDENTIFIER.match(name) or name in RESERVED_NAMES:
                problems.append(f"参数 {name}：参数名须为小写标识符，且不能是保留名称（{'、'.join(sorted(RESERVED_NAMES))}）")
                continue
            try:
                checked[name] = _parameter(item)
            except ValidationError as exc:
                problems.extend(
                    f"参数 {name} 字段 {'.'.join(str(p) for p in e['loc'])}：{error_text(e)}" for e in exc.errors()
                )
            except ValueError as exc:
                problems.append(f"参数 {name}：{exc}")
        if problems:
            raise ValueError("\n".join(problems))
        return checked

    @property
    def path(self) -> Path | None:
        """The file the rule set was read from."""
        return self._path

    @property
    def warnings(self) -> list[str]:
        """What ``load_rules(thorough=True)`` (``rules lint``) found worth a look but not wrong, each
        naming the rule: a rule whose findings will not name the person its rows are about."""
        return self._warnings

    def rule(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    def enabled_rules(self, scope: str = "check") -> list[Rule]:
        return [r for r in self.rules if r.enabled and r.scope == scope]
