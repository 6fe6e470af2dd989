"""A real SMTP server for the tests that send email: aiosmtpd on a free local port.

Django's SMTP backend talks to it exactly as it would to a production relay, so a test sees what
a customer's mail server would receive (or a refusal, with ``Inbox.refuse``).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

BASE = "http://testserver"


class Inbox:
    """An aiosmtpd handler keeping what arrived; ``refuse`` rejects that many messages first."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self.refuse = 0

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.refuse:
            self.refuse -= 1
            return "554 5.7.1 Refused by the test"
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"

    @property
    def recipients(self) -> list[list[str]]:
        return [to for to, _message in self.messages]

    def only(self) -> EmailMessage:
        assert len(self.messages) == 1, f"expected one email, got {len(self.messages)}"
        return self.messages[0][1]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def smtp_inbox(settings) -> Iterator[Inbox]:
    """Start the server and point Django's email settings (pytest-django's ``settings``) at it."""
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.PUBLIC_BASE_URL = BASE
    try:
        yield handler
    finally:
        controller.stop()
