"""The demo workspace: big enough to explore, realistic enough that its numbers mean something.

The demo is loaded once for the module (it takes a few seconds) with a fixed ``now``; tests that
write roll back inside their own transaction, so the module's copy stays intact.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from statistics import mean
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Count
from django.utils import timezone

from cxloop.accounts.models import Membership, Role, User, Workspace
from cxloop.core.scoping import bind_workspace
from cxloop.customers.models import Customer, Order, Segment
from cxloop.demo import texts_en, texts_ru, texts_uk
from cxloop.demo.services import DEMO_EMAIL, DEMO_PASSWORD, DEMO_SLUG, DemoSummary, load_demo
from cxloop.experiences.models import Experience, Source
from cxloop.experiences.scoring import emotion_for_outcome, outcome_for_score

NOW = datetime(2026, 11, 25, 10, 30, tzinfo=ZoneInfo("Europe/Kyiv"))

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker) -> DemoSummary:
    with django_db_blocker.unblock():
        summary = load_demo(now=NOW)
    yield summary
    with django_db_blocker.unblock():
        Workspace.objects.filter(slug=DEMO_SLUG).delete()
        User.objects.filter(email__endswith="@cxloop.local").delete()


def _nps(scores: list[int]) -> float:
    return 100 * (sum(s >= 9 for s in scores) - sum(s <= 6 for s in scores)) / len(scores)


def _month(moment: datetime) -> tuple[int, int]:
    local = timezone.localtime(moment)
    return local.year, local.month


def test_demo_meets_minimum_volumes(demo):
    assert demo.created
    with bind_workspace(demo.workspace):
        assert Customer.objects.count() == demo.customers >= 2000
        assert Order.objects.count() == demo.orders >= 10_000
        assert Experience.objects.count() == demo.experiences >= 5000
        assert Segment.objects.count() >= 4
        customers = Counter(Customer.objects.values_list("language", flat=True))
        texts = Counter(Experience.objects.exclude(text="").values_list("language", flat=True))
    for languages in (customers, texts):
        assert set(languages) == {"uk", "ru", "en"}
        assert languages.most_common(1)[0][0] == "uk"


def test_loading_twice_writes_nothing_new(demo):
    again = load_demo(now=NOW + timedelta(days=3))

    assert not again.created
    assert again.workspace == demo.workspace
    assert (again.customers, again.orders, again.experiences) == (
        demo.customers,
        demo.orders,
        demo.experiences,
    )
    assert Workspace.objects.filter(slug=DEMO_SLUG).count() == 1


def _digest(workspace: Workspace) -> str:
    with bind_workspace(workspace):
        rows = [
            *Customer.objects.order_by("external_id").values_list(
                "external_id", "name", "email", "language", "segment__name", "first_purchase_at"
            ),
            *Order.objects.order_by("external_id").values_list(
                "external_id", "customer__external_id", "placed_at", "amount", "status", "items"
            ),
            *Experience.objects.order_by("occurred_at", "source", "text").values_list(
                "customer__external_id", "occurred_at", "source", "score", "text"
            ),
        ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_same_seed_same_data(demo):
    first = _digest(demo.workspace)
    Workspace.objects.filter(slug=DEMO_SLUG).delete()

    again = load_demo(now=NOW)

    assert again.created
    assert _digest(again.workspace) == first


def _markers() -> dict[str, str]:
    """The longest literal piece of every topic fragment, lower-cased, with its sentiment."""
    markers: dict[str, str] = {}
    for texts in (texts_uk, texts_ru, texts_en):
        for pools in texts.TOPICS.values():
            for sentiment, fragments in pools.items():
                for fragment in fragments:
                    piece = max(re.split(r"\{[^{}]*\}", fragment), key=len)
                    marker = piece.strip().strip(".!?…,:;()« »").lower()
                    if len(marker) >= 12:
                        assert markers.setdefault(marker, sentiment) == sentiment, marker
    return markers


def _sentiment_of(text: str, markers: dict[str, str]) -> str | None:
    """The sentiment of the first fragment found in a text: what the text is mainly about."""
    lowered = text.lower()
    found = [(lowered.find(m), s) for m, s in markers.items() if m in lowered]
    return min(found)[1] if found else None


def test_fragments_belong_to_exactly_one_sentiment():
    markers = _markers()
    for marker, sentiment in markers.items():
        others = [m for m, s in markers.items() if s != sentiment and marker in m]
        assert not others, f"{marker!r} is also part of {others}"


def test_scores_mostly_agree_with_words(demo):
    markers = _markers()
    with bind_workspace(demo.workspace):
        answers = Experience.objects.filter(scale="nps").exclude(text="")
        rows = list(answers.values_list("score", "text"))
    read = [(score, _sentiment_of(text, markers)) for score, text in rows]
    read = [(score, sentiment) for score, sentiment in read if sentiment]
    complaints = [score for score, sentiment in read if sentiment == "negative"]
    praise = [score for score, sentiment in read if sentiment == "wow"]
    detractors = [sentiment for score, sentiment in read if score <= 6]

    assert len(read) > 2000
    assert sum(s <= 6 for s in complaints) / len(complaints) >= 0.75
    assert sum(s >= 9 for s in praise) / len(praise) >= 0.75
    assert sum(s == "negative" for s in detractors) / len(detractors) >= 0.75
    # ...but not always: some people give an 8 and still complain.
    assert any(7 <= s <= 8 for s in complaints)


def test_outcome_and_emotion_follow_the_score(demo):
    with bind_workspace(demo.workspace):
        rows = Experience.objects.values_list("score", "scale", "outcome", "emotion", "source")
        rows = list(rows)
    for score, scale, outcome, emotion, source in rows:
        if source == Source.SOCIAL:
            assert score is None
            assert scale == ""
        else:
            assert outcome == outcome_for_score(score, scale)
        assert emotion == emotion_for_outcome(outcome)


def test_nps_is_healthy_overall_with_a_december_dip(demo):
    with bind_workspace(demo.workspace):
        answers = list(Experience.objects.filter(scale="nps").values_list("score", "occurred_at"))
    december = [score for score, at in answers if timezone.localtime(at).month == 12]

    overall = _nps([score for score, _ in answers])
    assert 25 <= overall <= 50
    assert _nps(december) <= overall - 8


def test_orders_show_seasonality(demo):
    with bind_workspace(demo.workspace):
        months = Counter(_month(at) for at in Order.objects.values_list("placed_at", flat=True))

    for year in (2025, 2026):
        assert months[(year, 9)] > months[(year, 7)]
    assert months[(2025, 12)] > months[(2025, 7)]
    assert months[(2025, 12)] > months[(2025, 10)]


def test_repeat_customers_exist(demo):
    with bind_workspace(demo.workspace):
        counts = list(Customer.objects.annotate(n=Count("orders")).values_list("n", flat=True))

    assert sum(n >= 2 for n in counts) / len(counts) >= 0.30
    assert 0.03 <= sum(n >= 5 for n in counts) / len(counts) <= 0.25
    assert sum(n == 1 for n in counts) / len(counts) >= 0.25  # many buy only once


def test_loyal_customers_spend_more_per_order(demo):
    with bind_workspace(demo.workspace):
        orders = Order.objects.exclude(status="cancelled").values_list("customer_id", "amount")
        by_customer: dict[int, list[float]] = defaultdict(list)
        for customer_id, amount in orders:
            by_customer[customer_id].append(float(amount))

    once = [a for amounts in by_customer.values() if len(amounts) == 1 for a in amounts]
    loyal = [a for amounts in by_customer.values() if len(amounts) >= 5 for a in amounts]
    assert mean(loyal) > 1.2 * mean(once)


def test_dates_follow_each_other_and_stay_in_the_past(demo):
    start = NOW - timedelta(days=549)
    with bind_workspace(demo.workspace):
        orders = list(Order.objects.values_list("placed_at", "delivered_at", "status", "items"))
        assert not Experience.objects.filter(occurred_at__gt=NOW).exists()
        customers = Customer.objects.filter(first_purchase_at__isnull=False)
        assert not customers.filter(first_purchase_at__gt=NOW).exists()
    for placed, delivered, status, items in orders:
        assert start <= placed <= NOW
        assert 1 <= len(items) <= 4
        if delivered is not None:
            assert placed < delivered <= min(NOW, placed + timedelta(days=6))
        else:
            assert status in {"placed", "shipped", "cancelled"}


def test_demo_people_can_log_in_with_their_roles(demo):
    owner = User.objects.get(email=DEMO_EMAIL)

    assert owner.check_password(DEMO_PASSWORD)
    assert owner.full_name == "Олена Коваль"
    with bind_workspace(demo.workspace):
        roles = Counter(Membership.objects.values_list("role", flat=True))
        assert Membership.objects.get(user=owner).role == Role.OWNER
    assert roles == {Role.OWNER: 1, Role.MANAGER: 1, Role.AGENT: 2, Role.VIEWER: 1}


def test_stance_history_shows_prosecutors_who_came_back(demo):
    """The home page's "prosecutors recovered" counts stance changes; the demo must have some."""
    from cxloop.customers.models import Stance, StanceChange
    from cxloop.customers.selectors import recovered_prosecutors

    with bind_workspace(demo.workspace):
        recovered = recovered_prosecutors(since=NOW - timedelta(days=90))
        latest = {}
        for change in StanceChange.objects.order_by("changed_at", "pk"):
            assert change.changed_at <= NOW
            latest[change.customer_id] = change.to_stance
        current = dict(Customer.objects.values_list("pk", "stance"))
    assert recovered >= 10
    assert Stance.PROSECUTOR in latest.values()
    # The history ends where each customer stands now.
    assert all(current[pk] == stance for pk, stance in latest.items())
