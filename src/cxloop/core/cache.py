"""Redis through the cache's own connection pool, for the few hot paths that talk to it directly
(the public pages' rate limits, the insights pending list).

Building a ``redis.Redis`` client costs more CPU than the round trip it makes, and a Lua script is
best registered once and then run by ``EVALSHA``. So both are kept on the cache object, which
Django holds per process and thread, and every caller shares them.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache


def redis_client(cache: RedisCache) -> Any:
    """One Redis client per cache object, on the cache's own connection pool."""
    client = cache.__dict__.get("_cxloop_redis_client")
    if client is None:
        client = cache._cache.get_client(write=True)
        cache.__dict__["_cxloop_redis_client"] = client
    return client


def redis_script(cache: RedisCache, source: str) -> Any:
    """The Lua ``source`` registered once per cache object: run by ``EVALSHA``, loaded on first
    use."""
    scripts = cache.__dict__.setdefault("_cxloop_redis_scripts", {})
    script = scripts.get(source)
    if script is None:
        script = scripts[source] = redis_client(cache).register_script(source)
    return script
