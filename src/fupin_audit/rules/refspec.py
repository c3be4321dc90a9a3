"""The ``references:`` section of the rules file: the outside lists (八类人员) a registry is matched with.

Each list has a name (the SQL table name and the ``--ref NAME=PATH`` name), a Chinese title, its
canonical columns with aliases and types, and optionally a default path (relative to the rules file).
In SQL a list is a table with every declared column (NULL when the file lacks it), each ID column
normalized (18 characters, upper-case X, 15-digit numbers upgraded) with its validity beside it
(``证件号码`` → ``证件有效``, ``亲属证件号码`` → ``亲属证件有效``), and ``_file``, ``_sheet``, ``_row``.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..fields import Field as CatalogueField

ColumnType = Literal["id", "date", "text"]

SQL_TYPES: dict[str, str] = {"id": "VARCHAR", "date": "TIMESTAMP", "text": "VARCHAR"}
PANDAS_TYPES: dict[str, str] = {"VARCHAR": "str", "TIMESTAMP": "datetime64[ns]", "BOOLEAN": "boolean", "BIGINT": "Int64"}
ORIGIN_COLUMNS: dict[str, str] = {"_file": "VARCHAR", "_sheet": "VARCHAR", "_row": "BIGINT"}


def validity_column(id_column: str) -> str:
    """The boolean column beside an ID column: 证件号码 → 证件有效, 亲属证件号码 → 亲属证件有效."""
    return (id_column.removesuffix("号码") if id_column.endswith("号码") else id_column) + "有效"


class ReferenceColumn(BaseModel):
    """One canonical column of a list: its type, the other headers it goes by, whether it must be there."""

    model_config = ConfigDict(extra="forbid")

    type: ColumnType = "text"
    aliases: list[str] = Field(default_factory=list)
    required: bool = False
    """A file without this column is refused (InputError); an optional column reads as NULL."""
    description: str = ""


class ReferenceList(BaseModel):
    """One outside list (payroll, cadres …)."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1)
    description: str = ""
    path: str | None = None
    """Default file, relative to the rules file's folder; ``--ref NAME=PATH`` overrides it."""
    columns: dict[str, ReferenceColumn] = Field(min_length=1)

    @field_validator("columns")
    @classmethod
    def _columns(cls, value: dict[str, ReferenceColumn]) -> dict[str, ReferenceColumn]:
        problems = []
        for name in value:
            if not name.strip() or name != name.strip() or name.startswith("_"):
                problems.append(f"列名 {name!r} 不能为空、不能以 _ 开头或带首尾空格")
        ids = [n for n, c in value.items() if c.type == "id"]
        if not ids:
            problems.append("至少要有一个 type: id 的证件号码列（按证件号码匹配）")
        derived = {validity_column(n) for n in ids}
        problems.extend(f"列名 {n} 与证件号码列派生的有效性列同名" for n in value if n in derived)
        seen: dict[str, str] = {}
        for name, column in value.items():
            for spelling in (name, *column.aliases):
                other = seen.setdefault(spelling, name)
                if other != name:
                    problems.append(f"表头 {spelling} 同时指向列 {other} 和 {name}")
        if problems:
            raise ValueError("；".join(problems))
        return value

    @model_validator(mode="after")
    def _path(self) -> ReferenceList:
        if self.path is not None and not self.path.strip():
            raise ValueError("path 不能为空字符串（不设默认文件时删去 path）")
        return self

    def id_columns(self) -> list[str]:
        return [n for n, c in self.columns.items() if c.type == "id"]

    def required_columns(self) -> list[str]:
        return [n for n, c in self.columns.items() if c.required]

    def fields(self) -> tuple[CatalogueField, ...]:
        """The list's columns as a field catalogue for the readers (header detection, aliases, types)."""
        return tuple(
            CatalogueField(name, "member", column.type, tuple(column.aliases), description=column.description)
            for name, column in self.columns.items()
        )

    def sql_columns(self) -> dict[str, str]:
        """Every column the list's SQL table has (name → SQL type)."""
        out = {name: SQL_TYPES[column.type] for name, column in self.columns.items()}
        out.update({validity_column(n): "BOOLEAN" for n in self.id_columns()})
        out.update(ORIGIN_COLUMNS)
        return out

    def empty_frame(self) -> pd.DataFrame:
        """A zero-row frame with every SQL column typed (for checking rules without data)."""
        return pd.DataFrame({c: pd.Series([], dtype=PANDAS_TYPES[t]) for c, t in self.sql_columns().items()})
