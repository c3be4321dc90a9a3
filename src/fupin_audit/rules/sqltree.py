"""What a SELECT statement contains, read from DuckDB's own parse tree (``json_serialize_sql``): the
statements that change data inside it (``WITH x AS (DELETE … RETURNING *) SELECT …``, which DuckDB
types as a SELECT), and the tables its rows come from. Parsing needs no table, so any connection
does: one of its own, used by one thread at a time.

(``duckdb.get_table_names`` binds the query and names the base tables under its views: ``members``
and ``members_x`` are views over the registered input, so it named neither.)"""

from __future__ import annotations

import functools
import json
import re
import threading
from collections.abc import Iterator
from typing import Any

import duckdb

_QUERY_NODE = "_QUERY_NODE"
"""DuckDB's parse-tree node types of a data-changing statement end so (DELETE_QUERY_NODE,
INSERT_QUERY_NODE, UPDATE_QUERY_NODE, COPY_QUERY_NODE); a query's are SELECT_NODE,
SET_OPERATION_NODE, RECURSIVE_CTE_NODE."""
_CHANGING = re.compile(r"(?<![A-Za-z0-9_])(?:delete|insert|update|copy)(?![A-Za-z0-9_])", re.IGNORECASE)

_PARSING = threading.Lock()


@functools.cache
def _parser() -> duckdb.DuckDBPyConnection:
    return duckdb.connect(":memory:", config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})


@functools.cache
def _aggregates() -> frozenset[str]:
    with _PARSING:
        rows = _parser().execute("SELECT DISTINCT function_name FROM duckdb_functions() WHERE function_type = 'aggregate'").fetchall()
    return frozenset(r[0] for r in rows)


def parse_tree(sql: str) -> dict[str, Any] | None:
    """The parse tree of a SELECT statement; None when DuckDB cannot serialize it (not a SELECT, or
    not parsable: ``duckdb.extract_statements`` says which)."""
    with _PARSING:
        text = _parser().execute("SELECT json_serialize_sql(?)", [sql]).fetchone()
    tree = json.loads(text[0]) if text else None
    return None if not isinstance(tree, dict) or tree.get("error") else tree


def _nodes(tree: Any) -> Iterator[dict[str, Any]]:
    if isinstance(tree, dict):
        yield tree
        for value in tree.values():
            yield from _nodes(value)
    elif isinstance(tree, list):
        for value in tree:
            yield from _nodes(value)


def modifying_statements(sql: str) -> list[str]:
    """The data-changing statements (DELETE, INSERT, UPDATE, COPY) inside a SELECT, in a WITH clause.
    Parsed only when one of those words appears (parsing every rule took 30 ms per run)."""
    tree = parse_tree(sql) if _CHANGING.search(sql) else None
    if tree is None:
        return []
    return sorted({str(n["type"]).removesuffix(_QUERY_NODE) for n in _nodes(tree) if str(n.get("type", "")).endswith(_QUERY_NODE)})


def row_sources(sql: str) -> set[str]:
    """The tables and views (lower case) whose rows a SELECT returns one for one: those of its FROM
    clause, following its joins (not the right side of a SEMI or ANTI join), subqueries, WITH queries
    and set operations; not those a WHERE or select-list subquery reads (they filter or count), nor
    any below a GROUP BY, DISTINCT or aggregate (one row per group). Empty when DuckDB cannot parse it."""
    tree = parse_tree(sql)
    if tree is None:
        return set()
    return set().union(*(_query_sources(s.get("node"), {}) for s in tree.get("statements") or []))


def _query_sources(node: Any, ctes: dict[str, Any]) -> set[str]:
    if not isinstance(node, dict):
        return set()
    ctes = {**ctes, **{str(e["key"]).lower(): e["value"].get("query_node")
                       for e in (node.get("cte_map") or {}).get("map") or [] if isinstance(e.get("value"), dict)}}
    kind = node.get("type")
    if kind == "SET_OPERATION_NODE":
        return set().union(*(_query_sources(c, ctes) for c in node.get("children") or []))
    if kind == "RECURSIVE_CTE_NODE":
        return _query_sources(node.get("left"), ctes) | _query_sources(node.get("right"), ctes)
    if kind != "SELECT_NODE" or _grouped(node):
        return set()
    return _from_sources(node.get("from_table"), ctes)


def _grouped(node: dict[str, Any]) -> bool:
    """A SELECT returning one row per group: GROUP BY, DISTINCT, or an aggregate without GROUP BY
    (``LATERAL (SELECT count(*) FROM members m WHERE …)``)."""
    if node.get("group_expressions") or any(m.get("type") == "DISTINCT_MODIFIER" for m in node.get("modifiers") or []):
        return True
    return _has_aggregate([node.get("select_list"), node.get("having")])


def _has_aggregate(expression: Any) -> bool:
    """An aggregate call in an expression, not in a subquery (its own rows) nor a window (per row)."""
    if isinstance(expression, list):
        return any(_has_aggregate(e) for e in expression)
    if not isinstance(expression, dict) or expression.get("class") in ("SUBQUERY", "WINDOW"):
        return False
    if expression.get("class") == "FUNCTION" and str(expression.get("function_name", "")).lower() in _aggregates():
        return True
    return any(_has_aggregate(v) for v in expression.values())


def _from_sources(ref: Any, ctes: dict[str, Any]) -> set[str]:
    if not isinstance(ref, dict):
        return set()
    kind = ref.get("type")
    if kind == "BASE_TABLE":
        name = str(ref.get("table_name", "")).lower()
        if not ref.get("schema_name") and name in ctes:  # a WITH query: its own sources (not itself, if recursive)
            return _query_sources(ctes[name], {k: v for k, v in ctes.items() if k != name})
        return {name}
    if kind == "JOIN":
        right = set() if ref.get("join_type") in ("SEMI", "ANTI") else _from_sources(ref.get("right"), ctes)
        return _from_sources(ref.get("left"), ctes) | right
    if kind == "SUBQUERY":
        return _query_sources((ref.get("subquery") or {}).get("node"), ctes)
    return set()
