"""Speed of the analytics rollups: "NPS, CSAT and WOW rate by week × channel over two years".

Generates a workspace with 1M customers and 1M, then 10M answers (the second step adds 9M to the
same database) with set-based SQL (``generate_series`` on PostgreSQL, a recursive CTE on SQLite),
builds the daily rollups and times, as medians of ``--repeat`` runs after one warm-up:

- **selectors**: ``metric_table(["nps", "csat", "wow_rate"], last 2 years, "week", "channel")``,
  the code path of the dashboard and the API (SQL over the rollup + Python summing weeks);
- **bare rollup**: one hand-written SQL statement over the coarse rollup, grouped by week and
  channel in SQL (the floor for any rollup-based answer);
- **raw rows**: the same answer from the raw experiences (UTC weeks; fewer repetitions);
- **segment series**: NPS by week for one segment (the fine rollup);
- **new answer**: ``record_experience`` for today (stance, case rules and the rollup day included),
  and **recompute day**: the rollup recompute of today's bucket alone.

Never the dev database: SQLite files go to ``var/bench-analytics/``, PostgreSQL to
``BENCH_ANALYTICS_DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/bench_analytics``),
dropped and recreated on every run.

    .venv/bin/python bench/analytics_rollups.py [--sizes 1000000,10000000] \\
        [--engines sqlite,postgres] [--repeat 7]
"""

# ruff: noqa: S608 - SQL built from constants and ids generated here, never from input
# ruff: noqa: B023 - the timing closures run inside the loop iteration that defines them
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKDIR = ROOT / "var" / "bench-analytics"
PG_URL = os.environ.get(
    "BENCH_ANALYTICS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_analytics"
)
CUSTOMERS = int(os.environ.get("BENCH_ANALYTICS_CUSTOMERS", "1000000"))  # fewer: a smoke run
SPAN_DAYS = 730
CHANNELS = [
    "site",
    "app",
    "email",
    "web_chat",
    "phone",
    "social",
    "delivery",
    "package",
    "in_store",
]


# --- the child: one engine, all sizes ---------------------------------------------------------


