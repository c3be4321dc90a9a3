"""Checks of a rules file that need no data: duplicates, SQL syntax, and SQL bound to empty tables."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

import duckdb

from .. import fields
from .difftables import empty_diff_tables
from .model import DIFF_TABLES, RuleSet
from .params import macro_names
from .persons import member_tables, person_warning
from .refspec import ORIGIN_COLUMNS, validity_column
from .render import KIND_COLUMN, LOCATOR_TABLES, findings_sql
from .sandbox import empty_frames, open_session, strip_sql
from .sqltree import modifying_statements

REGISTRY_TABLES = ("households", "members")
ALIASES: dict[str, str] = {a: f.name for f in fields.FIELDS for a in f.aliases if a != f.name}


_MISSING_COLUMN = re.compile(r'Referenced column "([^"]+)" not found')


def duckdb_message(exc: Exception) -> str:
    """A DuckDB error on one line (its multi-line caret display folded); a column it cannot find that
    is an alias (人数, 身份证号) gets the standard name to write instead."""
    text = " ".join(line.strip() for line in str(exc).splitlines() if line.strip())
    missing = _MISSING_COLUMN.search(text)
    if missing and missing.group(1) in ALIASES:
        text += f"（{missing.group(1)} 是别名，应写作标准列名 {ALIASES[missing.group(1)]}）"
    return text


_UNKNOWN_FUNCTION = re.compile(r'Scalar Function with name (\S+) does not exist!(?: Did you mean "([^"]+)"\?)?')


def undeclared_parameter(text: str, declared: Sequence[str]) -> str:
    """A DuckDB error calling a function it does not know, said as a parameter the rules file does not
    declare, with the declared parameters close to the name (DuckDB suggests any function, and only one);
    any other error as it is."""
    unknown = _UNKNOWN_FUNCTION.search(text)
    if not unknown:
        return text
    name, suggested = unknown.groups()
    close = difflib.get_close_matches(name, declared, n=3, cutoff=0.6)
    if suggested in declared and suggested not in close:
        close.append(suggested)
    if close:
        return (f"{name}() 未定义：规则文件的 parameters 下没有声明参数 {name}"
                f"（相近的已声明参数：{'、'.join(f'{c}()' for c in close)}）；请改正名称，或在 parameters 下声明 {name}")
    near = f"（DuckDB 中相近的函数：{suggested}）" if suggested else ""
    return f"{name}() 未定义：它不是 DuckDB 函数，规则文件的 parameters 下也没有声明参数 {name}{near}；若是参数，请在 parameters 下声明"


def select_problem(sql: object) -> str | None:
    """None when ``sql`` is exactly one SELECT statement DuckDB can parse; else what is wrong."""
    if not isinstance(sql, str) or not sql.strip():
        return None  # reported by the model as a missing field
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        return f"SQL 语法错误：{duckdb_message(exc)}"
    if len(statements) != 1:
        return f"应为一条 SELECT 语句，实际有 {len(statements)} 条"
    statement = statements[0]
    if statement.type != duckdb.StatementType.SELECT:
        # DuckDB types INSTALL as LOAD: its own first word names it as written
        name = _first_word(statement.query) if statement.type == duckdb.StatementType.LOAD else statement.type.name
        return f"只允许 SELECT（查询）语句，实际为 {name}"
    changing = modifying_statements(sql)
    if changing:  # WITH x AS (DELETE … RETURNING *) SELECT …: DuckDB types it as a SELECT, and runs the DELETE
        return f"只允许 SELECT（查询）语句，WITH 子句中不能有 {'、'.join(changing)}（规则只能读取数据，不能修改）"
    return None


def _first_word(sql: str) -> str:
    """The statement's first word, comments skipped (DuckDB 2 keeps a leading comment in the query)."""
    start = next((offset for offset, kind in duckdb.tokenize(sql) if kind != duckdb.token_type.comment), 0)
    words = sql.encode("utf-8")[start:].decode("utf-8").split(None, 1)  # token offsets count bytes
    return words[0].upper() if words else ""


FIELD_NAMES = frozenset(f.name for f in fields.FIELDS)


