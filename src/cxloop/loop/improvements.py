"""Improvements: the backlog of process changes, their status flow and their links to signals.

An *improvement* is a change to one process, owned by a department, tracked weekly (the grid in
:mod:`.grid`), linked to the signals (experiences), topics and cases that asked for it. Its status
moves along ``idea → planned → in progress → shipped``; one step back is allowed before shipping
(a plan can be dropped back to an idea), nothing leaves ``shipped``. Shipping stamps the ship date,
writes an event row and, after the commit, tells every customer whose signal is linked
("you said, we did", :mod:`.you_said`).

Who may do what: an agent may propose an improvement (an idea, usually from signals they read);
a manager plans, edits, ships and links. The views and the API check the role; these functions
check the rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cxloop.accounts.models import Department, User
from cxloop.core.scoping import current_workspace
from cxloop.experiences.models import Experience
from cxloop.insights.models import Topic
from cxloop.journeys.models import Touchpoint

from . import events
from .models import Case, Improvement, ImprovementEvent, ImprovementStatus, Process

S = ImprovementStatus

# Where each status may go next. Shipped is final: the grid and the effect are anchored on its date.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.IDEA: (S.PLANNED,),
    S.PLANNED: (S.IDEA, S.IN_PROGRESS),
    S.IN_PROGRESS: (S.PLANNED, S.SHIPPED),
    S.SHIPPED: (),
}

# The processes every new workspace starts with; key → name per language.
DEFAULT_PROCESSES: dict[str, dict[str, str]] = {
    "delivery": {"en": "Delivery", "uk": "Доставка", "ru": "Доставка"},
    "packaging": {"en": "Packaging", "uk": "Пакування", "ru": "Упаковка"},
    "site_search": {"en": "Site search", "uk": "Пошук на сайті", "ru": "Поиск на сайте"},
    "checkout": {"en": "Checkout and payments", "uk": "Кошик і оплата", "ru": "Корзина и оплата"},
    "returns": {"en": "Returns", "uk": "Повернення", "ru": "Возвраты"},
    "support": {"en": "Support", "uk": "Підтримка", "ru": "Поддержка"},
}


class ImprovementError(Exception):
    """A change that cannot be done as asked; ``str()`` says what to do instead."""

    status = 400
    field = ""


class TransitionNotAllowed(ImprovementError):
    status = 409
    field = "status"


class ImprovementInvalid(ImprovementError):
    status = 422

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def ensure_default_processes() -> int:
    """Give the bound workspace the default processes (once); returns how many were added."""
    workspace = current_workspace()
    existing = set(Process.objects.values_list("key", flat=True))
    language = getattr(workspace, "default_language", "en")
    new = [
        Process(key=key, name=names.get(language, names["en"]), position=position)
        for position, (key, names) in enumerate(DEFAULT_PROCESSES.items(), start=1)
        if key not in existing
    ]
    Process.objects.bulk_create(new)
    return len(new)


@transaction.atomic
def add_process(
    name: str, *, department: Department | None = None, key: str = "", position: int | None = None
) -> Process:
    from django.utils.text import slugify

    name = name.strip()
    if not name:
        raise ImprovementInvalid(_("Give the process a name."), "name")
    key = key or slugify(name, allow_unicode=False) or f"process-{Process.objects.count() + 1}"
    if position is None:
        position = Process.objects.count() + 1
    try:
        with transaction.atomic():
            return Process.objects.create(
                key=key[:60], name=name, department=department, position=position
            )
    except IntegrityError:
        raise ImprovementInvalid(
            _("A process with this key exists already; choose another name."), "name"
        ) from None


@dataclass(frozen=True)
class Links:
    """What an improvement is linked to; ``None`` leaves a link as it is when editing."""

    experience_ids: Iterable[int] | None = None
    topic_ids: Iterable[int] | None = None
    case_ids: Iterable[int] | None = None


def _scoped_ids(model: type, ids: Iterable[int] | None, field: str) -> list[int] | None:
    """The ids as they exist in the bound workspace; an id of another workspace is an error."""
    if ids is None:
        return None
    wanted = {int(i) for i in ids}
    found = set(model.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    missing = wanted - found
    if missing:
        raise ImprovementInvalid(
            _("No such %(what)s here: %(ids)s.")
            % {"what": field, "ids": ", ".join(str(i) for i in sorted(missing))},
            field,
        )
    return sorted(found)


def _set_links(improvement: Improvement, links: Links) -> dict[str, int]:
    changed: dict[str, int] = {}
    for relation, model, ids, field in (
        (improvement.experiences, Experience, links.experience_ids, "experiences"),
        (improvement.topics, Topic, links.topic_ids, "topics"),
        (improvement.cases, Case, links.case_ids, "cases"),
    ):
        found = _scoped_ids(model, ids, field)
        if found is not None:
            relation.set(found)
            changed[field] = len(found)
    return changed


def _check_parts(
    process: Process, department: Department | None, touchpoint: Touchpoint | None
) -> Department:
    workspace = current_workspace()
    for part in (process, department, touchpoint):
        if part is not None and part.workspace_id != workspace.pk:
            raise ImprovementInvalid(_("That belongs to another workspace."))
    department = department or process.department
    if department is None:
        raise ImprovementInvalid(
            _("Choose the department that owns this improvement."), "department"
        )
    return department


@transaction.atomic
def create_improvement(
    *,
    title: str,
    process: Process,
    department: Department | None = None,
    description: str = "",
    owner: User | None = None,
    touchpoint: Touchpoint | None = None,
    planned_for: date | None = None,
    customer_message: dict[str, str] | None = None,
    links: Links = Links(),
    actor: User | None = None,
) -> Improvement:
    """A new improvement (an idea until planned); its links are checked for the workspace."""
    title = " ".join(title.split())
    if not title:
        raise ImprovementInvalid(_("Say in a few words what will change."), "title")
    department = _check_parts(process, department, touchpoint)
    improvement = Improvement.objects.create(
        title=title[:200],
        description=description.strip(),
        process=process,
        department=department,
        owner=owner,
        touchpoint=touchpoint,
        planned_for=planned_for,
        customer_message=_clean_message(customer_message),
    )
    linked = _set_links(improvement, links)
    events.improvement_created(improvement, actor=actor, linked=linked)
    return improvement


def _clean_message(message: dict[str, str] | None) -> dict[str, str]:
    return {k: v.strip() for k, v in (message or {}).items() if k in ("en", "uk", "ru") and v}


EDITABLE = ("title", "description", "process", "department", "owner", "touchpoint", "planned_for")


@transaction.atomic
def update_improvement(
    improvement: Improvement,
    *,
    actor: User | None = None,
    links: Links = Links(),
    customer_message: dict[str, str] | None = None,
    **values: object,
) -> Improvement:
    """Change the fields given (any of ``EDITABLE``) and the links given; one event row."""
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise ImprovementInvalid(_("These fields cannot be changed: %s.") % ", ".join(unknown))
    improvement = Improvement.objects.select_for_update().get(pk=improvement.pk)
    changed: list[str] = []
    for name, value in values.items():
        if name == "title":
            value = " ".join(str(value).split())[:200]
            if not value:
                raise ImprovementInvalid(_("Say in a few words what will change."), "title")
        if getattr(improvement, name) != value:
            setattr(improvement, name, value)
            changed.append(name)
    if customer_message is not None:
        cleaned = _clean_message(customer_message)
        if cleaned != improvement.customer_message:
            improvement.customer_message = cleaned
            changed.append("customer_message")
    improvement.department = _check_parts(
        improvement.process, improvement.department, improvement.touchpoint
    )
    improvement.save()
    linked = _set_links(improvement, links)
    if changed or linked:
        events.improvement_edited(improvement, actor=actor, fields=changed, linked=linked)
    return improvement


@transaction.atomic
def link_signals(
    improvement: Improvement, experience_ids: Iterable[int], *, actor: User | None = None
) -> int:
    """Add signals to an improvement (keeping the ones already linked); returns how many were new.

    A signal linked after shipping is linked, but its customer is not emailed: the customers were
    told when the improvement shipped.
    """
    found = _scoped_ids(Experience, experience_ids, "experiences") or []
    already = set(improvement.experiences.values_list("pk", flat=True))
    new = [pk for pk in found if pk not in already]
    if new:
        improvement.experiences.add(*new)
        events.improvement_linked(improvement, actor=actor, experiences=len(new))
    return len(new)


def allowed_next(improvement: Improvement) -> tuple[str, ...]:
    return TRANSITIONS[ImprovementStatus(improvement.status)]


@transaction.atomic
def move(
    improvement: Improvement,
    to_status: str,
    *,
    actor: User | None = None,
    shipped_on: date | None = None,
    notify: bool = True,
) -> Improvement:
    """Move the improvement to ``to_status`` if the flow allows it.

    The row is locked and re-read, so two people moving it at once cannot both pass the check.
    Shipping stamps ``shipped_on`` (today unless given; not in the future) and, with ``notify``,
    tells the linked customers once the transaction commits.
    """
    if to_status not in ImprovementStatus.values:
        raise ImprovementInvalid(_("Unknown status “%s”.") % to_status, "status")
    improvement = Improvement.objects.select_for_update().get(pk=improvement.pk)
    before = improvement.status
    if to_status not in TRANSITIONS[ImprovementStatus(before)]:
        raise TransitionNotAllowed(
            _("An improvement that is “%(from)s” cannot become “%(to)s”.")
            % {
                "from": ImprovementStatus(before).label,
                "to": ImprovementStatus(to_status).label,
            }
        )
    if to_status == S.SHIPPED:
        today = timezone.localdate()
        shipped_on = shipped_on or today
        if shipped_on > today:
            raise ImprovementInvalid(_("The ship date cannot be in the future."), "shipped_on")
        improvement.shipped_on = shipped_on
    improvement.status = to_status
    improvement.save(update_fields=["status", "shipped_on", "updated_at"])
    events.improvement_status_changed(improvement, actor=actor, from_status=before)
    if to_status == S.SHIPPED and notify:
        from .you_said import notify_customers

        notify_customers(improvement)
    return improvement


def history(improvement: Improvement):
    return ImprovementEvent.objects.filter(improvement=improvement).select_related("actor")
