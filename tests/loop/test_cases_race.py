"""Negative signals of one customer about one thing, recorded at the same moment from several
connections, open one case: the partial unique index decides, the losers join the winner's case.
PostgreSQL only, where the transactions really run in parallel."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from cxloop.core.scoping import bind_workspace
from cxloop.experiences.services import record_experience
from cxloop.loop.models import Case, CaseEvent

from ..factories import CustomerFactory, TouchpointFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite serialises every write anyway"
    ),
]


def _race(workspace, customer, touchpoint, signals: int = 8) -> list[str]:
    barrier = threading.Barrier(signals)
    errors: list[str] = []

    def signal(score: int) -> None:
        try:
            barrier.wait()
            with bind_workspace(workspace):
                record_experience(
                    source="survey",
                    customer=customer,
                    touchpoint=touchpoint,
                    score=score,
                    scale="nps",
                )
        except Exception as exc:  # reported below: the test fails with what went wrong
            errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=signal, args=(i % 7,)) for i in range(signals)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_simultaneous_negative_signals_open_one_case_and_the_rest_join_it(alice):
    customer = CustomerFactory(workspace=alice.workspace)
    courier = TouchpointFactory(workspace=alice.workspace, name="Courier")
    assert _race(alice.workspace, customer, courier) == []
    with bind_workspace(alice.workspace):
        (case,) = Case.objects.all()
        assert case.signal_count == 8
        assert CaseEvent.objects.filter(kind="opened").count() == 1
        assert CaseEvent.objects.filter(kind="signal").count() == 7
