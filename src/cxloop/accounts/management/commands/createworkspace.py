from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cxloop.accounts import services
from cxloop.accounts.models import User


class Command(BaseCommand):
    help = "Create a workspace, optionally with an existing user as its owner."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("name")
        parser.add_argument("--slug", default="")
        parser.add_argument("--owner", help="Email of an existing user who becomes owner.")
        parser.add_argument("--language", default="en", choices=["en", "uk", "ru"])

    def handle(self, *args: Any, name: str, slug: str, owner: str | None, language: str,
               **options: Any) -> None:  # fmt: skip
        owner_user = None
        if owner:
            owner_user = User.objects.filter(email__iexact=owner).first()
            if owner_user is None:
                raise CommandError(f"No user with the email {owner}; create it with createuser.")
        if slug and services.Workspace.objects.filter(slug=slug).exists():
            raise CommandError(f"A workspace with the slug {slug!r} exists already.")
        workspace = services.create_workspace(
            name, slug=slug, owner=owner_user, default_language=language
        )
        self.stdout.write(f"Created workspace {workspace.name!r} (slug {workspace.slug}).")
