"""Benchmark: importing customers from CSV, end to end, against the raw bulk insert of the rows.

For each database (SQLite and PostgreSQL) and each file size (100,000 and 1,000,000 rows) it
measures, each in a fresh process so that peak memory is that of one run:

- **raw**: the same CSV streamed into an equivalent table with two secondary indexes — one
  ``executemany`` on SQLite, ``COPY … FROM STDIN`` on PostgreSQL. No validation, no upsert: the
  floor of what the database can take.
- **import**: ``cxloop import customers FILE`` through the real code path — sniffing, parsing,
  validating every cell, the bad-row report, the upsert by external id into an empty customer
  table with all its indexes, the ``ImportRun`` bookkeeping.
- **re-import** (100,000 rows, once): the same file again, where every row is unchanged.
- **direct** (once per size): the rows inserted straight into the real, empty customer table,
  with all of its indexes, constraints and foreign keys, in file order — no parsing, validation or
  upsert. It shows what the customer table itself costs on the machine at hand.

It prints rows/s (median of the repetitions), the ratio import/raw, the import's CPU time per row
and, when PostgreSQL runs on this machine, the server's (its backends and autovacuum workers in
the bench database, read from /proc while the import runs), the CPU-bound rate that CPU per row
allows on this machine's cores (on a shared machine it says more than the wall clock), and
memory — the peak resident set of each import process and, from one extra run per size under
``tracemalloc``, the peak of Python's own allocations — 100k beside 1M, to show that memory does
not grow with the file. The data is generated from a fixed seed: 0.1 % of the rows have a broken
email and land in the report.

    .venv/bin/python bench/import_customers.py                 # both databases, 100k ×3, 1M ×2
    .venv/bin/python bench/import_customers.py --databases sqlite --large-repeat 1

PostgreSQL comes from ``BENCH_IMPORT_DATABASE_URL`` (default
``postgres://postgres@127.0.0.1:5432/bench_import``); the database is created when missing and
its customer tables are emptied before each run, so never point it at real data. The generated
files and the SQLite databases go to ``var/bench-import/`` (``--workdir``).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/bench_import"
PG_URL_VARIABLE = "BENCH_IMPORT_DATABASE_URL"
SEED = 20261125

FIRST = [
    ("Олена", "olena"), ("Тарас", "taras"), ("Іван", "ivan"), ("Марія", "mariia"),
    ("Андрій", "andrii"), ("Оксана", "oksana"), ("Дмитро", "dmytro"), ("Наталія", "nataliia"),
    ("Сергей", "sergey"), ("Анна", "anna"), ("John", "john"), ("Emma", "emma"),
]  # fmt: skip
LAST = [
    ("Коваленко", "kovalenko"), ("Шевченко", "shevchenko"), ("Бондаренко", "bondarenko"),
    ("Ткаченко", "tkachenko"), ("Кравченко", "kravchenko"), ("Олійник", "oliinyk"),
    ("Иванов", "ivanov"), ("Смирнова", "smirnova"), ("Smith", "smith"), ("Brown", "brown"),
]  # fmt: skip
SEGMENTS = ["Батьки", "Студенти", "Колекціонери", "Вчителі", "Бізнес", ""]
CITIES = ["Київ", "Львів", "Одеса", "Харків", "Дніпро", "Вінниця"]
DOMAINS = ["ukr.net", "gmail.com", "i.ua", "meta.ua"]


def generate(path: Path, rows: int) -> None:
    """A deterministic customers file; every 1000th row has a broken email."""
    rng = random.Random(SEED)
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["id", "name", "email", "phone", "language", "segment", "consent", "city"])
        for i in range(1, rows + 1):
            first, first_latin = rng.choice(FIRST)
            last, last_latin = rng.choice(LAST)
            at = "(at)" if i % 1000 == 0 else "@"
            out.writerow(
                [
                    f"C{i:08d}",
                    f"{first} {last}",
                    f"{first_latin}.{last_latin}{i}{at}{rng.choice(DOMAINS)}",
                    f"+380 {rng.randint(50, 99)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
                    rng.choice(("uk", "uk", "uk", "ru", "en")),
                    rng.choice(SEGMENTS),
                    rng.choice(("так", "ні", "yes", "no", "")),
                    rng.choice(CITIES),
                ]
            )


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """CPU time of this process, all threads: with SQLite that includes the database's work."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- children: one measurement each ------------------------------------------------------------

RAW_COLUMNS = "external_id, name, email, phone, language, segment, consent, city"


