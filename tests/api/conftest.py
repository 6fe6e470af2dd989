"""An API client per tenant: a real token, JSON in and out, paths as the API documents them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from cxloop.accounts.models import Role
from cxloop.accounts.services import issue_token

from ..conftest import Tenant
from ..factories import MembershipFactory, UserFactory

PREFIX = "/api/v1"


@dataclass
class Api:
    """Calls ``/api/v1`` as one member, with one of their tokens (or none)."""

    tenant: Tenant
    secret: str | None
    client: Client

    def _headers(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.secret}"} if self.secret else {}

    def get(self, path: str, params: dict[str, Any] | None = None):
        return self.client.get(PREFIX + path, params or {}, **self._headers())

    def send(self, method: str, path: str, body: Any = None):
        return self.client.generic(
            method,
            PREFIX + path,
            json.dumps(body if body is not None else {}),
            content_type="application/json",
            **self._headers(),
        )

    def post(self, path: str, body: Any = None):
        return self.send("POST", path, body)

    def patch(self, path: str, body: Any = None):
        return self.send("PATCH", path, body)

    @property
    def workspace(self):
        return self.tenant.workspace


def api_for(tenant: Tenant, membership=None) -> Api:
    return Api(tenant, issue_token(membership or tenant.membership, "tests").secret, Client())


@pytest.fixture
def alice_api(alice) -> Api:
    return api_for(alice)


@pytest.fixture
def bob_api(bob) -> Api:
    return api_for(bob)


@pytest.fixture
def viewer_api(alice) -> Api:
    """A viewer in Alice's workspace: may read everything, change nothing."""
    membership = MembershipFactory(
        workspace=alice.workspace, user=UserFactory(email="viewer@example.com"), role=Role.VIEWER
    )
    return api_for(alice, membership)


@pytest.fixture
def agent_api(alice) -> Api:
    membership = MembershipFactory(
        workspace=alice.workspace, user=UserFactory(email="agent@example.com"), role=Role.AGENT
    )
    return api_for(alice, membership)


@pytest.fixture
def anonymous_api(alice) -> Api:
    return Api(alice, None, Client())
