"""The public pages run through a short middleware stack of their own (``feedback.middleware``):
none of the staff UI's session, login, messages, CSRF or workspace machinery, and still every
security header, the browser's language and the trailing-slash redirect."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cxloop.feedback.services import close_survey

from .conftest import Form

pytestmark = pytest.mark.django_db


def test_a_public_page_skips_the_staff_middleware_and_a_staff_page_does_not(alice, nps, respondent):
    public = respondent.get(f"/s/{nps.public_key}/")
    assert public.status_code == 200
    assert not hasattr(public.wsgi_request, "session")
    assert not hasattr(public.wsgi_request, "user")
    staff = alice.client.get(reverse("feedback:detail", args=[nps.pk]))
    assert staff.status_code == 200
    assert staff.wsgi_request.user == alice.user
    assert staff.wsgi_request.workspace == alice.workspace


def test_an_answer_on_the_short_stack_keeps_every_security_header(nps, respondent):
    form = Form.of(respondent.get(f"/s/{nps.public_key}/", HTTP_ACCEPT_LANGUAGE="uk"))
    done = form.post(respondent, {"q_score": "9"}, HTTP_ACCEPT_LANGUAGE="uk")
    assert done.status_code == 303
    for answer in (done, respondent.get(done["Location"], HTTP_ACCEPT_LANGUAGE="uk")):
        assert answer["X-Content-Type-Options"] == "nosniff"
        assert answer["Referrer-Policy"] == "same-origin"
        assert answer["Cross-Origin-Opener-Policy"] == "same-origin"
        assert "frame-ancestors *" in answer["Content-Security-Policy"]
        assert "Accept-Language" in answer["Vary"]
        assert answer["Content-Language"] == "uk"
        assert not answer.cookies


@pytest.mark.parametrize(
    ("header", "expected"),
    [("uk-UA,uk;q=0.9", "Це опитування завершилося"), ("en", "This survey closed on")],
)
def test_a_refusal_before_the_survey_language_is_known_speaks_the_browsers(
    nps, respondent, header, expected
):
    close_survey(nps)
    page = respondent.get(f"/s/{nps.public_key}/", HTTP_ACCEPT_LANGUAGE=header)
    assert page.status_code == 410
    assert expected in page.content.decode()
    assert "Accept-Language" in page["Vary"]


def test_a_link_without_its_trailing_slash_is_redirected(nps, respondent):
    page = respondent.get(f"/s/{nps.public_key}")
    assert page.status_code == 301
    assert page["Location"] == f"/s/{nps.public_key}/"
