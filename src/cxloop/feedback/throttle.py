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

Each limit is a counter per fixed window (``…:<address or survey>:<window number>``); a survey
is counted by its public key, whichever link reached it. These counters are on the hot path of
every survey answer, so on Redis a check is one command and one round trip: a server-side script
(``EVALSHA``) that increments the counters in turn, sets the expiry of one it has just created, and
stops at the first one over its limit, atomically, through one client per process. An anonymous
link names its survey, so its address and its survey are counted together, before any query; a
personal link's survey is counted once the token has found it. (django-ratelimit's ``add`` +
``incr`` took three round trips per limit and built a new Redis client for each.) Other cache
backends (locmem on a laptop) count with ``cache.add`` and ``cache.incr``.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
import re
import time
from collections.abc import Sequence

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest

from cxloop.core.cache import redis_script

DEFAULT_PER_IP = "120/m"
DEFAULT_PER_SURVEY = "6000/m"
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
RATE = re.compile(r"^(\d+)/(\d*)([smhd])$")
PLAIN_VALUE = re.compile(r"^[\w.:-]{1,64}$")
EXPIRY_MARGIN = 5  # seconds a counter outlives its window (clock skew between web processes)


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


def parse_rate(rate: str) -> tuple[int, int]:
    """``"120/m"`` → ``(120, 60)``: requests allowed, and the window in seconds (``"5/10s"``)."""
    match = RATE.match(rate.strip())
    if match is None:
        raise ValueError(f"A rate is N/s, N/m, N/h or N/d (e.g. 120/m), not {rate!r}.")
    count, multiple, unit = match.groups()
    return int(count), int(multiple or 1) * UNITS[unit]


COUNT_SCRIPT = """
for i, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  if count == 1 then redis.call('EXPIRE', key, ARGV[2 * i]) end
  if count > tonumber(ARGV[2 * i - 1]) then return i end
end
return 0
"""  # counts each key in turn; stops at, and returns the number of, the first one over its limit


def _key(name: str, value: str, period: int, now: float | None) -> str:
    window = int(now if now is not None else time.time()) // period
    if not PLAIN_VALUE.match(value):  # a forged address: keep the cache key short and clean
        value = hashlib.sha256(value.encode()).hexdigest()[:32]
    return f"throttle:{name}:{value}:{period}:{window}"


def hit_first(counters: Sequence[tuple[str, str, str]], *, now: float | None = None) -> int:
    """Count one request against each ``(name, value, rate)`` in turn, stopping at the first
    one over its rate; returns its number (1, 2, …), or 0 when none is. On Redis: one round trip.

    A counter after one that is over is not counted, as if checked one after the other: a flood
    that one address is refused for does not use up its survey's allowance.
    """
    limits = []
    for name, value, rate in counters:
        limit, period = parse_rate(rate)
        limits.append((_key(name, value, period, now), limit, period + EXPIRY_MARGIN))
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        return int(
            redis_script(cache, COUNT_SCRIPT)(
                keys=[cache.make_and_validate_key(key) for key, _, _ in limits],
                args=[value for _, limit, expiry in limits for value in (limit, expiry)],
            )
        )
    for number, (key, limit, expiry) in enumerate(limits, start=1):
        if cache.add(key, 1, expiry):
            count = 1
        else:
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add and incr: this request opens a new count
                cache.add(key, 1, expiry)
                count = 1
        if count > limit:
            return number
    return 0


def hit(name: str, value: str, rate: str, *, now: float | None = None) -> bool:
    """Count one request against ``name``/``value``; True when it is over ``rate``."""
    return hit_first([(name, value, rate)], now=now) == 1


def check(request: HttpRequest, survey_key: str | None = None) -> None:
    """Count this request against its client address and, when the link names it, against its
    survey (by the survey's public key), in one round trip; raise :class:`Throttled` past either
    limit. The address is counted first: a flood refused by address uses up nothing else."""
    counters = [
        ("survey-ip", client_address(request), _rate("CXLOOP_SURVEY_RATE_PER_IP", DEFAULT_PER_IP))
    ]
    if survey_key:
        counters.append(
            ("survey", survey_key, _rate("CXLOOP_SURVEY_RATE_PER_SURVEY", DEFAULT_PER_SURVEY))
        )
    if hit_first(counters):
        raise Throttled


def check_address(request: HttpRequest) -> None:
    """Count this request against its client address; raise :class:`Throttled` past the limit."""
    rate = _rate("CXLOOP_SURVEY_RATE_PER_IP", DEFAULT_PER_IP)
    if hit("survey-ip", client_address(request), rate):
        raise Throttled


def check_survey(request: HttpRequest, survey_key: str) -> None:
    """Count this request against its survey (the survey's public key, whichever link reached
    it); raise :class:`Throttled` past the limit."""
    rate = _rate("CXLOOP_SURVEY_RATE_PER_SURVEY", DEFAULT_PER_SURVEY)
    if hit("survey", survey_key, rate):
        raise Throttled
