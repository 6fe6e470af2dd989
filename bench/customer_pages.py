"""Benchmark: the customer list (with its filters) and the customer 360 page at full scale.

The issue's target: "customer list with a filter and the customer 360 page: under 100 ms server
time at 1,000,000 customers and 10,000,000 experiences on PostgreSQL".

What it does:

1. Uses its own PostgreSQL database, ``BENCH_DATABASE_URL`` (default
   ``postgres://postgres@127.0.0.1:5432/bench_customers``), creates it when missing and runs
   ``migrate``. Never point it at real data: a regeneration empties every cxloop table in it.
2. Generates, once, one workspace with 1,000,000 customers, 3,000,000 orders and 10,000,000
   experiences over two years (plus stance history, expectations and WOW plan steps), streamed
   with ``COPY`` into tables whose secondary indexes are dropped for the load and rebuilt from
   their exact definitions afterwards, then ``VACUUM ANALYZE``. A later run reuses the data when
   the row counts match (``--regenerate`` forces a fresh load). Fixed seed; ``now`` is the
   generation time, so the "last 7 days" filter drifts as the data ages (the run says so).
3. Measures real requests through Django's test ``Client`` (owner logged in with
   ``force_login``, ``CXLOOP_ENV=local``, ``DEBUG`` off): middleware, view, queries and template
   rendering. Per page: 2 warm-up requests, then ``--runs`` timed ones (median and p95), then one
   more under ``CaptureQueriesContext`` for the query count, and ``EXPLAIN (ANALYZE, BUFFERS)`` of
   that request's slowest query.

    .venv/bin/python bench/customer_pages.py                  # generate once (~3 min), then measure
    .venv/bin/python bench/customer_pages.py --runs 30        # more repetitions
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_small \\
        .venv/bin/python bench/customer_pages.py --scale 0.01   # a quick dry run of the script

Timings are with a warm cache (the data set fits in RAM); they are server time as Django sees
it, not network or browser time.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import shutil
import statistics
import sys
import time
from array import array
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_customers"
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
os.environ["CXLOOP_DATABASE_URL"] = DATABASE_URL
os.environ["CXLOOP_ENV"] = "local"
os.environ["CXLOOP_DEBUG"] = "false"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxloop.settings")

import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402
from psycopg.conninfo import conninfo_to_dict  # noqa: E402

SEED = 20261125
TARGET_MS = 100.0
CUSTOMERS = 1_000_000
ORDERS = 3_000_000
EXPERIENCES = 10_000_000
HEAVY_CUSTOMERS = 1_500  # customers with hundreds of experiences each
DAYS = 730  # experiences and orders span two years
WORKSPACE_SLUG = "bench-customers"
NULL = "\\N"  # COPY's text format for NULL
OWNER_EMAIL = "owner@bench-customers.local"
BIG_TABLES = (
    "customers_customer",
    "customers_order",
    "experiences_experience",
    "customers_stancechange",
    "customers_expectation",
    "customers_wowplanitem",
)

FIRST = [
    ("Олена", "olena"), ("Тарас", "taras"), ("Іван", "ivan"), ("Марія", "mariia"),
    ("Андрій", "andrii"), ("Оксана", "oksana"), ("Дмитро", "dmytro"), ("Наталія", "nataliia"),
    ("Сергей", "sergey"), ("Анна", "anna"), ("Юлія", "yuliia"), ("Богдан", "bohdan"),
    ("Ірина", "iryna"), ("Василь", "vasyl"), ("John", "john"), ("Emma", "emma"),
]  # fmt: skip
# (surname, latin, weight): one common surname (~14 %), one rare (~0.02 %).
LAST = [
    ("Шевченко", "shevchenko", 14.0), ("Коваленко", "kovalenko", 12.0),
    ("Бондаренко", "bondarenko", 10.0), ("Ткаченко", "tkachenko", 9.0),
    ("Кравченко", "kravchenko", 8.0), ("Олійник", "oliinyk", 8.0), ("Мельник", "melnyk", 8.0),
    ("Іваненко", "ivanenko", 7.0), ("Иванов", "ivanov", 6.0), ("Смирнова", "smirnova", 5.0),
    ("Smith", "smith", 5.0), ("Brown", "brown", 4.0), ("Петренко", "petrenko", 3.98),
    ("Загорулько", "zahorulko", 0.02),
]  # fmt: skip
COMMON_SURNAME = "Шевченко"
RARE_SURNAME = "Загорулько"
COMMON_FIRST_NAME = "Олена"
SEGMENTS = [
    ("Батьки", 22),
    ("Студенти", 18),
    ("Колекціонери", 8),
    ("Вчителі", 12),
    ("Бізнес", 15),
    ("Пенсіонери", 17),
]  # the rest, 8 %, has none
DOMAINS = ["ukr.net", "gmail.com", "i.ua", "meta.ua"]
CITIES = ["Київ", "Львів", "Одеса", "Харків", "Дніпро", "Вінниця"]
WORDS = (
    "доставка швидко кур'єр запізнився дякую чудово погано посилка розмір не підійшов повернення "
    "оператор ввічливий довго чекав знижка бонус якість товар зламаний упаковка гарна сайт "
    "delivery late great thanks broken refund support friendly slow app order size wrong "
    "доставка быстро спасибо плохо качество возврат"
).split()


# --- database and Django -----------------------------------------------------------------------


def ensure_database(url: str) -> None:
    params = conninfo_to_dict(url)
    name = params.get("dbname")
    if not name:
        sys.exit(f"BENCH_DATABASE_URL needs a database name: {url}")
    admin = {**params, "dbname": "postgres"}
    with psycopg.connect(**admin, autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not found:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")


ensure_database(DATABASE_URL)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from cxloop.accounts import services as accounts  # noqa: E402
from cxloop.accounts.models import Role, User  # noqa: E402
from cxloop.core.scoping import bind_workspace  # noqa: E402
from cxloop.customers.lifecycle import phase_for  # noqa: E402
from cxloop.customers.models import Segment  # noqa: E402
from cxloop.experiences.scoring import SCALE_BOUNDS, emotion_for_outcome, outcome_for_score  # noqa: E402


def raw_connection() -> psycopg.Connection:
    return psycopg.connect(DATABASE_URL, autocommit=True)


def meta_setup(conn: psycopg.Connection) -> None:
    conn.execute("CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value jsonb)")
    conn.execute(
        "CREATE TABLE IF NOT EXISTS bench_dropped_index "
        "(indexname text PRIMARY KEY, tablename text, indexdef text)"
    )


def meta_get(conn: psycopg.Connection, key: str) -> dict | None:
    row = conn.execute("SELECT value FROM bench_meta WHERE key = %s", [key]).fetchone()
    return row[0] if row else None


def drop_secondary_indexes(conn: psycopg.Connection, table: str) -> None:
    """Drop the indexes that back no constraint, keeping their definitions to rebuild them."""
    rows = conn.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
        "AND tablename = %s AND indexname NOT IN "
        "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
        [table, table],
    ).fetchall()
    for name, definition in rows:
        conn.execute(
            "INSERT INTO bench_dropped_index VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
            [name, table, definition],
        )
        conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))


def restore_indexes(conn: psycopg.Connection) -> None:
    """Rebuild every index dropped for a load (also after a load that crashed half way)."""
    rows = conn.execute("SELECT indexname, indexdef FROM bench_dropped_index").fetchall()
    if not rows:
        return
    conn.execute("SET maintenance_work_mem = '1GB'")
    for name, definition in rows:
        exists = conn.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [name]).fetchone()
        if not exists:
            start = time.perf_counter()
            conn.execute(definition)
            print(f"  index {name}: {time.perf_counter() - start:.1f} s", flush=True)
        conn.execute("DELETE FROM bench_dropped_index WHERE indexname = %s", [name])
    conn.execute("RESET maintenance_work_mem")


# --- data generation ---------------------------------------------------------------------------


class Clock:
    """Timestamps as epoch seconds, formatted for COPY without a datetime per row."""

    def __init__(self) -> None:
        self.days: dict[int, str] = {}
        self.hms = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}+00" for s in range(86400)]

    def __call__(self, t: int) -> str:
        d, s = divmod(t, 86400)
        day = self.days.get(d)
        if day is None:
            day = self.days[d] = datetime.fromtimestamp(d * 86400, UTC).strftime("%Y-%m-%d")
        return f"{day} {self.hms[s]}"


def fit_total(counts: array, target: int, rng: random.Random, skip: set[int]) -> None:
    """Nudge positive counts up or down by one until they sum to ``target``."""
    diff = target - sum(counts)
    n = len(counts)
    while diff:
        i = rng.randrange(1, n)
        if i in skip or counts[i] <= 0 or (diff < 0 and counts[i] == 1):
            continue
        step = 1 if diff > 0 else -1
        counts[i] += step
        diff -= step


def weighted(rng: random.Random, items: list, weights: list[float], k: int) -> list:
    return rng.choices(items, weights=weights, k=k)


def text_pool(rng: random.Random, size: int) -> list[str]:
    texts = []
    for _ in range(size):
        limit = rng.randint(8, 80)
        words = []
        while len(" ".join(words)) < limit:
            words.append(rng.choice(WORDS))
        texts.append(" ".join(words)[:limit].strip().capitalize())
    return texts


def experience_tails(rng: random.Random, size: int) -> list[str]:
    """COPY fragments ``source, score, scale, outcome, emotion, text, language``."""
    texts = text_pool(rng, 2000)
    tails = []
    sources = ["survey", "conversation", "review", "social", "staff_note", "event"]
    for _ in range(size):
        source = weighted(rng, sources, [35, 20, 10, 5, 10, 20], 1)[0]
        score = scale = None
        if source == "survey":
            scale = weighted(rng, ["nps", "csat", "ces", "stars5"], [50, 25, 15, 10], 1)[0]
        elif source == "review":
            scale = "stars5"
        if scale:
            lowest, highest, _, _ = SCALE_BOUNDS[scale]
            score = min(highest, max(lowest, round(rng.triangular(lowest, highest, highest))))
            outcome = str(outcome_for_score(score, scale).value)
        else:
            outcome = weighted(rng, ["below", "met", "exceeded"], [30, 50, 20], 1)[0]
        emotion = str(emotion_for_outcome(outcome).value)
        with_text = {"survey": 0.4, "event": 0.0}.get(source, 0.9)
        text = rng.choice(texts) if rng.random() < with_text else ""
        language = weighted(rng, ["uk", "ru", "en"], [60, 20, 20], 1)[0] if text else ""
        tails.append(
            "\t".join(
                [
                    source,
                    NULL if score is None else str(score),
                    scale or "",
                    outcome,
                    emotion,
                    text,
                    language,
                ]
            )
        )
    return tails


class Writer:
    """Buffer COPY lines and send them in large chunks."""

    def __init__(self, copy, label: str, total: int) -> None:
        self.copy, self.label, self.total = copy, label, total
        self.lines: list[str] = []
        self.count = 0
        self.start = time.perf_counter()

    def add(self, line: str) -> None:
        self.lines.append(line)
        if len(self.lines) >= 100_000:
            self.flush()

    def flush(self) -> None:
        if self.lines:
            self.copy.write("".join(self.lines))
            self.count += len(self.lines)
            self.lines = []
            if self.total >= 2_000_000 and self.count % 1_000_000 == 0:
                rate = self.count / (time.perf_counter() - self.start)
                print(f"  {self.label}: {self.count:,} rows ({rate:,.0f}/s)", flush=True)


def generate(conn: psycopg.Connection, scale: float) -> dict:
    n_customers = round(CUSTOMERS * scale)
    n_orders = round(ORDERS * scale)
    n_experiences = round(EXPERIENCES * scale)
    n_heavy = max(3, round(HEAVY_CUSTOMERS * scale))
    rng = random.Random(SEED)
    clock = Clock()
    now = int(datetime.now(UTC).replace(second=0, microsecond=0).timestamp())
    start = now - DAYS * 86400
    timings: dict[str, float] = {}
    t0 = time.perf_counter()

    # Empty everything: the workspace and the users cascade to every cxloop table.
    conn.execute("DELETE FROM bench_meta")
    restore_indexes(conn)
    conn.execute("TRUNCATE accounts_workspace, accounts_user, django_session CASCADE")
    owner = User.objects.create_user(OWNER_EMAIL, password=None, full_name="Bench Owner")
    workspace = accounts.create_workspace("Bench customers", slug=WORKSPACE_SLUG, owner=owner)
    for i in range(5):
        agent = User.objects.create_user(f"agent{i}@bench-customers.local", password=None)
        accounts.add_member(workspace, agent, Role.AGENT)
    with bind_workspace(workspace):
        segments = Segment.objects.bulk_create(
            [Segment(name=name, description=f"Сегмент «{name}»") for name, _ in SEGMENTS]
        )
    ws = workspace.pk
    segment_ids = [s.pk for s in segments] + [None]
    segment_weights = [w for _, w in SEGMENTS] + [8]

    # Who has how many orders and experiences.
    print("planning rows…", flush=True)
    n_ord = array("l", [0]) * (n_customers + 1)
    n_exp = array("l", [0]) * (n_customers + 1)
    for c in range(1, n_customers + 1):
        if rng.random() >= 0.2:  # 20 % are prospects without an order
            n_ord[c] = 1 + int(rng.expovariate(1 / 3.25))
        if rng.random() >= 0.12:  # 12 % never had a recorded experience
            n_exp[c] = 1 + int(rng.expovariate(1 / 9.9))
    heavy = set(rng.sample(range(1, n_customers + 1), n_heavy))
    for c in heavy:
        n_exp[c] = rng.randint(100, 1000)
    fit_total(n_ord, n_orders, rng, set())
    fit_total(n_exp, n_experiences, rng, heavy)
    heaviest = max(heavy, key=lambda c: n_exp[c])

    # Experiences in time order (as a ledger fills up), volume growing 60 % over two years.
    owners = array("l")
    for c in range(1, n_customers + 1):
        if n_exp[c]:
            owners.extend(array("l", [c]) * n_exp[c])
    rng.shuffle(owners)
    weights = [1 + 0.6 * d / DAYS for d in range(DAYS)]
    per_day = [int(n_experiences * w / sum(weights)) for w in weights]
    per_day[-1] += n_experiences - sum(per_day)
    times = array("q")
    for d, k in enumerate(per_day):
        base = start + d * 86400
        times.extend(sorted(base + rng.randrange(86400) for _ in range(k)))
    first_exp = array("q", [0]) * (n_customers + 1)
    last_exp = array("q", [0]) * (n_customers + 1)
    for c, t in zip(owners, times, strict=True):
        if not first_exp[c]:
            first_exp[c] = t
        last_exp[c] = t
    timings["plan"] = time.perf_counter() - t0

    # Customers, and their orders' times (sorted into time order before they are written).
    print("customers…", flush=True)
    t1 = time.perf_counter()
    order_keys: list[int] = []
    stance_rows: list[tuple[int, str, str, int]] = []
    last_weights = [w for _, _, w in LAST]
    typical = None
    with conn.cursor() as cur:
        conn.execute("SET session_replication_role = replica")  # no FK triggers for the load
        drop_secondary_indexes(conn, "customers_customer")
        with cur.copy(
            "COPY customers_customer (id, workspace_id, external_id, name, email, phone, "
            "language, segment_id, attributes, consent_email, first_purchase_at, "
            "last_purchase_at, lifecycle_phase, stance, stance_changed_at, last_experience_at, "
            "created_at) FROM STDIN"
        ) as copy:
            out = Writer(copy, "customers", n_customers)
            now_dt = datetime.fromtimestamp(now, UTC)
            for c in range(1, n_customers + 1):
                first, first_latin = rng.choice(FIRST)
                last, last_latin, _ = rng.choices(LAST, weights=last_weights)[0]
                segment = rng.choices(segment_ids, weights=segment_weights)[0]
                first_buy = last_buy = None
                if n_ord[c]:
                    first_buy = start + rng.randrange(DAYS * 86400 - 3600)
                    churned = rng.random() < 0.35
                    end = first_buy + int(
                        (now - first_buy) * (rng.random() * 0.5 if churned else 1)
                    )
                    placed = [first_buy] + [
                        rng.randint(first_buy, end) for _ in range(n_ord[c] - 1)
                    ]
                    last_buy = max(placed)
                    order_keys.extend(t * (n_customers + 1) + c for t in placed)
                phase = phase_for(
                    first_buy and datetime.fromtimestamp(first_buy, UTC),
                    last_buy and datetime.fromtimestamp(last_buy, UTC),
                    now_dt,
                )
                stance, stance_at = "", None
                if n_exp[c]:
                    stance = rng.choices(
                        ["prosecutor", "neutral", "advocate", ""], [12, 38, 30, 20]
                    )[0]
                    if stance:
                        stance_at = max(first_exp[c], last_exp[c] - rng.randrange(60 * 86400))
                        previous = ""
                        if rng.random() < 0.25 and stance_at - first_exp[c] > 86400:
                            previous = rng.choice(["prosecutor", "neutral", "advocate"])
                            earlier = rng.randint(first_exp[c], stance_at - 3600)
                            stance_rows.append((c, "", previous, earlier))
                        stance_rows.append((c, previous, stance, stance_at))
                known = [t for t in (first_buy, first_exp[c]) if t]
                created = (min(known) if known else rng.randint(start, now)) - rng.randrange(
                    30 * 86400
                )
                if (
                    typical is None
                    and c > n_customers // 2
                    and n_exp[c] == 10
                    and n_ord[c] == 3
                    and segment is not None
                    and stance
                ):
                    typical = c
                attributes = "{}" if c % 10 < 7 else json.dumps({"city": CITIES[c % 6]})
                fields = (
                    c,
                    ws,
                    f"C{c:08d}",
                    f"{first} {last}",
                    f"{first_latin}.{last_latin}{c}@{DOMAINS[c % 4]}",
                    f"+380 {50 + c % 50} {c % 1000:03d} {c % 10000:04d}",
                    "uk" if c % 5 < 3 else "ru" if c % 5 == 3 else "en",
                    segment or NULL,
                    attributes,
                    "t" if c % 3 == 0 else "f",
                    clock(first_buy) if first_buy else NULL,
                    clock(last_buy) if last_buy else NULL,
                    phase.value,
                    stance,
                    clock(stance_at) if stance_at else NULL,
                    clock(last_exp[c]) if last_exp[c] else NULL,
                    clock(created),
                )
                out.add("\t".join(map(str, fields)) + "\n")
            out.flush()
        conn.execute(
            "SELECT setval(pg_get_serial_sequence('customers_customer', 'id'), "
            "(SELECT max(id) FROM customers_customer))"
        )
        timings["customers"] = time.perf_counter() - t1

        print("orders…", flush=True)
        t1 = time.perf_counter()
        order_keys.sort()
        items = [f'[{{"sku": "SKU-{i:04d}", "qty": {1 + i % 3}}}]' for i in range(1000)]
        drop_secondary_indexes(conn, "customers_order")
        with cur.copy(
            "COPY customers_order (workspace_id, customer_id, external_id, placed_at, amount, "
            "currency, items, status, delivered_at) FROM STDIN"
        ) as copy:
            out = Writer(copy, "orders", len(order_keys))
            for i, key in enumerate(order_keys, 1):
                t, c = divmod(key, n_customers + 1)
                if now - t < 3 * 86400:
                    status, delivered = rng.choice(["placed", "shipped"]), NULL
                else:
                    status = rng.choices(["delivered", "returned", "cancelled"], [85, 5, 10])[0]
                    delivered = (
                        NULL if status == "cancelled" else clock(t + rng.randint(86400, 5 * 86400))
                    )
                out.add(
                    f"{ws}\t{c}\tO{i:09d}\t{clock(t)}\t{rng.randint(99, 500_000) / 100:.2f}\tUAH\t"
                    f"{items[i % 1000]}\t{status}\t{delivered}\n"
                )
            out.flush()
        del order_keys
        timings["orders"] = time.perf_counter() - t1

        print("experiences…", flush=True)
        t1 = time.perf_counter()
        tails = experience_tails(rng, 32768)
        bits = rng.getrandbits
        drop_secondary_indexes(conn, "experiences_experience")
        with cur.copy(
            "COPY experiences_experience (workspace_id, customer_id, occurred_at, source, score, "
            "scale, outcome, emotion, text, language, created_at) FROM STDIN"
        ) as copy:
            out = Writer(copy, "experiences", n_experiences)
            prefix = f"{ws}\t"
            for c, t in zip(owners, times, strict=True):
                stamp = clock(t)
                out.add(f"{prefix}{c}\t{stamp}\t{tails[bits(15)]}\t{stamp}\n")
            out.flush()
        del owners, times
        timings["experiences"] = time.perf_counter() - t1

        print("stance history, expectations, WOW plans…", flush=True)
        t1 = time.perf_counter()
        drop_secondary_indexes(conn, "customers_stancechange")
        rules = ["NPS 0–6 twice in 30 days", "CSAT 5 after a complaint", "Three WOWs in a row"]
        with cur.copy(
            "COPY customers_stancechange (workspace_id, customer_id, from_stance, to_stance, "
            "changed_at, rule) FROM STDIN"
        ) as copy:
            out = Writer(copy, "stance changes", len(stance_rows))
            for c, before, after, t in stance_rows:
                out.add(f"{ws}\t{c}\t{before}\t{after}\t{clock(t)}\t{rng.choice(rules)}\n")
            out.flush()
        expectation_texts = text_pool(rng, 200)
        with cur.copy(
            "COPY customers_expectation (workspace_id, kind, text, source, noted_on, active, "
            "customer_id, segment_id) FROM STDIN"
        ) as copy:
            for segment in segment_ids[:-1]:
                for text in rng.sample(expectation_texts, 3):
                    copy.write(f"{ws}\tgeneral\t{text}\tresearch\t2025-01-15\tt\t\\N\t{segment}\n")
            people = set(rng.sample(range(1, n_customers + 1), n_customers // 20))
            people |= {typical or 1, heaviest}
            for c in sorted(people):
                for _ in range(rng.randint(1, 3)):
                    day = clock(now - rng.randrange(DAYS * 86400))[:10]
                    source = rng.choice(["staff", "customer", "survey"])
                    active = "t" if rng.random() < 0.85 else "f"
                    copy.write(
                        f"{ws}\tindividual\t{rng.choice(expectation_texts)}\t{source}\t{day}\t"
                        f"{active}\t{c}\t\\N\n"
                    )
        staff = User.objects.filter(email__endswith="@bench-customers.local")
        agents = list(staff.values_list("pk", flat=True))
        with cur.copy(
            "COPY customers_wowplanitem (workspace_id, customer_id, action, owner_id, due_on, "
            "done_on, produced_wow, created_at) FROM STDIN"
        ) as copy:
            planned = set(rng.sample(range(1, n_customers + 1), n_customers // 50))
            planned |= {typical or 1, heaviest}
            for c in sorted(planned):
                for _ in range(rng.randint(1, 3)):
                    due = now + rng.randint(-120, 30) * 86400
                    done = due - rng.randrange(5 * 86400) if due < now and rng.random() < 0.7 else 0
                    wow = rng.choice(["t", "f", NULL]) if done else NULL
                    done_on = clock(done)[:10] if done else NULL
                    copy.write(
                        f"{ws}\t{c}\t{rng.choice(expectation_texts)}\t{rng.choice(agents)}\t"
                        f"{clock(due)[:10]}\t{done_on}\t{wow}\t{clock(due - 30 * 86400)}\n"
                    )
        conn.execute("RESET session_replication_role")
        timings["history"] = time.perf_counter() - t1

    print("rebuilding indexes…", flush=True)
    t1 = time.perf_counter()
    restore_indexes(conn)
    timings["indexes"] = time.perf_counter() - t1
    print("VACUUM ANALYZE…", flush=True)
    t1 = time.perf_counter()
    for table in BIG_TABLES:
        conn.execute(sql.SQL("VACUUM ANALYZE {}").format(sql.Identifier(table)))
    conn.execute("ANALYZE")
    timings["vacuum_analyze"] = time.perf_counter() - t1
    timings["total"] = time.perf_counter() - t0

    busiest_segment = max(segments, key=lambda s: dict(SEGMENTS)[s.name]).pk
    meta = {
        "workspace_id": ws,
        "customers": n_customers,
        "orders": n_orders,
        "experiences": n_experiences,
        "typical_id": typical or 1,
        "heaviest_id": heaviest,
        "segment_id": busiest_segment,
        "generated_at": now,
        "timings": {k: round(v, 1) for k, v in timings.items()},
    }
    conn.execute(
        "INSERT INTO bench_meta VALUES ('data', %s) ON CONFLICT (key) DO UPDATE "
        "SET value = EXCLUDED.value",
        [json.dumps(meta)],
    )
    print(
        "generation took "
        + ", ".join(f"{k} {v:.0f} s" for k, v in timings.items() if k != "total")
        + f"; total {timings['total']:.0f} s ({timings['total'] / 60:.1f} min)"
    )
    return meta


def existing_data(conn: psycopg.Connection, scale: float) -> dict | None:
    meta = meta_get(conn, "data")
    if not meta:
        return None
    if meta["customers"] != round(CUSTOMERS * scale) or meta["experiences"] != round(
        EXPERIENCES * scale
    ):
        return None
    counts = conn.execute(
        "SELECT (SELECT count(*) FROM customers_customer WHERE workspace_id = %(ws)s), "
        "(SELECT count(*) FROM customers_order WHERE workspace_id = %(ws)s), "
        "(SELECT count(*) FROM experiences_experience WHERE workspace_id = %(ws)s)",
        {"ws": meta["workspace_id"]},
    ).fetchone()
    if counts != (meta["customers"], meta["orders"], meta["experiences"]):
        return None
    return meta


# --- measuring ---------------------------------------------------------------------------------


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def plan_lines(node: dict, depth: int = 0) -> list[str]:
    label = node["Node Type"]
    if node.get("Index Name"):
        label += f" using {node['Index Name']}"
    if node.get("Relation Name"):
        label += f" on {node['Relation Name']}"
    details = [
        f"rows={node.get('Actual Rows')}x{node.get('Actual Loops')}",
        f"{node.get('Actual Total Time', 0):.1f} ms",
        f"hit={node.get('Shared Hit Blocks', 0)} read={node.get('Shared Read Blocks', 0)}",
    ]
    if node.get("Rows Removed by Filter"):
        details.append(f"removed by filter={node['Rows Removed by Filter']}")
    if node.get("Sort Method"):
        details.append(f"sort={node['Sort Method']}")
    for key in ("Index Cond", "Filter"):
        if node.get(key):
            text = node[key]
            details.append(f"{key.lower()}: {text[:90]}{'…' if len(text) > 90 else ''}")
    lines = [f"{'  ' * depth}-> {label} ({', '.join(details)})"]
    for child in node.get("Plans", []):
        lines += plan_lines(child, depth + 1)
    return lines


def explain(query: str) -> tuple[float, list[str]]:
    # A queryset read with .iterator() runs as DECLARE … CURSOR FOR <select>: explain the select.
    query = re.sub(r"^DECLARE .+? CURSOR (?:WITH(?:OUT)? HOLD )?FOR ", "", query, flags=re.S)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + query)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    plan = plan[0]
    return plan["Execution Time"], plan_lines(plan["Plan"])


def measure(client: Client, path: str, params: dict, headers: dict, runs: int, warmup: int):
    for _ in range(warmup):
        response = client.get(path, params, **headers)
        assert response.status_code == 200, (path, params, response.status_code)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(path, params, **headers)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, params, response.status_code)

    # One more request to count the queries; CaptureQueriesContext keeps their SQL (with the
    # parameters bound, ready for EXPLAIN) but rounds times to the millisecond, so a wrapper
    # times each statement precisely, in the same order.
    durations: list[float] = []

    def timed(execute, sql_, params_, many, context):
        start = time.perf_counter()
        try:
            return execute(sql_, params_, many, context)
        finally:
            durations.append((time.perf_counter() - start) * 1000)

    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timed):
        client.get(path, params, **headers)
    queries = captured.captured_queries
    assert len(queries) == len(durations), (len(queries), len(durations))
    slowest = max(range(len(queries)), key=durations.__getitem__)
    repeats = Counter(q["sql"] for q in queries).most_common(1)[0][1]
    return {
        "median": statistics.median(times),
        "p95": p95(times),
        "queries": len(queries),
        "repeats": repeats,
        "sql_ms": sum(durations),
        "slowest_sql": queries[slowest]["sql"],
        "slowest_ms": durations[slowest],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="timed requests per page (≥ 15)")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full data set")
    parser.add_argument("--regenerate", action="store_true", help="load fresh data even if present")
    parser.add_argument("--no-explain", action="store_true")
    parser.add_argument(
        "--only", action="append", default=[], help="measure only pages whose label contains this"
    )
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    conn = raw_connection()
    meta_setup(conn)
    restore_indexes(conn)  # a load that crashed half way left some dropped
    meta = None if args.regenerate else existing_data(conn, args.scale)
    if meta:
        generated = datetime.fromtimestamp(meta["generated_at"], UTC)
        print(
            f"reusing data generated {generated:%Y-%m-%d %H:%M} UTC "
            f"(generation took {meta['timings']['total'] / 60:.1f} min then)"
        )
    else:
        total, _used, free = shutil.disk_usage("/")
        print(f"disk /: {free / 2**30:.0f} GiB free of {total / 2**30:.0f} GiB")
        if args.scale >= 0.5 and free < 12 * 2**30:
            sys.exit("need ≥ 12 GiB free for the data set, its indexes and WAL")
        meta = generate(conn, args.scale)
    age_days = (time.time() - meta["generated_at"]) / 86400
    if age_days > 3:
        print(
            f"note: the data is {age_days:.0f} days old; filters relative to today (last 7 days) "
            "match fewer rows than when fresh; --regenerate to refresh"
        )

    ws = meta["workspace_id"]
    stats = conn.execute(
        "SELECT pg_size_pretty(pg_database_size(current_database())), "
        "(SELECT count(*) FROM experiences_experience WHERE customer_id = %s), "
        "(SELECT count(*) FROM experiences_experience WHERE customer_id = %s), "
        "(SELECT count(*) FROM customers_customer WHERE workspace_id = %s AND name LIKE %s), "
        "(SELECT count(*) FROM customers_customer WHERE workspace_id = %s AND name LIKE %s), "
        "(SELECT count(*) FROM customers_customer WHERE workspace_id = %s AND name LIKE %s)",
        [meta["typical_id"], meta["heaviest_id"], ws, f"% {COMMON_SURNAME}", ws,
         f"% {RARE_SURNAME}", ws, f"{COMMON_FIRST_NAME} %"],
    ).fetchone()  # fmt: skip
    settings_row = conn.execute(
        "SELECT current_setting('shared_buffers'), current_setting('work_mem'), "
        "current_setting('effective_cache_size'), current_setting('random_page_cost'), version()"
    ).fetchone()
    print(
        f"data: {meta['customers']:,} customers, {meta['orders']:,} orders, "
        f"{meta['experiences']:,} experiences; database size {stats[0]}"
    )
    print(
        f"PostgreSQL: {settings_row[4].split(' on ')[0]}; shared_buffers={settings_row[0]}, "
        f"work_mem={settings_row[1]}, effective_cache_size={settings_row[2]}, "
        f"random_page_cost={settings_row[3]}"
    )

    owner = User.objects.get(email=OWNER_EMAIL)
    client = Client(SERVER_NAME="localhost")
    client.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")
    list_url = reverse("customers:list")
    external = f"C{meta['typical_id']:08d}"
    pages = [
        ("list", list_url, {}, {}),
        ("list ?stance=prosecutor", list_url, {"stance": "prosecutor"}, {}),
        ("list ?lifecycle_phase=onboarding", list_url, {"lifecycle_phase": "onboarding"}, {}),
        (f"list ?segment={meta['segment_id']}", list_url, {"segment": meta["segment_id"]}, {}),
        ("list ?last_experience=7", list_url, {"last_experience": "7"}, {}),
        (f"list ?q={COMMON_SURNAME} ({stats[3]:,} match)", list_url, {"q": COMMON_SURNAME}, {}),
        ("list ?page=300", list_url, {"page": "300"}, {}),
        (f"list HTMX ?q={COMMON_SURNAME}", list_url, {"q": COMMON_SURNAME},
         {"HTTP_HX_REQUEST": "true"}),
        # A search lists at most the 1,000 most recent matches by name: its last page.
        (f"list ?q={COMMON_SURNAME}&page=40", list_url, {"q": COMMON_SURNAME, "page": "40"}, {}),
        (f"360 typical (#{meta['typical_id']}, {stats[1]} exp.)",
         reverse("customers:detail", args=[meta["typical_id"]]), {}, {}),
        (f"360 most experiences (#{meta['heaviest_id']}, {stats[2]} exp.)",
         reverse("customers:detail", args=[meta["heaviest_id"]]), {}, {}),
        # Beyond the list: searches that match few rows, where nothing stops a scan early.
        (f"extra: list ?q={RARE_SURNAME} ({stats[4]:,} match)", list_url, {"q": RARE_SURNAME}, {}),
        (f"extra: list ?q={external} (external id)", list_url, {"q": external}, {}),
        (f"extra: list ?q={COMMON_FIRST_NAME} ({stats[5]:,} match)", list_url,
         {"q": COMMON_FIRST_NAME}, {}),
        ("extra: list ?stance=prosecutor&lifecycle_phase=lapsed&segment",
         list_url, {"stance": "prosecutor", "lifecycle_phase": "lapsed",
                    "segment": meta["segment_id"]}, {}),
        # Customers with no experience yet: the partial stance and last-experience indexes
        # (customers 0007) leave them out, so the name index serves these.
        ("extra: list ?stance=unknown", list_url, {"stance": "unknown"}, {}),
        ("extra: list ?last_experience=never", list_url, {"last_experience": "never"}, {}),
    ]  # fmt: skip

    if args.only:
        pages = [page for page in pages if any(part in page[0] for part in args.only)]
    results = []
    load_before = os.getloadavg()[0]
    for label, path, params, headers in pages:
        print(f"measuring {label}…", flush=True)
        results.append((label, measure(client, path, params, headers, args.runs, args.warmup)))

    load_after = os.getloadavg()[0]
    print()
    print(
        f"Server time per request, Django test Client, {args.runs} timed runs after "
        f"{args.warmup} warm-up, target {TARGET_MS:.0f} ms; {os.cpu_count()} CPUs, load average "
        f"{load_before:.1f} before, {load_after:.1f} after (other work skews timings)"
    )
    width = max(len(label) for label, _ in results)
    header = (
        f"{'page':<{width}}  {'median ms':>9}  {'p95 ms':>7}  {'queries':>7}  {'same q':>6}  "
        f"{'sql ms':>7}  {'slowest q ms':>12}  {'target':>6}"
    )
    print(header)
    print("-" * len(header))
    for label, r in results:
        verdict = "ok" if r["p95"] < TARGET_MS else "MISS"
        print(
            f"{label:<{width}}  {r['median']:>9.1f}  {r['p95']:>7.1f}  {r['queries']:>7}  "
            f"{r['repeats']:>5}x  {r['sql_ms']:>7.1f}  {r['slowest_ms']:>12.1f}  {verdict:>6}"
        )
    print(
        "target: p95 under the target. queries, same q (how often the most repeated statement "
        "ran), sql ms and slowest q ms come from one extra request with query capture on"
    )

    if not args.no_explain:
        print()
        print("EXPLAIN (ANALYZE, BUFFERS) of each page's slowest query:")
        for label, r in results:
            execution, lines = explain(r["slowest_sql"])
            statement = " ".join(r["slowest_sql"].split())
            print(f"\n## {label}: {execution:.1f} ms")
            print(f"   {statement[:400]}{'…' if len(statement) > 400 else ''}")
            for line in lines:
                print(f"   {line}")

    url = os.environ.get("BENCH_DATABASE_URL")
    prefix = f"BENCH_DATABASE_URL={url} " if url else ""
    runs = f" --runs {args.runs}" if args.runs != 20 else ""
    scale = f" --scale {args.scale}" if args.scale != 1.0 else ""
    print(f"\nreproduce: {prefix}.venv/bin/python bench/customer_pages.py{runs}{scale}")
    conn.close()


if __name__ == "__main__":
    main()
