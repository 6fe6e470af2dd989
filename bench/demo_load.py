"""How long `cxloop demo` takes to build the demo workspace: median of several fresh loads.

Run against an empty, migrated database of your choice:

    CXLOOP_DATABASE_URL=sqlite:////tmp/cxloop-bench.sqlite3 .venv/bin/cxloop migrate
    CXLOOP_DATABASE_URL=sqlite:////tmp/cxloop-bench.sqlite3 .venv/bin/python bench/demo_load.py

The workspace is dropped between runs (untimed), and `now` is fixed so every run builds the same
data.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import datetime
from zoneinfo import ZoneInfo

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxloop.settings")

import django

django.setup()

from django.db import connection  # noqa: E402

from cxloop.accounts.models import User, Workspace  # noqa: E402
from cxloop.demo.services import DEMO_SLUG, load_demo  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "3"))
NOW = datetime(2026, 11, 25, 10, 30, tzinfo=ZoneInfo("Europe/Kyiv"))


def main() -> None:
    times = []
    summary = None
    for _ in range(RUNS):
        Workspace.objects.filter(slug=DEMO_SLUG).delete()
        User.objects.filter(email__endswith="@cxloop.local").delete()
        start = time.perf_counter()
        summary = load_demo(now=NOW)
        times.append(time.perf_counter() - start)
    print(f"database: {connection.vendor}")
    print(f"runs (s): {', '.join(f'{t:.2f}' for t in times)}")
    print(f"median: {statistics.median(times):.2f} s")
    print(
        f"rows: {summary.customers} customers, {summary.orders} orders, "
        f"{summary.experiences} experiences"
    )
    url = os.environ.get("CXLOOP_DATABASE_URL", "(default sqlite)")
    print(f"reproduce: CXLOOP_DATABASE_URL={url} {sys.executable} bench/demo_load.py")


if __name__ == "__main__":
    main()
