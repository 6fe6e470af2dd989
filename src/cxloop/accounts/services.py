"""Use cases for workspaces, people and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from cxloop.core.scoping import bind_workspace

from . import events
from .models import ApiToken, Department, Membership, Role, User, Workspace

# last_used_at is written at most once a minute per token, so a busy API client does not turn
# every read into a write.
TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)


class MembershipRequired(Exception):
    """The user is not a member of the workspace they asked for."""


@transaction.atomic
def create_workspace(
    name: str, *, slug: str = "", owner: User | None = None, default_language: str = "en"
) -> Workspace:
    workspace = Workspace.objects.create(
        name=name, slug=slug or _unique_slug(name), default_language=default_language
    )
    if owner is not None:
        add_member(workspace, owner, Role.OWNER)
    events.workspace_created.send(sender=Workspace, workspace=workspace)
    return workspace


def _unique_slug(name: str) -> str:
    base = slugify(name, allow_unicode=False)[:50] or "workspace"
    slug, n = base, 1
    while Workspace.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def login_username(request: object, credentials: dict | None) -> str:
    """The account a login attempt targets, as the lockout counts it: case does not matter,
    so varying the case of an address does not buy an attacker more guesses."""
    raw = (credentials or {}).get("username") or getattr(request, "POST", {}).get("username", "")
    return str(raw).strip().lower()


def create_user(email: str, password: str | None, *, full_name: str = "") -> User:
    return User.objects.create_user(email=email, password=password, full_name=full_name)


def add_member(
    workspace: Workspace,
    user: User,
    role: str = Role.VIEWER,
    *,
    department: Department | None = None,
) -> Membership:
    with bind_workspace(workspace):
        membership, created = Membership.objects.get_or_create(
            user=user, defaults={"role": role, "department": department}
        )
        if not created and (membership.role != role or membership.department != department):
            membership.role = role
            membership.department = department
            membership.save(update_fields=["role", "department"])
    return membership


def memberships_of(user: User) -> list[Membership]:
    """Every workspace a user may enter; read across workspaces on purpose."""
    return list(
        Membership.unscoped.filter(user=user)
        .select_related("workspace")
        .order_by("workspace__name")
    )


def membership_for(user: User, workspace_id: int | None) -> Membership | None:
    """The membership to use for a request: the one asked for, else the user's first."""
    memberships = memberships_of(user)
    for membership in memberships:
        if membership.workspace_id == workspace_id:
            return membership
    return memberships[0] if memberships else None


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown to the user once, never stored


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(membership: Membership, name: str) -> IssuedToken:
    secret = settings.CXLOOP_API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    with bind_workspace(membership.workspace):
        token = ApiToken.objects.create(
            user=membership.user, name=name, prefix=secret[:10], digest=_digest(secret)
        )
    return IssuedToken(token=token, secret=secret)


def revoke_token(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def authenticate_token(secret: str) -> tuple[ApiToken, Membership] | None:
    """Find the live token and its user's current membership, or None.

    Looked up across workspaces on purpose: the token is what tells us the workspace.
    """
    if not secret.startswith(settings.CXLOOP_API_TOKEN_PREFIX):
        return None
    token = (
        ApiToken.unscoped.select_related("workspace", "user")
        .filter(digest=_digest(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    membership = (
        Membership.unscoped.select_related("workspace", "user")
        .filter(workspace=token.workspace, user=token.user)
        .first()
    )
    if membership is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > TOKEN_TOUCH_INTERVAL:
        ApiToken.unscoped.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token, membership


def departments() -> list[Department]:
    return list(Department.objects.order_by("name"))
