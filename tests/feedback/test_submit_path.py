"""The hot path of a public answer: rate-limit counters (on Redis one round trip per check, and
they expire), the anonymous link resolved in one query, and a lost race told apart from a real
database error."""

from __future__ import annotations

import pytest
from django.db import IntegrityError
from django.test import Client

from cxloop.core.cache import redis_client
from cxloop.experiences.models import Experience
from cxloop.feedback import respond, throttle
from cxloop.feedback.models import Question, Response, Survey

from ..conftest import REDIS_CACHE_PREFIX
from ..factories import SurveyFactory, TouchpointFactory
from .conftest import Form

pytestmark = pytest.mark.django_db


def _record_redis_commands(monkeypatch) -> list[bytes]:
    """From now on, every command sent to Redis, as its bytes on the wire: one per round trip."""
    import redis

    sent: list[bytes] = []
    original = redis.connection.Connection.send_packed_command

    def counting(connection, command, *args, **kwargs):
        sent.append(b"".join(command) if isinstance(command, list) else command)
        return original(connection, command, *args, **kwargs)

    monkeypatch.setattr(redis.connection.Connection, "send_packed_command", counting)
    return sent


@pytest.mark.parametrize(
    ("rate", "parsed"),
    [("120/m", (120, 60)), ("6000/m", (6000, 60)), ("5/10s", (5, 10)), ("1/d", (1, 86400))],
)
def test_rates_are_read_as_count_per_window(rate, parsed):
    assert throttle.parse_rate(rate) == parsed


@pytest.mark.parametrize("rate", ["120", "120/minute", "/m", "ten/m"])
def test_a_malformed_rate_is_refused_with_the_expected_form(rate):
    with pytest.raises(ValueError, match="N/s, N/m"):
        throttle.parse_rate(rate)


@pytest.mark.parametrize("backend", ["locmem", "redis"])
def test_a_counter_allows_the_rate_then_refuses_until_the_next_window(backend, request):
    if backend == "redis":
        request.getfixturevalue("redis_cache")
    now = 1_800_000_000.0  # the start of a one-minute window
    assert [throttle.hit("t", "198.51.100.7", "3/m", now=now + i) for i in range(4)] == [
        False,
        False,
        False,
        True,
    ]
    assert throttle.hit("t", "198.51.100.8", "3/m", now=now) is False  # another address
    assert throttle.hit("t", "198.51.100.7", "3/m", now=now + 60) is False  # the next window


def test_on_redis_a_check_is_one_round_trip_and_the_counter_expires(redis_cache, monkeypatch):

    client = redis_client(redis_cache)
    assert redis_client(redis_cache) is client  # one client, not one per check
    throttle.hit("t", "203.0.113.9", "120/m")  # the script is loaded once, on first use
    sent = _record_redis_commands(monkeypatch)
    throttle.hit("t", "203.0.113.5", "120/m", now=1_800_000_000.0)
    assert len(sent) == 1  # one round trip
    assert b"EVALSHA" in sent[0]  # one command: increment and, when new, expire

    keys = client.keys(f"{REDIS_CACHE_PREFIX}:*throttle:t:203.0.113.5:*")
    assert len(keys) == 1
    assert client.get(keys[0]) == b"1"
    assert 0 < client.ttl(keys[0]) <= 60 + throttle.EXPIRY_MARGIN
    assert throttle.hit("t", "203.0.113.5", "120/m", now=1_800_000_000.0) is False
    assert client.get(keys[0]) == b"2"
    assert 0 < client.ttl(keys[0]) <= 60 + throttle.EXPIRY_MARGIN


def test_a_forged_address_makes_a_short_clean_key(redis_cache):
    forged = "not an address\r\n" + "x" * 500
    assert throttle.hit("t", forged, "1/m") is False
    assert throttle.hit("t", forged, "1/m") is True
    client = redis_client(redis_cache)
    (key,) = client.keys(f"{REDIS_CACHE_PREFIX}:*throttle:t:*")
    assert len(key) < 100
    assert b" " not in key


def test_a_flood_on_redis_gets_429_and_a_fresh_address_is_served(redis_cache, alice, settings):
    settings.CXLOOP_SURVEY_RATE_PER_IP = "2/m"
    csat = SurveyFactory(workspace=alice.workspace, kind="csat")
    url = f"/s/{csat.public_key}/"
    client = Client()
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 429]
    assert client.get(url, REMOTE_ADDR="192.0.2.44").status_code == 200


