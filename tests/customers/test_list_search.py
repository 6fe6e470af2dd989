"""Text search on the customer list stays fast at a million customers: it lists at most
SEARCH_CAP matches, the most recently added, by name, and says so when more matched."""

from __future__ import annotations

import pytest
from django.urls import reverse

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
