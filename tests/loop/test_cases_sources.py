"""Every write path of the experience ledger reaches the case rules through the
``experience_recorded`` event: a detractor's survey answer on the public page, an imported review,
an experience sent over the API."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from cxloop.core.scoping import bind_workspace
from cxloop.feedback.mentions import import_mentions
from cxloop.loop.models import Case

from ..api.conftest import api_for
from ..factories import SurveyFactory

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.loop.case_fixtures"]

HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)">')
ACTION = re.compile(r'<form method="post" action="([^"]*)"')


def _cases(workspace) -> list[Case]:
    with bind_workspace(workspace):
        return list(Case.objects.select_related("experience").order_by("id"))


def test_a_detractors_anonymous_answer_has_nobody_to_call_back(alice, shop):
    survey = SurveyFactory(workspace=alice.workspace, kind="nps", touchpoint=shop.courier)
    browser = Client()
    page = browser.get(f"/s/{survey.public_key}/").content.decode()
    action = ACTION.search(page).group(1).replace("&amp;", "&")
    response = browser.post(action, {**dict(HIDDEN.findall(page)), "q_score": "3"})
    assert response.status_code == 303
    assert _cases(alice.workspace) == []  # anonymous: no customer, no case


def test_a_detractors_personal_answer_opens_a_case_for_the_courier_team(alice, shop, customer):
    from cxloop.feedback.services import issue_invitation

    survey = SurveyFactory(workspace=alice.workspace, kind="nps", touchpoint=shop.courier)
    with bind_workspace(alice.workspace):
        issued = issue_invitation(survey, customer)
    browser = Client()
    location = issued.path
    answers = {"q_score": "2", "q_what_went_wrong": ["delivery"], "q_why": "Кур'єр запізнився"}
    for _page in range(5):  # answer page after page until the survey says thank you
        page = browser.get(location).content.decode()
        if not ACTION.search(page):
            break
        action = ACTION.search(page).group(1).replace("&amp;", "&")
        location = browser.post(action, {**dict(HIDDEN.findall(page)), **answers})["Location"]
    (case,) = _cases(alice.workspace)
    assert case.customer == customer
    assert case.experience.score == 2
    assert case.department == shop.delivery


def test_an_imported_one_star_review_of_a_known_customer_opens_a_case(alice, customer):
    row = {
        "source": "google",
        "external_id": "g-1",
        "author": "Olena",
        "url": "https://maps.example.com/r/g-1",
        "text": "Книжка прийшла пом'ята",
        "rating": 1,
        "posted_at": "2026-05-01T10:00:00+00:00",
        "customer_email": customer.email,
    }
    with bind_workspace(alice.workspace):
        import_mentions([row, {**row, "external_id": "g-2", "rating": 5}])
    (case,) = _cases(alice.workspace)
    assert case.experience.source == "review"


def test_an_experience_sent_over_the_api_opens_a_case(alice, customer):
    response = api_for(alice).post(
        "/experiences", {"source": "staff_note", "customer_id": customer.pk, "outcome": "below"}
    )
    assert response.status_code == 201
    assert [c.experience_id for c in _cases(alice.workspace)] == [response.json()["id"]]
