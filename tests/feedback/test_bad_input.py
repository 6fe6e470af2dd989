"""Bad input gets a clear message in the respondent's language and a 4xx; nothing is written."""

from __future__ import annotations

import pytest

from cxloop.experiences.models import Experience
from cxloop.feedback.models import Answer, Response

from ..factories import SurveyFactory
from .conftest import Form

pytestmark = pytest.mark.django_db


@pytest.fixture
def csat(alice):
    return SurveyFactory(workspace=alice.workspace, kind="csat")


def _nothing_written():
    return not (
        Response.unscoped.exists() or Answer.unscoped.exists() or Experience.unscoped.exists()
    )


@pytest.mark.parametrize("score", ["0", "6", "-1", "99999999", "five", "3.5", ""])
def test_a_score_out_of_range_is_refused(csat, respondent, score):
    form = Form.of(respondent.get(f"/s/{csat.public_key}/?lang=en"))
    page = form.post(respondent, {"q_score": score})
    assert page.status_code == 400
    assert "Choose a score from 1 to 5." in page.content.decode()
    assert _nothing_written()


def test_an_oversized_text_is_refused(csat, respondent):
    form = Form.of(respondent.get(f"/s/{csat.public_key}/?lang=en"))
    page = form.post(respondent, {"q_score": "4", "q_comment": "я" * 2001})
    assert page.status_code == 400
    assert "under 2,000 characters" in page.content.decode()
    assert _nothing_written()


def test_an_unknown_choice_is_refused(alice, respondent):
    custom = SurveyFactory(workspace=alice.workspace, kind="custom")
    form = Form.of(respondent.get(f"/s/{custom.public_key}/?lang=en"))
    page = form.post(respondent, {"q_rating": "4", "q_channel": "carrier-pigeon"})
    assert page.status_code == 400
    assert "Choose among the answers shown." in page.content.decode()
    assert _nothing_written()


def test_the_error_message_is_in_the_respondents_language(csat, respondent):
    form = Form.of(respondent.get(f"/s/{csat.public_key}/?lang=uk"))
    page = form.post(respondent, {"q_score": "9"})
    assert page.status_code == 400
    assert '<html lang="uk">' in page.content.decode()


@pytest.mark.parametrize("language", ["de", "xx", "", "en-US"])
def test_an_unknown_language_is_400_with_the_languages_offered(csat, respondent, language):
    page = respondent.get(f"/s/{csat.public_key}/", {"lang": language}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 400
    body = page.content.decode()
    assert "not available in that language" in body
    assert "?lang=uk" in body


def test_a_form_without_its_hidden_fields_is_400(csat, respondent):
    page = respondent.post(f"/s/{csat.public_key}/", {"q_score": "5"}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 400
    assert "out of date" in page.content.decode()
    assert _nothing_written()


def test_a_nul_character_is_dropped_not_a_500(csat, respondent):
    form = Form.of(respondent.get(f"/s/{csat.public_key}/"))
    assert form.post(respondent, {"q_score": "5", "q_comment": "a\x00b"}).status_code == 303
    assert Answer.unscoped.get(question__key="comment").text == "ab"


def test_a_body_too_large_is_413(csat, respondent, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    form = Form.of(respondent.get(f"/s/{csat.public_key}/"))
    page = form.post(respondent, {"q_score": "5", "q_comment": "x" * 20_000})
    assert page.status_code == 413
    assert _nothing_written()
