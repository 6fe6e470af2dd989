"""Alice's case for tests/test_isolation.py (kept apart from the fixtures plugin)."""

from __future__ import annotations

from cxloop.core.scoping import bind_workspace


def alices_case(things: dict):
    """Alice's case for the isolation test (tests/test_isolation.py), opened by the service from
    one of her negative experiences; the same case for every route."""
    from cxloop.loop.cases import open_case_for
    from cxloop.loop.models import Case

    customer = things["customer"]
    with bind_workspace(customer.workspace):
        found = Case.objects.filter(customer=customer).first()
        return found or open_case_for(things["experience"])


def make_case(workspace, customer):
    """A case of ``customer``, opened by the service from a detractor's answer (API contract)."""
    from cxloop.experiences.services import record_experience
    from cxloop.loop.models import Case

    with bind_workspace(workspace):
        record_experience(source="survey", customer=customer, score=0, scale="nps")
        return Case.objects.get(customer=customer)
