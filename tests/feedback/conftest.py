"""Helpers for answering surveys the way a browser does: GET the form, POST what it holds."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.test import Client

from cxloop.core.scoping import bind_workspace
from cxloop.feedback.services import issue_invitation

from ..factories import CustomerFactory, SurveyFactory, TouchpointFactory

HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)">')
ACTION = re.compile(r'<form method="post" action="([^"]*)"')


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the cache; every test starts with none counted."""
    cache.clear()
    yield
    cache.clear()


@dataclass
class Form:
    """A survey form as served: where it posts and its hidden fields."""

    action: str
    hidden: dict[str, str]

    @classmethod
    def of(cls, response) -> Form:
        html = response.content.decode()
        action = ACTION.search(html)
        assert action, "the page has no survey form"
        return cls(action.group(1).replace("&amp;", "&"), dict(HIDDEN.findall(html)))

    def post(self, client: Client, answers: dict, **extra):
        return client.post(self.action, {**self.hidden, **answers}, **extra)


@pytest.fixture
def respondent() -> Client:
    """A browser with no login: public pages need none."""
    return Client()


@pytest.fixture
def touchpoint(alice):
    return TouchpointFactory(workspace=alice.workspace, name="Courier")


@pytest.fixture
def nps(alice, touchpoint):
    return SurveyFactory(workspace=alice.workspace, kind="nps", touchpoint=touchpoint)


@pytest.fixture
def customer(alice):
    return CustomerFactory(workspace=alice.workspace, name="Олена Коваль", language="uk")


@pytest.fixture
def invite():
    def make(survey, customer, **kwargs):
        with bind_workspace(survey.workspace):
            return issue_invitation(survey, customer, **kwargs)

    return make
