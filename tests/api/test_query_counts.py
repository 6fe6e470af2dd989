"""List endpoints cost the same few queries for 3 rows or 60: no query per row (no N+1)."""

from __future__ import annotations

from datetime import date

import pytest

from cxloop.core.scoping import bind_workspace
from cxloop.customers.expectations import plan_wow

from ..factories import (
    CustomerFactory,
    ExpectationFactory,
    ExperienceFactory,
    OrderFactory,
    SegmentFactory,
    TouchpointFactory,
)

pytestmark = pytest.mark.django_db

# Token and membership lookups, then one query for the page.
BUDGET = 3


def _fill(workspace, n: int) -> None:
    segment = SegmentFactory(workspace=workspace)
    touchpoint = TouchpointFactory(workspace=workspace)
    for _ in range(n):
        customer = CustomerFactory(workspace=workspace, segment=segment)
        OrderFactory(workspace=workspace, customer=customer)
        ExperienceFactory(workspace=workspace, customer=customer, touchpoint=touchpoint)
        ExpectationFactory(workspace=workspace, customer=customer)
        with bind_workspace(workspace):
            plan_wow(customer, "Call", due_on=date(2099, 1, 1))


@pytest.mark.parametrize(
    "path", ["/customers", "/orders", "/experiences", "/expectations", "/wow-plan-steps"]
)
@pytest.mark.parametrize("rows", [3, 60])
def test_a_page_costs_a_fixed_number_of_queries(
    alice_api, django_assert_max_num_queries, path, rows
):
    _fill(alice_api.workspace, rows)
    alice_api.get("/workspace")  # the token's first use records itself once; not part of a page

    with django_assert_max_num_queries(BUDGET):
        response = alice_api.get(path, {"limit": 50})

    assert response.status_code == 200


def test_a_deep_page_costs_what_the_first_does(alice_api, django_assert_max_num_queries):
    _fill(alice_api.workspace, 30)
    cursor = alice_api.get("/customers", {"limit": 10}).json()["next_cursor"]
    cursor = alice_api.get("/customers", {"limit": 10, "cursor": cursor}).json()["next_cursor"]

    with django_assert_max_num_queries(BUDGET):
        response = alice_api.get("/customers", {"limit": 10, "cursor": cursor})

    assert len(response.json()["items"]) == 10
