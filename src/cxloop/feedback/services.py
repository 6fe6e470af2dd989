"""Use cases for surveys and personal links; answering lives in :mod:`.respond`.

Every function works in the workspace of the row it is given; a service never writes across the
workspace line (the scoped managers refuse it). Errors a person can fix are
:class:`~cxloop.feedback.errors.FeedbackError`\\ s carrying their HTTP status and sentence.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cxloop.accounts.models import User, Workspace
from cxloop.core.scoping import bind_workspace, current_workspace_or_none
from cxloop.customers.models import Customer, Order
from cxloop.journeys.models import Touchpoint

from .catalog import TEMPLATES
from .errors import FeedbackError, NameTaken
from .models import SURVEY_LANGUAGES, FeedbackSettings, Invitation, Question, Survey, localized

TOKEN_BYTES = 24  # 192 random bits in every personal link


def hash_token(token: str) -> str:
    """The SHA-256 digest stored for a personal link's token (the token itself never is)."""
    return hashlib.sha256(token.encode()).hexdigest()


def feedback_settings(workspace: Workspace) -> FeedbackSettings:
    """The workspace's feedback settings, created with the defaults on first use."""
    with bind_workspace(workspace):
        found = FeedbackSettings.objects.first()
        if found is not None:
            return found
        try:
            with transaction.atomic():
                return FeedbackSettings.objects.create(workspace=workspace)
        except IntegrityError:  # created by a concurrent request a moment ago
            return FeedbackSettings.objects.get()


@transaction.atomic
def update_feedback_settings(workspace: Workspace, **values: object) -> FeedbackSettings:
    row = feedback_settings(workspace)
    for name, value in values.items():
        setattr(row, name, value)
    with bind_workspace(workspace):
        row.save()
    return row


@transaction.atomic
def create_survey_from_template(
    workspace: Workspace,
    kind: str,
    *,
    name: str = "",
    touchpoint: Touchpoint | None = None,
    created_by: User | None = None,
    language: str = "",
) -> Survey:
    """A new open survey with the template's questions, texts in every survey language.

    ``name`` defaults to the template's name in ``language`` (the staff member's), numbered when
    taken. The anonymous link's key is random (unguessable, but not a secret: it is the link).
    """
    template = TEMPLATES.get(kind)
    if template is None:
        raise FeedbackError(_("Choose one of the templates: NPS, CSAT, CES or custom."))
    if touchpoint is not None and touchpoint.workspace_id != workspace.pk:
        raise FeedbackError(_("That touchpoint belongs to another workspace."))
    language = language if language in SURVEY_LANGUAGES else workspace.default_language
    bound = current_workspace_or_none()
    if bound is not None and bound.pk != workspace.pk:
        raise FeedbackError(_("That workspace is not the current one."))
    with bind_workspace(workspace):
        base = name.strip() or localized(template.name, language)
        candidate = base
        if not name.strip():
            number = 2
            while Survey.objects.filter(name=candidate).exists():
                candidate = f"{base} ({number})"
                number += 1
        elif Survey.objects.filter(name=candidate).exists():
            raise NameTaken(_("A survey named “%(name)s” exists already.") % {"name": candidate})
        survey = Survey.objects.create(
            name=candidate,
            kind=template.kind,
            title=dict(template.title),
            touchpoint=touchpoint,
            public_key=secrets.token_urlsafe(12),
            created_by=created_by,
        )
        Question.objects.bulk_create(
            Question(
                survey=survey,
                key=spec.key,
                position=position,
                page=spec.page,
                kind=spec.kind,
                text=dict(spec.text),
                labels=dict(spec.labels),
                choices=list(spec.choices),
                required=spec.required,
                show_if_key=spec.show_if_key,
                show_if_min=spec.show_if_min,
                show_if_max=spec.show_if_max,
            )
            for position, spec in enumerate(template.questions, start=1)
        )
    return survey


def close_survey(survey: Survey, *, now: datetime | None = None) -> Survey:
    """Stop accepting answers (and edits); links then say when the survey closed."""
    now = now or timezone.now()
    with bind_workspace(survey.workspace):
        Survey.objects.filter(pk=survey.pk, status=Survey.Status.OPEN).update(
            status=Survey.Status.CLOSED, closed_at=now
        )
        survey.refresh_from_db(fields=["status", "closed_at"])
    return survey


def reopen_survey(survey: Survey) -> Survey:
    with bind_workspace(survey.workspace):
        Survey.objects.filter(pk=survey.pk).update(
            status=Survey.Status.OPEN, closed_at=None, closes_at=None
        )
        survey.refresh_from_db(fields=["status", "closed_at", "closes_at"])
    return survey


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    token: str  # shown once, in the link; only its digest is stored

    @property
    def path(self) -> str:
        return f"/s/i/{self.token}/"


def issue_invitation(
    survey: Survey,
    customer: Customer,
    *,
    channel: str = Invitation.Channel.LINK,
    language: str = "",
    touchpoint: Touchpoint | None = None,
    order: Order | None = None,
    dedupe_key: str = "",
    expires_at: datetime | None = None,
    now: datetime | None = None,
) -> IssuedInvitation:
    """A personal link for ``customer`` to answer ``survey``: one answer per invitation.

    The token is random; the row keeps only its SHA-256 digest, so the link can be shown (or
    mailed) once and never read back from the database. The link stays valid for the workspace's
    ``invitation_valid_days`` unless ``expires_at`` says otherwise.
    """
    if customer.workspace_id != survey.workspace_id:
        raise FeedbackError(_("That customer belongs to another workspace."))
    if language and language not in SURVEY_LANGUAGES:
        raise FeedbackError(_("Choose English, Ukrainian or Russian."))
    now = now or timezone.now()
    valid_days = feedback_settings(survey.workspace).invitation_valid_days
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with bind_workspace(survey.workspace):
        invitation = Invitation.objects.create(
            survey=survey,
            customer=customer,
            token_hash=hash_token(token),
            channel=channel,
            language=language,
            touchpoint=touchpoint,
            order=order,
            dedupe_key=dedupe_key,
            expires_at=expires_at or now + timedelta(days=valid_days),
        )
    return IssuedInvitation(invitation, token)
