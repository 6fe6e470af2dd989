"""Customers and their orders, simulated day by day over the demo window.

Customers arrive along an acquisition curve (the shop's audience grows; school, the holidays and
Black Friday bring newcomers). Each one buys at a personal rate drawn from their persona's gamma
distribution and may stop after any order (a beta-distributed dropout chance, doubled after an
order that fell below expectation and cut after a WOW one). Most buyers therefore buy once and a
loyal minority buys often; loyal buyers also fill bigger baskets as they come to trust the shop.

Orders are processed in time order so that each day's backlog (the *overload* that makes
couriers late) is computed from the orders actually placed in the days before.
"""

from __future__ import annotations

import heapq
import math
import random
from dataclasses import dataclass, field
from decimal import Decimal

from cxloop.customers.models import Customer, Order, Segment

from . import catalog
from .fulfilment import PROTECTIVE_PACKAGING_WEEKS_AGO, Conditions, Fulfilment, fulfil
from .names import ABROAD, COURIER_CITIES, Person, make_person
from .personas import COMPANIES, PERSONAS, Persona
from .seasons import Window, bumps, carrier_strain, intensity

CUSTOMERS = 4000
LANGUAGES = {"uk": 0.63, "ru": 0.25, "en": 0.12}
CHANNELS = {
    "instagram": 24, "google": 22, "facebook": 12, "tiktok": 8, "referral": 14,
    "organic": 12, "book_fair": 5, "email": 3,
}  # fmt: skip
NEVER_BOUGHT = 0.04  # signed up for the newsletter or an account, never ordered
BELOW_CHURN = 2.0  # an order below expectation doubles the chance to leave
CAPACITY_FACTOR = 1.5  # the warehouse and couriers are sized for 1.5x the usual daily load
_HOURS = [1, 0.5, 0.3, 0.2, 0.2, 0.4, 1, 2, 3, 4, 5, 5, 6, 6, 5, 5, 5, 6, 7, 9, 10, 10, 8, 4]


@dataclass
class Buyer:
    number: int
    persona: Persona
    language: str
    person: Person
    joined: float
    rate: float  # orders per year while active
    dropout: float
    disposition: float
    method: str  # courier | branch | abroad
    attributes: dict[str, object]
    purchases: list[Purchase] = field(default_factory=list)
    customer: Customer | None = None  # the saved row, once written


@dataclass
class Purchase:
    buyer: Buyer
    placed: float
    nth: int
    items: list[dict[str, object]]
    amount: Decimal
    gift: bool
    promo: bool
    fulfilment: Fulfilment
    number: int = 0


def simulate(rng: random.Random, window: Window) -> tuple[list[Buyer], list[Purchase]]:
    """Every buyer and every order of the window, orders numbered in the order they were placed."""
    day_bumps = [bumps(window.date(d)) for d in range(window.days + 1)]
    strain = [carrier_strain(window.date(d)) for d in range(window.days + 1)]
    season = {p.key: [intensity(b, p.season) for b in day_bumps] for p in PERSONAS}
    buyers = _arrivals(rng, window, day_bumps)
    counts = [0] * (window.days + 1)  # parcels placed per day, for the backlog
    protected_from = protective_packaging_day(window)
    purchases: list[Purchase] = []
    queue = [(b.joined, b.number) for b in buyers if rng.random() >= NEVER_BOUGHT]
    heapq.heapify(queue)
    while queue:
        placed, number = heapq.heappop(queue)
        buyer = buyers[number - 1]
        order = _order(rng, buyer, placed, day_bumps, strain, counts, protected_from)
        _still_on_its_way(order, window.end)
        buyer.purchases.append(order)
        purchases.append(order)
        churn = buyer.dropout * (BELOW_CHURN if order.fulfilment.satisfaction < -0.4 else 1.0)
        if order.fulfilment.satisfaction > 1.2:
            churn *= 0.6
        if rng.random() < churn:
            continue
        upcoming = _next_purchase(rng, buyer, placed, season[buyer.persona.key], window.end)
        if upcoming is not None:
            heapq.heappush(queue, (upcoming, number))
    for n, order in enumerate(purchases, start=1):
        order.number = n
    return buyers, purchases


def _still_on_its_way(order: Purchase, end: float) -> None:
    f = order.fulfilment
    if f.delivered is not None and f.delivered >= end:
        f.status = "placed" if end - order.placed < 0.25 else "shipped"
        f.delivered = None