def child(engine: str, sizes: list[int], repeat: int, measure_only: bool = False) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxloop.settings")
    import django

    django.setup()
    from django.db import connection

    from cxloop.accounts.models import Department, Workspace
    from cxloop.analytics import rollups, selectors
    from cxloop.analytics.models import ExperienceDay, ExperienceDayTouchpoint
    from cxloop.core.scoping import bind_workspace
    from cxloop.customers.models import Customer, Segment
    from cxloop.experiences.models import Experience
    from cxloop.experiences.services import record_experience
    from cxloop.journeys.models import Journey, Stage, Touchpoint

    pg = connection.vendor == "postgresql"
    now = datetime.now(UTC).replace(microsecond=0)
    start_epoch = int((now - timedelta(days=SPAN_DAYS)).timestamp())
    span = SPAN_DAYS * 86400

    def execute(sql: str, params: list | None = None) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params or [])

    def series(lo: int, hi: int) -> tuple[str, str, list]:
        """(WITH prefix, FROM clause, params) producing x in [lo, hi]."""
        if pg:
            return "", "generate_series(%s::bigint, %s::bigint) AS g(x)", [lo, hi]
        return (
            "WITH RECURSIVE g(x) AS (SELECT %s UNION ALL SELECT x + 1 FROM g WHERE x < %s) ",
            "g",
            [lo, hi],
        )

    def moment(epoch_sql: str) -> str:
        if pg:
            return f"to_timestamp({epoch_sql})"
        return f"strftime('%%Y-%%m-%%d %%H:%%M:%%S', {epoch_sql}, 'unixepoch')"

    def indexes(table: str) -> list[tuple[str, str]]:
        with connection.cursor() as cursor:
            if pg:
                cursor.execute(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
                    "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
                    [table],
                )
            else:
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                    "AND sql IS NOT NULL",
                    [table],
                )
            return list(cursor.fetchall())

    def bulk_load(table: str, insert: str, params: list) -> float:
        """Drop the table's secondary indexes, insert, build them again: how bulk loads go."""
        started = time.perf_counter()
        saved = indexes(table)
        for name, _ in saved:
            execute(f'DROP INDEX "{name}"')
        if pg:
            execute("SET session_replication_role = replica")  # generated rows are consistent
        else:
            execute("PRAGMA foreign_keys = OFF")
        execute(insert, params)
        if pg:
            execute("SET session_replication_role = DEFAULT")
            execute("SET maintenance_work_mem = '512MB'")
        else:
            execute("PRAGMA foreign_keys = ON")
        for _, definition in saved:
            execute(definition.replace("%", "%%"))
        if pg:
            execute(f'ANALYZE "{table}"')
        else:
            execute("ANALYZE")
        return time.perf_counter() - started

    if not pg:
        execute("PRAGMA cache_size = -400000")
        execute("PRAGMA journal_mode = WAL")
        execute("PRAGMA synchronous = NORMAL")

    existing = Workspace.objects.filter(slug="bench").first()
    workspace = existing or Workspace.objects.create(name="Bench shop", slug="bench")
    with bind_workspace(workspace):
        if measure_only:  # the database of an earlier run, as it is
            segments = list(Segment.objects.order_by("pk"))
            touchpoints = list(Touchpoint.objects.order_by("pk"))
    with bind_workspace(workspace):
        if not measure_only:
            segments = Segment.objects.bulk_create([Segment(name=f"Segment {i}") for i in range(6)])
            departments = Department.objects.bulk_create(
                [Department(name=f"Department {i}") for i in range(5)]
            )
            journey = Journey.objects.create(name="Purchase")
            stages = Stage.objects.bulk_create(
                [Stage(journey=journey, name=f"Stage {i}", position=i + 1) for i in range(7)]
            )
            touchpoints = Touchpoint.objects.bulk_create(
                [
                    Touchpoint(
                        name=f"Touchpoint {i}",
                        stage=stages[i % 7],
                        channel=CHANNELS[i % len(CHANNELS)],
                        owner_department=departments[i % 5],
                        position=i,
                    )
                    for i in range(15)
                ]
            )

    def choice(expr: str, values: list) -> str:
        whens = " ".join(f"WHEN {i} THEN {v}" for i, v in enumerate(values))
        return f"(CASE ({expr}) %% {len(values)} {whens} END)"

    # 1M customers
    prefix, source, params = series(1, CUSTOMERS)
    stance = choice("x * 7", ["'prosecutor'", "'neutral'", "'advocate'", "''"])
    language = choice("x", ["'uk'", "'ru'", "'en'"])
    customers_sql = (
        f"{prefix}INSERT INTO customers_customer (workspace_id, external_id, name, email, phone, "
        "language, segment_id, attributes, consent_email, lifecycle_phase, stance, created_at) "
        f"SELECT {workspace.pk}, 'C-' || x, 'Customer ' || x, '', '', "
        f"{language}, {choice('x * 13', [s.pk for s in segments])}, "
        f"'{{}}', {'false' if pg else '0'}, 'active', {stance}, {moment(str(start_epoch))} "
        f"FROM {source}"
    )
    load_customers = 0.0 if measure_only else bulk_load("customers_customer", customers_sql, params)
    first_customer = Customer.unscoped.filter(workspace=workspace).order_by("pk").first().pk

    def load_answers(lo: int, hi: int) -> float:
        prefix, source, params = series(lo, hi)
        tp = choice("x * 31", ["NULL", *(t.pk for t in touchpoints)])
        scale = choice("x", ["'nps'"] * 5 + ["'csat'"] * 3 + ["'ces'", "''"])
        raw_score = "((x * 40503) %% 1000)"
        inner = (
            f"SELECT x, {scale} AS scale, "
            f"CASE {scale} WHEN 'nps' THEN MIN_({raw_score} %% 13, 10) "
            f"WHEN 'csat' THEN 1 + MIN_({raw_score} %% 6, 4) "
            f"WHEN 'ces' THEN 1 + MIN_({raw_score} %% 8, 6) END AS score FROM {source}"
        ).replace("MIN_", "LEAST" if pg else "MIN")
        unscored = choice("s.x * 17", ["'below'", "'met'", "'exceeded'"])
        language = choice("s.x / 3", ["'uk'", "'ru'", "'en'"])
        outcome = (
            "CASE WHEN s.scale = 'nps' THEN (CASE WHEN s.score <= 6 THEN 'below' "
            "WHEN s.score <= 8 THEN 'met' ELSE 'exceeded' END) "
            "WHEN s.scale = 'csat' THEN (CASE WHEN s.score <= 3 THEN 'below' "
            "WHEN s.score = 4 THEN 'met' ELSE 'exceeded' END) "
            "WHEN s.scale = 'ces' THEN (CASE WHEN s.score <= 3 THEN 'below' "
            "WHEN s.score <= 5 THEN 'met' ELSE 'exceeded' END) "
            f"ELSE {unscored} END"
        )
        emotion = f"CASE {outcome} WHEN 'below' THEN 'negative' WHEN 'met' THEN 'ok' ELSE 'wow' END"
        sql = (
            f"{prefix}INSERT INTO experiences_experience (workspace_id, customer_id, "
            "touchpoint_id, occurred_at, source, score, scale, outcome, emotion, text, language, "
            "created_at) "
            f"SELECT {workspace.pk}, {first_customer} + (s.x * 2654435761) %% {CUSTOMERS}, "
            f"{tp.replace('x', 's.x')}, {moment(f'{start_epoch} + (s.x * 7919) %% {span}')}, "
            "CASE WHEN s.scale = '' THEN 'review' ELSE 'survey' END, s.score, s.scale, "
            f"{outcome}, {emotion}, '', {language}, "
            f"{moment(str(int(now.timestamp())))} FROM ({inner}) s"
        )
        return bulk_load("experiences_experience", sql, params)

    today = now.astimezone(rollups.zone()).date()
    two_years = selectors.Slice(today - timedelta(days=SPAN_DAYS), today + timedelta(days=1))
    week_sql = (
        "date_trunc('week', r.day)::date"
        if pg
        else "date(r.day, '-' || ((CAST(strftime('%%w', r.day) AS INTEGER) + 6) %% 7) || ' days')"
    )
    bare_sql = (
        f"SELECT {week_sql} AS week, t.channel, SUM(r.nps_n), SUM(r.nps_promoters), "
        "SUM(r.nps_detractors), SUM(r.csat_n), SUM(r.csat_satisfied), SUM(r.answers), "
        "SUM(r.exceeded) FROM analytics_experiencedaytouchpoint r "
        "LEFT JOIN journeys_touchpoint t ON t.id = r.touchpoint_id "
        "WHERE r.workspace_id = %s AND r.day >= %s AND r.day < %s GROUP BY 1, 2"
    )
    raw_week = (
        "date_trunc('week', e.occurred_at)::date"
        if pg
        else "date(e.occurred_at, '-' || ((CAST(strftime('%%w', e.occurred_at) AS INTEGER) + 6)"
        " %% 7) || ' days')"
    )
    raw_sql = (
        f"SELECT {raw_week} AS week, t.channel, "
        "SUM(CASE WHEN e.scale = 'nps' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN e.scale = 'nps' AND e.score >= 9 THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN e.scale = 'nps' AND e.score <= 6 THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN e.scale = 'csat' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN e.scale = 'csat' AND e.score >= 4 THEN 1 ELSE 0 END), COUNT(*), "
        "SUM(CASE WHEN e.outcome = 'exceeded' THEN 1 ELSE 0 END) "
        "FROM experiences_experience e LEFT JOIN journeys_touchpoint t ON t.id = e.touchpoint_id "
        "WHERE e.workspace_id = %s AND e.occurred_at >= %s AND e.occurred_at < %s GROUP BY 1, 2"
    )

    def timed(run, times: int, warm: bool = True) -> float:
        if warm:
            run()  # warm-up
        samples = []
        for _ in range(times):
            started = time.perf_counter()
            run()
            samples.append(time.perf_counter() - started)
        return 1000 * statistics.median(samples)

    def fetch(sql: str, params: list) -> list:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    loaded = 0
    if measure_only:
        sizes = [Experience.unscoped.filter(workspace=workspace).count()]
        loaded = sizes[0]
    for size in sizes:
        load_seconds = load_answers(loaded + 1, size) if size > loaded else 0.0
        print(f"{engine} {size:,}: loaded in {load_seconds:.0f} s", file=sys.stderr, flush=True)
        loaded = size
        started = time.perf_counter()
        fine_rows = (
            ExperienceDay.unscoped.filter(workspace=workspace).count()
            if measure_only
            else rollups.rebuild_workspace(workspace.pk)
        )
        build_seconds = time.perf_counter() - started
        print(f"{engine} {size:,}: rollups in {build_seconds:.0f} s", file=sys.stderr, flush=True)
        lo, hi = rollups.day_start(two_years.start), rollups.day_start(two_years.end)
        with bind_workspace(workspace):
            cells = selectors.metric_table(
                ["nps", "csat", "wow_rate"], two_years, "week", "channel"
            )
            selector_ms = timed(
                lambda: selectors.metric_table(
                    ["nps", "csat", "wow_rate"], two_years, "week", "channel"
                ),
                repeat,
            )
            bare = [workspace.pk, two_years.start, two_years.end]
            bare_rows = len(fetch(bare_sql, bare))
            bare_ms = timed(lambda: fetch(bare_sql, bare), repeat)
            raw_ms = timed(
                lambda: fetch(raw_sql, [workspace.pk, lo, hi]),
                3 if size <= 1_000_000 else 1,
                warm=size <= 1_000_000,
            )
            segment = selectors.Slice(two_years.start, two_years.end, {"segment": segments[2].pk})
            segment_ms = timed(lambda: selectors.metric_series("nps", segment, "week"), repeat)
            rng = random.Random(size)
            people = list(
                Customer.objects.filter(
                    pk__in=[first_customer + rng.randrange(CUSTOMERS) for _ in range(repeat + 1)]
                )
            )
            touchpoint = touchpoints[3]

            def answer() -> None:
                record_experience(
                    source="survey",
                    occurred_at=datetime.now(UTC),
                    customer=rng.choice(people),
                    touchpoint=touchpoint,
                    score=rng.randint(0, 10),
                    scale="nps",
                )

            record_ms = timed(answer, repeat)
            recompute_ms = timed(lambda: rollups.recompute_days(workspace.pk, [today]), repeat)
            today_rows = len(
                list(ExperienceDay.objects.filter(day=today).values_list("answers", flat=True))
            )
            coarse_rows = ExperienceDayTouchpoint.objects.count()
        print(
            json.dumps(
                {
                    "engine": engine,
                    "answers": size,
                    "customers": CUSTOMERS,
                    "load_s": round(load_seconds, 1),
                    "customers_load_s": round(load_customers, 1),
                    "build_s": round(build_seconds, 1),
                    "fine_rows": fine_rows,
                    "coarse_rows": coarse_rows,
                    "cells": len(cells),
                    "bare_rows": bare_rows,
                    "today_fine_rows": today_rows,
                    "selector_ms": round(selector_ms, 1),
                    "bare_ms": round(bare_ms, 1),
                    "raw_ms": round(raw_ms, 1),
                    "segment_ms": round(segment_ms, 1),
                    "record_ms": round(record_ms, 1),
                    "recompute_ms": round(recompute_ms, 1),
                }
            ),
            flush=True,
        )


