"""The DuckDB → psycopg translation of placeholders (planning.db.postgres.translate / bind).

The unit tests need no server; the last two run the same statements on the backend under test,
so the PostgreSQL run proves psycopg takes what the translation gives it.
"""

from __future__ import annotations

import pytest

from planning.db.postgres import bind, translate


@pytest.mark.parametrize(("sql", "expected"), [
    ("SELECT ? + ?", "SELECT %s + %s"),
    ("SELECT $name, $name", "SELECT %(name)s, %(name)s"),
    ("SELECT $2, $1, $2", "SELECT %(_2)s, %(_1)s, %(_2)s"),
    ("SELECT '$1 ?' , $1", "SELECT '$1 ?' , %(_1)s"),  # quoted text is left alone
    ("SELECT 5 % 2, ?", "SELECT 5 %% 2, %s"),
])
def test_placeholders_become_psycopgs(sql, expected):
    assert translate(sql, True) == expected


def test_without_parameters_nothing_is_a_placeholder():
    assert translate("SELECT '%', 5 % 2", False) == "SELECT '%', 5 % 2"


def test_numbered_placeholders_read_the_list_by_number():
    assert bind("SELECT $2, $1, $2", ["a", "b"]) == ("SELECT %(_2)s, %(_1)s, %(_2)s", {"_1": "a", "_2": "b"})
    assert bind("SELECT ?, ?", ["a", "b"]) == ("SELECT %s, %s", ["a", "b"])
    assert bind("SELECT $x", {"x": 1}) == ("SELECT %(x)s", {"x": 1})


def test_every_placeholder_style_gives_the_same_answer_on_the_backend(fresh_db):
    assert fresh_db.value("SELECT CAST(? AS INTEGER) * 10 + CAST(? AS INTEGER)", [3, 4]) == 34
    assert fresh_db.value("SELECT CAST($2 AS INTEGER) * 10 + CAST($1 AS INTEGER) + CAST($2 AS INTEGER)", [3, 4]) == 47
    assert fresh_db.value("SELECT CAST($a AS INTEGER) * 10 + CAST($b AS INTEGER)", {"a": 3, "b": 4}) == 34


def test_numbered_placeholders_in_executemany(fresh_db):
    with fresh_db.transaction() as con:
        con.execute("CREATE TEMP TABLE pairs (a INTEGER, b INTEGER)")
        con.executemany("INSERT INTO pairs VALUES (CAST($2 AS INTEGER), CAST($1 AS INTEGER))", [[1, 2], [3, 4]])
        assert con.execute("SELECT a, b FROM pairs ORDER BY a").fetchall() == [(2, 1), (4, 3)]
