"""Survey triggers: "send this survey N hours after an event", fired by a periodic sweep.

A :class:`~cxloop.feedback.models.SurveyTrigger` row is the rule's data; :func:`rule_of` validates
it into one of the rule classes below (a pydantic union discriminated by ``event``), and each rule
class has one method, :meth:`occasions`, that names the customers whose event is due.

- **Order delivered** (:class:`OrderDelivered`): an order whose ``delivered_at`` lies in
  ``(now − delay − lookback, now − delay]``; one invitation per order at most.
- **Day N of onboarding** (:class:`OnboardingDay`): a customer whose ``first_purchase_at + N days
  + delay`` lies in ``(now − lookback, now]``; one invitation per customer at most. The onboarding
  phase is the first :data:`~cxloop.customers.lifecycle.ONBOARDING_DAYS` days after the first
  purchase, so N lies within it.

:func:`run_triggers` is the sweep (cron or the ``run_triggers`` task, hourly). It invites through
:func:`~cxloop.feedback.distribution.invite`, so consent, unsubscribes and the workspace's
contact-frequency cap hold exactly as for a manual invitation. The *lookback* is how late a sweep
may still fire an event (a missed cron run, a worker down for a day); an event older than that is
never fired, so turning a trigger on does not mail a whole order history.

Idempotency: each event has a dedupe key, ``trigger:<trigger id>:order:<order id>`` or
``trigger:<trigger id>:onboarding:<customer id>``, stored on the invitation and unique per
workspace in the database. A repeated sweep finds the key taken; two concurrent sweeps are
serialised by the customer row locks ``invite`` takes, and should one still lose the race at the
unique constraint it retries once and then sees the winner's row. A customer skipped for a reason
that can pass (the cap, no consent yet) is looked at again by later sweeps while the event is
within the lookback. A customer with several due events is invited for the earliest one per sweep;
the cap usually keeps the others from firing.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Annotated, Literal

from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from cxloop.core.scoping import bind_workspace
from cxloop.customers.lifecycle import ONBOARDING_DAYS
from cxloop.customers.models import Customer, Order

from .distribution import Occasion, invite
from .errors import FeedbackError
from .models import Invitation, Survey, SurveyTrigger

logger = logging.getLogger(__name__)

DEFAULT_LOOKBACK = timedelta(hours=72)
MAX_DELAY_HOURS = 24 * 90
ATTEMPTS = 2


class TriggerInvalid(FeedbackError):
    """A trigger whose settings do not make a rule; ``str()`` says which field and how to fix it."""

    status = 400

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


# --- rules ------------------------------------------------------------------------------------


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    delay_hours: int = Field(0, ge=0, le=MAX_DELAY_HOURS)


class OrderDelivered(_Rule):
    """Fires ``delay_hours`` after an order is delivered (``Order.delivered_at``), once per order;
    a cancelled order never fires."""

    event: Literal["order_delivered"]
    day: None = None

    @field_validator("day", mode="before")
    @classmethod
    def _no_day(cls, value: object) -> None:
        if value is not None:
            raise ValueError("only 'Day N of onboarding' triggers take a day; leave it empty")
        return None

    def occasions(
        self, trigger: SurveyTrigger, now: datetime, lookback: timedelta
    ) -> dict[int, Occasion]:
        end = now - timedelta(hours=self.delay_hours)
        orders = list(
            Order.objects.filter(delivered_at__gt=end - lookback, delivered_at__lte=end)
            .exclude(status=Order.Status.CANCELLED)
            .order_by("delivered_at", "pk")
            .values_list("pk", "customer_id")
        )
        return _first_unfired(
            (customer, Occasion(f"trigger:{trigger.pk}:order:{pk}", trigger.pk, order_id=pk))
            for pk, customer in orders
        )


class OnboardingDay(_Rule):
    """Fires on day ``day`` after the customer's first purchase, plus ``delay_hours``; once per
    customer."""

    event: Literal["onboarding_day"]
    day: int = Field(ge=1, le=ONBOARDING_DAYS)

    def occasions(
        self, trigger: SurveyTrigger, now: datetime, lookback: timedelta
    ) -> dict[int, Occasion]:
        end = now - timedelta(days=self.day, hours=self.delay_hours)
        customers = (
            Customer.objects.filter(
                first_purchase_at__gt=end - lookback, first_purchase_at__lte=end
            )
            .order_by("first_purchase_at", "pk")
            .values_list("pk", flat=True)
        )
        return _first_unfired(
            (pk, Occasion(f"trigger:{trigger.pk}:onboarding:{pk}", trigger.pk)) for pk in customers
        )


TriggerRule = Annotated[OrderDelivered | OnboardingDay, Field(discriminator="event")]
_RULE = TypeAdapter(TriggerRule)


def _first_unfired(candidates: Iterable[tuple[int, Occasion]]) -> dict[int, Occasion]:
    """Customer id → the first of its ``(customer id, occasion)`` candidates whose dedupe key no
    invitation holds yet."""
    candidates = list(candidates)
    keys = [occasion.dedupe_key for _customer, occasion in candidates]
    taken = set(Invitation.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True))
    due: dict[int, Occasion] = {}
    for customer_id, occasion in candidates:
        if occasion.dedupe_key not in taken:
            due.setdefault(customer_id, occasion)
    return due


_FIELDS = {"event": "event", "delay_hours": "delay, hours", "day": "onboarding day"}


def validate_rule(event: str, *, delay_hours: int = 0, day: int | None = None) -> TriggerRule:
    """The rule these settings make, or :class:`TriggerInvalid` naming the field to fix."""
    if event == SurveyTrigger.Event.CONVERSATION_RESOLVED:
        raise TriggerInvalid(
            _(
                "Conversation-resolved triggers need a conversation source, which cxloop does "
                "not have yet; choose “Order delivered” or “Day N of onboarding”."
            ),
            field="event",
        )
    if event == SurveyTrigger.Event.ONBOARDING_DAY and day is None:
        raise TriggerInvalid(
            _("A “Day N of onboarding” trigger needs the day, from 1 to %(last)d.")
            % {"last": ONBOARDING_DAYS},
            field="day",
        )
    try:
        return _RULE.validate_python({"event": event, "delay_hours": delay_hours, "day": day})
    except ValidationError as exc:
        error = exc.errors()[0]
        if error["type"] == "union_tag_invalid":
            raise TriggerInvalid(
                _("Unknown event “%(event)s”; choose “order_delivered” or “onboarding_day”.")
                % {"event": event},
                field="event",
            ) from exc
        field = next((str(part) for part in reversed(error["loc"]) if part in _FIELDS), "event")
        problem = str(error["ctx"]["error"]) if error["type"] == "value_error" else error["msg"]
        raise TriggerInvalid(
            _("%(field)s: %(problem)s.")
            % {"field": _FIELDS.get(field, field), "problem": problem.rstrip(".")},
            field=field,
        ) from exc


def rule_of(trigger: SurveyTrigger) -> TriggerRule:
    return validate_rule(trigger.event, delay_hours=trigger.delay_hours, day=trigger.day)


def create_trigger(
    survey: Survey,
    *,
    event: str,
    delay_hours: int = 0,
    day: int | None = None,
    active: bool = True,
) -> SurveyTrigger:
    """Add a trigger to ``survey`` after validating its rule (:class:`TriggerInvalid` if not)."""
    validate_rule(event, delay_hours=delay_hours, day=day)
    with bind_workspace(survey.workspace):
        return SurveyTrigger.objects.create(
            survey=survey, event=event, delay_hours=delay_hours, day=day, active=active
        )


# --- the sweep --------------------------------------------------------------------------------


def run_triggers(
    now: datetime | None = None, *, lookback: timedelta = DEFAULT_LOOKBACK
) -> Counter[str]:
    """Fire every active trigger of an open survey, in every workspace; returns the outcomes
    counted (``invited``, the skip reasons of :func:`invite`, ``invalid`` for a trigger whose
    settings make no rule, ``conflict`` for a race lost twice, left to the next sweep)."""
    now = now or timezone.now()
    triggers = (
        SurveyTrigger.unscoped.filter(active=True, survey__status=Survey.Status.OPEN)
        .filter(Q(survey__closes_at__isnull=True) | Q(survey__closes_at__gt=now))
        .select_related("survey__workspace")
        .order_by("workspace_id", "pk")
    )
    outcomes: Counter[str] = Counter()
    for trigger in triggers:
        try:
            rule = rule_of(trigger)
        except TriggerInvalid as exc:
            logger.warning("Survey trigger %s is not valid: %s", trigger.pk, exc)
            outcomes["invalid"] += 1
            continue
        with bind_workspace(trigger.survey.workspace):
            outcomes.update(_fire(trigger, rule, now, lookback))
    return +outcomes  # only what happened at least once


def _fire(
    trigger: SurveyTrigger, rule: TriggerRule, now: datetime, lookback: timedelta
) -> Counter[str]:
    outcomes: Counter[str] = Counter()
    for attempt in range(1, ATTEMPTS + 1):
        occasions = rule.occasions(trigger, now, lookback)
        if not occasions:
            return outcomes
        customers = Customer.objects.filter(pk__in=list(occasions))
        try:
            with transaction.atomic():
                result = invite(trigger.survey, customers, now=now, occasions=occasions)
        except (IntegrityError, OperationalError):
            # Another sweep took the same event (or the same rows) at the same moment.
            if attempt == ATTEMPTS:
                logger.warning("Survey trigger %s lost a race twice; next sweep", trigger.pk)
                outcomes["conflict"] += len(occasions)
            continue
        except FeedbackError:  # the survey closed since the triggers were read
            outcomes["survey_closed"] += len(occasions)
            return outcomes
        outcomes["invited"] += result.invited
        outcomes.update(result.skipped)
        return outcomes
    return outcomes
