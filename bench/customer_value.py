"""Benchmark: ``refresh_clv`` (cohorts, KPIs, claims, BG/NBD + Gamma-Gamma fit, predictions).

What it does:

1. Uses its own database: ``BENCH_DATABASE_URL`` (default a SQLite file in ``/tmp``), migrates it,
   and generates once one workspace whose customers follow the BG/NBD and Gamma-Gamma stories
   (rates λ ~ Gamma(r, α) per week, dropout p ~ Beta(a, b) after each purchase, purchase values
   Gamma(p, ν) with ν ~ Gamma(q, γ)), first purchases spread over the first year of a two-year
   window. Fixed seed. Rows go in with ``executemany`` (no model instances).
2. Runs ``refresh_clv`` ``--runs`` times and prints the median of each phase (read the orders,
   cohorts + KPIs, claims, fit, predictions, write the per-customer rows) and of the whole.
3. Prints the fitted parameters next to the ones that generated the data (recovery check).

    .venv/bin/python bench/customer_value.py --customers 100000          # ~1 min
    .venv/bin/python bench/customer_value.py --customers 1000000 --runs 2
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_value \\
        .venv/bin/python bench/customer_value.py --customers 1000000
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
parser.add_argument("--customers", type=int, default=100_000)
parser.add_argument("--runs", type=int, default=3)
parser.add_argument("--regenerate", action="store_true")
args = parser.parse_args()

DEFAULT_URL = f"sqlite:////tmp/cxloop-bench-value-{args.customers}.sqlite3"
os.environ["CXLOOP_DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
os.environ["CXLOOP_ENV"] = "local"
os.environ["CXLOOP_DEBUG"] = "false"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxloop.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from cxloop.accounts.models import Workspace  # noqa: E402
from cxloop.analytics import clv, value_services  # noqa: E402
from cxloop.analytics.claims import check_claims  # noqa: E402
from cxloop.analytics.cohorts import cohort_table, value_kpis  # noqa: E402
from cxloop.analytics.purchases import load_purchases  # noqa: E402
from cxloop.core.scoping import bind_workspace  # noqa: E402
from cxloop.customers.models import Customer, Order  # noqa: E402

SEED = 20261126
TRUE = {"r": 0.6, "alpha": 8.0, "a": 0.8, "b": 3.0, "p": 6.0, "q": 4.0, "gamma": 600.0}
WEEKS = 104
NOW = datetime(2026, 11, 1, 12, tzinfo=UTC)
SLUG = "bench-value"


def generate(n: int) -> Workspace:
    rng = np.random.default_rng(SEED)
    start = NOW - timedelta(weeks=WEEKS)
    first = rng.uniform(0, 52, n)
    rate = rng.gamma(TRUE["r"], 1 / TRUE["alpha"], n)
    dropout = rng.beta(TRUE["a"], TRUE["b"], n)
    nu = rng.gamma(TRUE["q"], 1 / TRUE["gamma"], n)
    customer_index, weeks = [np.arange(n)], [first]
    current, alive = first.copy(), np.ones(n, dtype=bool)
    while alive.any():
        current = current + rng.exponential(1 / np.maximum(rate, 1e-9))
        alive &= current < WEEKS
        customer_index.append(np.flatnonzero(alive))
        weeks.append(current[alive])
        alive &= rng.random(n) >= dropout  # may drop out after each repeat purchase
    who = np.concatenate(customer_index)
    when = np.concatenate(weeks)
    value = np.round(rng.gamma(TRUE["p"], 1 / nu[who]), 2)
    workspace = Workspace.objects.create(name="Bench value", slug=SLUG)

    # Stored as Django stores them: naive UTC text on SQLite, timestamptz on PostgreSQL.
    def stamp(moment: datetime) -> str | datetime:
        return moment.replace(tzinfo=None).isoformat(sep=" ") if is_sqlite else moment

    is_sqlite = connection.vendor == "sqlite"
    created = stamp(start)
    with transaction.atomic(), connection.cursor() as cursor:
        table = Customer._meta.db_table
        cursor.executemany(
            f"INSERT INTO {table} (workspace_id, external_id, name, email, phone, language, "  # noqa: S608
            "attributes, consent_email, lifecycle_phase, stance, created_at) "
            "VALUES (%s, %s, %s, '', '', 'uk', '{}', false, 'active', %s, %s)",
            [
                (
                    workspace.pk,
                    f"B{i}",
                    f"Bench customer {i}",
                    "advocate" if i % 7 == 0 else "",
                    created,
                )
                for i in range(n)
            ],
        )
        with bind_workspace(workspace):
            ids = np.array(Customer.objects.order_by("pk").values_list("pk", flat=True))
        placed = [stamp(start + timedelta(weeks=float(w))) for w in when]
        cursor.executemany(
            f"INSERT INTO {Order._meta.db_table} (workspace_id, customer_id, external_id, "  # noqa: S608
            "placed_at, amount, currency, items, status) "
            "VALUES (%s, %s, %s, %s, %s, 'UAH', '[]', 'delivered')",
            [
                (workspace.pk, int(ids[c]), f"O{k}", placed[k], float(value[k]))
                for k, c in enumerate(who)
            ],
        )
    print(f"generated {n:,} customers and {len(who):,} orders")
    return workspace


def timed(label: str, timings: dict, fn, *a, **kw):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = fn(*a, **kw)
    timings.setdefault(label, []).append(time.perf_counter() - started)
    return result


def main() -> None:
    call_command("migrate", verbosity=0)
    workspace = Workspace.objects.filter(slug=SLUG).first()
    if workspace is not None and args.regenerate:
        workspace.delete()
        workspace = None
    workspace = workspace or generate(args.customers)
    with bind_workspace(workspace):
        orders = Order.objects.count()
        customers = Customer.objects.count()
    print(f"{connection.vendor}: {customers:,} customers, {orders:,} orders")
    timings: dict[str, list[float]] = {}
    for _ in range(args.runs):
        with bind_workspace(workspace):
            purchases = timed("read orders (one query)", timings, load_purchases, NOW)
            history = timed("per-customer summary", timings, purchases.per_customer)
            timed("KPIs", timings, value_kpis, purchases, history)
            timed("cohort triangle", timings, cohort_table, purchases, history)
            known = np.array(Customer.objects.values_list("pk", flat=True))
            timed(
                "claims", timings, check_claims, history, known_before=known, advocates=known[::7]
            )
            x = history.repeat_purchases
            t_x, T = history.weeks()
            fit = timed("BG/NBD fit", timings, clv.fit_bgnbd, x, t_x, T)
            spend = timed(
                "Gamma-Gamma fit", timings, clv.fit_gamma_gamma, x, history.mean_repeat_value
            )
            timed("predictions (12 months)", timings, clv.lifetime_value, fit, spend, x, t_x, T,
                  history.mean_repeat_value)  # fmt: skip
        result = timed(
            "refresh_clv, whole", timings, value_services.refresh_clv, workspace, now=NOW
        )
    print(f"\nmedian of {args.runs} runs, seconds:")
    for label, values in timings.items():
        print(f"  {label:<28} {statistics.median(values):8.2f}")
    model = result.snapshot.model
    print("\nfitted vs generating parameters (weeks):")
    for name in ("r", "alpha", "a", "b"):
        print(f"  BG/NBD {name:<6} {model['bgnbd'][name]:9.3f}  true {TRUE[name]}")
    for name in ("p", "q", "gamma"):
        print(f"  Gamma-Gamma {name:<6} {model['gamma_gamma'][name]:9.3f}  true {TRUE[name]}")
    print(f"\n{result.predictions:,} customers predicted; command: {' '.join(sys.argv)}")


if __name__ == "__main__":
    main()