def child_raw(database: str, file: Path) -> dict:
    started = time.perf_counter()
    if database.startswith("sqlite"):
        import sqlite3

        connection = sqlite3.connect(database.removeprefix("sqlite:///"))
        connection.executescript(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
            "DROP TABLE IF EXISTS bench_raw_customer;"
            "CREATE TABLE bench_raw_customer (id integer PRIMARY KEY, workspace_id integer NOT "
            "NULL, external_id varchar(100) NOT NULL, name varchar(200), email varchar(254), "
            "phone varchar(40), language varchar(8), segment varchar(120), consent varchar(8), "
            "city varchar(100));"
            "CREATE UNIQUE INDEX bench_raw_ext ON bench_raw_customer (workspace_id, external_id);"
            "CREATE INDEX bench_raw_email ON bench_raw_customer (workspace_id, email);"
        )
        started = time.perf_counter()
        with file.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            next(reader)
            with connection:
                connection.executemany(
                    f"INSERT INTO bench_raw_customer (workspace_id, {RAW_COLUMNS}) "  # noqa: S608
                    "VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)",
                    reader,
                )
        connection.close()
    else:
        import psycopg

        with psycopg.connect(database, autocommit=True) as connection:
            connection.execute(
                "DROP TABLE IF EXISTS bench_raw_customer;"
                "CREATE TABLE bench_raw_customer (id bigserial PRIMARY KEY, workspace_id bigint "
                "NOT NULL DEFAULT 1, external_id varchar(100) NOT NULL, name varchar(200), "
                "email varchar(254), phone varchar(40), language varchar(8), "
                "segment varchar(120), consent varchar(8), city varchar(100));"
                "CREATE UNIQUE INDEX bench_raw_ext ON bench_raw_customer "
                "(workspace_id, external_id);"
                "CREATE INDEX bench_raw_email ON bench_raw_customer (workspace_id, email);"
            )
            started = time.perf_counter()
            with (
                connection.transaction(),
                connection.cursor() as cursor,
                cursor.copy(
                    f"COPY bench_raw_customer ({RAW_COLUMNS}) FROM STDIN "
                    "WITH (FORMAT csv, HEADER true)"
                ) as copy,
                file.open("rb") as handle,
            ):
                while chunk := handle.read(1 << 20):
                    copy.write(chunk)
    return {"seconds": time.perf_counter() - started, "peak_rss_mb": peak_rss_mb()}


CEILING_COLUMNS = (
    "workspace_id, external_id, name, email, phone, language, attributes, consent_email, "
    "lifecycle_phase, stance, created_at"
)


def _customer_rows(file: Path, workspace_id: int, now: object):
    with file.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        for external_id, name, email, phone, language, *_rest in reader:
            yield (workspace_id, external_id, name, email, phone, language, "{}", False,
                   "prospect", "", now)  # fmt: skip


def child_ceiling(database: str, file: Path) -> dict:
    """The rows straight into the real, empty customer table — all its indexes, constraints and
    foreign keys — with no parsing, validation or upsert, in file order, one transaction: what a
    naive bulk insert of this table costs on this machine."""
    from datetime import UTC, datetime

    if database.startswith("sqlite"):
        import sqlite3

        connection = sqlite3.connect(database.removeprefix("sqlite:///"))
        connection.executescript(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            "INSERT INTO accounts_workspace (name, slug, default_language, created_at) "
            "VALUES ('Ceiling', 'ceiling', 'en', '2026-01-01 00:00:00');"
        )
        (workspace_id,) = connection.execute("SELECT max(id) FROM accounts_workspace").fetchone()
        started = time.perf_counter()
        with connection:
            connection.executemany(
                f"INSERT INTO customers_customer ({CEILING_COLUMNS}) "  # noqa: S608
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                _customer_rows(file, workspace_id, "2026-01-01 00:00:00"),
            )
        connection.close()
    else:
        import psycopg

        with psycopg.connect(database, autocommit=True) as connection:
            connection.execute("TRUNCATE customers_customer, customers_segment CASCADE")
            workspace_id = connection.execute(
                "INSERT INTO accounts_workspace (name, slug, default_language, created_at) "
                "VALUES ('Ceiling', 'ceiling', 'en', now()) ON CONFLICT (slug) DO UPDATE "
                "SET name = excluded.name RETURNING id"
            ).fetchone()[0]
            started = time.perf_counter()
            with (
                connection.transaction(),
                connection.cursor() as cursor,
                cursor.copy(f"COPY customers_customer ({CEILING_COLUMNS}) FROM STDIN") as copy,
            ):
                for row in _customer_rows(file, workspace_id, datetime.now(UTC)):
                    copy.write_row(row)
    return {"seconds": time.perf_counter() - started, "peak_rss_mb": peak_rss_mb()}


