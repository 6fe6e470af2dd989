"""Shared fixtures: two tenants, Alice's and Bob's workspaces, and the real services."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from django.test import Client

from cxloop.accounts.models import Membership, Role, Workspace
from cxloop.core.scoping import bind_workspace

from .factories import PASSWORD, MembershipFactory, UserFactory, WorkspaceFactory


@pytest.fixture(autouse=True)
def _fast_hashing_and_no_lockouts(settings):
    """Argon2 stays the production hasher (tested on its own); tests hash fast."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ]


@dataclass
class Tenant:
    workspace: Workspace
    membership: Membership
    client: Client

    @property
    def user(self):
        return self.membership.user


def make_tenant(name: str, role: str = Role.OWNER) -> Tenant:
    workspace = WorkspaceFactory(name=f"{name}'s shop", slug=name.lower())
    user = UserFactory(email=f"{name.lower()}@example.com", full_name=name)
    membership = MembershipFactory(workspace=workspace, user=user, role=role)
    client = Client()
    client.force_login(user)
    return Tenant(workspace, membership, client)


@pytest.fixture
def alice(db) -> Tenant:
    return make_tenant("Alice")


@pytest.fixture
def bob(db) -> Tenant:
    return make_tenant("Bob")


@pytest.fixture
def in_workspace():
    """Bind a workspace for code under test that runs outside a request."""
    return bind_workspace


@pytest.fixture
def password() -> str:
    return PASSWORD


def _service_url(name: str, default: str) -> str:
    return os.environ.get(name, default)


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The real Redis server; skipped with a reason locally when it is down, fatal in CI."""
    import redis

    url = _service_url("CXLOOP_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"Redis is not reachable at {url} ({exc}); start it to run this test")
    return url


REDIS_CACHE_PREFIX = "cxloop-test-cache"


@pytest.fixture
def redis_cache(settings, redis_url):
    """The cache on the real Redis server, as in production (so the rate limiter and the
    insights pending list run on Redis too). Only this fixture's keys are removed, before and
    after: the Redis database may be shared with other test runs."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": REDIS_CACHE_PREFIX,
        }
    }
    from django.core.cache import caches

    cache = caches["default"]
    client = cache._cache.get_client(write=True)

    def forget() -> None:
        for key in client.scan_iter(match=f"{REDIS_CACHE_PREFIX}:*"):
            client.delete(key)

    forget()
    yield cache
    forget()
