"""How one order went, and how it felt: the moments a customer noticed and their satisfaction.

This is the demo's model of an experience. Each order meets reality at a few touchpoints
(delivery, courier or Nova Poshta branch, the box, the book itself, the site, the price, support,
returns, the bonus programme, the gift wrap, the e-book link). Every touchpoint can fall below
expectation, meet it unnoticed, or exceed it; the chances depend on the conditions of the day:

- ``strain``: the nation-wide parcel rush and winter weather (:func:`seasons.carrier_strain`);
- ``overload``: this shop's own backlog, orders of the last days above what its warehouse and
  couriers were sized for (computed in :mod:`cxloop.demo.commerce` from the simulated orders).

A customer's *satisfaction* with the order is their disposition plus the effect of each moment
plus noise. Surveys, reviews and posts are later read off it (:mod:`cxloop.demo.feedback`), and it
feeds back into whether the customer keeps buying, so December's late parcels cost customers.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

NEGATIVE, OK, WOW = "negative", "ok", "wow"

PROMISED_DAYS = {"courier": 1, "branch": 2, "abroad": 4}
MAX_DELIVERY_DAYS = 5
AGENTS = {"oksana": 0.35, "andrii": 0.05}  # how much better than average each agent resolves
# An improvement of the demo backlog (demo/improvements.py): from this many weeks before the end of
# the window the warehouse packs every book with cardboard corners in a double box, and a parcel
# arrives damaged far less often. The improvement's page measures the effect from the experiences;
# nothing here or there states it.
PROTECTIVE_PACKAGING_WEEKS_AGO = 10
PROTECTED_DAMAGE = 0.05  # the share of the old chance of a damaged parcel that remains


@dataclass(frozen=True)
class Moment:
    topic: str
    sentiment: str
    effect: float


@dataclass(frozen=True)
class Support:
    at: float
    agent: str
    satisfaction: float


@dataclass
class Fulfilment:
    method: str  # courier | branch | abroad | digital
    status: str
    delivered: float | None = None
    delivery_days: int = 0
    moments: list[Moment] = field(default_factory=list)
    support: Support | None = None
    satisfaction: float = 0.0

    def noticed(self, sentiment: str) -> list[Moment]:
        return [m for m in self.moments if m.sentiment == sentiment]


@dataclass(frozen=True)
class Conditions:
    """What the day was like when the order was placed, and who placed it."""

    strain: float
    overload: float
    disposition: float
    nth: int  # 1 for the first order
    gift: bool
    promo: bool  # a Black Friday discount applied
    price_sensitive: bool
    protective_packaging: bool = False  # placed after the packaging improvement shipped


def fulfil(rng: random.Random, placed: float, method: str, when: Conditions) -> Fulfilment:
    """Decide how the order went, from the moment it was placed to the customer's verdict."""
    moments: list[Moment] = []
    s, o = when.strain, when.overload
    _common_moments(rng, when, moments)
    if method == "digital":
        f = Fulfilment(method, "delivered", delivered=placed + rng.uniform(0.001, 0.02))
        _maybe(rng, moments, 0.06, "ebook", NEGATIVE, -1.5)
        _maybe(rng, moments, 0.2, "ebook", WOW, 0.8)
    else:
        f = Fulfilment(method, "delivered")
        _deliver(rng, placed, when, f, moments)
        if method == "courier":
            _maybe(rng, moments, 0.03 + 0.05 * s, "courier", NEGATIVE, -1.5)
            _maybe(rng, moments, 0.08, "courier", WOW, 0.8)
        else:
            _maybe(rng, moments, 0.03 + 0.05 * s, "branch", NEGATIVE, -1.2)
            _maybe(rng, moments, 0.05, "branch", WOW, 0.5)
        damage = -2.2 if when.gift else -1.6
        damaged = 0.03 + 0.04 * s + 0.04 * o
        if when.protective_packaging:
            damaged *= PROTECTED_DAMAGE
        _maybe(rng, moments, damaged, "packaging", NEGATIVE, damage)
        _maybe(rng, moments, 0.07, "packaging", WOW, 0.7)
        _maybe(rng, moments, 0.02, "book_quality", NEGATIVE, -2.0)
        _maybe(rng, moments, 0.08, "book_quality", WOW, 0.6)
        _maybe(rng, moments, 0.01 + 0.04 * o, "wrong_book", NEGATIVE, -2.8)
        if when.gift:
            _maybe(rng, moments, 0.04, "gift_wrap", NEGATIVE, -1.5)
            _maybe(rng, moments, 0.25, "gift_wrap", WOW, 1.0)
    f.moments = moments
    payment_failed = any(m.topic == "site" and m.sentiment == NEGATIVE for m in moments)
    if rng.random() < (0.25 if payment_failed else 0.025):  # or the last copy was already sold
        f.status, f.delivered = "cancelled", None
        f.moments = [m for m in moments if m.topic == "site"]
    satisfaction = when.disposition + 0.55 + sum(m.effect for m in f.moments) + rng.gauss(0, 0.55)
    if f.status != "cancelled":
        satisfaction += _support_and_returns(rng, placed, when, f)
    f.satisfaction = satisfaction
    return f


