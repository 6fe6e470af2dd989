"""Staff pages: a survey from a template (managers), its links, QR code, results and export."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from cxloop.accounts.models import Role
from cxloop.feedback.models import Question, Survey

from ..conftest import make_tenant
from ..factories import MembershipFactory, SegmentFactory, SurveyFactory, UserFactory
from .conftest import Form

pytestmark = pytest.mark.django_db


def _member(tenant, role):
    from django.test import Client

    user = UserFactory()
    MembershipFactory(workspace=tenant.workspace, user=user, role=role)
    client = Client()
    client.force_login(user)
    return client


def test_a_manager_creates_a_survey_from_a_template_at_a_touchpoint(alice, touchpoint):
    page = alice.client.post(
        reverse("feedback:create"), {"kind": "nps", "name": "", "touchpoint": touchpoint.pk}
    )
    survey = Survey.unscoped.get()
    assert page.status_code == 302
    assert page["Location"] == reverse("feedback:detail", args=[survey.pk])
    assert (survey.kind, survey.touchpoint_id, survey.status) == ("nps", touchpoint.pk, "open")
    assert list(Question.unscoped.order_by("position").values_list("key", flat=True)) == [
        "score",
        "what_went_wrong",
        "why",
    ]


def test_a_viewer_may_not_create_a_survey(alice):
    viewer = _member(alice, Role.VIEWER)
    assert viewer.get(reverse("feedback:create")).status_code == 403
    assert viewer.post(reverse("feedback:create"), {"kind": "nps"}).status_code == 403
    assert not Survey.unscoped.exists()


def test_a_taken_name_is_refused_beside_the_field(alice, nps):
    page = alice.client.post(reverse("feedback:create"), {"kind": "csat", "name": nps.name})
    assert page.status_code == 200
    assert "exists already" in page.content.decode()


def test_the_survey_page_offers_the_links_snippet_and_qr(alice, nps):
    body = alice.client.get(reverse("feedback:detail", args=[nps.pk])).content.decode()
    assert f"/s/{nps.public_key}/" in body
    assert "&lt;iframe src=&quot;http://testserver/s/" in body  # the snippet, escaped to show
    assert reverse("feedback:qr_png", args=[nps.pk]) in body


def test_qr_codes_download_as_png_and_svg(alice, nps):
    png = alice.client.get(reverse("feedback:qr_png", args=[nps.pk]))
    assert png["Content-Type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")
    svg = alice.client.get(reverse("feedback:qr_svg", args=[nps.pk]))
    assert svg["Content-Type"] == "image/svg+xml"
    assert b"<svg" in svg.content
    assert "attachment" in svg["Content-Disposition"]


def test_an_agent_makes_a_personal_link_shown_once(alice, nps, customer, respondent):
    agent = _member(alice, Role.AGENT)
    page = agent.post(reverse("feedback:invite", args=[nps.pk]), {"customer": customer.external_id})
    body = page.content.decode()
    link = body.split('class="secret" readonly value="')[1].split('"')[0]
    assert link.startswith("http://testserver/s/i/")
    assert respondent.get(link).status_code == 200


def test_a_manager_closes_and_reopens_a_survey(alice, nps, respondent):
    alice.client.post(reverse("feedback:close", args=[nps.pk]), {"action": "close"})
    assert respondent.get(f"/s/{nps.public_key}/").status_code == 410
    alice.client.post(reverse("feedback:close", args=[nps.pk]), {"action": "reopen"})
    assert respondent.get(f"/s/{nps.public_key}/").status_code == 200


def _answer_anonymously(survey, respondent, score, text=""):
    form = Form.of(respondent.get(f"/s/{survey.public_key}/"))
    step = form.post(respondent, {"q_score": str(score)})
    Form.of(respondent.get(step["Location"])).post(respondent, {"q_why": text})


def test_the_results_page_shows_nps_with_its_margin_and_the_words(alice, nps, respondent):
    for score in (10, 9, 9, 7, 3):
        _answer_anonymously(nps, respondent, score, text=f"Оцінка {score}")
    body = alice.client.get(reverse("feedback:results", args=[nps.pk])).content.decode()
    assert "Net Promoter Score" in body
    assert '<div class="value">40</div>' in body  # 3 promoters − 1 detractor of 5
    assert "95% interval" in body
    assert "Оцінка 3" in body


def test_results_filter_by_segment(alice, nps, invite, respondent):
    from ..factories import CustomerFactory

    loyal = SegmentFactory(workspace=alice.workspace, name="Loyal")
    member = CustomerFactory(workspace=alice.workspace, segment=loyal)
    issued = invite(nps, member)
    step = Form.of(respondent.get(issued.path)).post(respondent, {"q_score": "10"})
    Form.of(respondent.get(step["Location"])).post(respondent, {"q_why": "SEGMENT-MEMBER"})
    _answer_anonymously(nps, respondent, 2, text="NOT-IN-SEGMENT")
    url = reverse("feedback:results", args=[nps.pk])
    body = alice.client.get(url, {"segment": loyal.pk, "days": 30}).content.decode()
    assert "SEGMENT-MEMBER" in body
    assert "NOT-IN-SEGMENT" not in body


def test_the_results_page_has_a_query_budget(alice, nps, respondent, django_assert_max_num_queries):
    for score in range(11):
        _answer_anonymously(nps, respondent, score, text=f"text {score}")
    with django_assert_max_num_queries(20):
        page = alice.client.get(reverse("feedback:results", args=[nps.pk]))
    assert page.status_code == 200


def test_the_csv_export_streams_every_answer_safely(alice, nps, respondent):
    _answer_anonymously(nps, respondent, 2, text='=HYPERLINK("http://evil")')
    _answer_anonymously(nps, respondent, 9, text="Чудово, дякую")
    export = alice.client.get(reverse("feedback:export", args=[nps.pk]))
    assert export.streaming
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert rows[0][-3:] == ["score", "what_went_wrong", "why"]
    assert len(rows) == 3
    assert rows[1][-1].startswith("'=")  # not a formula in a spreadsheet
    assert rows[2][-1] == "Чудово, дякую"


def test_only_owners_change_feedback_settings(alice):
    manager = _member(alice, Role.MANAGER)
    assert manager.get(reverse("feedback:settings")).status_code == 403
    page = alice.client.post(
        reverse("feedback:settings"),
        {
            "contact_cap_days": 30,
            "invitation_valid_days": 14,
            "reminder_after_days": 3,
            "detractor_contact_hours": 24,
            "review_url": "https://g.page/r/shop",
            "referral_url": "",
        },
    )
    assert page.status_code == 302
    from cxloop.feedback.services import feedback_settings

    row = feedback_settings(alice.workspace)
    assert (row.detractor_contact_hours, row.review_url) == (24, "https://g.page/r/shop")


def test_the_survey_list_counts_completed_answers(alice, nps, respondent):
    _answer_anonymously(nps, respondent, 8)
    SurveyFactory(workspace=alice.workspace, kind="ces")
    body = alice.client.get(reverse("feedback:list")).content.decode()
    assert nps.name in body
    assert 'href="/surveys/"' in body  # the navigation item


def test_bobs_survey_list_is_his_own(alice, nps):
    bob = make_tenant("Bob")
    assert nps.name not in bob.client.get(reverse("feedback:list")).content.decode()