def child_import(database: str, file: Path, again: bool, trace: bool = False) -> dict:
    os.environ["CXLOOP_DATABASE_URL"] = database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxloop.settings")
    import django

    django.setup()
    from io import StringIO

    from django.core.management import call_command
    from django.db import connection

    from cxloop.accounts.models import Workspace

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE customers_customer, customers_segment, customers_importrun "
                "RESTART IDENTITY CASCADE"
            )
    workspace, _ = Workspace.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    report = file.with_suffix(".errors.csv")
    baseline = peak_rss_mb()  # Python, Django and every installed app, before the import
    if trace:
        tracemalloc.start()
    runs = []
    for _pass in range(2 if again else 1):
        out = StringIO()
        started, cpu = time.perf_counter(), cpu_seconds()
        call_command(
            "import", "customers", str(file), workspace="bench", no_progress=True,
            report=report, stdout=out,
        )  # fmt: skip
        runs.append((time.perf_counter() - started, cpu_seconds() - cpu, out.getvalue()))
    seconds, cpu, output = runs[-1]
    counts = {
        label: int(line.split()[-1].replace(",", ""))
        for line in output.splitlines()
        for label in ("created", "updated", "unchanged", "bad")
        if line.strip().startswith(label)
    }
    assert workspace.pk
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "peak_rss_mb": peak_rss_mb(),
        "baseline_rss_mb": baseline,
        "traced_peak_mb": tracemalloc.get_traced_memory()[1] / 2**20 if trace else None,
        **counts,
    }


# --- the parent: prepare, run children, print ---------------------------------------------------


