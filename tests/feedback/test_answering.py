"""Answering: every page is kept, a repeated POST stores one answer, branching asks only what
applies, and a completed answer becomes an experience that moves the customer's stance."""

from __future__ import annotations

import pytest

from cxloop.customers.models import Customer
from cxloop.experiences.models import Experience
from cxloop.feedback import events
from cxloop.feedback.models import Answer, Response

from ..factories import SurveyFactory
from .conftest import Form

pytestmark = pytest.mark.django_db


def _answers(response_id: int) -> dict:
    return {
        a.question.key: a.number if a.number is not None else (a.choices or a.text)
        for a in Answer.unscoped.filter(response_id=response_id).select_related("question")
    }


def test_a_detractor_answers_by_personal_link_and_becomes_a_prosecutor(
    nps, customer, invite, respondent, touchpoint
):
    issued = invite(nps, customer)
    first = Form.of(respondent.get(issued.path)).post(respondent, {"q_score": "3"})
    assert first.status_code == 303
    second = Form.of(respondent.get(first["Location"]))
    done = second.post(
        respondent, {"q_what_went_wrong": ["delivery", "staff"], "q_why": "Кур'єр запізнився"}
    )
    assert done.status_code == 303
    assert done["Location"].endswith("/thanks/")

    response = Response.unscoped.get()
    assert response.status == "completed"
    assert (response.score, response.scale, response.customer_id) == (3, "nps", customer.pk)
    experience = Experience.unscoped.get()
    assert experience.outcome == "below"
    assert experience.emotion == "negative"
    assert experience.source == "survey"
    assert experience.customer_id == customer.pk
    assert experience.touchpoint_id == touchpoint.pk
    assert experience.text == "Кур'єр запізнився"
    assert experience.language == "uk"
    assert response.experience_id == experience.pk
    assert Customer.unscoped.get(pk=customer.pk).stance == "prosecutor"
    assert _answers(response.pk) == {
        "score": 3,
        "what_went_wrong": ["delivery", "staff"],
        "why": "Кур'єр запізнився",
    }


def test_a_detractor_is_told_when_someone_will_call(nps, customer, invite, respondent):
    issued = invite(nps, customer)
    first = Form.of(respondent.get(issued.path)).post(respondent, {"q_score": "2"})
    done = Form.of(respondent.get(first["Location"])).post(respondent, {})
    thanks = respondent.get(done["Location"], HTTP_ACCEPT_LANGUAGE="en", data={"lang": "en"})
    assert "will contact you within 48 hours" in thanks.content.decode()


def test_a_promoter_is_invited_to_leave_a_review(alice, nps, customer, invite, respondent):
    from cxloop.feedback.services import update_feedback_settings

    update_feedback_settings(alice.workspace, review_url="https://reviews.example/shop")
    issued = invite(nps, customer, language="en")
    first = Form.of(respondent.get(issued.path)).post(respondent, {"q_score": "10"})
    done = Form.of(respondent.get(first["Location"])).post(respondent, {"q_why": "Fast"})
    thanks = respondent.get(done["Location"]).content.decode()
    assert "https://reviews.example/shop" in thanks
    assert "Leave a public review" in thanks
    assert Customer.unscoped.get(pk=customer.pk).stance == "advocate"


def test_double_submit_stores_one_answer(alice, respondent):
    csat = SurveyFactory(workspace=alice.workspace, kind="csat")
    form = Form.of(respondent.get(f"/s/{csat.public_key}/"))
    first = form.post(respondent, {"q_score": "5", "q_comment": "Дякую"})
    again = form.post(respondent, {"q_score": "5", "q_comment": "Дякую"})
    assert first.status_code == again.status_code == 303
    assert first["Location"] == again["Location"]
    assert Response.unscoped.count() == 1
    assert Experience.unscoped.count() == 1
    assert Answer.unscoped.count() == 2


def test_a_retried_later_page_is_stored_once(nps, customer, invite, respondent):
    issued = invite(nps, customer)
    first = Form.of(respondent.get(issued.path)).post(respondent, {"q_score": "9"})
    second = Form.of(respondent.get(first["Location"]))
    second.post(respondent, {"q_why": "Швидко"})
    second.post(respondent, {"q_why": "Швидко"})
    assert Experience.unscoped.count() == 1
    assert Response.unscoped.get().revision == 2


