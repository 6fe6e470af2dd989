"""The inbound mention webhook: ``POST /s/hooks/mentions/<workspace-slug>/``, no login.

A monitoring service posts mentions as JSON — one object, an array of objects, or
``{"rows": [...]}`` — signed with the workspace's mention webhook secret (feedback settings):

``X-Cxloop-Signature: sha256=<hex of HMAC-SHA256(secret, signed payload)>``

The signed payload is the raw request body. A sender that also sends
``X-Cxloop-Timestamp: <unix seconds>`` signs ``"<timestamp>." + body`` instead, and a delivery
whose timestamp is more than :data:`REPLAY_WINDOW` away from now is refused, so a captured
request cannot be replayed later. Signatures are compared in constant time.

==========  =====================================================================
status      when
==========  =====================================================================
200         every row stored or already there (duplicates are not stored again)
400         the body is not JSON, or not an object or array of objects
401         signature missing or wrong, stale timestamp, or no secret configured
404         no workspace with that slug
413         more than ``MAX_ROWS`` rows
422         some rows refused (each listed with its reason); the good ones are stored
429         too many requests from this address (the public pages' limit)
==========  =====================================================================
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from cxloop.accounts.models import Workspace
from cxloop.core.scoping import bind_workspace

from . import mentions, services, throttle
from .models import Mention

SIGNATURE_HEADER = "X-Cxloop-Signature"
TIMESTAMP_HEADER = "X-Cxloop-Timestamp"
REPLAY_WINDOW = timedelta(minutes=5)


def sign(secret: str, body: bytes, timestamp: str | None = None) -> str:
    """The ``X-Cxloop-Signature`` value a sender puts on ``body`` (and ``timestamp``, if sent)."""
    payload = f"{timestamp}.".encode() + body if timestamp is not None else body
    return "sha256=" + hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()


def _refusal(status: int, detail: str, errors: list[dict[str, Any]] | None = None) -> JsonResponse:
    return JsonResponse({"detail": detail, "errors": errors or []}, status=status)


def _signature_problem(request: HttpRequest, secret: str) -> str | None:
    """Why the delivery's signature is not acceptable, or None when it is."""
    if not secret:
        return "This workspace has no mention webhook secret; set one in the feedback settings."
    given = request.headers.get(SIGNATURE_HEADER, "")
    if not given:
        return f"Sign the body and send it in {SIGNATURE_HEADER}: sha256=<hex>."
    timestamp = request.headers.get(TIMESTAMP_HEADER)
    if timestamp is not None:
        try:
            sent = int(timestamp)
        except ValueError:
            return f"{TIMESTAMP_HEADER} must be whole seconds since 1970 (Unix time)."
        age = abs(timezone.now().timestamp() - sent)
        if age > REPLAY_WINDOW.total_seconds():
            return (
                f"{TIMESTAMP_HEADER} is more than {REPLAY_WINDOW.seconds // 60} minutes away "
                "from now; a delivery is accepted only when it is fresh."
            )
    if not hmac.compare_digest(given.encode(), sign(secret, request.body, timestamp).encode()):
        return "The signature does not match the body; sign it with the workspace's secret."
    return None


def _rows(request: HttpRequest) -> list[Any] | JsonResponse:
    try:
        data = json.loads(request.body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return _refusal(400, f"The body is not valid JSON ({exc}).")
    if isinstance(data, dict) and isinstance(data.get("rows"), list):
        data = data["rows"]
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        return _refusal(400, 'Send a mention object, an array of them, or {"rows": [...]}.')
    if len(data) > mentions.MAX_ROWS:
        return _refusal(
            413,
            f"Send at most {mentions.MAX_ROWS:,} mentions per delivery; this has {len(data):,}.",
        )
    return data


@csrf_exempt  # signed by a shared secret, sent by a server: no cookies, nothing to forge
@require_POST
def mention_webhook(request: HttpRequest, workspace_slug: str) -> JsonResponse:
    try:
        throttle.check_address(request)
    except throttle.Throttled:
        return _refusal(429, "Too many requests from this address; wait a minute and retry.")
    workspace = Workspace.objects.filter(slug=workspace_slug).first()
    if workspace is None:
        return _refusal(404, f"No workspace {workspace_slug!r} here.")
    secret = services.feedback_settings(workspace).mention_webhook_secret
    problem = _signature_problem(request, secret)
    if problem:
        return _refusal(401, problem)
    rows = _rows(request)
    if isinstance(rows, JsonResponse):
        return rows
    with bind_workspace(workspace):
        result = mentions.import_mentions(rows, Mention.ImportedVia.WEBHOOK)
    errors = [
        {"index": e.index, "external_id": e.external_id, "message": e.message}
        for e in result.errors
    ]
    counts = {"created": result.created, "duplicates": result.duplicates, "errors": errors}
    if errors:
        detail = (
            f"{len(errors)} of {len(rows)} mentions were refused (see errors); "
            f"{result.created} were stored."
        )
        return JsonResponse({"detail": detail, **counts}, status=422)
    return JsonResponse(counts)