def _server_cpu(database: str) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL process working in ``database`` (its backends and
    autovacuum workers), read from /proc: only when the server runs on this machine and its
    processes are readable; else nothing."""
    name = f" {database.rsplit('/', 1)[-1]}"
    tick = os.sysconf("SC_CLK_TCK")
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().rstrip()
            if command.startswith("postgres:") and (
                f"{name} " in command or command.endswith(name)
            ):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                found[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
        except (OSError, UnicodeDecodeError, IndexError, ValueError):
            continue
    return found


def run_child(*args: str) -> dict:
    """Run one measurement in a fresh process; for PostgreSQL also sum the server's CPU time
    for it (``server_cpu_seconds``, None when the server's processes cannot be read)."""
    command = [sys.executable, __file__, "--child", *args]
    database = args[1]
    watch = not database.startswith("sqlite")
    before = _server_cpu(database) if watch else {}
    seen = dict(before)
    child = subprocess.Popen(  # noqa: S603
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT
    )
    while watch and child.poll() is None:
        seen.update(_server_cpu(database))  # a backend's last reading before it exits
        time.sleep(0.2)
    stdout, stderr = child.communicate()
    if child.returncode:
        sys.exit(f"{' '.join(command)} failed:\n{stdout}\n{stderr}")
    result = json.loads(stdout.strip().splitlines()[-1])
    seen.update(_server_cpu(database) if watch else {})
    result["server_cpu_seconds"] = (
        sum(cpu - before.get(pid, 0.0) for pid, cpu in seen.items()) if seen else None
    )
    return result


def prepare_postgres(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not exists.fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')
    migrate(url)


def migrate(url: str) -> None:
    env = {**os.environ, "CXLOOP_DATABASE_URL": url}
    cxloop = str(Path(sys.executable).parent / "cxloop")
    subprocess.run([cxloop, "migrate", "-v0"], env=env, check=True)  # noqa: S603


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--small", type=int, default=100_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--small-repeat", type=int, default=3)
    parser.add_argument("--large-repeat", type=int, default=2)
    parser.add_argument(
        "--no-tracemalloc",
        dest="tracemalloc",
        action="store_false",
        help="Skip the extra, slower run per size that traces Python's own allocations.",
    )
    parser.add_argument("--workdir", type=Path, default=ROOT / "var" / "bench-import")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    options = parser.parse_args()

    if options.child:
        what, database, file, *rest = options.child
        if what == "raw":
            result = child_raw(database, Path(file))
        elif what == "ceiling":
            result = child_ceiling(database, Path(file))
        else:
            result = child_import(database, Path(file), "again" in rest, "trace" in rest)
        print(json.dumps(result))
        return

    work = options.workdir
    work.mkdir(parents=True, exist_ok=True)
    files = {}
    for rows in (options.small, options.large):
        files[rows] = work / f"customers_{rows}.csv"
        if not files[rows].exists():
            print(f"generating {files[rows]} …", flush=True)
            generate(files[rows], rows)

    results = []
    for database in options.databases.split(","):
        if database == "sqlite":
            template = work / "template.sqlite3"
            template.unlink(missing_ok=True)
            migrate(f"sqlite:///{template}")

            def fresh(template: Path = template) -> str:
                target = work / "run.sqlite3"
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{target}{suffix}").unlink(missing_ok=True)
                shutil.copy(template, target)
                return f"sqlite:///{target}"
        else:
            url = os.environ.get(PG_URL_VARIABLE, DEFAULT_PG)
            prepare_postgres(url)

            def fresh(url: str = url) -> str:
                return url

        for rows, repeat in ((options.small, options.small_repeat),
                             (options.large, options.large_repeat)):  # fmt: skip
            raw, imported = [], []
            for rep in range(repeat):
                raw.append(run_child("raw", fresh(), str(files[rows])))
                imported.append(run_child("import", fresh(), str(files[rows])))
                print(
                    f"{database:8} {rows:>9,} rows  rep {rep + 1}: raw "
                    f"{rows / raw[-1]['seconds']:>9,.0f} rows/s   import "
                    f"{rows / imported[-1]['seconds']:>9,.0f} rows/s  "
                    f"(created {imported[-1].get('created', 0):,}, bad "
                    f"{imported[-1].get('bad', 0):,}, peak {imported[-1]['peak_rss_mb']:.0f} MB, "
                    f"load {os.getloadavg()[0]:.1f})",
                    flush=True,
                )
            ceiling = run_child("ceiling", fresh(), str(files[rows]))
            again = None
            if rows == options.small:
                again = run_child("import", fresh(), str(files[rows]), "again")
            traced = None
            if options.tracemalloc:
                traced = run_child("import", fresh(), str(files[rows]), "trace")["traced_peak_mb"]
            results.append((database, rows, raw, imported, again, traced, ceiling))

    print()
    header = (
        f"{'database':9}{'rows':>10}{'raw rows/s':>13}{'import rows/s':>15}{'import/raw':>12}"
        f"{'CPU µs/row':>12}{'server µs/row':>15}{'CPU-bound rows/s':>18}{'peak MB':>9}"
        f"{'added MB':>10}{'re-import rows/s':>18}"
    )
    print(header)
    cores = os.cpu_count() or 1
    for database, rows, raw, imported, again, _traced, _ceiling in results:
        raw_rate = rows / statistics.median(r["seconds"] for r in raw)
        import_rate = rows / statistics.median(r["seconds"] for r in imported)
        peak = max(r["peak_rss_mb"] for r in imported)
        added = max(r["peak_rss_mb"] - r["baseline_rss_mb"] for r in imported)
        cpu = statistics.median(r["cpu_seconds"] for r in imported) / rows * 1e6
        server_runs = [r["server_cpu_seconds"] for r in imported]
        server = None if None in server_runs else statistics.median(server_runs) / rows * 1e6
        bound = cores / (cpu + (server or 0.0)) * 1e6
        reimport = f"{rows / again['seconds']:>18,.0f}" if again else ""
        print(
            f"{database:9}{rows:>10,}{raw_rate:>13,.0f}{import_rate:>15,.0f}"
            f"{import_rate / raw_rate:>12.2f}{cpu:>12.1f}"
            f"{'' if server is None else f'{server:.1f}':>15}{bound:>18,.0f}"
            f"{peak:>9.0f}{added:>10.0f}{reimport}"
        )
    if options.tracemalloc:
        print()
        print("Python's own allocations at their peak (tracemalloc, one extra run per size):")
        for database, rows, *_rest, traced, _ceiling in results:
            print(f"  {database:9}{rows:>10,} rows: {traced:6.1f} MB")
    print()
    print(
        "Direct insert: the same rows straight into the real, empty customer table (all its "
        "indexes, constraints and foreign keys), no parsing, validation or upsert; once:"
    )
    for database, rows, _raw, imported, *_rest, ceiling in results:
        import_rate = rows / statistics.median(r["seconds"] for r in imported)
        ceiling_rate = rows / ceiling["seconds"]
        print(
            f"  {database:9}{rows:>10,} rows: {ceiling_rate:>9,.0f} rows/s "
            f"(import/direct {import_rate / ceiling_rate:.2f})"
        )
    print()
    print(
        "rows/s: median of the repetitions. CPU µs/row: the import process's CPU time, all "
        "threads (SQLite's work included; PostgreSQL's server processes not). server µs/row: "
        "PostgreSQL's backends and autovacuum workers in the bench database, when the server "
        "runs here. CPU-bound rows/s: the cores divided by the CPU per row (client + server), what "
        "an otherwise idle machine could reach with every core busy; on a shared machine it says "
        "more than the wall-clock rate. Peak MB: largest "
        "resident set of one import process; added MB: of that, what the import added to the "
        "process as it was after loading Django — the batches in flight and, on SQLite, the "
        "page cache, which is capped at 128 MB."
    )
    load = os.getloadavg()
    print(f"{os.cpu_count()} CPUs, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}.")
    python = Path(sys.executable)
    python_shown = python.relative_to(ROOT) if python.is_relative_to(ROOT) else python
    print("Reproduce with:")
    print(f"  cd {ROOT} && {python_shown} bench/import_customers.py {' '.join(sys.argv[1:])}")


if __name__ == "__main__":
    main()
