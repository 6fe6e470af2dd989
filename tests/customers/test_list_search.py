"""Text search on the customer list stays fast at a million customers: it lists at most
SEARCH_CAP matches, the most recently added, by name, and says so when more matched."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from cxloop.customers import selectors
from cxloop.customers.models import Customer, LifecyclePhase, Stance

from ..factories import CustomerFactory, SegmentFactory

LIST = reverse("customers:list")


@pytest.fixture
def small_cap(monkeypatch):
    monkeypatch.setattr(selectors, "SEARCH_CAP", 3)
    return 3


def _names(response) -> list[str]:
    return [c.name for c in response.context["page"]]


def test_a_search_within_the_cap_lists_every_match_by_name(alice, small_cap):
    for name in ["Олена Мельник", "Анна Мельник", "Богдан Мельник", "Тарас Бойко"]:
        CustomerFactory(workspace=alice.workspace, name=name)
    response = alice.client.get(LIST, {"q": "мельник"})
    assert _names(response) == ["Анна Мельник", "Богдан Мельник", "Олена Мельник"]
    assert response.context["page"].paginator.count == 3
    assert not response.context["search_capped"]
    assert "3 customers" in response.content.decode()


def test_a_search_over_the_cap_lists_the_most_recent_matches_by_name(alice, small_cap):
    for name in ["Яна Мельник", "Анна Мельник", "Олена Мельник", "Богдан Мельник", "Іра Бойко"]:
        CustomerFactory(workspace=alice.workspace, name=name)
    response = alice.client.get(LIST, {"q": "Мельник"})
    # The three added last among the four matches (Яна was first), in name order.
    assert _names(response) == ["Анна Мельник", "Богдан Мельник", "Олена Мельник"]
    assert response.context["search_capped"]
    body = response.content.decode()
    assert "More than 3 customers match" in body
    assert "Яна" not in body


def test_a_capped_search_pages_through_its_matches(alice, monkeypatch):
    monkeypatch.setattr(selectors, "SEARCH_CAP", 30)
    for number in range(40):
        CustomerFactory(workspace=alice.workspace, name=f"Клієнт {number:02d}")
    first = alice.client.get(LIST, {"q": "клієнт"})
    second = alice.client.get(LIST, {"q": "клієнт", "page": "2"})
    assert first.context["page"].paginator.num_pages == 2
    names = _names(first) + _names(second)
    assert names == [f"Клієнт {n:02d}" for n in range(10, 40)]  # the 30 most recent, in order


def test_filters_still_apply_with_a_search(alice, small_cap):
    parents = SegmentFactory(workspace=alice.workspace, name="Батьки")
    CustomerFactory(workspace=alice.workspace, name="Олена Мельник", segment=parents)
    CustomerFactory(workspace=alice.workspace, name="Анна Мельник")
    response = alice.client.get(LIST, {"q": "мельник", "segment": parents.pk})
    assert _names(response) == ["Олена Мельник"]


def test_cap_search_reports_how_many_matched_up_to_one_over_the_cap(alice, in_workspace):
    for number in range(5):
        CustomerFactory(workspace=alice.workspace, name=f"Мельник {number}")
    with in_workspace(alice.workspace):
        kept, matched = selectors.cap_search(selectors.search_customers("мельник"), cap=2)
        assert matched == 3
        assert [c.name for c in kept] == ["Мельник 3", "Мельник 4"]
        kept, matched = selectors.cap_search(selectors.search_customers("мельник"), cap=10)
        assert matched == 5
        assert len(kept) == 5
        assert [c.name for c in kept[1:3]] == ["Мельник 1", "Мельник 2"]


def test_stance_phase_and_segment_together(alice):
    parents = SegmentFactory(workspace=alice.workspace, name="Батьки")
    wanted = {
        "stance": Stance.PROSECUTOR,
        "lifecycle_phase": LifecyclePhase.LAPSED,
        "segment": parents,
    }
    CustomerFactory(workspace=alice.workspace, name="Б", **wanted)
    CustomerFactory(workspace=alice.workspace, name="А", **wanted)
    CustomerFactory(workspace=alice.workspace, name="В", **{**wanted, "segment": None})
    CustomerFactory(workspace=alice.workspace, name="Г", **{**wanted, "stance": Stance.ADVOCATE})
    response = alice.client.get(
        LIST, {"stance": "prosecutor", "lifecycle_phase": "lapsed", "segment": parents.pk}
    )
    assert _names(response) == ["А", "Б"]
    assert Customer.unscoped.count() == 4


def test_a_search_finds_a_customer_by_any_part_of_name_or_email_whatever_the_case(alice):
    CustomerFactory(workspace=alice.workspace, name="Олена Коваленко", email="O.Koval@Ukr.net")
    CustomerFactory(workspace=alice.workspace, name="Тарас Бойко", email="taras@i.ua")
    for term in ["КОВАЛ", "олена к", "koval@", "UKR.NET"]:
        assert _names(alice.client.get(LIST, {"q": term})) == ["Олена Коваленко"], term


def test_a_search_term_never_matches_across_the_end_of_the_name_and_the_email(alice):
    CustomerFactory(workspace=alice.workspace, name="Олена Коваленко", email="olena@ukr.net")
    assert _names(alice.client.get(LIST, {"q": "коваленкоolena"})) == []
    assert _names(alice.client.get(LIST, {"q": "коваленко olena"})) == []


def test_customers_without_a_stance_or_an_experience_are_listed_by_those_filters(alice):
    """The stance and last-experience indexes leave such customers out (they are partial):
    the filters must still find them."""
    CustomerFactory(workspace=alice.workspace, name="Новий")
    CustomerFactory(
        workspace=alice.workspace,
        name="Давній",
        stance=Stance.ADVOCATE,
        last_experience_at=timezone.now() - timedelta(days=3),
    )
    assert _names(alice.client.get(LIST, {"stance": "unknown"})) == ["Новий"]
    assert _names(alice.client.get(LIST, {"last_experience": "never"})) == ["Новий"]
    assert _names(alice.client.get(LIST, {"stance": "advocate"})) == ["Давній"]
    assert _names(alice.client.get(LIST, {"last_experience": "7"})) == ["Давній"]


def _plan(queryset) -> str:
    """PostgreSQL's plan, sequential scans ruled out: at a few thousand rows reading the whole
    table is cheapest, and the test is whether the index can serve the query at all."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # the test's own transaction
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(line for (line,) in cursor.fetchall())


