"""Turn a rule's result into findings inside DuckDB: message text, evidence JSON and location.

Convention for a rule's SQL (README "Writing rules"): it returns ``户编号`` (required); for a finding
about one person it also returns ``_member`` (the row id of ``members`` / ``members_x``) or
``证件号码``; it may return ``姓名``, and ``_kind`` when the kind depends on the row (a reference
match dated before identification is wrongful_inclusion, after it should_exit). Every other column
is a value: the message template may use it and it goes into the evidence. Columns whose name starts
with ``_`` are kept out of the evidence.
"""

from __future__ import annotations

import string

from .params import quote_identifier, quote_text

LOCATOR_COLUMNS = ("户编号", "证件号码", "姓名")
KIND_COLUMN = "_kind"
"""Optional result column: the finding's kind for that row (NULL: the rule's ``kind``)."""
MEMBER_NAME_COLUMN = "_member_name"
"""Added to a member rule's findings: the name of the member row located for the finding (NULL
when the row names no member, as a rule's household rows beside its member rows). A member found
without an ID number is known by this name in the finding's id (findings.with_person_names)."""
NULL_TEXT = "空"


def _of_result(column: str) -> str:
    """A column of the rule's result, qualified: the locators joined beside it have 户编号, 姓名, 县 …"""
    return f"r.{quote_identifier(column)}"


def value_text(column: str, sql_type: str) -> str:
    """SQL giving a value as message text: 是/否, whole numbers without decimals, dates as YYYY-MM-DD."""
    col = _of_result(column)
    upper = sql_type.upper()
    if upper == "BOOLEAN":
        text = f"CASE WHEN {col} THEN '是' WHEN NOT {col} THEN '否' END"  # NULL stays NULL: 空
    elif upper in ("DOUBLE", "FLOAT", "REAL") or upper.startswith("DECIMAL"):
        text = (
            f"CASE WHEN {col} = round({col}) AND abs({col}) < 1e15 "
            f"THEN CAST(CAST({col} AS BIGINT) AS VARCHAR) "
            f"ELSE rtrim(rtrim(printf('%.2f', CAST({col} AS DOUBLE)), '0'), '.') END"
        )
    elif upper.startswith(("TIMESTAMP", "DATE")):
        text = f"strftime(CAST({col} AS DATE), '%Y-%m-%d')"
    else:
        text = f"CAST({col} AS VARCHAR)"
    return f"coalesce({text}, {quote_text(NULL_TEXT)})"


def message_sql(template: str, types: dict[str, str]) -> str:
    """The message template as one SQL ``concat`` over the rule's result columns."""
    parts: list[str] = []
    for literal_text, name, _, _ in string.Formatter().parse(template):
        if literal_text:
            parts.append(quote_text(literal_text))
        if name:
            parts.append(value_text(name, types[name]))
    return "concat(" + ", ".join(parts or ["''"]) + ")"


FLOAT_TYPES = ("DOUBLE", "FLOAT", "REAL", "FLOAT4", "FLOAT8")
"""SQL types whose NaN and ±infinity DuckDB's ``to_json`` writes as ``NaN``/``Infinity``: not JSON
(``jq``, JavaScript and strict parsers refuse the whole ``--json`` document or .jsonl line)."""


def evidence_value(column: str, sql_type: str) -> str:
    col = _of_result(column)
    if sql_type.upper().startswith(("TIMESTAMP", "DATE")):
        return f"strftime(CAST({col} AS DATE), '%Y-%m-%d')"
    if sql_type.upper() in FLOAT_TYPES:
        return f"CASE WHEN isfinite({col}) THEN {col} END"  # NaN, ±infinity: null, as JSON.stringify does
    return col


def evidence_sql(types: dict[str, str]) -> str:
    """``to_json`` of the value columns, keys sorted (like findings.evidence_json)."""
    keys = sorted(c for c in types if c not in LOCATOR_COLUMNS and not c.startswith("_"))
    if not keys:
        return "'{}'"
    pairs = ", ".join(f"{quote_text(k)}: {evidence_value(k, types[k])}" for k in keys)
    return f"CAST(to_json({{{pairs}}}) AS VARCHAR)"


def source_sql(alias: str) -> str:
    """``file:sheet:row`` of a locator row (``file:row`` without a sheet), as findings.source_text."""
    return f"concat_ws(':', {alias}._file, nullif({alias}._sheet, ''), CAST({alias}._row AS VARCHAR))"


HOUSEHOLD_OF_R = "CAST(r.户编号 AS VARCHAR)"
"""A rule result's household number, as the locator tables hold it."""


