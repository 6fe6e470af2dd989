"""Personal API tokens: shown once, hashed at rest, revocable, with the time of last use."""

from __future__ import annotations

import hashlib

from django.urls import reverse
from freezegun import freeze_time

from cxloop.accounts.models import ApiToken, Role
from cxloop.accounts.services import add_member, authenticate_token, issue_token, revoke_token

from ..conftest import make_tenant


def test_the_secret_is_not_stored_only_its_digest(alice):
    issued = issue_token(alice.membership, "CRM sync")
    stored = ApiToken.unscoped.get(pk=issued.token.pk)
    assert issued.secret.startswith("cxl_")
    assert issued.secret not in {stored.digest, stored.prefix, stored.name}
    assert stored.digest == hashlib.sha256(issued.secret.encode()).hexdigest()


def test_token_page_shows_a_new_secret_once(alice):
    url = reverse("accounts:tokens")
    response = alice.client.post(url, {"name": "Zapier"})
    secret = response.context["issued"].secret
    assert secret in response.content.decode()
    assert secret not in alice.client.get(url).content.decode()


def test_api_accepts_a_live_token_and_records_its_use(alice):
    issued = issue_token(alice.membership, "script")
    with freeze_time("2026-11-25 10:00:00"):
        response = alice.client.get(
            reverse("api:current_workspace"), HTTP_AUTHORIZATION=f"Bearer {issued.secret}"
        )
    assert response.status_code == 200
    assert response.json()["slug"] == alice.workspace.slug
    assert response.json()["role"] == Role.OWNER
    last_used = ApiToken.unscoped.get(pk=issued.token.pk).last_used_at
    assert last_used.isoformat().startswith("2026-11-25T10:00:00")


def test_revoked_or_unknown_tokens_get_401(alice, client):
    issued = issue_token(alice.membership, "old")
    revoke_token(issued.token)
    for secret in (issued.secret, "cxl_made-up", "not-even-ours"):
        response = client.get(
            reverse("api:current_workspace"), HTTP_AUTHORIZATION=f"Bearer {secret}"
        )
        assert response.status_code == 401


def test_revoking_from_the_page(alice):
    token = issue_token(alice.membership, "laptop").token
    alice.client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert ApiToken.unscoped.get(pk=token.pk).revoked_at is not None
    assert authenticate_token("cxl_whatever") is None


def test_a_colleagues_token_cannot_be_revoked_by_me(alice):
    colleague = make_tenant("Carol")
    membership = add_member(alice.workspace, colleague.user, Role.MANAGER)
    theirs = issue_token(membership, "carol's").token
    response = alice.client.post(reverse("accounts:token_revoke", args=[theirs.pk]))
    assert response.status_code == 404
    assert ApiToken.unscoped.get(pk=theirs.pk).revoked_at is None


def test_a_token_acts_with_the_users_current_role(alice):
    issued = issue_token(alice.membership, "script")
    alice.membership.role = Role.VIEWER
    alice.membership.save()
    response = alice.client.get(
        reverse("api:current_workspace"), HTTP_AUTHORIZATION=f"Bearer {issued.secret}"
    )
    assert response.json()["role"] == Role.VIEWER
