"""Two identical POSTs at the same moment (a double click) store one answer: the database's
unique constraint and compare-and-set decide, not a check in Python. PostgreSQL only, where
requests really run in parallel."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client

from cxloop.experiences.models import Experience
from cxloop.feedback.models import Response

from ..factories import SurveyFactory
from .conftest import Form

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite serialises every write anyway"
    ),
]


def _race(form: Form, answers: dict, clients: int = 8) -> list[int]:
    barrier = threading.Barrier(clients)
    codes: list[int] = []

    def post() -> None:
        client = Client()
        barrier.wait()
        codes.append(form.post(client, answers).status_code)
        from django.db import connections

        connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return codes


def test_simultaneous_first_posts_store_one_anonymous_answer(alice):
    csat = SurveyFactory(workspace=alice.workspace, kind="csat")
    form = Form.of(Client().get(f"/s/{csat.public_key}/"))
    codes = _race(form, {"q_score": "2", "q_comment": "twice"})
    assert codes == [303] * 8
    assert Response.unscoped.count() == 1
    assert Experience.unscoped.count() == 1


def test_simultaneous_last_pages_complete_once(alice, nps, customer, invite):
    issued = invite(nps, customer)
    client = Client()
    step = Form.of(client.get(issued.path)).post(client, {"q_score": "9"})
    form = Form.of(client.get(step["Location"]))
    codes = _race(form, {"q_why": "Швидко"})
    assert codes == [303] * 8
    assert Experience.unscoped.count() == 1
    assert Response.unscoped.get().revision == 2