def test_one_answer_per_invitation_even_from_two_tabs(nps, customer, invite, respondent):
    issued = invite(nps, customer)
    tab_one = Form.of(respondent.get(issued.path))
    tab_two = Form.of(respondent.get(issued.path))
    tab_one.post(respondent, {"q_score": "4"})
    late = tab_two.post(respondent, {"q_score": "9"})
    assert late.status_code == 303
    assert Response.unscoped.count() == 1
    assert Response.unscoped.get().score == 4


def test_partial_answers_are_kept(nps, customer, invite, respondent):
    issued = invite(nps, customer)
    Form.of(respondent.get(issued.path)).post(respondent, {"q_score": "7"})
    response = Response.unscoped.get()
    assert response.status == "partial"
    assert response.page == 2
    assert _answers(response.pk) == {"score": 7}
    assert not Experience.unscoped.exists()
    # Coming back later continues where the respondent stopped.
    assert 'name="page" value="2"' in respondent.get(issued.path).content.decode()


def test_what_went_wrong_is_asked_only_when_the_score_is_low(nps, customer, invite, respondent):
    issued = invite(nps, customer)
    high = Form.of(respondent.get(issued.path)).post(respondent, {"q_score": "8"})
    page = respondent.get(high["Location"]).content.decode()
    assert "q_what_went_wrong" not in page
    assert "q_why" in page


def test_a_hidden_question_cannot_be_answered_by_a_crafted_post(nps, customer, invite, respondent):
    issued = invite(nps, customer)
    high = Form.of(respondent.get(issued.path)).post(respondent, {"q_score": "9"})
    Form.of(respondent.get(high["Location"])).post(
        respondent, {"q_why": "ok", "q_what_went_wrong": ["price"]}
    )
    assert "what_went_wrong" not in _answers(Response.unscoped.get().pk)


def test_an_edit_replaces_the_experience_and_moves_the_stance(nps, customer, invite, respondent):
    issued = invite(nps, customer)
    first = Form.of(respondent.get(issued.path)).post(respondent, {"q_score": "2"})
    Form.of(respondent.get(first["Location"])).post(respondent, {"q_why": "Погано"})
    assert Customer.unscoped.get(pk=customer.pk).stance == "prosecutor"

    edit_page = respondent.get(issued.path)
    assert "You answered on" in edit_page.content.decode() or "Ви відповіли" in (
        edit_page.content.decode()
    )
    Form.of(edit_page).post(respondent, {"q_score": "10"})
    experience = Experience.unscoped.get()
    assert (experience.score, experience.outcome) == (10, "exceeded")
    assert experience.text == "Погано"
    assert Customer.unscoped.get(pk=customer.pk).stance == "advocate"
    # The low-score question's answer no longer applies.
    assert "what_went_wrong" not in _answers(Response.unscoped.get().pk)


def test_anonymous_answers_become_experiences_without_a_customer(alice, respondent):
    ces = SurveyFactory(workspace=alice.workspace, kind="ces")
    form = Form.of(respondent.get(f"/s/{ces.public_key}/?via=qr"))
    form.post(respondent, {"q_score": "6"})
    response = Response.unscoped.get()
    assert (response.via, response.customer_id) == ("qr", None)
    experience = Experience.unscoped.get()
    assert (experience.customer_id, experience.outcome, experience.scale) == (
        None,
        "exceeded",
        "ces",
    )


def test_completion_emits_response_completed(nps, customer, invite, respondent):
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    events.response_completed.connect(receiver)
    try:
        issued = invite(nps, customer)
        first = Form.of(respondent.get(issued.path)).post(respondent, {"q_score": "6"})
        assert received == []  # a partial answer is no event
        Form.of(respondent.get(first["Location"])).post(respondent, {})
    finally:
        events.response_completed.disconnect(receiver)
    assert len(received) == 1
    assert received[0]["response"].pk == Response.unscoped.get().pk
    assert received[0]["experience"].outcome == "below"
    assert received[0]["edited"] is False


def test_a_custom_survey_branches_on_its_rating(alice, respondent):
    custom = SurveyFactory(workspace=alice.workspace, kind="custom")
    form = Form.of(respondent.get(f"/s/{custom.public_key}/?lang=en"))
    low = form.post(respondent, {"q_rating": "1", "q_channel": "site", "q_liked": ["speed"]})
    assert low.status_code == 303
    page = respondent.get(low["Location"]).content.decode()
    assert "We are sorry. What went wrong?" in page
    Form.of(respondent.get(low["Location"])).post(respondent, {"q_what_went_wrong": "Torn cover"})
    experience = Experience.unscoped.get()
    assert (experience.scale, experience.outcome, experience.text) == (
        "stars5",
        "below",
        "Torn cover",
    )
