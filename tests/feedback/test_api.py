"""Surveys over the API: list, one with its questions, and its responses with cursor pages."""

from __future__ import annotations

import pytest

from ..api.conftest import api_for
from ..factories import SurveyFactory
from .conftest import Form

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_api(alice):
    return api_for(alice)


def test_surveys_are_listed_newest_first(alice, alice_api):
    first = SurveyFactory(workspace=alice.workspace, kind="nps")
    second = SurveyFactory(workspace=alice.workspace, kind="csat")
    body = alice_api.get("/surveys").json()
    assert [s["id"] for s in body["items"]] == [second.pk, first.pk]
    assert body["items"][0]["anonymous_path"] == f"/s/{second.public_key}/"


def test_one_survey_has_its_questions_in_every_language(alice, alice_api, nps):
    body = alice_api.get(f"/surveys/{nps.pk}").json()
    assert [q["key"] for q in body["questions"]] == ["score", "what_went_wrong", "why"]
    assert set(body["questions"][0]["text"]) == {"en", "uk", "ru"}
    assert body["questions"][1]["show_if_key"] == "score"
    assert body["questions"][1]["show_if_max"] == 6


def test_responses_page_with_a_cursor(alice, alice_api, nps, respondent):
    for score in (1, 5, 9):
        step = Form.of(respondent.get(f"/s/{nps.public_key}/")).post(
            respondent, {"q_score": str(score)}
        )
        Form.of(respondent.get(step["Location"])).post(respondent, {"q_why": f"w{score}"})
    page = alice_api.get(f"/surveys/{nps.pk}/responses", {"limit": 2}).json()
    assert [r["score"] for r in page["items"]] == [9, 5]
    assert page["items"][0]["answers"] == {"score": 9, "why": "w9"}
    rest = alice_api.get(
        f"/surveys/{nps.pk}/responses", {"limit": 2, "cursor": page["next_cursor"]}
    ).json()
    assert [r["score"] for r in rest["items"]] == [1]
    assert rest["next_cursor"] is None


def test_partial_responses_can_be_filtered_out(alice, alice_api, nps, respondent):
    Form.of(respondent.get(f"/s/{nps.public_key}/")).post(respondent, {"q_score": "4"})
    assert (
        alice_api.get(f"/surveys/{nps.pk}/responses", {"status": "completed"}).json()["items"] == []
    )
    partial = alice_api.get(f"/surveys/{nps.pk}/responses", {"status": "partial"}).json()
    assert [r["status"] for r in partial["items"]] == ["partial"]


def test_another_workspaces_survey_is_404(alice, bob, nps):
    bob_api = api_for(bob)
    assert bob_api.get(f"/surveys/{nps.pk}").status_code == 404
    assert bob_api.get(f"/surveys/{nps.pk}/responses").status_code == 404
    assert bob_api.get("/surveys").json()["items"] == []


def test_the_api_needs_a_token(nps):
    from django.test import Client

    assert Client().get("/api/v1/surveys").status_code == 401
