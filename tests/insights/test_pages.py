"""The Insights page: topics and their trend, the emotion mix, spikes, emerging topics, texts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cxloop.accounts.models import Role
from cxloop.core.scoping import bind_workspace
from cxloop.insights import services
from cxloop.insights.models import Topic, TopicProposal

from ..factories import ExperienceFactory, MembershipFactory, UserFactory

LATE = "Кур'єр знову запізнився, жахливо"
KVADRO = [
    "Поштомат Kvadro не відчинив комірку, код не підходить",
    "Kvadro поштомат заклинив, комірка закрита",
    "Комірка поштомата Kvadro не відкривається, жах",
    "Поштомат Kvadro знову не бачить код",
    "Kvadro — найгірший поштомат, комірка не відчиняється",
    "Постамат Kvadro опять не открыл ячейку",
]


@pytest.fixture(autouse=True)
def default_topics(alice):
    with bind_workspace(alice.workspace):
        services.ensure_default_topics()


def _analysed(tenant, texts, *, nps=2, days_ago=0.0, negative=True):
    now = timezone.now()
    made = [
        ExperienceFactory(
            workspace=tenant.workspace,
            text=text,
            nps=nps,
            occurred_at=now - timedelta(days=days_ago, minutes=i),
        )
        for i, text in enumerate(texts)
    ]
    with bind_workspace(tenant.workspace):
        services.analyse_experiences([e.pk for e in made])
        if negative:
            for experience in made:  # whatever the classifier said, staff call them negative
                services.correct_emotion(experience, "negative")
    return made


@pytest.fixture
def spiking(alice):
    """A quiet month of one late courier a week, then six complaints today."""
    for days_ago in range(7, 29, 7):
        _analysed(alice, [LATE], days_ago=days_ago)
    return _analysed(alice, [LATE] * 6)


@pytest.fixture
def proposal(alice) -> TopicProposal:
    _analysed(alice, [*KVADRO, "<script>alert('x')</script> Kvadro поштомат"])
    with bind_workspace(alice.workspace):
        (found,) = services.propose_emerging_topics()
    return found


def test_overview_lists_topics_with_weekly_volume_and_trend(alice, spiking):
    response = alice.client.get(reverse("insights:overview"))
    assert response.status_code == 200
    rows = {row["trend"].topic.key: row["trend"] for row in response.context["trends"]}
    courier = rows["courier"]
    assert courier.total == 10
    assert courier.last_week == 6
    assert courier.weekly[-5:] == [1, 1, 1, 1, 6]
    assert courier.change == round(100 * (6 - 4 / 7) / (4 / 7))
    assert rows["returns"].total == 0
    assert courier.topic.name in response.content.decode()


def test_overview_shows_todays_spike_with_a_link_to_its_texts(alice, spiking):
    response = alice.client.get(reverse("insights:overview"))
    spikes = {item["topic"].key: item for item in response.context["spikes"]}
    assert set(spikes) == {"courier", "delivery"}
    courier = spikes["courier"]
    assert courier["is_today"]
    assert courier["spike"].count == 6
    link = (
        reverse("insights:topic", args=[courier["topic"].pk])
        + f"?day={timezone.localdate():%Y-%m-%d}&amp;emotion=negative"
    )
    assert link in response.content.decode()
    texts = alice.client.get(link.replace("&amp;", "&"))
    assert texts.context["page"].paginator.count == 6


def test_overview_shows_the_emotion_mix_and_who_read_it(alice):
    _analysed(alice, ["Жахливо"] * 2)
    _analysed(alice, ["Чудово, дякую!"] * 3, nps=10, negative=False)
    response = alice.client.get(reverse("insights:overview"))
    mix = response.context["mix"]
    assert mix.negative == 2
    assert mix.total == 5
    assert sum(mix.shares.values()) in (99, 100, 101)
    assert "cold-start" in response.content.decode()


def test_empty_workspace_shows_empty_states(alice):
    response = alice.client.get(reverse("insights:overview"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "No spikes" in body
    assert "Nothing new" in body


def test_overview_shows_emerging_proposals_with_escaped_quotes(alice, proposal):
    response = alice.client.get(reverse("insights:overview"))
    body = response.content.decode()
    assert list(response.context["proposals"]) == [proposal]
    assert "kvadro" in proposal.keywords
    assert reverse("insights:proposal", args=[proposal.pk]) in body
    assert "<script>alert" not in body


def test_proposal_page_lists_its_texts_escaped(alice, proposal):
    response = alice.client.get(reverse("insights:proposal", args=[proposal.pk]))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == proposal.size == 7
    body = response.content.decode()
    assert "&lt;script&gt;alert" in body
    assert "<script>alert" not in body
    assert response.context["form"] is not None


def test_manager_names_a_proposal_and_its_texts_get_the_topic(alice, proposal):
    response = alice.client.post(
        reverse("insights:proposal_accept", args=[proposal.pk]),
        {"name": "Поштомати Kvadro", "keywords": "kvadro, поштомат*, постамат*"},
    )
    with bind_workspace(alice.workspace):
        topic = Topic.objects.get(origin=Topic.Origin.EMERGING)
        proposal.refresh_from_db()
        assert proposal.status == TopicProposal.Status.ACCEPTED
        assert proposal.topic == topic
        assert topic.name == "Поштомати Kvadro"
        assert topic.keywords["uk"] == ["kvadro", "поштомат*", "постамат*"]
        assert {"uk", "ru"} <= set(topic.keywords)
        tagged = topic.analyses.count()
    assert response.status_code == 302
    assert response["Location"] == reverse("insights:topic", args=[topic.pk])
    assert tagged == proposal.size


def test_accepting_twice_makes_one_topic(alice, proposal):
    url = reverse("insights:proposal_accept", args=[proposal.pk])
    alice.client.post(url, {"name": "Kvadro", "keywords": "kvadro"})
    response = alice.client.post(url, {"name": "Kvadro again", "keywords": "kvadro"}, follow=True)
    assert "already accepted" in response.content.decode()
    with bind_workspace(alice.workspace):
        assert Topic.objects.filter(origin=Topic.Origin.EMERGING).count() == 1


def test_accepting_without_a_name_shows_the_error(alice, proposal):
    response = alice.client.post(
        reverse("insights:proposal_accept", args=[proposal.pk]), {"name": "", "keywords": " , "}
    )
    assert response.status_code == 400
    assert response.context["form"].errors.keys() == {"name", "keywords"}
    with bind_workspace(alice.workspace):
        assert TopicProposal.objects.get().status == TopicProposal.Status.PROPOSED


def test_a_dismissed_proposal_is_not_proposed_again(alice, proposal):
    response = alice.client.post(reverse("insights:proposal_dismiss", args=[proposal.pk]))
    assert response.status_code == 302
    with bind_workspace(alice.workspace):
        assert TopicProposal.objects.get().status == TopicProposal.Status.DISMISSED
        assert services.propose_emerging_topics() == []
        assert TopicProposal.objects.count() == 1


def test_a_viewer_reads_but_cannot_decide(alice, proposal):
    viewer = UserFactory(email="viewer@example.com")
    MembershipFactory(workspace=alice.workspace, user=viewer, role=Role.VIEWER)
    alice.client.force_login(viewer)
    page = alice.client.get(reverse("insights:proposal", args=[proposal.pk]))
    assert page.status_code == 200
    assert page.context["form"] is None
    assert (
        "insights/emerging/look"
        not in alice.client.get(reverse("insights:overview")).content.decode()
    )
    for name in ("insights:proposal_accept", "insights:proposal_dismiss"):
        response = alice.client.post(
            reverse(name, args=[proposal.pk]), {"name": "X", "keywords": "x"}
        )
        assert response.status_code == 403
    assert alice.client.post(reverse("insights:look_for_emerging")).status_code == 403
    with bind_workspace(alice.workspace):
        assert TopicProposal.objects.get().status == TopicProposal.Status.PROPOSED


def test_pages_need_a_login(client):
    response = client.get(reverse("insights:overview"))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_bob_cannot_see_or_decide_alices_proposal_or_topic(alice, bob, proposal):
    with bind_workspace(alice.workspace):
        topic = Topic.objects.get(key="courier")
    assert bob.client.get(reverse("insights:topic", args=[topic.pk])).status_code == 404
    assert bob.client.get(reverse("insights:proposal", args=[proposal.pk])).status_code == 404
    accept = bob.client.post(
        reverse("insights:proposal_accept", args=[proposal.pk]), {"name": "X", "keywords": "x"}
    )
    assert accept.status_code == 404
    assert (
        bob.client.post(reverse("insights:proposal_dismiss", args=[proposal.pk])).status_code == 404
    )
    body = bob.client.get(reverse("insights:overview")).content.decode()
    assert "kvadro" not in body.lower()
    with bind_workspace(alice.workspace):
        assert TopicProposal.objects.get().status == TopicProposal.Status.PROPOSED


def test_look_again_runs_the_emerging_search(alice, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    _analysed(alice, KVADRO)
    response = alice.client.post(reverse("insights:look_for_emerging"))
    assert response.status_code == 302
    with bind_workspace(alice.workspace):
        assert TopicProposal.objects.filter(status="proposed").count() == 1


def test_topic_texts_are_paginated_with_a_flat_query_count(alice, django_assert_max_num_queries):
    _analysed(alice, [LATE] * 30)
    with bind_workspace(alice.workspace):
        topic = Topic.objects.get(key="courier")
    url = reverse("insights:topic", args=[topic.pk])
    with django_assert_max_num_queries(12):
        first = alice.client.get(url)
    assert len(first.context["page"].object_list) == 25
    second = alice.client.get(url + "?page=2")
    assert len(second.context["page"].object_list) == 5
    wow = alice.client.get(url + "?emotion=wow")
    assert wow.context["page"].paginator.count == 0


def test_a_bad_filter_is_ignored_not_an_error(alice):
    with bind_workspace(alice.workspace):
        topic = Topic.objects.get(key="courier")
    response = alice.client.get(
        reverse("insights:topic", args=[topic.pk]) + "?day=yesterday&emotion=angry"
    )
    assert response.status_code == 200


def test_the_overview_query_count_is_flat(alice, spiking, proposal, django_assert_max_num_queries):
    with django_assert_max_num_queries(16):
        alice.client.get(reverse("insights:overview"))
