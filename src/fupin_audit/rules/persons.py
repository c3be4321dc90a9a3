"""Whether a rule's findings name the person they are about (``rules lint`` warns when not).

A finding names a person when the rule's result has ``_member`` (the members row) or 证件号码
(render.py). A rule whose rows come one for one from the members (``members`` or a derived view
over it, such as ``members_x`` or ``ref_members``) and has neither gives findings that name the
household only: no 证件号码, the head's name, the household's row as 来源. A rule that reads the
members only to count them (GROUP BY, an aggregate, a subquery in WHERE) is about the household
and is not warned about (sqltree.row_sources).
"""

from __future__ import annotations

from collections.abc import Collection

from .model import Rule, RuleSet
from .sandbox import strip_sql
from .sqltree import row_sources

PERSON_COLUMNS = ("_member", "证件号码")


def member_tables(ruleset: RuleSet) -> set[str]:
    """``members`` and the derived views (lower case) whose rows come one for one from it, in file order."""
    tables = {"members"}
    for view in ruleset.derived:
        if row_sources(strip_sql(view.sql)) & tables:
            tables.add(view.name.lower())
    return tables


def person_warning(rule: Rule, columns: Collection[str], members: Collection[str], numbered: Collection[str]) -> str | None:
    """The warning for a rule whose rows are members' but whose result ``columns`` name no person;
    ``numbered``: the tables and views that have ``_member``."""
    if any(c in columns for c in PERSON_COLUMNS):
        return None
    read = sorted(row_sources(strip_sql(rule.sql)) & set(members))
    if not read:
        return None
    unnumbered = [t for t in read if t not in numbered]
    first = f"；{'、'.join(unnumbered)} 没有 _member 列，须先在派生视图的 SELECT 中保留它" if unnumbered else ""
    return (
        f"规则 {rule.id} 字段 sql：结果的每一行是一名成员（来自 {'、'.join(read)}），但没有 _member 列，问题不会落到人："
        "问题记录里证件号码为空，姓名为户主（结果有 姓名 列时除外），来源指向户的行。"
        "_member 是成员的行号（members、members_x、ref_members 都有此列）：在 SELECT 中加上 _member（有表别名时写 m._member），"
        f"问题就带上此人的证件号码、姓名和所在行{first}；若本规则说的是整户，可不理会此提示"
    )