def _maybe(
    rng: random.Random, moments: list[Moment], p: float, topic: str, sentiment: str, effect: float
) -> None:
    # A touchpoint is noticed once per order: the first verdict on it stands.
    if rng.random() < p and all(m.topic != topic for m in moments):
        moments.append(Moment(topic, sentiment, effect))


def _common_moments(rng: random.Random, when: Conditions, moments: list[Moment]) -> None:
    _maybe(rng, moments, 0.035, "site", NEGATIVE, -0.9)
    _maybe(rng, moments, 0.04, "site", WOW, 0.4)
    _maybe(rng, moments, 0.09 if when.price_sensitive else 0.04, "price", NEGATIVE, -0.7)
    if when.promo:
        _maybe(rng, moments, 0.35, "promo", WOW, 0.7)
        _maybe(rng, moments, 0.05, "promo", NEGATIVE, -0.6)
    else:
        _maybe(rng, moments, 0.04, "price", WOW, 0.7)
    if when.nth >= 3:
        _maybe(rng, moments, 0.03, "loyalty", NEGATIVE, -0.8)
        _maybe(rng, moments, 0.12, "loyalty", WOW, 0.8)


def _deliver(
    rng: random.Random, placed: float, when: Conditions, f: Fulfilment, moments: list[Moment]
) -> None:
    promised = PROMISED_DAYS[f.method]
    p_late = 0.04 + 0.22 * when.strain + 0.35 * when.overload + (0.1 if f.method == "abroad" else 0)
    late = 0
    if rng.random() < p_late:
        late = min(
            MAX_DELIVERY_DAYS - promised, 1 + int(rng.expovariate(1 / (1 + 2 * when.strain)))
        )
    days = max(1, promised - (1 if rng.random() < 0.3 else 0)) + late
    f.delivery_days = days
    f.delivered = int(placed) + days + rng.uniform(0.4, 0.8)  # delivered in the daytime
    if late:
        missed_holiday = -1.0 if when.gift and when.strain > 0.5 else 0.0
        moments.append(Moment("delivery_speed", NEGATIVE, -1.2 - 0.5 * late + missed_holiday))
    elif days < promised or (days == 1 and rng.random() < 0.25):
        _maybe(rng, moments, 0.6, "delivery_speed", WOW, 0.7)


def _support_and_returns(
    rng: random.Random, placed: float, when: Conditions, f: Fulfilment
) -> float:
    """Who contacted support, how the chat went, and what it did to the whole order's verdict.

    A problem solved brilliantly leaves a customer happier than no problem at all (the service
    recovery paradox); a problem bounced around by support makes the original one worse.
    """
    contact = {
        "wrong_book": 0.85,
        "ebook": 0.8,
        "packaging": 0.5,
        "book_quality": 0.5,
        "gift_wrap": 0.4,
        "delivery_speed": 0.35,
        "site": 0.3,
        "courier": 0.3,
        "branch": 0.3,
    }
    problems = f.noticed(NEGATIVE)
    p_contact = max([contact.get(m.topic, 0.1) for m in problems], default=0.03)
    if rng.random() >= p_contact:
        if rng.random() < 0.015 and f.delivered is not None:  # changed their mind
            f.status = "returned"
            f.moments.append(Moment("returns", OK, 0.0))
        return 0.0
    agent = rng.choice(sorted(AGENTS))
    severe = any(m.effect <= -2.0 for m in problems)
    queue = when.overload + 0.4 * when.strain  # chats pile up when parcels run late
    mood = 0.5 * when.disposition + AGENTS[agent] + 0.9 - 1.0 * queue - 0.4 * severe
    satisfaction = mood + rng.gauss(0, 0.8)
    late = any(m.topic == "delivery_speed" for m in problems)
    base = placed + PROMISED_DAYS.get(f.method, 0) if late or f.delivered is None else f.delivered
    f.support = Support(at=base + rng.uniform(0.05, 1.2), agent=agent, satisfaction=satisfaction)
    effect = 0.6 if satisfaction > 0.8 else -0.7 if satisfaction < -0.5 else 0.0
    returns = {"wrong_book": 0.5, "book_quality": 0.6, "packaging": 0.35}
    if any(rng.random() < returns.get(m.topic, 0.0) for m in problems):
        f.status = "returned"
        verdict = NEGATIVE if satisfaction < -0.3 else WOW if satisfaction > 1.1 else OK
        moment = Moment("returns", verdict, {NEGATIVE: -1.0, OK: 0.0, WOW: 0.8}[verdict])
        f.moments.append(moment)
        effect += moment.effect
    return effect
