"""The inbound mention webhook: signed with the workspace's secret, fresh, de-duplicated."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from cxloop.feedback.models import Mention
from cxloop.feedback.services import update_feedback_settings
from cxloop.feedback.webhooks import sign

SECRET = "s3cret-for-tests"
MENTION = {
    "source": "instagram",
    "id": "post-1",
    "author": "@olena",
    "text": "Where is my parcel?",
    "time": "2026-05-01T10:00:00Z",
}


@pytest.fixture
def hook(alice):
    update_feedback_settings(alice.workspace, mention_webhook_secret=SECRET)
    return f"/s/hooks/mentions/{alice.workspace.slug}/"


def deliver(url, payload, *, secret=SECRET, timestamp=None, signature=None):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {}
    if timestamp is not None:
        headers["HTTP_X_CXLOOP_TIMESTAMP"] = str(timestamp)
    if signature is None and secret is not None:
        signature = sign(secret, body, None if timestamp is None else str(timestamp))
    if signature is not None:
        headers["HTTP_X_CXLOOP_SIGNATURE"] = signature
    return Client(enforce_csrf_checks=True).post(
        url, body, content_type="application/json", **headers
    )


def test_a_signed_delivery_is_stored_once_however_often_it_comes(hook):
    first = deliver(hook, MENTION)
    again = deliver(hook, MENTION)

    assert first.status_code == 200, first.content
    assert first.json() == {"created": 1, "duplicates": 0, "errors": []}
    assert again.json() == {"created": 0, "duplicates": 1, "errors": []}
    mention = Mention.unscoped.get()
    assert (mention.external_id, mention.imported_via) == ("post-1", "webhook")
    assert mention.experience.source == "social"


def test_a_fresh_timestamped_delivery_is_accepted(hook):
    now = int(timezone.now().timestamp())

    response = deliver(hook, {"rows": [MENTION]}, timestamp=now)

    assert response.status_code == 200, response.content
    assert Mention.unscoped.count() == 1


@pytest.mark.parametrize(
    ("secret", "signature"),
    [
        (None, None),  # unsigned
        ("another secret", None),  # signed with the wrong secret
        (None, "sha256=" + "0" * 64),
        (None, "not even a signature"),
    ],
)
def test_a_missing_or_wrong_signature_is_a_401_and_stores_nothing(hook, secret, signature):
    response = deliver(hook, MENTION, secret=secret, signature=signature)

    assert response.status_code == 401
    assert response.json()["detail"]
    assert not Mention.unscoped.exists()


def test_a_body_changed_after_signing_is_refused(hook):
    body = json.dumps(MENTION).encode()
    signature = sign(SECRET, body)

    response = deliver(hook, body.replace(b"post-1", b"post-2"), signature=signature)

    assert response.status_code == 401
    assert not Mention.unscoped.exists()


def test_a_replayed_delivery_older_than_five_minutes_is_refused(hook):
    old = int((timezone.now() - timedelta(minutes=5, seconds=30)).timestamp())

    response = deliver(hook, MENTION, timestamp=old)

    assert response.status_code == 401
    assert "minutes" in response.json()["detail"]
    assert not Mention.unscoped.exists()


def test_a_timestamp_changed_after_signing_is_refused(hook):
    old = int((timezone.now() - timedelta(hours=1)).timestamp())
    body = json.dumps(MENTION).encode()
    signature = sign(SECRET, body, str(old))

    response = deliver(hook, body, timestamp=int(timezone.now().timestamp()), signature=signature)

    assert response.status_code == 401


def test_a_workspace_without_a_secret_accepts_no_delivery(alice):
    response = deliver(f"/s/hooks/mentions/{alice.workspace.slug}/", MENTION, secret="")

    assert response.status_code == 401
    assert "no mention webhook secret" in response.json()["detail"]


def test_an_unknown_workspace_is_a_404(db):
    assert deliver("/s/hooks/mentions/nobody/", MENTION).status_code == 404


def test_a_body_that_is_not_json_is_a_400(hook):
    response = deliver(hook, b"{not json")

    assert response.status_code == 400
    assert "not valid JSON" in response.json()["detail"]


def test_bad_rows_are_a_422_with_reasons_and_good_rows_are_stored(hook):
    response = deliver(hook, [MENTION, {**MENTION, "id": "post-2", "rating": 6}])

    assert response.status_code == 422
    data = response.json()
    assert data["created"] == 1
    assert data["errors"][0]["index"] == 1
    assert "rating" in data["errors"][0]["message"]
    assert Mention.unscoped.count() == 1


def test_only_post_is_allowed(hook):
    assert Client().get(hook).status_code == 405


def test_a_flood_from_one_address_is_throttled(hook, settings):
    settings.CXLOOP_SURVEY_RATE_PER_IP = "2/m"

    statuses = [deliver(hook, {**MENTION, "id": f"p{i}"}).status_code for i in range(3)]

    assert statuses == [200, 200, 429]
    assert Mention.unscoped.count() == 2
