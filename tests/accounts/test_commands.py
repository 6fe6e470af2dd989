"""`cxloop createworkspace` and `cxloop createuser`."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from cxloop.accounts.models import Membership, Role, User, Workspace


def test_create_a_user_and_make_them_owner_of_a_new_workspace(db, monkeypatch, capsys):
    monkeypatch.setenv("CXLOOP_NEW_USER_PASSWORD", "Kyiv-bookshop-2026")
    call_command("createuser", "owner@shop.ua", name="Іван Франко")
    call_command("createworkspace", "Книгарня", slug="knyharnia", owner="owner@shop.ua")
    workspace = Workspace.objects.get(slug="knyharnia")
    membership = Membership.unscoped.get(workspace=workspace)
    assert membership.user.email == "owner@shop.ua"
    assert membership.role == Role.OWNER
    assert User.objects.get(email="owner@shop.ua").check_password("Kyiv-bookshop-2026")
    assert "Created workspace" in capsys.readouterr().out


def test_createuser_can_join_an_existing_workspace_with_a_role(db, monkeypatch):
    monkeypatch.setenv("CXLOOP_NEW_USER_PASSWORD", "Kyiv-bookshop-2026")
    call_command("createworkspace", "Shop", slug="shop")
    call_command("createuser", "agent@shop.ua", workspace="shop", role="agent")
    assert Membership.unscoped.get(user__email="agent@shop.ua").role == Role.AGENT


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (["createworkspace", "X"], {"owner": "nobody@x.ua"}, "No user with the email"),
        (["createuser", "a@x.ua"], {"workspace": "missing"}, "No workspace with the slug"),
    ],
)
def test_commands_explain_what_is_wrong(db, monkeypatch, args, kwargs, message):
    monkeypatch.setenv("CXLOOP_NEW_USER_PASSWORD", "Kyiv-bookshop-2026")
    with pytest.raises(CommandError, match=message):
        call_command(*args, **kwargs)


def test_weak_passwords_are_refused(db, monkeypatch):
    monkeypatch.setenv("CXLOOP_NEW_USER_PASSWORD", "12345678")
    with pytest.raises(CommandError, match=r"too common|entirely numeric"):
        call_command("createuser", "weak@x.ua")
    assert not User.objects.filter(email="weak@x.ua").exists()