# --- the parent: fresh databases, one child per engine, the table -----------------------------


def database_url(engine: str) -> str:
    return f"sqlite:///{WORKDIR / 'bench.sqlite3'}" if engine == "sqlite" else PG_URL


def fresh_database(engine: str) -> str:
    if engine == "sqlite":
        WORKDIR.mkdir(parents=True, exist_ok=True)
        path = WORKDIR / "bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        import psycopg

        url = PG_URL
        base, name = url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "CXLOOP_DATABASE_URL": url, "CXLOOP_VAR_DIR": str(WORKDIR)}
    cxloop = str(Path(sys.executable).parent / "cxloop")
    subprocess.run([cxloop, "migrate", "-v0"], env=env, check=True)  # noqa: S603
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000000,10000000")
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument(
        "--measure-only",
        action="store_true",
        help="time the queries on the databases an earlier run left, without generating",
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.child:
        child(args.child, sizes, args.repeat, args.measure_only)
        return
    results = []
    for engine in args.engines.split(","):
        url = database_url(engine) if args.measure_only else fresh_database(engine)
        env = {**os.environ, "CXLOOP_DATABASE_URL": url, "CXLOOP_VAR_DIR": str(WORKDIR)}
        command = [
            sys.executable,
            __file__,
            *(["--measure-only"] if args.measure_only else []),
            "--child",
            engine,
            "--sizes",
            args.sizes,
            "--repeat",
            str(args.repeat),
        ]
        with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True, cwd=ROOT) as p:  # noqa: S603
            for line in p.stdout:
                print(line, end="", flush=True)
                if line.startswith("{"):
                    results.append(json.loads(line))
        if p.returncode:
            sys.exit(f"{engine} failed")
    print()
    print(
        f"{date.today()}: NPS, CSAT and WOW rate by week × channel over 2 years; medians of "
        f"{args.repeat} runs (raw rows: 3 at 1M, 1 cold at 10M); {CUSTOMERS:,} customers"
    )
    print()
    print(
        "| engine | answers | load s | rollup build s | rollup rows fine / coarse | "
        "selectors ms | bare rollup ms | selectors / bare | raw rows ms | raw / selectors | "
        "NPS by week, one segment ms | new answer ms | recompute day ms |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {'SQLite' if r['engine'] == 'sqlite' else 'PostgreSQL'} | {r['answers']:,} | "
            f"{r['load_s']} | {r['build_s']} | {r['fine_rows']:,} / {r['coarse_rows']:,} | "
            f"{r['selector_ms']} | {r['bare_ms']} | {r['selector_ms'] / r['bare_ms']:.1f} | "
            f"{r['raw_ms']:,.0f} | {r['raw_ms'] / r['selector_ms']:.0f}× | {r['segment_ms']} | "
            f"{r['record_ms']} | {r['recompute_ms']} |"
        )
    print()
    print(
        f"Reproduce: .venv/bin/python bench/analytics_rollups.py --sizes {args.sizes} "
        f"--engines {args.engines} --repeat {args.repeat}"
    )


if __name__ == "__main__":
    main()
