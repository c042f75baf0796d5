"""Tile statements run as prepared statements: prepared once per session, bounded, and the same answers."""

import pytest
from django.db import connection

from geodata import prepared
from geodata.prepared import execute_prepared

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_statements_prepared_yet():
    """The session may hold earlier tests' statements: start each test without any."""
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    connection._prepared_statements = None


def run(sql: str, params: dict):
    with connection.cursor() as cursor:
        execute_prepared(cursor, sql, params)
        return cursor.fetchall()


def session_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements ORDER BY prepare_time")
        return [row[0] for row in cursor.fetchall()]


def test_a_statement_is_prepared_once_and_answers_with_each_call_s_values():
    sql = "SELECT %(a)s::int + %(b)s::int, %(a)s::int, 'x%%y' LIKE 'x%%'"
    assert run(sql, {"a": 1, "b": 2}) == [(3, 1, True)]
    assert run(sql, {"a": 10, "b": 5}) == [(15, 10, True)]
    statements = session_statements()
    assert len(statements) == 1 and "$1::int + $2::int, $1::int" in statements[0]


def test_a_session_keeps_a_bounded_number_of_statements(monkeypatch):
    monkeypatch.setattr(prepared, "MAX_PREPARED", 2)
    for number in range(4):
        assert run(f"SELECT {number} + %(n)s::int", {"n": 1}) == [(number + 1,)]
    assert len(session_statements()) == 2
    assert run("SELECT 0 + %(n)s::int", {"n": 5}) == [(5,)]  # deallocated earlier: prepared again


@pytest.mark.django_db(transaction=True)
def test_a_new_session_prepares_again():
    assert run("SELECT %(n)s::text", {"n": "first"}) == [("first",)]
    connection.close()
    assert run("SELECT %(n)s::text", {"n": "again"}) == [("again",)]


def test_a_statement_whose_first_run_failed_runs_again():
    """Prepared but failed on its first values (division by zero), or not even prepared (a type error)."""
    from django.db import transaction

    with pytest.raises(Exception, match="division by zero"), transaction.atomic():
        run("SELECT 1 / %(n)s::int", {"n": 0})
    assert run("SELECT 1 / %(n)s::int", {"n": 1}) == [(1,)]
    with pytest.raises(Exception, match="invalid input syntax"), transaction.atomic():
        run("SELECT %(n)s::int + 'x'::int", {"n": 1})
    with pytest.raises(Exception, match="invalid input syntax"), transaction.atomic():
        run("SELECT %(n)s::int + 'x'::int", {"n": 1})  # prepared or not, the same error, not a missing statement
