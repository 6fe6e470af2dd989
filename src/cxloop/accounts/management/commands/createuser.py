from __future__ import annotations

import getpass
import os
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cxloop.accounts import services
from cxloop.accounts.models import Role, User, Workspace


class Command(BaseCommand):
    help = (
        "Create a user and optionally add them to a workspace. The password comes from "
        "CXLOOP_NEW_USER_PASSWORD or is asked for interactively."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", default="")
        parser.add_argument("--workspace", help="Slug of the workspace to join.")
        parser.add_argument("--role", default=Role.VIEWER, choices=Role.values)

    def handle(self, *args: Any, email: str, name: str, workspace: str | None, role: str,
               **options: Any) -> None:  # fmt: skip
        target = None
        if workspace:
            target = Workspace.objects.filter(slug=workspace).first()
            if target is None:
                raise CommandError(f"No workspace with the slug {workspace!r}.")
        if User.objects.filter(email__iexact=email).exists():
            raise CommandError(f"A user with the email {email} exists already.")
        password = os.environ.get("CXLOOP_NEW_USER_PASSWORD") or self._ask_password()
        try:
            validate_password(password, User(email=email))
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        user = services.create_user(email, password, full_name=name)
        self.stdout.write(f"Created user {user.email}.")
        if target is not None:
            services.add_member(target, user, role)
            self.stdout.write(f"Added to {target.name} as {role}.")

    def _ask_password(self) -> str:
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The passwords differ.")
        return password
