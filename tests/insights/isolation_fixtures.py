"""Alice's insights objects for ``tests/test_isolation.py`` (Bob must get 404 for their ids)."""

from __future__ import annotations

from cxloop.core.scoping import bind_workspace
from cxloop.insights.models import Topic, TopicProposal


def alices_topic(things: dict) -> Topic:
    workspace = things["customer"].workspace
    with bind_workspace(workspace):
        topic, _ = Topic.objects.get_or_create(
            key="alice-only", defaults={"name": "ALICE-ONLY topic", "keywords": {"en": ["alice"]}}
        )
    return topic


def alices_proposal(things: dict) -> TopicProposal:
    workspace = things["customer"].workspace
    with bind_workspace(workspace):
        proposal = TopicProposal.objects.filter(keywords=["alice-only"]).first()
        if proposal is None:
            proposal = TopicProposal.objects.create(
                keywords=["alice-only"], quotes=["ALICE-ONLY words"], size=5, cohesion=0.5
            )
            proposal.experiences.set([things["experience"]])
    return proposal
