"""Personal links: an unguessable token, kept only as its digest; wrong, expired or closed links
are refused with a clear page, and nothing is written."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from cxloop.feedback.models import Invitation, Response
from cxloop.feedback.services import close_survey

from .conftest import Form

pytestmark = pytest.mark.django_db


def test_only_the_tokens_digest_is_stored(nps, customer, invite):
    issued = invite(nps, customer)
    row = Invitation.unscoped.get(pk=issued.invitation.pk)
    assert len(issued.token) >= 32
    assert row.token_hash == hashlib.sha256(issued.token.encode()).hexdigest()
    assert issued.token not in {str(v) for v in row.__dict__.values()}


def test_a_personal_link_opens_the_survey_in_the_customers_language(
    nps, customer, invite, respondent
):
    page = respondent.get(invite(nps, customer).path)
    assert page.status_code == 200
    assert '<html lang="uk">' in page.content.decode()
    assert "Наскільки ймовірно, що ви порекомендуєте нас" in page.content.decode()
    assert Invitation.unscoped.get().opened_at is not None


@pytest.mark.parametrize("token", ["not-a-token", "x" * 101, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"])
def test_a_wrong_token_is_404_with_a_clear_message(nps, respondent, token):
    page = respondent.get(f"/s/i/{token}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 404
    assert "This survey link is not valid" in page.content.decode()


def test_posting_to_a_wrong_token_writes_nothing(nps, respondent):
    page = respondent.post("/s/i/made-up/", {"q_score": "9"})
    assert page.status_code == 404
    assert not Response.unscoped.exists()


def test_an_expired_link_is_410(nps, customer, invite, respondent):
    issued = invite(nps, customer, expires_at=timezone.now() - timedelta(minutes=1))
    page = respondent.get(issued.path, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 410
    assert "This link expired on" in page.content.decode()


def test_a_closed_survey_is_410_and_takes_no_answer(nps, customer, invite, respondent):
    issued = invite(nps, customer)
    form = Form.of(respondent.get(issued.path))
    close_survey(nps)
    answered = form.post(respondent, {"q_score": "9"}, HTTP_ACCEPT_LANGUAGE="en")
    assert answered.status_code == 410
    assert "This survey closed on" in answered.content.decode()
    assert not Response.unscoped.exists()


def test_an_unknown_anonymous_key_is_404(respondent, db):
    assert respondent.get("/s/nosuchsurvey1234/").status_code == 404


def test_an_anonymous_response_of_another_survey_is_404(alice, nps, respondent):
    from ..factories import SurveyFactory

    other = SurveyFactory(workspace=alice.workspace, kind="csat")
    form = Form.of(respondent.get(f"/s/{nps.public_key}/"))
    started = form.post(respondent, {"q_score": "3"})
    submission = started["Location"].split("/r/")[1].split("/")[0]
    assert respondent.get(f"/s/{other.public_key}/r/{submission}/").status_code == 404