def _only(table: str, column: str, key: str) -> str:
    """The rows of a locator table whose ``column`` is among the rule result's ``key`` values: joined
    whole, DuckDB hashed the locator (every member row) rather than the few rows the rule returned."""
    return f"(SELECT * FROM {table} WHERE {column} IN (SELECT {key} FROM r))"


_FIRST_BY_ID = (
    f"(SELECT 户编号, 证件号码, min(_member) AS _member FROM {_only('members', '户编号', HOUSEHOLD_OF_R)} "
    "WHERE 证件号码 IS NOT NULL GROUP BY 户编号, 证件号码)"
)
"""The first member row of each ID number in the households a rule returned, for a rule that returns
证件号码 without ``_member``: grouped over those households only (a table over every member cost 0.6 s
and 250 MB at 5M rows, and no default rule needs it)."""


def findings_sql(rule_sql: str, message: str, types: dict[str, str]) -> str:
    """Wrap a rule's SELECT so it returns the findings columns (except rule_id, kind, severity). The
    result is materialized once (``r``) and each locator narrowed to its keys (``_only``)."""
    by_row = "_member" in types
    by_id = not by_row and "证件号码" in types
    member = by_row or by_id
    if by_row:
        join = f"LEFT JOIN {_only('_member_locator', '_member', '_member')} m ON m._member = r._member"
    elif by_id:
        join = (
            f"LEFT JOIN {_FIRST_BY_ID} i ON i.户编号 = {HOUSEHOLD_OF_R} "
            "AND i.证件号码 = CAST(r.证件号码 AS VARCHAR) "
            f"LEFT JOIN {_only('_member_locator', '户编号', HOUSEHOLD_OF_R)} m ON m._member = i._member"
        )
    else:
        join = ""
    person = "CAST(r.证件号码 AS VARCHAR)" if "证件号码" in types else ("m.证件号码" if member else "NULL")
    if member and "证件号码" in types:
        person = f"coalesce({person}, m.证件号码)"
    name_parts = (["CAST(r.姓名 AS VARCHAR)"] if "姓名" in types else []) + (["m.姓名"] if member else []) + ["h.户主名"]
    source = f"coalesce(CASE WHEN m._member IS NOT NULL THEN {source_sql('m')} END, {source_sql('h')})" if member else source_sql("h")
    place = (lambda c: f"coalesce(m.{c}, h.{c})") if member else (lambda c: f"h.{c}")
    kind = f", CAST(r.{KIND_COLUMN} AS VARCHAR) AS {KIND_COLUMN}" if KIND_COLUMN in types else ""
    if member:
        kind += f", CASE WHEN m._member IS NOT NULL THEN m.姓名 END AS {MEMBER_NAME_COLUMN}"
    return f"""
        WITH r AS MATERIALIZED ({rule_sql})
        SELECT {place('县')} AS county, {place('乡镇')} AS township, {place('行政村')} AS village,
               {HOUSEHOLD_OF_R} AS household_id, {person} AS person_id,
               coalesce({', '.join(name_parts)}) AS name,
               {message_sql(message, types)} AS message, {evidence_sql(types)} AS evidence,
               {source} AS source{kind}
        FROM r
        LEFT JOIN {_only('_household_locator', '户编号', HOUSEHOLD_OF_R)} h ON h.户编号 = {HOUSEHOLD_OF_R}
        {join}
    """


LOCATOR_TABLES = (
    """
    CREATE TABLE _household_locator AS
    WITH heads AS (  -- the first head row's name (NULL included), by grouping rather than a window
        SELECT 户编号, arg_min_null(姓名, _member) AS 姓名 FROM members WHERE 与户主关系 = '户主' GROUP BY 户编号
    ),
    firsts AS (SELECT min(_household) AS _household FROM households GROUP BY 户编号)
    SELECT h.户编号, h.县, h.乡镇, h.行政村, coalesce(h.户主姓名, heads.姓名) AS 户主名, h._file, h._sheet, h._row
    FROM households h SEMI JOIN firsts USING (_household) LEFT JOIN heads ON heads.户编号 = h.户编号
    """,
    """
    CREATE VIEW _member_locator AS
    SELECT _member, 户编号, 证件号码, 姓名, 县, 乡镇, 行政村, _file, _sheet, _row FROM members
    """,
)
"""Where each household and person is (location, head's name, file, sheet, row); the household locator
is built once per run. The ``file:sheet:row`` text is built only for the rows that become findings
(``source_sql``)."""
