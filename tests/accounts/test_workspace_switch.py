"""A person in two workspaces switches between them; each page then shows that one's data."""

from __future__ import annotations

from django.urls import reverse

from cxloop.accounts.models import Role
from cxloop.accounts.services import add_member

from ..factories import CustomerFactory


def test_switching_workspace_changes_what_pages_show(alice, bob):
    add_member(bob.workspace, alice.user, Role.VIEWER)
    CustomerFactory(workspace=alice.workspace, name="Alice customer")
    CustomerFactory(workspace=bob.workspace, name="Bob customer")
    list_url = reverse("customers:list")

    page = alice.client.get(list_url)
    assert [c.name for c in page.context["page"]] == ["Alice customer"]
    assert len(page.context["workspace_choices"]) == 2

    response = alice.client.post(
        reverse("accounts:switch_workspace"), {"workspace": bob.workspace.pk, "next": list_url}
    )
    assert response.headers["Location"] == list_url
    page = alice.client.get(list_url)
    assert [c.name for c in page.context["page"]] == ["Bob customer"]
    assert page.context["request"].membership.role == Role.VIEWER


def test_switch_refuses_to_redirect_off_site(alice, bob):
    add_member(bob.workspace, alice.user, Role.VIEWER)
    response = alice.client.post(
        reverse("accounts:switch_workspace"),
        {"workspace": bob.workspace.pk, "next": "https://evil.example/"},
    )
    assert response.headers["Location"] == "/"
