"""The PostgreSQL health check: no round trip for a well connection, a new connection after the
server ended the old one."""

from __future__ import annotations

import psycopg
import pytest
from django.db import connection, connections

# The check runs between requests, outside any transaction: not inside a test's transaction.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's backend"),
]


def _new_request() -> None:
    """What Django does when a request starts (``close_old_connections``)."""
    connection.health_check_done = False
    connection.close_if_health_check_failed()


def _round_trips(monkeypatch) -> list[str]:
    sent: list[str] = []
    original = type(connection.connection).cursor

    def cursor(conn, *args, **kwargs):
        sent.append("cursor")
        return original(conn, *args, **kwargs)

    monkeypatch.setattr(type(connection.connection), "cursor", cursor)
    return sent


def test_cxloop_uses_its_backend():
    assert type(connections["default"]).__module__ == "cxloop.core.postgresql.base"


def test_a_well_connection_is_checked_without_a_round_trip(monkeypatch):
    connection.ensure_connection()
    connection.health_check_enabled = True
    kept = connection.connection
    sent = _round_trips(monkeypatch)
    _new_request()
    assert sent == []  # no SELECT 1
    assert connection.connection is kept
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_a_connection_the_server_ended_is_replaced(monkeypatch):
    connection.ensure_connection()
    connection.health_check_enabled = True
    kept = connection.connection
    pid = kept.info.backend_pid
    params = connection.get_connection_params()
    with psycopg.connect(
        autocommit=True, **{k: v for k, v in params.items() if k != "cursor_factory"}
    ) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        # The server's goodbye reaches the client's socket.
        admin.execute("SELECT pg_sleep(0.2)")
    _new_request()
    assert connection.connection is not kept  # closed by the check; a new one was not needed yet
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid


def test_a_connection_inside_a_transaction_gets_the_full_check(monkeypatch):
    connection.ensure_connection()
    connection.health_check_enabled = True
    connection.set_autocommit(False)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        sent = _round_trips(monkeypatch)
        _new_request()
        assert sent == ["cursor"]  # Django's SELECT 1
    finally:
        connection.rollback()
        connection.set_autocommit(True)
