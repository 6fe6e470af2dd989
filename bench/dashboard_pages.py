"""Server time of the analytics pages: the dashboard, the metric explorer and the answers list.

Renders each page (and the two fragments the dashboard and the explorer load after themselves)
in-process (Django's ``RequestFactory``, the view and its template, no network
and no middleware) as a viewer of the workspace, one warm-up then ``--repeat`` timed runs, and
prints the median, the fastest run and the number of SQL queries. Nothing is written to the
database: the viewer is an in-memory membership.

    .venv/bin/python bench/dashboard_pages.py                       # the demo (cxloop demo first)
    .venv/bin/python bench/dashboard_pages.py --database-url sqlite:///var/bench-analytics/bench.sqlite3
    .venv/bin/python bench/dashboard_pages.py --database-url postgres://…/bench_analytics --repeat 5

``--workspace`` picks a workspace by slug (default: the demo's, else the first one).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = [
    ("dashboard, 30 days", "analytics:dashboard", {}),
    ("dashboard, 90 days", "analytics:dashboard", {"period": "90d"}),
    ("dashboard, 12 months", "analytics:dashboard", {"period": "12m"}),
    ("dashboard, 12 months, channel", "analytics:dashboard", {"period": "12m", "channel": "site"}),
    ("explorer NPS by channel, 12 months", "analytics:explore", {"period": "12m", "by": "channel"}),
    (
        "explorer NPS vs previous, 90 days",
        "analytics:explore",
        {"period": "90d", "compare": "previous", "by": "segment"},
    ),
    ("answers, NPS detractors, 90 days", "analytics:answers", {"period": "90d", "metric": "nps"}),
    # Loaded after their pages (htmx), so not part of the pages' own time:
    ("stance mix tile", "analytics:stance", {}),
    ("key drivers, NPS, 90 days", "analytics:drivers", {"period": "90d", "metric": "nps"}),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("CXLOOP_DATABASE_URL", ""))
    parser.add_argument("--workspace", default="")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    if args.database_url:
        os.environ["CXLOOP_DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxloop.settings")
    sys.path.insert(0, str(ROOT / "src"))

    import django

    django.setup()
    from django.db import connection
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext
    from django.urls import resolve, reverse

    from cxloop.accounts.models import Membership, Role, User, Workspace
    from cxloop.core.scoping import bind_workspace
    from cxloop.demo.services import DEMO_SLUG
    from cxloop.experiences.models import Experience

    if args.workspace:
        workspace = Workspace.objects.get(slug=args.workspace)
    else:
        workspace = (
            Workspace.objects.filter(slug=DEMO_SLUG).first()
            or Workspace.objects.order_by("pk").first()
        )
    answers = Experience.unscoped.filter(workspace=workspace).count()
    # A member's own membership when there is one (the demo), else an in-memory viewer whose id
    # matches no row, so nothing is written and the page's workspace switcher stays empty.
    real = Membership.unscoped.filter(workspace=workspace).select_related("user").first()
    viewer = real.user if real else User(pk=-1, email="bench@cxloop.local")
    membership = Membership(workspace=workspace, user=viewer, role=Role.VIEWER)
    factory = RequestFactory()
    print(f"{connection.vendor}, workspace {workspace.slug!r}: {answers:,} answers")
    print(f"{'page':40s} {'median ms':>10s} {'min ms':>8s} {'queries':>8s}")
    for name, route, params in PAGES:
        url = reverse(route)
        view = resolve(url).func
        times = []
        for attempt in range(args.repeat + 1):
            request = factory.get(url, params)
            request.user, request.membership, request.workspace = viewer, membership, workspace
            request.htmx = True  # the fragments answer as they do to htmx
            with bind_workspace(workspace), CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = view(request)
                elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, (name, response.status_code)
            if attempt:  # the first run warms caches and connections
                times.append(elapsed)
        print(
            f"{name:40s} {statistics.median(times):10.1f} {min(times):8.1f} "
            f"{len(queries.captured_queries):8d}"
        )
    print(f"\n  {' '.join(sys.argv)}")


if __name__ == "__main__":
    main()