def test_an_anonymous_link_is_resolved_in_one_query(alice, django_assert_num_queries):
    csat = SurveyFactory(workspace=alice.workspace, kind="csat")
    with django_assert_num_queries(1):
        respondent = respond.resolve_anonymous(csat.public_key, Response.Via.ANONYMOUS)
    assert respondent.survey == csat
    assert [q.key for q in respondent.questions] == ["score", "comment"]
    assert all(q.survey is respondent.survey for q in respondent.questions)
    assert respondent.survey.workspace == alice.workspace


def _fields(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


@pytest.mark.parametrize("with_touchpoint", [True, False])
def test_the_precompiled_lookup_builds_what_the_orm_builds(alice, with_touchpoint):
    from datetime import UTC, datetime

    from cxloop.feedback import lookup

    touchpoint = TouchpointFactory(workspace=alice.workspace) if with_touchpoint else None
    survey = SurveyFactory(workspace=alice.workspace, kind="nps", touchpoint=touchpoint)
    survey.closes_at = datetime(2031, 5, 6, 7, 8, 9, tzinfo=UTC)
    survey.title = {"uk": "Як нам? <script>", "en": "How are we?"}
    survey.save()
    Question.unscoped.filter(survey=survey, key="score").update(
        labels={"low": {"en": "Never"}}, show_if_min=None, required=False
    )
    SurveyFactory(workspace=alice.workspace, kind="csat")  # another survey stays out

    found, questions = lookup.survey_and_questions(survey.public_key)

    stored = Survey.unscoped.select_related("workspace", "touchpoint").get(pk=survey.pk)
    assert _fields(found) == _fields(stored)
    assert found.closes_at == survey.closes_at
    assert found.closes_at.tzinfo is not None
    assert found.title["uk"] == "Як нам? <script>"
    assert _fields(found.workspace) == _fields(stored.workspace)
    if with_touchpoint:
        assert _fields(found.touchpoint) == _fields(stored.touchpoint)
    else:
        assert found.touchpoint is None
    expected = list(Question.unscoped.filter(survey=survey).order_by("position"))
    assert [_fields(q) for q in questions] == [_fields(q) for q in expected]
    assert questions[0].labels == {"low": {"en": "Never"}}
    assert questions[0].required is False
    assert all(q.survey is found for q in questions)
    assert lookup.survey_and_questions("no-such-key") == (None, [])


def test_a_survey_without_questions_still_resolves(alice):
    empty = SurveyFactory(workspace=alice.workspace, kind="csat")
    Question.unscoped.filter(survey=empty).delete()
    respondent = respond.resolve_anonymous(empty.public_key, Response.Via.ANONYMOUS)
    assert respondent.survey == empty
    assert respondent.questions == []


def test_a_database_error_that_is_not_a_lost_race_is_not_hidden(alice, monkeypatch):
    csat = SurveyFactory(workspace=alice.workspace, kind="csat")
    form = Form.of(Client().get(f"/s/{csat.public_key}/"))

    def broken(*args, **kwargs):
        raise IntegrityError("some other constraint")

    monkeypatch.setattr(respond.inserts, "insert_response", broken)
    with pytest.raises(IntegrityError, match="some other constraint"):
        form.post(Client(), {"q_score": "4", "q_comment": "ok"})
    assert not Response.unscoped.exists()
    assert not Experience.unscoped.exists()  # rolled back with the response


def test_on_postgresql_a_new_answer_takes_four_statements_in_one_transaction(alice):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "postgresql":
        pytest.skip("SQLite takes the ORM's statements")
    csat = SurveyFactory(workspace=alice.workspace, kind="csat")
    client = Client()
    form = Form.of(client.get(f"/s/{csat.public_key}/"))
    with CaptureQueriesContext(connection) as captured:
        done = form.post(client, {"q_score": "2", "q_comment": "Довго чекав"})
    assert done.status_code == 303
    heads = [" ".join(q["sql"].split()[:3]) for q in captured.captured_queries]
    statements = [h for h in heads if not h.startswith(("SAVEPOINT", "RELEASE"))]
    assert len(statements) == 4, heads  # the link, the experience, its rollups, the answer
    assert statements[0].startswith("SELECT")
    assert statements[1].startswith('INSERT INTO "experiences_experience"')
    assert statements[2].startswith("WITH lock AS")
    assert statements[3].startswith("WITH r AS")


@pytest.mark.parametrize("answered", [0, 1, 2])
def test_a_new_response_and_its_answers_are_stored_as_the_orm_stores_them(alice, answered):
    import uuid

    from cxloop.core.scoping import bind_workspace
    from cxloop.feedback import inserts
    from cxloop.feedback.models import Answer

    csat = SurveyFactory(workspace=alice.workspace, kind="csat")
    score, comment = Question.unscoped.filter(survey=csat).order_by("position")
    submission = uuid.uuid4()
    with bind_workspace(alice.workspace):
        response = Response(
            survey=csat,
            submission_id=submission,
            via=Response.Via.QR,
            language="uk",
            status=Response.Status.PARTIAL,
            revision=1,
            page=2,
            score=4,
            scale="csat",
        )
        rows = [
            Answer(response=response, question=score, number=4),
            Answer(response=response, question=comment, text="Швидко <b>", choices=["a", "б"]),
        ][:answered]
        inserts.insert_response(response, rows)
    assert response.pk is not None
    stored = Response.unscoped.get(submission_id=submission)
    assert stored.pk == response.pk
    assert stored.workspace_id == alice.workspace.pk
    assert (stored.via, stored.language, stored.status, stored.page, stored.score) == (
        "qr",
        "uk",
        "partial",
        2,
        4,
    )
    assert stored.started_at is not None
    assert stored.started_at == response.started_at
    assert stored.updated_at == response.updated_at
    assert stored.completed_at is None
    answers = list(Answer.unscoped.filter(response=stored).order_by("question__position"))
    assert [(a.question_id, a.number, a.text, a.choices) for a in answers] == [
        (score.pk, 4, "", []),
        (comment.pk, None, "Швидко <b>", ["a", "б"]),
    ][:answered]
    assert all(a.workspace_id == alice.workspace.pk for a in answers)


def test_a_response_of_another_workspace_is_refused(alice, bob):
    import uuid

    from cxloop.core.scoping import CrossWorkspaceWrite, bind_workspace
    from cxloop.feedback import inserts

    csat = SurveyFactory(workspace=alice.workspace, kind="csat")
    with bind_workspace(bob.workspace), pytest.raises(CrossWorkspaceWrite):
        inserts.insert_response(
            Response(
                workspace=alice.workspace,
                survey=csat,
                submission_id=uuid.uuid4(),
                via="anonymous",
                language="en",
            ),
            [],
        )
    assert not Response.unscoped.exists()


@pytest.mark.parametrize("backend", ["locmem", "redis"])
def test_a_flood_refused_by_address_does_not_use_up_its_surveys_allowance(
    alice, settings, backend, request
):
    if backend == "redis":
        request.getfixturevalue("redis_cache")
    settings.CXLOOP_SURVEY_RATE_PER_IP = "2/m"
    settings.CXLOOP_SURVEY_RATE_PER_SURVEY = "3/m"
    csat = SurveyFactory(workspace=alice.workspace, kind="csat")
    url = f"/s/{csat.public_key}/"
    flood = [Client(REMOTE_ADDR="192.0.2.10").get(url).status_code for _ in range(6)]
    assert flood == [200, 200, 429, 429, 429, 429]
    others = [Client(REMOTE_ADDR=f"192.0.2.{20 + i}").get(url).status_code for i in range(2)]
    assert others == [200, 429]  # the survey's third request, then its fourth


def test_personal_and_anonymous_links_count_against_one_survey(
    alice, nps, customer, invite, settings
):
    settings.CXLOOP_SURVEY_RATE_PER_SURVEY = "2/m"
    personal = invite(nps, customer).path
    assert Client(REMOTE_ADDR="192.0.2.31").get(f"/s/{nps.public_key}/").status_code == 200
    assert Client(REMOTE_ADDR="192.0.2.32").get(personal).status_code == 200
    assert Client(REMOTE_ADDR="192.0.2.33").get(personal).status_code == 429
    assert Client(REMOTE_ADDR="192.0.2.34").get(f"/s/{nps.public_key}/").status_code == 429


def test_on_redis_an_anonymous_page_counts_both_limits_in_one_round_trip(
    alice, redis_cache, monkeypatch
):

    csat = SurveyFactory(workspace=alice.workspace, kind="csat")
    url = f"/s/{csat.public_key}/"
    assert Client().get(url).status_code == 200  # loads the script
    sent = _record_redis_commands(monkeypatch)
    assert Client().get(url).status_code == 200
    assert len(sent) == 1
    assert b"survey-ip" in sent[0]
    assert csat.public_key.encode() in sent[0]
