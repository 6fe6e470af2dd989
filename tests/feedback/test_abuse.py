"""Untrusted words are escaped everywhere, public pages are rate limited, and only they may be
framed by other sites."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from cxloop.feedback.models import Response

from ..factories import SurveyFactory
from .conftest import Form

pytestmark = pytest.mark.django_db

PAYLOAD = '<script>alert("pwned")</script><img src=x onerror=alert(1)>'


def _answer_with_payload(nps, customer, invite, respondent) -> str:
    issued = invite(nps, customer)
    first = Form.of(respondent.get(issued.path)).post(respondent, {"q_score": "2"})
    Form.of(respondent.get(first["Location"])).post(respondent, {"q_why": PAYLOAD})
    return issued.path


def _assert_escaped(body: str) -> None:
    assert "<script>alert" not in body
    assert "<img src=x" not in body
    assert "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;" in body


def test_answer_text_is_escaped_on_the_results_page(alice, nps, customer, invite, respondent):
    _answer_with_payload(nps, customer, invite, respondent)
    page = alice.client.get(reverse("feedback:results", args=[nps.pk]))
    assert page.status_code == 200
    _assert_escaped(page.content.decode())


def test_answer_text_is_escaped_on_the_customer_360(alice, nps, customer, invite, respondent):
    _answer_with_payload(nps, customer, invite, respondent)
    page = alice.client.get(reverse("customers:detail", args=[customer.pk]))
    _assert_escaped(page.content.decode())


def test_answer_text_is_escaped_when_the_respondent_edits_it(nps, customer, invite, respondent):
    path = _answer_with_payload(nps, customer, invite, respondent)
    page = respondent.get(path, {"page": "2"})
    _assert_escaped(page.content.decode())


def test_answer_text_is_escaped_when_shown_back_with_an_error(alice, respondent):
    csat = SurveyFactory(workspace=alice.workspace, kind="csat")
    form = Form.of(respondent.get(f"/s/{csat.public_key}/"))
    page = form.post(respondent, {"q_score": "77", "q_comment": PAYLOAD})
    assert page.status_code == 400
    _assert_escaped(page.content.decode())


def test_a_flood_from_one_address_gets_429(nps, respondent, settings):
    settings.CXLOOP_SURVEY_RATE_PER_IP = "3/m"
    url = f"/s/{nps.public_key}/"
    assert [respondent.get(url).status_code for _ in range(3)] == [200, 200, 200]
    blocked = respondent.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert blocked.status_code == 429
    assert blocked["Retry-After"] == "60"
    assert "Please wait a minute" in blocked.content.decode()
    # Another address is still served.
    assert respondent.get(url, REMOTE_ADDR="203.0.113.9").status_code == 200


def test_a_flood_against_one_survey_gets_429_from_any_address(alice, nps, respondent, settings):
    settings.CXLOOP_SURVEY_RATE_PER_SURVEY = "4/m"
    url = f"/s/{nps.public_key}/"
    codes = [respondent.get(url, REMOTE_ADDR=f"198.51.100.{i}").status_code for i in range(5)]
    assert codes == [200, 200, 200, 200, 429]
    other = SurveyFactory(workspace=alice.workspace, kind="csat")
    assert respondent.get(f"/s/{other.public_key}/").status_code == 200


def test_a_throttled_post_writes_nothing(nps, respondent, settings):
    settings.CXLOOP_SURVEY_RATE_PER_IP = "1/m"
    form = Form.of(respondent.get(f"/s/{nps.public_key}/"))
    assert form.post(respondent, {"q_score": "9"}).status_code == 429
    assert not Response.unscoped.exists()


def test_the_address_behind_a_proxy_is_the_forwarded_one(nps, respondent, settings):
    settings.CXLOOP_SURVEY_RATE_PER_IP = "1/m"
    settings.AXES_IPWARE_PROXY_COUNT = 1
    url = f"/s/{nps.public_key}/"
    assert respondent.get(url, HTTP_X_FORWARDED_FOR="192.0.2.1").status_code == 200
    assert respondent.get(url, HTTP_X_FORWARDED_FOR="192.0.2.2").status_code == 200
    assert respondent.get(url, HTTP_X_FORWARDED_FOR="192.0.2.1").status_code == 429


def test_public_pages_may_be_framed_and_staff_pages_may_not(alice, nps, respondent):
    public = respondent.get(f"/s/{nps.public_key}/?via=embed")
    assert "X-Frame-Options" not in public
    assert "frame-ancestors *" in public["Content-Security-Policy"]
    assert "script-src 'self'" in public["Content-Security-Policy"]
    staff = alice.client.get(reverse("feedback:detail", args=[nps.pk]))
    assert staff["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in staff["Content-Security-Policy"]


def test_public_pages_set_no_cookie_and_need_no_csrf_token(nps, respondent):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    page = strict.get(f"/s/{nps.public_key}/")
    assert not page.cookies
    assert Form.of(page).post(strict, {"q_score": "9"}).status_code == 303


def test_the_public_page_is_under_30_kb_with_its_stylesheet(nps, customer, invite, respondent):
    from django.contrib.staticfiles import finders

    page = respondent.get(invite(nps, customer).path)
    body = page.content.decode()
    assert "<script" not in body
    assert 'style="' not in body
    stylesheets = [
        line.split('href="/static/')[1].split('"')[0]
        for line in body.splitlines()
        if 'rel="stylesheet"' in line
    ]
    assert stylesheets == ["feedback/survey.css"]
    size = len(page.content) + sum(Path(finders.find(path)).stat().st_size for path in stylesheets)
    assert size < 30 * 1024, size


def test_every_question_has_a_label_or_legend(alice, respondent):
    custom = SurveyFactory(workspace=alice.workspace, kind="custom")
    body = respondent.get(f"/s/{custom.public_key}/").content.decode()
    assert body.count("<fieldset") == body.count("<legend") == 3
    import re

    for input_id in re.findall(r'<input type="(?:radio|checkbox)" id="([^"]+)"', body):
        assert f'<label for="{input_id}">' in body
