"""Logging in and out: Argon2 at rest, throttled guessing, safe session cookies."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.test import Client, override_settings
from django.urls import reverse

from cxloop.accounts.services import create_user

LOGIN = reverse("accounts:login")


def test_passwords_are_stored_with_argon2(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = create_user("olena@example.com", "a long pass phrase")
    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.check_password("a long pass phrase")


def test_login_with_email_and_password_opens_the_home_page(alice, password):
    client = Client()
    response = client.post(LOGIN, {"username": alice.user.email, "password": password})
    assert response.status_code == 302
    assert response.headers["Location"] == reverse("web:home")
    assert client.get(reverse("web:home")).status_code == 200


def test_wrong_password_shows_an_error_and_no_session(alice):
    client = Client()
    response = client.post(LOGIN, {"username": alice.user.email, "password": "nope"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert response.context["form"].non_field_errors()


@override_settings(AXES_FAILURE_LIMIT=3)
def test_repeated_failures_lock_the_account_even_for_the_right_password(alice, password):
    client = Client()
    for spelling in (alice.user.email, alice.user.email.upper(), alice.user.email.title()):
        client.post(LOGIN, {"username": spelling, "password": "guess"})
    response = client.post(LOGIN, {"username": alice.user.email, "password": password})
    assert response.status_code == 429
    assert "Too many failed attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_needs_a_post_and_ends_the_session(alice):
    assert alice.client.get(reverse("accounts:logout")).status_code == 405
    alice.client.post(reverse("accounts:logout"))
    assert "_auth_user_id" not in alice.client.session


def test_pages_need_a_login(db):
    response = Client().get(reverse("customers:list"))
    assert response.status_code == 302
    assert response.headers["Location"].startswith(LOGIN)


def test_session_and_csrf_cookies_are_http_only_and_same_site(alice, password, settings):
    client = Client(enforce_csrf_checks=True)
    page = client.get(LOGIN)
    token = page.cookies["csrftoken"].value
    response = client.post(
        LOGIN, {"username": alice.user.email, "password": password, "csrfmiddlewaretoken": token}
    )
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["httponly"]
    assert session["samesite"] == "Lax"
    assert page.cookies["csrftoken"]["httponly"]


def test_login_form_without_csrf_token_is_rejected(alice, password):
    client = Client(enforce_csrf_checks=True)
    response = client.post(LOGIN, {"username": alice.user.email, "password": password})
    assert response.status_code == 403


@pytest.mark.parametrize("role", ["viewer", "agent", "manager", "owner"])
def test_every_role_can_read_the_home_page(role, db):
    from ..conftest import make_tenant

    tenant = make_tenant(f"R{role}", role=role)
    assert tenant.client.get(reverse("web:home")).status_code == 200


def test_email_is_matched_whatever_its_case(alice, password):
    client = Client()
    response = client.post(LOGIN, {"username": alice.user.email.upper(), "password": password})
    assert response.status_code == 302, response.context["form"].errors