def _arrivals(rng: random.Random, window: Window, day_bumps: list[dict[str, float]]) -> list[Buyer]:
    # The audience grows through the window; the first weeks bring back the shop's regulars from
    # before the window, so the first months are not empty.
    growth = [0.6 + 0.8 * d / window.days + 6 * math.exp(-d / 15) for d in range(window.days)]
    general = {"black_friday": 1.0, "holidays": 0.6, "school": 0.4, "summer": -0.2}
    personas = rng.choices(PERSONAS, weights=[p.share for p in PERSONAS], k=CUSTOMERS)
    arrivals: list[tuple[float, Persona]] = []
    for persona in PERSONAS:
        wanted = sum(p is persona for p in personas)
        weights = [
            g * intensity(b, {**general, **persona.acquisition})
            for g, b in zip(growth, day_bumps, strict=False)
        ]
        days = rng.choices(range(window.days), weights=weights, k=wanted)
        arrivals += [(day + _hour(rng) / 24, persona) for day in days]
    arrivals.sort(key=lambda a: (a[0], a[1].key))
    emails: set[str] = set()
    return [_buyer(rng, n, t, persona, emails) for n, (t, persona) in enumerate(arrivals, start=1)]


def _hour(rng: random.Random) -> float:
    return rng.choices(range(24), weights=_HOURS)[0] + rng.random()


def _buyer(
    rng: random.Random, number: int, joined: float, persona: Persona, emails: set[str]
) -> Buyer:
    language = rng.choices(list(LANGUAGES), weights=list(LANGUAGES.values()))[0]
    if persona.key == "corporate" and language == "ru":
        language = "uk"
    person = make_person(rng, language, emails)
    if person.city in ABROAD:
        method = "abroad"
    elif person.city in COURIER_CITIES and rng.random() < 0.45:
        method = "courier"
    else:
        method = "branch"
    attributes: dict[str, object] = {
        "city": person.city,
        "channel_acquired": rng.choices(list(CHANNELS), weights=list(CHANNELS.values()))[0],
        "delivery": {"courier": "courier", "branch": "nova_poshta", "abroad": "international"}[
            method
        ],
    }
    if method == "branch":
        attributes["nova_poshta_branch"] = rng.randint(1, 120)
    if persona.key == "corporate":
        attributes["company"] = rng.choice(COMPANIES)
    return Buyer(
        number=number,
        persona=persona,
        language=language,
        person=person,
        joined=joined,
        rate=rng.gammavariate(*persona.rate),
        dropout=rng.betavariate(*persona.dropout),
        disposition=rng.gauss(persona.mood, 0.7),
        method=method,
        attributes=attributes,
    )


def _next_purchase(
    rng: random.Random, buyer: Buyer, after: float, season: list[float], end: float
) -> float | None:
    """The next purchase of a non-homogeneous Poisson process, drawn by thinning."""
    peak = max(season)
    t = after + 0.5  # nobody reorders within half a day
    while True:
        t += rng.expovariate(max(buyer.rate, 0.05) * peak / 365)
        if t >= end:
            return None
        if rng.random() < season[int(t)] / peak:
            return t


def protective_packaging_day(window: Window) -> int:
    """The day the demo's packaging improvement ships (see ``fulfilment``): orders placed from
    then on are packed with cardboard corners in a double box."""
    return window.days - 7 * PROTECTIVE_PACKAGING_WEEKS_AGO


def _order(
    rng: random.Random,
    buyer: Buyer,
    placed: float,
    day_bumps: list[dict[str, float]],
    strain: list[float],
    counts: list[int],
    protected_from: float,
) -> Purchase:
    day = int(placed)
    persona = buyer.persona
    ebook_share = persona.ebook + (0.35 if buyer.method == "abroad" else 0.0)
    digital = rng.random() < ebook_share
    gift = rng.random() < min(0.9, persona.gift * (1 + day_bumps[day]["holidays"]))
    promo = day_bumps[day]["black_friday"] > 0
    nth = len(buyer.purchases) + 1
    items = _basket(rng, buyer, nth, digital, promo)
    amount = Decimal(sum(int(i["qty"]) * int(i["price"]) for i in items))  # type: ignore[call-overload]
    if not digital:
        counts[day] += 1
    conditions = Conditions(
        strain=strain[day],
        overload=_overload(counts, day, seasonal_staff=1 + 0.8 * day_bumps[day]["school"]),
        disposition=buyer.disposition,
        nth=nth,
        gift=gift,
        promo=promo,
        price_sensitive=persona.key == "students",
        protective_packaging=placed >= protected_from,
    )
    method = "digital" if digital else buyer.method
    fulfilment = fulfil(rng, placed, method, conditions)
    return Purchase(buyer, placed, nth, items, amount, gift, promo, fulfilment)


