"""The DuckDB session rules run in: inputs registered as Arrow, then the session locked down.

Tables the SQL sees: ``households`` and ``members`` (every catalogue column exists: a column the
input lacks reads as NULL of the catalogue type — use ``requires`` or ``has_column`` for it), each
reference list under its name (every column declared under ``references`` exists; a declared list
that was not given is empty), the parameter macros (params.py) and the derived views of the rules
file. Row ids ``_household`` / ``_member`` number the input rows, so a rule can return ``_member``
to point at one person exactly.

Derived views are tables (or views) of the session's in-memory database rather than temporary ones,
so that every cursor of the session sees them: the rules run on several cursors at once.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from .. import fields
from .model import RuleSet
from .params import all_macros, quote_identifier
from .timelimit import TimeLimit, timeout_reason

SQL_TYPES: dict[str, str] = {
    "text": "VARCHAR", "id": "VARCHAR", "enum": "VARCHAR", "bool": "BOOLEAN",
    "number": "DOUBLE", "int": "BIGINT", "year": "BIGINT", "date": "TIMESTAMP",
}
ORIGIN_COLUMNS: dict[str, str] = {"_file": "VARCHAR", "_sheet": "VARCHAR", "_row": "BIGINT"}
MEMBER_DERIVED: dict[str, str] = {"证件有效": "BOOLEAN", "证件出生日期": "TIMESTAMP", "证件性别": "VARCHAR"}
"""Columns schema.check_registry adds to members (CONTRACTS.md)."""

ROW_IDS = {"households": "_household", "members": "_member"}

LOCKDOWN = (
    "SET enable_external_access = false",
    "SET autoinstall_known_extensions = false",
    "SET autoload_known_extensions = false",
    "SET allow_community_extensions = false",
    "SET python_enable_replacements = false",
    "SET lock_configuration = true",
)


def catalogue_columns(table: str) -> dict[str, str]:
    """Columns (name → SQL type) that ``households`` / ``members`` always have in SQL."""
    levels = ("key", "household") if table == "households" else ("key", "member")
    columns = {f.name: SQL_TYPES[f.type] for f in fields.FIELDS if f.level in levels}
    if table == "members":
        columns.update(MEMBER_DERIVED)
    columns.update(ORIGIN_COLUMNS)
    columns[ROW_IDS[table]] = "BIGINT"
    return columns


def connect(spill: str) -> duckdb.DuckDBPyConnection:
    """An in-memory session with no extension autoload/autoinstall (lock it with ``lock``).

    No automatic checkpoint: past the (16 MB) threshold DuckDB checkpoints even an in-memory session,
    compressing the temporary tables of the derived views again (FSST), which cost ~40% of creating them.
    ``spill``: the folder DuckDB writes intermediate results to when memory runs short (its default
    is ``.tmp`` in the current folder, which may be shared: the data is personal)."""
    con = duckdb.connect(
        ":memory:",
        config={
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "python_enable_replacements": False,  # here too, for every cursor: SET is per connection
            "checkpoint_threshold": "1000TB",
            "temp_directory": spill,
        },
    )
    con.execute("SET enable_progress_bar = false")  # DuckDB's own bar: on stdout for queries over 2 s
    return con


def lock(con: duckdb.DuckDBPyConnection) -> None:
    """No file, network or extension access from here on, and no way to turn it back on."""
    for statement in LOCKDOWN:
        con.execute(statement)


def to_arrow(frame: pd.DataFrame, row_id: str | None = None) -> pa.Table:
    """A frame as an Arrow table (no row-by-row conversion), optionally with a row-number column."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    if row_id is not None:
        table = table.append_column(row_id, pa.array(np.arange(len(frame), dtype=np.int64)))
    return table


def input_tables(
    households: pd.DataFrame,
    members: pd.DataFrame,
    references: Mapping[str, pd.DataFrame] | None = None,
) -> dict[str, pa.Table]:
    """The frames as Arrow tables under their registered names (``_input_<name>``)."""
    tables = {f"_input_{name}": to_arrow(frame, ROW_IDS[name]) for name, frame in (("households", households), ("members", members))}
    tables.update({f"_input_{name}": to_arrow(frame) for name, frame in (references or {}).items()})
    return tables


def register_inputs(con: duckdb.DuckDBPyConnection, tables: Mapping[str, pa.Table]) -> None:
    """Register the input tables on a connection (registrations are per connection, not per database)."""
    for name, table in tables.items():
        con.register(name, table)


def present_columns(
    households: pd.DataFrame,
    members: pd.DataFrame,
    references: Mapping[str, pd.DataFrame] | None = None,
) -> dict[str, set[str]]:
    """The input columns per table name."""
    frames = {"households": households, "members": members, **(references or {})}
    return {name: {str(c) for c in frame.columns} for name, frame in frames.items()}


def create_reference_views(
    con: duckdb.DuckDBPyConnection, ruleset: RuleSet, present: Mapping[str, set[str]]
) -> None:
    """One view per reference list: the given frame with every declared column (absent ones as typed
    NULLs); a declared list that was not given is an empty table, so views and rules over it bind
    (rules that ``require`` it are still skipped as not given)."""
    for name in [n for n in present if n not in ROW_IDS]:
        spec = ruleset.references.get(name)
        declared = spec.sql_columns() if spec is not None else {}
        fill = [f"NULL::{t} AS {quote_identifier(c)}" for c, t in declared.items() if c not in present[name]]
        extra = (", " + ", ".join(fill)) if fill else ""
        con.execute(f"CREATE VIEW {quote_identifier(name)} AS SELECT *{extra} FROM {quote_identifier('_input_' + name)}")
    for name, spec in ruleset.references.items():
        if name not in present:
            columns = ", ".join(f"NULL::{t} AS {quote_identifier(c)}" for c, t in spec.sql_columns().items())
            con.execute(f"CREATE VIEW {quote_identifier(name)} AS SELECT {columns} LIMIT 0")


