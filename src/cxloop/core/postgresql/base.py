"""Django's PostgreSQL backend with a connection health check that needs no round trip when
nothing is wrong.

With ``CONN_HEALTH_CHECKS`` Django checks a kept connection at the start of every request with a
``SELECT 1``: one round trip to the server per request, one in eight of a public survey answer's.
A connection the server has ended (a restart, an idle timeout, ``pg_terminate_backend``) has
something to read while it is idle: the server's last error message and the end of the stream.
So this check first asks the operating system, without waiting, whether the idle socket is
readable: nothing to read means nothing happened, and the request goes on. Anything to read, a
connection in a transaction, or a platform without ``poll()`` falls back to Django's
``SELECT 1``. (PostgreSQL sends nothing unasked to an idle connection otherwise, unless it
``LISTEN``\\ s, which cxloop does not.) A server that vanished without closing the connection (a
network cut) is not seen this way, nor by ``SELECT 1`` until the network gives up; either way the
failed request's error closes the connection and the next request opens a new one.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self) -> None:
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and not self.pool
            and self._idle_and_quiet()
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def _idle_and_quiet(self) -> bool:
        """True when the connection is idle and the server has sent nothing since."""
        conn = self.connection
        if conn.closed or conn.broken or conn.info.transaction_status != pq.TransactionStatus.IDLE:
            return False
        try:
            poller = select.poll()
            poller.register(conn.fileno(), select.POLLIN | select.POLLPRI)  # errors always count
            return not poller.poll(0)
        except (AttributeError, OSError, ValueError):  # no poll() here, or no socket any more
            return False