def _overload(counts: list[int], day: int, seasonal_staff: float) -> float:
    """How far the last three days' parcels exceed what the shop was sized for (0 = within).

    Capacity follows the usual load of the last three months. The school rush is the shop's own
    season, so it hires pickers for it (``seasonal_staff``); the December rush hits the carriers
    of the whole country and no hiring at the shop makes up for it.
    """
    backlog = sum(counts[max(0, day - 3) : day]) / 3
    history = counts[max(0, day - 93) : max(0, day - 3)]
    usual = sum(history) / len(history) if len(history) >= 14 else backlog
    capacity = max(10.0, CAPACITY_FACTOR * usual * seasonal_staff)
    return max(0.0, backlog / capacity - 1)


def _basket(
    rng: random.Random, buyer: Buyer, nth: int, digital: bool, promo: bool
) -> list[dict[str, object]]:
    """1–4 titles; trust grows with every order and with how often the customer reads."""
    persona = buyer.persona
    p_more = min(0.7, 0.18 + 0.035 * min(nth - 1, 8) + 0.025 * min(buyer.rate, 8))
    size = 1 + sum(rng.random() < p_more for _ in range(3))
    shelves = dict(persona.shelves)
    if buyer.language == "en":
        shelves[catalog.ENGLISH] = shelves.get(catalog.ENGLISH, 0) + 0.4
    items: list[dict[str, object]] = []
    for _ in range(size):
        shelf = rng.choices(list(shelves), weights=list(shelves.values()))[0]
        books = catalog.BY_SHELF[shelf]
        if digital:
            books = [b for b in books if b.has_ebook] or [b for b in catalog.BOOKS if b.has_ebook]
        book = rng.choice(books)
        if persona.key == "students":  # students look twice and take the cheaper one
            book = min(book, rng.choice(books), key=lambda b: b.price)
        price = book.ebook_price if digital else book.price
        if promo:
            price = round(price * 0.8)
        title = book.title + (catalog.EBOOK_SUFFIX if digital else "")
        if any(i["title"] == title for i in items):
            continue
        low, high = persona.quantity
        qty = rng.randint(low, high) if high > 1 else (2 if rng.random() < 0.06 else 1)
        items.append({"title": title, "qty": qty, "price": price})
    return items


def customer_rows(
    buyers: list[Buyer], segments: dict[str, Segment], window: Window
) -> list[Customer]:
    """Unsaved customers, with first and last purchase taken from their orders."""
    rows = []
    for buyer in buyers:
        bought = [p.placed for p in buyer.purchases if p.fulfilment.status != "cancelled"]
        buyer.customer = Customer(
            external_id=f"C-{buyer.number:06d}",
            name=buyer.person.name,
            email=buyer.person.email,
            phone=buyer.person.phone,
            language=buyer.language,
            segment=segments[buyer.persona.key],
            attributes=buyer.attributes,
            consent_email=_consents(buyer),
            first_purchase_at=window.at(min(bought)) if bought else None,
            last_purchase_at=window.at(max(bought)) if bought else None,
        )
        rows.append(buyer.customer)
    return rows


def _consents(buyer: Buyer) -> bool:
    # Decided from the buyer's number so the answer does not disturb the random stream.
    return (buyer.number * 7919) % 100 >= 14


def order_rows(purchases: list[Purchase], window: Window) -> list[Order]:
    """Unsaved orders; the buyers' customers must already be saved."""
    return [
        Order(
            customer=p.buyer.customer,
            external_id=f"SO-{p.number:06d}",
            placed_at=window.at(p.placed),
            amount=p.amount,
            currency="UAH",
            items=p.items,
            status=p.fulfilment.status,
            delivered_at=window.at(p.fulfilment.delivered) if p.fulfilment.delivered else None,
        )
        for p in purchases
    ]
