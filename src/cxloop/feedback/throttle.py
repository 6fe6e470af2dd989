"""Rate limits of the public survey pages: per client address and per survey.

A flood of requests (a bot, a broken embed in a loop) is answered 429 before it reaches the
database, so it cannot slow the staff UI down. Counters live in the Django cache (locmem on a
laptop, Redis in production, shared by every web process). The limits are read on each request:

=================================  ==========  ===============================================
setting / environment variable     default     counts
=================================  ==========  ===============================================
``CXLOOP_SURVEY_RATE_PER_IP``      ``120/m``   requests to public survey pages from one address
``CXLOOP_SURVEY_RATE_PER_SURVEY``  ``6000/m``  requests to one survey's pages, from anywhere
=================================  ==========  ===============================================

A rate is ``N/s``, ``N/m``, ``N/h`` or ``N/d``. The client address is ``REMOTE_ADDR``, or, behind
``CXLOOP_PROXY_COUNT`` reverse proxies, the address that many hops back in ``X-Forwarded-For``
(the same rule as the login throttle); IPv6 addresses count per /64.
"""

from __future__ import annotations

import ipaddress
import os

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import is_ratelimited

DEFAULT_PER_IP = "120/m"
DEFAULT_PER_SURVEY = "6000/m"


class Throttled(Exception):
    """Too many requests; answered 429 with a page that says to wait a minute."""

    status = 429


def _rate(name: str, default: str) -> str:
    return getattr(settings, name, None) or os.environ.get(name) or default


def client_address(request: HttpRequest) -> str:
    proxies = int(getattr(settings, "AXES_IPWARE_PROXY_COUNT", 0) or 0)
    address = request.META.get("REMOTE_ADDR") or "0.0.0.0"  # noqa: S104 - a key, not a bind
    if proxies:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= proxies:
            address = hops[-proxies]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)
    return str(ip)


def check_address(request: HttpRequest) -> None:
    """Count this request against its client address; raise :class:`Throttled` past the limit."""
    if is_ratelimited(
        request,
        group="feedback.public.ip",
        key=lambda group, req: client_address(req),
        rate=_rate("CXLOOP_SURVEY_RATE_PER_IP", DEFAULT_PER_IP),
        increment=True,
    ):
        raise Throttled


def check_survey(request: HttpRequest, survey_id: int) -> None:
    """Count this request against its survey; raise :class:`Throttled` past the limit."""
    if is_ratelimited(
        request,
        group="feedback.public.survey",
        key=lambda group, req: str(survey_id),
        rate=_rate("CXLOOP_SURVEY_RATE_PER_SURVEY", DEFAULT_PER_SURVEY),
        increment=True,
    ):
        raise Throttled