def misspelled_field(column: str) -> str | None:
    """The standard column name ``column`` differs from in one character alone (人均纯收人 → 人均纯收入):
    a rule requiring it would be skipped on every registry, its reason blaming the input. A column
    of another length may be the registry's own (kept under its header), so it is not judged."""
    if column in FIELD_NAMES or column in ALIASES:
        return None
    close = [n for n in FIELD_NAMES if len(n) == len(column) and sum(a != b for a, b in zip(n, column, strict=True)) == 1]
    return sorted(close)[0] if len(close) == 1 else None


def _label(item: Any, key: str, what: str, index: int) -> str:
    value = item.get(key) if isinstance(item, dict) else None
    return f"{what} {value}" if value else f"{what}（第 {index + 1} 条）"


def items_of(data: dict[str, Any], key: str) -> list[Any]:
    """``data[key]`` when it is a list (anything else is reported by the model)."""
    value = data.get(key)
    return value if isinstance(value, list) else []


def static_problems(data: dict[str, Any]) -> list[str]:
    """Problems pydantic cannot see: duplicate ids and names, SQL syntax, alias names in requires."""
    problems: list[str] = []
    rules = items_of(data, "rules")
    derived = items_of(data, "derived")
    declared = data.get("references")
    lists: dict[Any, Any] = declared if isinstance(declared, dict) else {}
    for collection, key, what in ((rules, "id", "规则编号"), (derived, "name", "派生视图名")):
        counts = Counter(i.get(key) for i in collection if isinstance(i, dict) and i.get(key))
        problems.extend(f"{what} {name} 重复出现 {n} 次" for name, n in counts.items() if n > 1)
    for index, view in enumerate(derived):
        problem = select_problem(view.get("sql") if isinstance(view, dict) else None)
        if problem:
            problems.append(f"{_label(view, 'name', '派生视图', index)} 字段 sql：{problem}")
    for index, rule in enumerate(rules):
        if not isinstance(rule, dict):
            continue
        label = _label(rule, "id", "规则", index)
        problem = select_problem(rule.get("sql"))
        if problem:
            problems.append(f"{label} 字段 sql：{problem}")
        for item in rule.get("requires") or []:
            for option in str(item).split("|"):
                table, _, column = option.strip().partition(".")
                if table in REGISTRY_TABLES and column in ALIASES:
                    problems.append(f"{label} 字段 requires：{column} 是别名，应写作标准列名 {ALIASES[column]}")
                elif table in REGISTRY_TABLES and (meant := misspelled_field(column)):
                    problems.append(f"{label} 字段 requires：{column} 不是标准列名，是不是 {meant}？")
                problem = _reference_requirement(table, column, lists)
                if problem:
                    problems.append(f"{label} 字段 requires：{problem}")
        problems.extend(f"{label} 字段 requires_years：{p}" for p in _year_requirement_problems(rule, data.get("parameters")))
    views = {v.get("name") for v in derived if isinstance(v, dict)}
    problems.extend(f"对照名单 {n} 与派生视图同名" for n in lists if n in views)
    return problems


def _year_requirement_problems(rule: dict[str, Any], parameters: object) -> list[str]:
    """``requires_years`` items that are not year tables (parameters with ``values`` by year)."""
    declared = parameters if isinstance(parameters, dict) else {}
    return [
        f"{name} 不是规则文件 parameters 下按年度取值（带 values）的参数"
        for name in items_of(rule, "requires_years")
        if not (isinstance(declared.get(name), dict) and "values" in declared[name])
    ]


def _reference_requirement(table: str, column: str, lists: dict[Any, Any]) -> str | None:
    """A ``requires`` item naming a table that is neither the registry nor a declared list, or a
    column the list does not declare (validity and origin columns are always there)."""
    if not table or not column or table in REGISTRY_TABLES or table in DIFF_TABLES:
        return None
    if table not in lists:
        declared = "、".join(str(n) for n in lists) or "（无）"
        return f"{table} 既不是登记表（households、members），也不是 references 中声明的对照名单（{declared}）"
    spec = lists[table]
    columns = spec.get("columns") if isinstance(spec, dict) else None
    if not isinstance(columns, dict):
        return None  # the list itself is reported
    ids = [n for n, c in columns.items() if isinstance(c, dict) and c.get("type") == "id"]
    known = set(columns) | {validity_column(str(n)) for n in ids} | set(ORIGIN_COLUMNS)
    if column not in known:
        return f"对照名单 {table} 没有声明列 {column}（声明的列：{'、'.join(str(c) for c in columns)}）"
    return None


