"""A customer's stance — prosecutor, neutral or advocate — and the rule that sets it.

The rule, in order:

1. **The latest NPS answer of the last 365 days decides**: 0–6 → prosecutor (detractor),
   7–8 → neutral (passive), 9–10 → advocate (promoter). A customer who said how likely they are
   to recommend us has told us their stance in so many words.
2. **Else the balance of recent experiences** (the last 180 days): each experience counts
   −1 (negative), 0 (OK) or +1 (WOW), weighted by ``0.5 ** (age_days / 30)`` so that an experience
   a month old weighs half as much as today's. A weighted mean ≤ −⅓ → prosecutor, ≥ +⅓ → advocate,
   otherwise neutral.
3. **Else unknown** (empty): nothing recent to judge by.

Every change writes a :class:`~cxloop.customers.models.StanceChange` row in the same transaction,
so "prosecutors recovered" can be counted later.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from cxloop.customers.models import Customer, Stance, StanceChange

from .models import Experience
from .scoring import Emotion, Scale

NPS_WINDOW = timedelta(days=365)
BALANCE_WINDOW = timedelta(days=180)
HALF_LIFE_DAYS = 30.0
THRESHOLD = 1 / 3
EMOTION_VALUE = {Emotion.NEGATIVE: -1, Emotion.OK: 0, Emotion.WOW: 1}


@dataclass(frozen=True)
class Encounter:
    """The few facts of an experience that the rule reads."""

    occurred_at: datetime
    emotion: str
    scale: str
    score: int | None


@dataclass(frozen=True)
class Verdict:
    stance: str  # a Stance value, or "" for unknown
    rule: str


def stance_for(encounters: Iterable[Encounter], now: datetime) -> Verdict:
    recent = [e for e in encounters if e.occurred_at <= now]
    nps = [
        e
        for e in recent
        if e.scale == Scale.NPS and e.score is not None and now - e.occurred_at <= NPS_WINDOW
    ]
    if nps:
        latest = max(nps, key=lambda e: e.occurred_at)
        if latest.score <= 6:
            return Verdict(Stance.PROSECUTOR, f"latest NPS answer {latest.score} (0–6)")
        if latest.score <= 8:
            return Verdict(Stance.NEUTRAL, f"latest NPS answer {latest.score} (7–8)")
        return Verdict(Stance.ADVOCATE, f"latest NPS answer {latest.score} (9–10)")

    weighted = total = 0.0
    for e in recent:
        age = now - e.occurred_at
        if age > BALANCE_WINDOW:
            continue
        weight = 0.5 ** (age.total_seconds() / 86400 / HALF_LIFE_DAYS)
        weighted += weight * EMOTION_VALUE[Emotion(e.emotion)]
        total += weight
    if total == 0:
        return Verdict("", "no experience in the last 180 days")
    balance = weighted / total
    rule = f"balance of recent experiences {balance:+.2f}"
    if balance <= -THRESHOLD:
        return Verdict(Stance.PROSECUTOR, rule)
    if balance >= THRESHOLD:
        return Verdict(Stance.ADVOCATE, rule)
    return Verdict(Stance.NEUTRAL, rule)


def _encounters(customer_ids: Iterable[int], now: datetime) -> dict[int, list[Encounter]]:
    by_customer: dict[int, list[Encounter]] = {}
    rows = Experience.objects.filter(
        customer_id__in=list(customer_ids), occurred_at__gte=now - NPS_WINDOW
    ).values_list("customer_id", "occurred_at", "emotion", "scale", "score")
    for customer_id, occurred_at, emotion, scale, score in rows.iterator(chunk_size=5000):
        by_customer.setdefault(customer_id, []).append(
            Encounter(occurred_at, emotion, scale, score)
        )
    return by_customer


@transaction.atomic
def recompute_stances(
    customer_ids: Iterable[int],
    *,
    now: datetime | None = None,
    caused_by: dict[int, Experience] | None = None,
    batch_size: int = 2000,
) -> int:
    """Recompute and store the stance of these customers; returns how many changed.

    Works in batches so that a whole workspace can be recomputed (after an import, or by the
    demo loader) with a bounded number of queries and bounded memory.
    """
    return update_stances(customer_ids, now=now, caused_by=caused_by, batch_size=batch_size)


def update_stances(
    customer_ids: Iterable[int],
    *,
    now: datetime | None = None,
    caused_by: dict[int, Experience] | None = None,
    batch_size: int = 2000,
) -> int:
    """:func:`recompute_stances` inside the caller's transaction, without a savepoint (the
    ledger's ``record_experience`` holds one already)."""
    now = now or timezone.now()
    caused_by = caused_by or {}
    ids = list(customer_ids)
    changed = 0
    for start in range(0, len(ids), batch_size):
        batch = ids[start : start + batch_size]
        encounters = _encounters(batch, now)
        customers = Customer.objects.filter(pk__in=batch).only("pk", "stance", "workspace_id")
        updates, history = [], []
        for customer in customers:
            verdict = stance_for(encounters.get(customer.pk, []), now)
            if verdict.stance == customer.stance:
                continue
            history.append(
                StanceChange(
                    workspace_id=customer.workspace_id,
                    customer_id=customer.pk,
                    from_stance=customer.stance,
                    to_stance=verdict.stance,
                    changed_at=now,
                    experience=caused_by.get(customer.pk),
                    rule=verdict.rule[:200],
                )
            )
            customer.stance = verdict.stance
            customer.stance_changed_at = now
            updates.append(customer)
        Customer.objects.bulk_update(updates, ["stance", "stance_changed_at"], batch_size=1000)
        StanceChange.objects.bulk_create(history, batch_size=1000)
        changed += len(updates)
    return changed
