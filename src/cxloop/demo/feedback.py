"""The voice of the demo's customers: survey answers, reviews and social posts about their orders.

Every signal is read off the satisfaction the order left (:mod:`cxloop.demo.fulfilment`):

- **NPS** (0–10) a few days after delivery, at most once a month per customer (the frequency cap);
- **CSAT** (1–5) after a support chat, from how that chat went;
- **CES** (1–7) right after checkout, from how easy the site made it;
- **reviews** (1–5 stars), mostly from the delighted and the furious;
- **social posts** (no score), mostly complaints, a good share by people we cannot match to a
  customer.

The *intended* outcome comes from satisfaction; the score is the same satisfaction seen through
noise, so words and score agree most of the time and disagree the way real people do (an 8 with a
complaint, a 6 from someone who wrote "fine"). NPS in December is lower because December's orders
really went worse, not because the month is special-cased here.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from cxloop.experiences.models import Experience, Source
from cxloop.experiences.scoring import Outcome, Scale, emotion_for_outcome, outcome_for_score
from cxloop.journeys.models import Touchpoint

from .commerce import Buyer, Purchase
from .compose import LANGUAGES, Context, Writer, _render, compose, short
from .fulfilment import NEGATIVE, OK, WOW, Fulfilment
from .journey import spot_for
from .seasons import Window

# centre, spread, lowest, highest: satisfaction 0 maps to the centre of the scale.
SCALES = {
    Scale.NPS: (7.6, 1.7, 0, 10),
    Scale.CSAT: (3.9, 0.9, 1, 5),
    Scale.CES: (5.3, 1.2, 1, 7),
    Scale.STARS5: (4.0, 1.0, 1, 5),
}
SCORE_NOISE = 0.35
SURVEY_GAP_DAYS = 30  # the contact-frequency cap for the NPS survey
SENTIMENT = {Outcome.BELOW: NEGATIVE, Outcome.MET: OK, Outcome.EXCEEDED: WOW}
OUTCOME = {v: k for k, v in SENTIMENT.items()}
# When nothing in particular stood out, what people talk about (by how they received the order).
USUAL = {
    "courier": {"delivery_speed": 3, "courier": 2, "packaging": 1.5, "book_quality": 2, "price": 1},
    "branch": {"delivery_speed": 3, "branch": 2, "packaging": 1.5, "book_quality": 2, "price": 1},
    "abroad": {"delivery_speed": 3, "packaging": 2, "book_quality": 2, "price": 1.5},
    "digital": {"ebook": 4, "price": 1.5, "site": 1},
}
GRUMBLES = {"price": 3, "site": 1.5, "packaging": 1, "book_quality": 1}


@dataclass
class _Signal:
    order: Purchase
    at: float
    source: str
    scale: str
    satisfaction: float
    text_chance: float
    anonymous: bool = False


def collect(
    rng: random.Random, window: Window, buyers: list[Buyer], touchpoints: dict[str, Touchpoint]
) -> list[Experience]:
    """Every experience row for the buyers' orders (customers must already have primary keys),
    each at the touchpoint it is mainly about (see :func:`cxloop.demo.journey.spot_for`)."""
    rows: list[Experience] = []
    for buyer in buyers:
        eager = min(0.95, rng.betavariate(2.6, 2.4) * (1.5 if buyer.language == "en" else 1.0))
        last_survey = -1e9
        for order in buyer.purchases:
            for signal in _signals(rng, order, eager, last_survey, window.end):
                if signal.source == "nps":
                    last_survey = signal.at
                rows.append(_experience(rng, window, signal, touchpoints))
    return rows + incidents(window, buyers, touchpoints)


def _signals(
    rng: random.Random, order: Purchase, eager: float, last_survey: float, end: float
) -> list[_Signal]:
    f = order.fulfilment
    signals: list[_Signal] = []
    if f.status != "cancelled" and rng.random() < 0.05:
        effort = 0.4 * order.buyer.disposition + rng.gauss(0.45, 0.9)
        effort += sum(m.effect for m in f.moments if m.topic == "site") * 1.6
        signals.append(
            _Signal(order, order.placed + rng.uniform(0.002, 0.02), "ces", Scale.CES, effort, 0.4)
        )
    if f.support is not None and rng.random() < 0.55:
        at = f.support.at + rng.uniform(0.01, 0.1)
        signals.append(_Signal(order, at, "csat", Scale.CSAT, f.support.satisfaction, 0.6))
    if f.delivered is None:
        return [s for s in signals if s.at < end]
    u = f.satisfaction
    asked = f.delivered + rng.uniform(1, 7)
    if asked - last_survey >= SURVEY_GAP_DAYS and rng.random() < eager * (1.3 if u < -0.4 else 1.0):
        chance = 0.85 if u < -0.4 else 0.65
        signals.append(_Signal(order, asked, "nps", Scale.NPS, u, chance))
    if rng.random() < 0.04 + (0.07 if abs(u - 0.6) > 1.6 else 0.0):
        signals.append(
            _Signal(order, f.delivered + rng.uniform(1, 7), "review", Scale.STARS5, u, 1.0)
        )
    if rng.random() < (0.08 if u < -0.6 else 0.03 if u > 1.4 else 0.0):
        late = any(m.topic == "delivery_speed" for m in f.noticed(NEGATIVE))
        at = (
            (order.placed + 2 + rng.uniform(0.3, 1.5))
            if late
            else f.delivered + rng.uniform(0.2, 3)
        )
        signals.append(_Signal(order, at, "social", "", u, 1.0, anonymous=rng.random() < 0.45))
    return [s for s in signals if s.at < end]


def _score(satisfaction: float, scale: str) -> int:
    centre, spread, lowest, highest = SCALES[Scale(scale)]
    return max(lowest, min(highest, round(centre + spread * satisfaction)))


def _experience(
    rng: random.Random, window: Window, signal: _Signal, touchpoints: dict[str, Touchpoint]
) -> Experience:
    buyer = signal.order.buyer
    scale = signal.scale or Scale.NPS  # a post has no score; its tone is read on the NPS scale
    intended = SENTIMENT[outcome_for_score(_score(signal.satisfaction, scale), scale)]
    score: int | None = None
    if signal.scale:
        score = _score(signal.satisfaction + rng.gauss(0, SCORE_NOISE), scale)
        outcome = outcome_for_score(score, scale)
    else:
        outcome = OUTCOME[intended]
    text, topic = "", _salient_topic(signal, intended)
    if rng.random() < signal.text_chance:
        text, said = _text(rng, signal, Writer(buyer.language, buyer.person.female), intended)
        topic = said or topic
    source = {"nps": Source.SURVEY, "csat": Source.SURVEY, "ces": Source.SURVEY}.get(
        signal.source, Source.REVIEW if signal.source == "review" else Source.SOCIAL
    )
    method = signal.order.fulfilment.method
    return Experience(
        customer=None if signal.anonymous else buyer.customer,
        touchpoint=touchpoints[spot_for(topic, method, signal.source)],
        occurred_at=window.at(signal.at),
        source=source,
        score=score,
        scale=signal.scale,
        outcome=outcome,
        emotion=emotion_for_outcome(outcome),
        text=text,
        language=buyer.language if text else "",
    )


def _salient_topic(signal: _Signal, sentiment: str) -> str:
    """Without words, what the answer is most likely about: the first moment of that tone."""
    if signal.source == "csat":
        return "support"
    for moment in signal.order.fulfilment.moments:
        if moment.sentiment == sentiment:
            return moment.topic
    return "delivery_speed"


def _text(
    rng: random.Random, signal: _Signal, writer: Writer, sentiment: str
) -> tuple[str, str | None]:
    """The words, and the topic they are mainly about (None for a short "Все супер!")."""
    if signal.source != "social" and rng.random() < 0.07:
        return short(rng, writer, sentiment), None
    order, f = signal.order, signal.order.fulfilment
    context = Context(
        book=_book(rng, order),
        days=max(1, f.delivery_days),
        branch=int(order.buyer.attributes.get("nova_poshta_branch", 1)),  # type: ignore[call-overload]
        agent=f.support.agent if f.support else "oksana",
    )
    main, second = _topics(rng, signal, f, sentiment)
    situation = _situation(rng, order) if signal.source in ("nps", "review", "social") else None
    social = signal.source == "social"
    return compose(rng, writer, sentiment, main, context, second, social, situation), main


def _situation(rng: random.Random, order: Purchase) -> str:
    persona = order.buyer.persona.key
    if persona == "corporate":
        return "corporate"
    if order.gift:
        return "gift"
    if order.fulfilment.method == "digital" and order.buyer.method == "abroad":
        return "abroad"
    if persona == "students":
        return "study"
    if persona == "parents":
        return rng.choice(["kids", "school"])
    return "self"


def _topics(
    rng: random.Random, signal: _Signal, f: Fulfilment, sentiment: str
) -> tuple[str, tuple[str, str] | None]:
    """What the text is mainly about, and what else it mentions (topic, sentiment)."""
    if signal.source == "ces":
        return "site", None
    moments = [(m.topic, m.sentiment) for m in f.moments]
    if signal.source == "csat":
        main = "returns" if ("returns", sentiment) in moments and rng.random() < 0.5 else "support"
        problems = [m for m in moments if m[1] == NEGATIVE and m[0] not in ("returns", main)]
        return main, (problems[0] if problems and rng.random() < 0.4 else None)
    recovered = f.support is not None and f.support.satisfaction > 0.8
    candidates = [t for t, s in moments if s == sentiment]
    if sentiment != NEGATIVE and recovered and ("wrong_book", NEGATIVE) in moments:
        candidates.append("wrong_book")
    if sentiment != NEGATIVE and f.support is not None and recovered:
        candidates.append("support")
    if candidates:
        main = candidates[0] if sentiment == NEGATIVE else rng.choice(candidates)
    else:
        pool = dict(GRUMBLES if sentiment == NEGATIVE else USUAL[f.method])
        if sentiment != NEGATIVE and signal.order.gift:
            pool["gift_wrap"] = 2
        if sentiment != NEGATIVE and signal.order.nth >= 3:
            pool["loyalty"] = 1
        if sentiment != NEGATIVE and signal.order.promo:
            pool["promo"] = 2
        if signal.source == "review" and sentiment != NEGATIVE:
            pool = {"book_quality": 3, **{k: v for k, v in pool.items() if k != "book_quality"}}
        main = rng.choices(list(pool), weights=list(pool.values()))[0]
    others = [m for m in moments if m[0] not in (main, "returns")]
    second = rng.choice(others) if others and rng.random() < 0.5 else None
    return main, second


def _book(rng: random.Random, order: Purchase) -> str:
    title = str(rng.choice(order.items)["title"])
    return title.removesuffix(" (електронна книга)")


# --- recent trouble, for the insights page to find on its own ---------------------------------
LOCKER_COMPLAINTS = 30  # over the last three weeks: a new theme no topic names (emerging)
LOCKER_DAYS = 21
PAYMENT_COMPLAINTS = 18  # over the last ~40 hours: far above the payment topic's baseline (spike)
PAYMENT_HOURS = 40


def incidents(
    window: Window, buyers: list[Buyer], touchpoints: dict[str, Touchpoint]
) -> list[Experience]:
    """Two recent problems the demo does not label: the insights services must find them.

    - A new parcel-locker partner, Kvadro, keeps failing (codes rejected, doors jammed): low NPS
      answers from customers who collect at a branch, in their own language, over the last
      three weeks. No default topic matches the words, so they surface as an *emerging topic*.
    - The card payment broke in the last two days: complaints at checkout (CES answers and
      social posts) far above the "payment" topic's usual handful a month: a *spike*.

    Drawn from their own ``Random`` so the rest of the demo stays the same draw for draw.
    """
    rng = random.Random(f"incidents:{window.days}")
    pickup = [b for b in buyers if b.method == "branch" and b.customer is not None]
    anyone = [b for b in buyers if b.customer is not None]
    rows = []
    for buyer in rng.sample(pickup, min(LOCKER_COMPLAINTS, len(pickup))):
        score = rng.choice([0, 1, 2, 2, 3, 3, 4])
        rows.append(
            _incident(rng, window, buyer, "LOCKER", rng.uniform(0.2, LOCKER_DAYS),
                      touchpoints["branch"], Source.SURVEY, score, Scale.NPS)
        )  # fmt: skip
    for buyer in rng.sample(anyone, min(PAYMENT_COMPLAINTS, len(anyone))):
        ago = rng.uniform(0.02, PAYMENT_HOURS / 24)
        if rng.random() < 0.5:
            source, score, scale = Source.SURVEY, rng.choice([1, 1, 2]), Scale.CES
        else:
            source, score, scale = Source.SOCIAL, None, ""
        rows.append(
            _incident(rng, window, buyer, "PAYMENT_OUTAGE", ago, touchpoints["checkout"],
                      source, score, scale)
        )  # fmt: skip
    return rows


def _incident(
    rng: random.Random,
    window: Window,
    buyer: Buyer,
    kind: str,
    days_ago: float,
    touchpoint: Touchpoint,
    source: str,
    score: int | None,
    scale: str,
) -> Experience:
    writer = Writer(buyer.language, buyer.person.female)
    texts = LANGUAGES[buyer.language]
    parts = [rng.choice(texts.OPENINGS[NEGATIVE])] if rng.random() < 0.5 else []
    parts.append(rng.choice(getattr(texts, kind)))
    if rng.random() < 0.6:
        parts.append(rng.choice(texts.CLOSINGS[NEGATIVE]))
    outcome = outcome_for_score(score, scale) if score is not None else Outcome.BELOW
    return Experience(
        customer=buyer.customer,
        touchpoint=touchpoint,
        occurred_at=window.at(window.end - days_ago),
        source=source,
        score=score,
        scale=scale,
        outcome=outcome,
        emotion=emotion_for_outcome(outcome),
        text=_render(" ".join(parts), writer, Context()),
        language=buyer.language,
    )
