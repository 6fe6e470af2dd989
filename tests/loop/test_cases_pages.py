"""The case pages: the list and its filters, the detail with the signal escaped, the actions and
who may do them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from cxloop.accounts.models import Role
from cxloop.core.scoping import bind_workspace
from cxloop.loop.models import Case, CaseEvent

from ..factories import CustomerFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.loop.case_fixtures"]


@pytest.fixture
def case(alice, shop, customer, record):
    record(
        customer,
        touchpoint=shop.courier,
        score=2,
        scale="nps",
        text="<script>alert('x')</script> кур'єр запізнився",
    )
    with bind_workspace(alice.workspace):
        return Case.objects.get()


def _client_for(workspace, role: str, email: str) -> Client:
    user = UserFactory(email=email)
    MembershipFactory(workspace=workspace, user=user, role=role)
    client = Client()
    client.force_login(user)
    return client


def _refresh(alice, case) -> Case:
    with bind_workspace(alice.workspace):
        return Case.objects.get(pk=case.pk)


def test_the_list_shows_open_cases_with_the_overdue_flag(alice, shop, case):
    with bind_workspace(alice.workspace):
        Case.objects.filter(pk=case.pk).update(due_at=timezone.now() - timedelta(hours=1))
    page = alice.client.get("/loop/cases/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"/loop/cases/{case.pk}/" in html
    assert "Overdue" in html
    assert "Олена &lt;b&gt;Коваль&lt;/b&gt;" in html


def test_the_list_filters_by_status_owner_overdue_and_mine(alice, shop, case, record):
    other = record(
        CustomerFactory(workspace=alice.workspace), touchpoint=shop.courier, score=1, scale="nps"
    )
    with bind_workspace(alice.workspace):
        second = Case.objects.get(experience=other)
        Case.objects.filter(pk=second.pk).update(due_at=timezone.now() - timedelta(hours=1))

    def ids(query: str) -> set[int]:
        page = alice.client.get(f"/loop/cases/?{query}")
        return {c.pk for c in page.context["page"].object_list}

    assert ids("") == {case.pk, second.pk}
    assert ids("overdue=on") == {second.pk}
    assert ids(f"owner={case.owner_id}") == {case.pk}
    assert ids("status=resolved") == set()
    assert ids("mine=on") == set()  # Alice owns neither: the delivery team does
    owner_client = Client()
    owner_client.force_login(case.owner)
    # the owner is a member of Alice's workspace only, so their page is Alice's workspace
    assert {c.pk for c in owner_client.get("/loop/cases/?mine=on").context["page"].object_list} == {
        case.pk
    }


def test_the_list_keeps_to_a_query_budget(alice, shop, record, django_assert_max_num_queries):
    for _ in range(12):
        record(
            CustomerFactory(workspace=alice.workspace),
            touchpoint=shop.courier,
            score=1,
            scale="nps",
        )
    with django_assert_max_num_queries(14):
        assert alice.client.get("/loop/cases/").status_code == 200


def test_the_detail_shows_the_signal_escaped_and_links_the_customer(alice, case):
    page = alice.client.get(f"/loop/cases/{case.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert f"/customers/{case.customer_id}/" in html
    assert "Mark as contacted" in html


def test_contact_then_resolve_with_goodwill_records_stance_and_timeline(alice, case):
    assert (
        alice.client.post(
            f"/loop/cases/{case.pk}/contact/", {"contact-text": "Called her"}
        ).status_code
        == 302
    )
    response = alice.client.post(
        f"/loop/cases/{case.pk}/resolve/",
        {
            "resolve-text": "Re-sent the book by express, apologised",
            "resolve-goodwill_value": "150.00",
            "resolve-goodwill_currency": "uah",
        },
    )
    assert response.status_code == 302
    case = _refresh(alice, case)
    assert case.status == "resolved"
    assert str(case.goodwill_value) == "150.00"
    assert case.goodwill_currency == "UAH"
    assert case.stance_before == case.stance_after == "prosecutor"
    with bind_workspace(alice.workspace):
        rows = list(CaseEvent.objects.filter(case=case).values_list("kind", "to_status"))
    assert rows[-2:] == [("status", "contacted"), ("status", "resolved")]
    page = alice.client.get(f"/loop/cases/{case.pk}/").content.decode()
    assert "Re-sent the book by express" in page
    assert "Mark as contacted" not in page


def test_resolving_needs_what_we_did(alice, case):
    response = alice.client.post(f"/loop/cases/{case.pk}/resolve/", {"resolve-text": ""})
    assert response.status_code == 422
    assert _refresh(alice, case).status == "new"


def test_a_closed_case_cannot_move_again(alice, case):
    alice.client.post(f"/loop/cases/{case.pk}/wont-fix/", {"wont_fix-text": "Spam"})
    response = alice.client.post(f"/loop/cases/{case.pk}/contact/", {"contact-text": ""})
    assert response.status_code == 409
    assert _refresh(alice, case).status == "wont_fix"


def test_a_note_is_added_to_the_timeline(alice, case):
    alice.client.post(f"/loop/cases/{case.pk}/note/", {"note-text": "Prefers a call after 18:00"})
    with bind_workspace(alice.workspace):
        assert CaseEvent.objects.filter(case=case, kind="note").get().actor == alice.user


def test_a_viewer_reads_but_cannot_act(alice, case):
    viewer = _client_for(alice.workspace, Role.VIEWER, "viewer@example.com")
    page = viewer.get(f"/loop/cases/{case.pk}/")
    assert page.status_code == 200
    assert "Mark as contacted" not in page.content.decode()
    for action, data in [
        ("contact", {"contact-text": ""}),
        ("resolve", {"resolve-text": "x"}),
        ("wont-fix", {"wont_fix-text": "x"}),
        ("note", {"note-text": "x"}),
        ("reassign", {"reassign-owner": "1"}),
    ]:
        assert viewer.post(f"/loop/cases/{case.pk}/{action}/", data).status_code == 403
    assert _refresh(alice, case).status == "new"


def test_only_managers_reassign_and_only_to_people_who_handle_cases(alice, shop, case):
    agent = Client()
    agent.force_login(shop.agents[0])
    target = shop.agents[1] if case.owner != shop.agents[1] else shop.agents[0]
    assert (
        agent.post(f"/loop/cases/{case.pk}/reassign/", {"reassign-owner": target.pk}).status_code
        == 403
    )
    viewer = UserFactory(email="v@example.com")
    MembershipFactory(workspace=alice.workspace, user=viewer, role=Role.VIEWER)
    assert (
        alice.client.post(
            f"/loop/cases/{case.pk}/reassign/", {"reassign-owner": viewer.pk}
        ).status_code
        == 422
    )
    assert (
        alice.client.post(
            f"/loop/cases/{case.pk}/reassign/", {"reassign-owner": target.pk}
        ).status_code
        == 302
    )
    assert _refresh(alice, case).owner == target


def test_actions_need_csrf(alice, case):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice.user)
    assert strict.post(f"/loop/cases/{case.pk}/contact/", {}).status_code == 403


def test_the_case_timeline_shows_on_the_customers_page(alice, case):
    page = alice.client.get(f"/customers/{case.customer_id}/").content.decode()
    assert f"/loop/cases/{case.pk}/" in page


def test_cases_is_in_the_navigation(alice):
    assert 'href="/loop/cases/"' in alice.client.get("/").content.decode()