def compile_problems(
    ruleset: RuleSet, *, findings_queries: bool = False, warnings: list[str] | None = None
) -> list[str]:
    """Bind every derived view and rule against empty typed tables (no data is read).

    Catches unknown columns, functions and macros, a result without 户编号, and message placeholders
    the SQL does not return. The reference lists declared under ``references`` are empty tables with
    every declared column typed, so rules reading them are bound too. With ``findings_queries``
    (``rules lint``: 0.15 s more, not spent on every audit) also the query that turns each rule's
    result into findings, which fails when a convention column has the wrong type (``_member`` not
    a row number, ``_kind`` not text). Given a ``warnings`` list (``rules lint``), adds to it each
    rule whose findings will not name the person its rows are about (persons.py).
    """
    households, members = empty_frames()
    lists = {name: spec.empty_frame() for name, spec in ruleset.references.items()}
    lists.update(empty_diff_tables())
    try:
        session = open_session(ruleset, dt.date.today(), households, members, lists)
    except duckdb.Error as exc:  # a parameter macro that DuckDB refuses
        return [f"参数无法定义为 SQL 宏：{duckdb_message(exc)}"]
    con = session.con
    declared = macro_names(ruleset)
    member_level = member_tables(ruleset) if warnings is not None else set()
    numbered = {str(r[0]).lower() for r in con.sql(NUMBERED_TABLES).fetchall()} if warnings is not None else set()
    problems = [f"派生视图 {name} 字段 sql：{undeclared_parameter(message, declared)}" for name, message in session.failed.items()]
    try:
        if findings_queries:
            for statement in LOCATOR_TABLES:
                con.execute(statement)
        for rule in ruleset.rules:
            if select_problem(rule.sql):
                continue
            used = [t for t in DIFF_TABLES if re.search(rf"\b{t}\b", rule.sql)]
            if rule.scope != "diff" and used:
                problems.append(f"规则 {rule.id} 字段 sql：{'、'.join(used)} 只有 scope: diff 的规则能用（fupin-audit diff）")
                continue
            try:
                relation = con.sql(strip_sql(rule.sql))
            except duckdb.Error as exc:
                problems.append(f"规则 {rule.id} 字段 sql：{undeclared_parameter(duckdb_message(exc), declared)}")
                continue
            columns = set(relation.columns)
            if "户编号" not in columns:
                problems.append(f"规则 {rule.id} 字段 sql：结果须有 户编号 列（实际列：{'、'.join(relation.columns)}）")
            absent = [p for p in rule.placeholders() if p not in columns]
            if absent:
                problems.append(f"规则 {rule.id} 字段 message：占位符 {'、'.join(absent)} 不是 SQL 结果的列")
            elif findings_queries and "户编号" in columns:
                problems.extend(_findings_query_problems(con, rule.id, strip_sql(rule.sql), rule.message, relation))
            if warnings is not None and (warning := person_warning(rule, columns, member_level, numbered)):
                warnings.append(warning)
    finally:
        session.close()
    if any(INTERRUPTED in p for p in problems):  # Ctrl-C while DuckDB ran our Python code: not the rules' fault
        raise KeyboardInterrupt
    return problems


NUMBERED_TABLES = "SELECT DISTINCT table_name FROM information_schema.columns WHERE column_name = '_member'"
"""The tables and views of a session that carry the members' row number."""

INTERRUPTED = "KeyboardInterrupt"
"""How DuckDB words a Ctrl-C that reached it inside a Python function it called."""


def _findings_query_problems(
    con: duckdb.DuckDBPyConnection, rule_id: str, sql: str, message: str, relation: duckdb.DuckDBPyRelation
) -> list[str]:
    types = {c: str(t) for c, t in zip(relation.columns, relation.types, strict=True)}
    if KIND_COLUMN in types and types[KIND_COLUMN] != "VARCHAR":
        return [f"规则 {rule_id} 字段 sql：结果列 {KIND_COLUMN} 须为文本（问题类型代码），实际为 {types[KIND_COLUMN]}"]
    try:
        con.sql(findings_sql(sql, message, types))
    except duckdb.Error as exc:
        return [f"规则 {rule_id} 字段 sql：结果无法生成问题记录（_member 须为 members 的行号，证件号码、姓名须为文本）：{duckdb_message(exc)}"]
    return []