@pytest.fixture
def many_customers(alice):
    """Three thousand customers with no stance and no experience, as after an import, plus
    one who has both: enough rows for PostgreSQL to plan as it would at scale."""
    Customer.unscoped.bulk_create(
        Customer(workspace=alice.workspace, external_id=f"C{n}", name=f"Клієнт {n}")
        for n in range(3_000)
    )
    CustomerFactory(
        workspace=alice.workspace,
        name="Олена Коваленко",
        email="olena@ukr.net",
        stance=Stance.PROSECUTOR,
        last_experience_at=timezone.now(),
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE customers_customer")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes: PostgreSQL only")
def test_the_search_text_is_the_expression_of_the_trigram_index(db):
    """The migration and ``selectors.search_text`` each spell the expression; if they drift
    apart, no search can use the index. (Whether the planner takes it is a matter of scale:
    bench/customer_pages.py.)"""
    searched = Customer.unscoped.alias(search_text=selectors.search_text())
    plan = _plan(searched.filter(search_text__contains="ковал").values("pk"))
    assert "customer_search_trgm" in plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="index choice: PostgreSQL plans")
def test_postgresql_serves_stance_and_recent_experience_filters_from_the_partial_indexes(
    alice, in_workspace, many_customers
):
    with in_workspace(alice.workspace):
        stance = _plan(selectors.search_customers(stance="prosecutor"))
        recent = _plan(selectors.search_customers(last_experience="30").order_by())
    assert "customer_ws_stance" in stance
    assert "customer_ws_last_experience" in recent