def create_base_views(con: duckdb.DuckDBPyConnection, present: Mapping[str, set[str]]) -> None:
    """``households`` / ``members`` over the inputs, adding absent catalogue columns as typed NULLs."""
    for name in ("households", "members"):
        have = present[name] | {ROW_IDS[name]}
        fill = [
            f"NULL::{sql_type} AS {quote_identifier(column)}"
            for column, sql_type in catalogue_columns(name).items()
            if column not in have
        ]
        extra = (", " + ", ".join(fill)) if fill else ""
        con.execute(f"CREATE VIEW {name} AS SELECT *{extra} FROM _input_{name}")


def create_macros(
    con: duckdb.DuckDBPyConnection, ruleset: RuleSet, as_of: dt.date, present: Mapping[str, set[str]]
) -> None:
    columns = [f"{table}.{column}" for table, names in present.items() for column in names]
    for statement in all_macros(ruleset, as_of, columns):
        con.execute(statement)


def create_derived(con: duckdb.DuckDBPyConnection, ruleset: RuleSet, timeout: float | None = None) -> dict[str, str]:
    """Create the derived views in file order: computed once per run as tables (every rule reads them,
    so they are not recomputed per rule), or as views where ``materialize: false``. A view whose
    creation runs longer than ``timeout`` seconds is interrupted (as a rule is: ``--rule-timeout``).
    Returns view name → DuckDB error (or the time limit) for those that failed."""
    failed: dict[str, str] = {}
    for view in ruleset.derived:
        kind = "TABLE" if view.materialize else "VIEW"
        with TimeLimit(con, timeout) as limit:
            try:
                con.execute(f"CREATE {kind} {view.name} AS {strip_sql(view.sql)}")
            except duckdb.Error as exc:
                timed_out = limit.expired and isinstance(exc, duckdb.InterruptException)
                failed[view.name] = timeout_reason(view.name, timeout or 0, "派生视图") if timed_out else str(exc).splitlines()[0]
    return failed


def strip_sql(sql: str) -> str:
    """A single statement without its trailing semicolons and comments, ready to embed as a subquery
    (a final ``-- comment`` would swallow the closing parenthesis, a ``;`` end the statement early)."""
    text = sql.strip()
    try:
        tokens = duckdb.tokenize(text)
    except duckdb.Error:  # not tokenizable: binding the statement reports it
        return text.rstrip(";").strip()
    encoded = text.encode("utf-8")  # token offsets count bytes
    end = len(encoded)
    for start, kind in reversed(tokens):
        if kind != duckdb.token_type.comment and not (kind == duckdb.token_type.operator and encoded[start:start + 1] == b";"):
            break
        end = start
    return encoded[:end].decode("utf-8").strip()


@dataclass
class Session:
    """A locked session: its connection, the input columns per table, the derived views that failed
    (name → DuckDB error), and the input tables (registered again on each ``cursor``)."""

    con: duckdb.DuckDBPyConnection
    present: dict[str, set[str]]
    failed: dict[str, str]
    inputs: dict[str, pa.Table]
    spill: str
    """A private folder (mode 0700) DuckDB may spill to; removed with the session."""

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """Another connection to the session's database (same settings, lock, views and macros) that
        also sees the inputs; run queries on it from another thread, and close it."""
        cursor = self.con.cursor()
        register_inputs(cursor, self.inputs)
        return cursor

    def close(self) -> None:
        _release(self.con, self.spill)


def _release(con: duckdb.DuckDBPyConnection, spill: str) -> None:
    """Close a session's connection and remove its spill folder."""
    try:
        con.close()
    finally:
        shutil.rmtree(spill, ignore_errors=True)


def open_session(
    ruleset: RuleSet,
    as_of: dt.date,
    households: pd.DataFrame,
    members: pd.DataFrame,
    references: Mapping[str, pd.DataFrame] | None = None,
    timeout: float | None = None,
) -> Session:
    """Connect, register, lock, then define views and macros (all rules-file SQL runs locked); a
    derived view taking longer than ``timeout`` seconds to create is interrupted and counted failed."""
    spill = tempfile.mkdtemp(prefix="fupin-audit-")
    con = connect(spill)
    try:
        inputs = input_tables(households, members, references)
        register_inputs(con, inputs)
        present = present_columns(households, members, references)
        lock(con)
        create_base_views(con, present)
        create_reference_views(con, ruleset, present)
        create_macros(con, ruleset, as_of, present)
        failed = create_derived(con, ruleset, timeout)
    except BaseException:
        _release(con, spill)
        raise
    return Session(con, present, failed, inputs, spill)


def empty_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Zero-row households and members with every catalogue column typed, for checking SQL without data."""
    pandas_types = {"VARCHAR": "str", "BOOLEAN": "boolean", "DOUBLE": "Float64",
                    "BIGINT": "Int64", "TIMESTAMP": "datetime64[ns]"}

    def frame(table: str) -> pd.DataFrame:
        columns = {c: t for c, t in catalogue_columns(table).items() if c != ROW_IDS[table]}
        return pd.DataFrame({c: pd.Series([], dtype=pandas_types[t]) for c, t in columns.items()})

    return frame("households"), frame("members")
