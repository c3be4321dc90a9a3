"""What a rule's SELECT contains, from DuckDB's parse tree: statements changing data, and the tables
its rows come from one for one (which decides whether ``rules lint`` asks for ``_member``)."""

from __future__ import annotations

import pytest

from fupin_audit.rules import load_rules
from fupin_audit.rules.persons import member_tables
from fupin_audit.rules.sqltree import modifying_statements, row_sources


@pytest.mark.parametrize(
    ("sql", "sources"),
    [
        ("SELECT 户编号, 姓名 FROM members_x WHERE 失学", {"members_x"}),
        ("SELECT m.户编号 FROM MEMBERS_X m JOIN households_x h USING (户编号)", {"members_x", "households_x"}),
        ("WITH kids AS (SELECT * FROM members_x WHERE 失学) SELECT 户编号, 姓名 FROM kids", {"members_x"}),
        ("SELECT * FROM (SELECT 户编号 FROM main.members) t", {"members"}),
        ("SELECT 户编号 FROM households UNION ALL SELECT 户编号 FROM members", {"households", "members"}),
        # one row per household: the members only counted or used to filter
        ("SELECT 户编号, count(*) AS n FROM members GROUP BY 户编号", set()),
        ("SELECT DISTINCT 户编号 FROM members_x WHERE 失学", set()),
        ("SELECT 户编号 FROM households WHERE 户编号 IN (SELECT 户编号 FROM members)", {"households"}),
        ("SELECT 户编号 FROM households h WHERE (SELECT count(*) FROM members m WHERE m.户编号 = h.户编号) > 6", {"households"}),
        ("SELECT 户编号 FROM households h, LATERAL (SELECT count(*) AS n FROM members m WHERE m.户编号 = h.户编号)", {"households"}),
        ("SELECT 户编号 FROM households SEMI JOIN members USING (户编号)", {"households"}),
        ("WITH members AS (SELECT 户编号 FROM households) SELECT * FROM members", {"households"}),
    ],
)
def test_the_tables_a_selects_rows_come_from(sql, sources):
    assert row_sources(sql) == sources


def test_the_default_files_member_level_views():
    assert member_tables(load_rules()) == {"members", "members_x", "ref_members", "ref_hits"}


@pytest.mark.parametrize(
    ("sql", "found"),
    [
        ("WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x", ["DELETE"]),
        ("SELECT * FROM (WITH x AS (UPDATE t SET a = 1 RETURNING *) SELECT * FROM x)", ["UPDATE"]),
        ("SELECT 1 AS \"delete\", 'update' AS copy_", []),
    ],
)
def test_statements_changing_data_inside_a_select(sql, found):
    assert modifying_statements(sql) == found
