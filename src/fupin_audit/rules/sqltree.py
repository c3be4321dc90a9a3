"""What a SELECT statement contains, read from DuckDB's own parse tree (``json_serialize_sql``): the
statements that change data inside it (``WITH x AS (DELETE … RETURNING *) SELECT …``, which DuckDB
types as a SELECT). Parsing needs no table, so any connection does: one of its own, used by one
thread at a time."""

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
