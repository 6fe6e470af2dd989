"""Cursor pagination: every row exactly once, no OFFSET, a constant number of queries per page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cxloop.api.pagination import BAD_CURSOR

from ..factories import CustomerFactory, ExperienceFactory, OrderFactory

pytestmark = pytest.mark.django_db


def _walk(api, path: str, params: dict | None = None, between_pages=None) -> list[list[int]]:
    pages, cursor = [], None
    while True:
        response = api.get(path, {**(params or {}), **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.content
        pages.append([row["id"] for row in response.json()["items"]])
        cursor = response.json()["next_cursor"]
        if cursor is None:
            return pages
        if between_pages:
            between_pages(len(pages))


def test_pages_walk_every_customer_once_while_customers_are_added_in_between(alice_api):
    ws = alice_api.workspace
    # Equal names, so the order within a name rests on the id: the case that breaks naive cursors.
    before = [CustomerFactory(workspace=ws, name=f"Name {i % 4}").pk for i in range(23)]
    added = []

    def add_customers(page: int) -> None:
        added.append(CustomerFactory(workspace=ws, name="Name 0").pk)  # before the cursor
        added.append(CustomerFactory(workspace=ws, name="Zzz").pk)  # after it: still to come

    pages = _walk(alice_api, "/customers", {"limit": 5}, between_pages=add_customers)

    seen = [pk for page in pages for pk in page]
    assert len(seen) == len(set(seen)), "a customer appeared twice"
    assert set(before) <= set(seen), "a customer that was there all along was skipped"
    assert all(len(page) == 5 for page in pages[:-1])


def test_orders_walk_newest_first_across_equal_times(alice_api):
    ws = alice_api.workspace
    customer = CustomerFactory(workspace=ws)
    same_time = timezone.now() - timedelta(days=1)
    orders = [
        OrderFactory(workspace=ws, customer=customer, placed_at=same_time - timedelta(hours=i % 3))
        for i in range(12)
    ]

    pages = _walk(alice_api, "/orders", {"limit": 5})

    expected = sorted(orders, key=lambda o: (o.placed_at, o.pk), reverse=True)
    assert [pk for page in pages for pk in page] == [o.pk for o in expected]


def test_experiences_walk_latest_first_with_microseconds_apart(alice_api):
    ws = alice_api.workspace
    moment = timezone.now().replace(microsecond=500_000)
    experiences = [
        ExperienceFactory(workspace=ws, occurred_at=moment + timedelta(microseconds=i))
        for i in range(7)
    ]

    pages = _walk(alice_api, "/experiences", {"limit": 2})

    assert [pk for page in pages for pk in page] == [e.pk for e in reversed(experiences)]


def test_filters_apply_on_every_page(alice_api):
    ws = alice_api.workspace
    for i in range(9):
        CustomerFactory(workspace=ws, name=f"Name {i}", language="ru" if i % 2 else "uk")

    pages = _walk(alice_api, "/customers", {"limit": 2, "language": "ru"})

    assert sum(len(page) for page in pages) == 4


@pytest.mark.parametrize(
    "cursor",
    [
        "nonsense",
        "WyJOYW1lIDEiLCA1XQ",  # base64 JSON of ["Name 1", 5], without a signature
        "",
    ],
)
def test_a_cursor_that_was_not_issued_here_is_a_400(alice_api, cursor):
    for i in range(3):
        CustomerFactory(workspace=alice_api.workspace, name=f"Name {i}")

    response = alice_api.get("/customers", {"limit": 1, "cursor": cursor})

    if cursor == "":  # an empty cursor is the first page
        assert response.status_code == 200
        return
    assert response.status_code == 400
    assert response.json() == {
        "detail": BAD_CURSOR,
        "errors": [{"field": "cursor", "message": BAD_CURSOR}],
    }


def test_an_edited_cursor_is_a_400(alice_api):
    for i in range(3):
        CustomerFactory(workspace=alice_api.workspace, name=f"Name {i}")
    cursor = alice_api.get("/customers", {"limit": 1}).json()["next_cursor"]
    payload, signature = cursor.split(":", 1)
    edited = payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1] + ":" + signature

    assert alice_api.get("/customers", {"cursor": edited}).status_code == 400
    assert alice_api.get("/customers", {"cursor": cursor[:-3]}).status_code == 400


def test_a_cursor_of_one_list_is_refused_by_another(alice_api):
    customer = CustomerFactory(workspace=alice_api.workspace)
    for _ in range(3):
        OrderFactory(workspace=alice_api.workspace, customer=customer)
    cursor = alice_api.get("/orders", {"limit": 1}).json()["next_cursor"]

    assert alice_api.get("/experiences", {"cursor": cursor}).status_code == 400


@pytest.mark.parametrize("limit", [0, 501, -1])
def test_limit_is_between_1_and_500(alice_api, limit):
    response = alice_api.get("/customers", {"limit": limit})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "limit"


def test_default_page_is_50_and_500_is_allowed(alice_api):
    CustomerFactory.create_batch(51, workspace=alice_api.workspace)

    assert len(alice_api.get("/customers").json()["items"]) == 50
    assert len(alice_api.get("/customers", {"limit": 500}).json()["items"]) == 51


def test_a_deep_page_is_a_keyset_query_without_offset(alice_api):
    for i in range(6):
        CustomerFactory(workspace=alice_api.workspace, name=f"Name {i}")
    cursor = alice_api.get("/customers", {"limit": 4}).json()["next_cursor"]

    with CaptureQueriesContext(connection) as queries:
        response = alice_api.get("/customers", {"limit": 4, "cursor": cursor})

    assert len(response.json()["items"]) == 2
    listing = [q["sql"] for q in queries if "customers_customer" in q["sql"]]
    assert len(listing) == 1
    assert "OFFSET" not in listing[0].upper()
    assert "LIMIT 5" in listing[0].upper()
