"""The demo's recent trouble is found by the detection services, not written into the page.

The demo generator writes a payment outage over the last two days and a new parcel-locker
partner failing over the last three weeks (``cxloop.demo.feedback.incidents``) without labelling
either; these tests check that the spike rule and the emerging-topic search find them.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from cxloop.accounts.models import User, Workspace
from cxloop.core.scoping import bind_workspace
from cxloop.demo.services import DEMO_EMAIL, DEMO_SLUG, DemoSummary, load_demo
from cxloop.insights import services
from cxloop.insights.models import ExperienceAnalysis, SpikeAlert, TopicProposal

NOW = datetime(2026, 11, 25, 10, 30, tzinfo=ZoneInfo("Europe/Kyiv"))

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker) -> DemoSummary:
    with django_db_blocker.unblock():
        summary = load_demo(now=NOW)
    yield summary
    with django_db_blocker.unblock():
        Workspace.objects.filter(slug=DEMO_SLUG).delete()
        User.objects.filter(email__endswith="@cxloop.local").delete()


def test_the_payment_outage_is_a_spike(demo):
    with bind_workspace(demo.workspace):
        spikes = services.recent_spikes(NOW.date(), days=2)
    payment = [s for s in spikes if s.topic == "payment"]
    assert payment, f"no payment spike; spikes were {spikes}"
    biggest = max(payment, key=lambda s: s.count)
    assert biggest.count >= 5
    assert biggest.count > 10 * biggest.expected
    with bind_workspace(demo.workspace):
        texts = ExperienceAnalysis.objects.filter(experience_id__in=biggest.experience_ids)
        assert texts.count() == biggest.count
        assert all(a.final_emotion == "negative" for a in texts)


def test_nothing_else_spikes_in_the_demo(demo):
    with bind_workspace(demo.workspace):
        topics = {s.topic for s in services.recent_spikes(NOW.date(), days=7)}
    assert topics == {"payment"}


def test_the_new_parcel_locker_partner_is_an_emerging_topic(demo):
    with bind_workspace(demo.workspace):
        (proposal,) = TopicProposal.objects.filter(status=TopicProposal.Status.PROPOSED)
        languages = set(
            ExperienceAnalysis.objects.filter(
                experience__in=proposal.experiences.all()
            ).values_list("language", flat=True)
        )
    assert proposal.keywords[0] == "kvadro"
    assert proposal.size >= 20
    assert languages == {"uk", "ru", "en"}
    assert len(proposal.quotes) == 3
    assert all("Kvadro" in quote for quote in proposal.quotes)


def test_the_insights_page_shows_the_emerging_topic(demo):
    client = Client()
    client.force_login(User.objects.get(email=DEMO_EMAIL))
    response = client.get(reverse("insights:overview"))
    assert response.status_code == 200
    assert "kvadro" in response.content.decode()


def test_the_demo_load_stored_the_payment_spike_alert(demo):
    with bind_workspace(demo.workspace):
        alerts = list(SpikeAlert.objects.select_related("topic"))
    assert alerts
    assert {a.topic.key for a in alerts} == {"payment"}  # yesterday's and maybe today's
