"""Benchmark: `cxloop export experiences` as CSV and Parquet — speed and flat memory.

What it does: creates a fresh SQLite database in a temporary folder (or uses
``BENCH_DATABASE_URL``, which it empties: never point it at real data), generates one workspace
with ``n/5`` customers and ``n`` experiences (fixed seed, Cyrillic texts, a third analysed with
topics), then exports the whole experiences dataset — the widest one, with the text's emotion and
topics joined per chunk — to CSV and to Parquet, ``--runs`` times each at every size.

Memory: after the timed runs, one more run traces Python's allocations (``tracemalloc`` peak
during the export; not timed, tracing slows Python down) and Arrow's own buffers are read from
its memory pool (``max_memory``, the pool's high-water mark for the process). Flat memory means
both stay the same from the smaller size to the larger one.

    .venv/bin/python bench/export.py                      # 20,000 and 200,000 experiences
    .venv/bin/python bench/export.py --sizes 1000 --runs 1    # a quick dry run
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = Path(tempfile.mkdtemp(prefix="cxloop-bench-export-"))
os.environ["CXLOOP_VAR_DIR"] = str(WORK)
os.environ["CXLOOP_DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", "")
os.environ["CXLOOP_ENV"] = "local"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxloop.settings")
sys.path.insert(0, str(ROOT / "src"))

import django  # noqa: E402

django.setup()

import pyarrow as pa  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from cxloop.accounts.models import Workspace  # noqa: E402
from cxloop.analytics.export import DATASETS, write_csv, write_parquet  # noqa: E402
from cxloop.core.scoping import bind_workspace  # noqa: E402
from cxloop.customers.models import Customer  # noqa: E402
from cxloop.experiences.models import Experience  # noqa: E402
from cxloop.insights.models import ExperienceAnalysis, Topic  # noqa: E402

TEXTS = [
    "Кур'єр запізнився на дві години, ніхто не попередив",
    "Книжки прийшли цілі, упаковка гарна — дякую!",
    "Курьер приехал вовремя, всё отлично",
    "=SUM(A1:A9) the site would not take my card",
    "Fast delivery, thank you",
]


def generate(n: int) -> Workspace:
    rng = random.Random(20261126)
    Workspace.objects.filter(slug="bench-export").delete()
    workspace = Workspace.objects.create(name="Bench export", slug="bench-export")
    start = datetime(2025, 1, 1, tzinfo=UTC)
    with bind_workspace(workspace):
        topics = [Topic.objects.create(key=k, name=k) for k in ("delivery", "price", "site")]
        Customer.objects.bulk_create(
            (
                Customer(external_id=f"C-{i:07d}", name=f"Клієнт {i}", language="uk")
                for i in range(max(n // 5, 1))
            ),
            batch_size=5000,
        )
        ids = list(Customer.objects.values_list("pk", flat=True))
        batch = []
        for i in range(n):
            score = rng.randint(0, 10)
            outcome = "below" if score <= 6 else ("met" if score <= 8 else "exceeded")
            emotion = {"below": "negative", "met": "ok", "exceeded": "wow"}[outcome]
            batch.append(
                Experience(
                    customer_id=rng.choice(ids),
                    occurred_at=start + timedelta(minutes=i),
                    source="survey",
                    scale="nps",
                    score=score,
                    outcome=outcome,
                    emotion=emotion,
                    text=rng.choice(TEXTS),
                    language="uk",
                )
            )
            if len(batch) == 5000:
                Experience.objects.bulk_create(batch)
                batch = []
        Experience.objects.bulk_create(batch)
        analysed = list(Experience.objects.values_list("pk", flat=True)[::3])
        ExperienceAnalysis.objects.bulk_create(
            (
                ExperienceAnalysis(
                    experience_id=pk,
                    language="uk",
                    emotion="negative",
                    confidence=0.9,
                    classifier="bench",
                    analysed_at=start,
                )
                for pk in analysed
            ),
            batch_size=5000,
        )
        through = ExperienceAnalysis.topics.through
        analyses = ExperienceAnalysis.objects.values_list("pk", flat=True)
        through.objects.bulk_create(
            (
                through(experienceanalysis_id=pk, topic_id=topics[pk % 3].pk)
                for pk in analyses.iterator()
            ),
            batch_size=5000,
        )
    return workspace


def measure(
    workspace: Workspace, file_format: str, path: Path, traced: bool
) -> tuple[float, int, int, int]:
    """One export: seconds, rows, Python's peak (when traced) and Arrow's peak bytes."""
    dataset = DATASETS["experiences"]
    pool = pa.default_memory_pool()
    arrow_before = pool.max_memory() or 0
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    with bind_workspace(workspace):
        rows = dataset.rows()
        if file_format == "csv":
            with open(path, "w", encoding="utf-8", newline="") as target:
                count = write_csv(dataset.columns, rows, target)
        else:
            count = write_parquet(dataset.columns, rows, str(path))
    seconds = time.perf_counter() - started
    peak = 0
    if traced:
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return seconds, count, peak, max((pool.max_memory() or 0) - arrow_before, 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 200_000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}; pyarrow {pa.__version__}; work folder {WORK}")
    print("| experiences | format | median s | rows/s | file MB | Python peak MB | Arrow peak MB |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for n in args.sizes:
        workspace = generate(n)
        for file_format in ("csv", "parquet"):
            path = WORK / f"experiences-{n}.{file_format}"
            runs = [measure(workspace, file_format, path, False) for _ in range(args.runs)]
            traced = measure(workspace, file_format, path, True)  # slower: memory only
            median = statistics.median(r[0] for r in runs)
            count = runs[0][1]
            print(
                f"| {count:,} | {file_format} | {median:.2f} | {count / median:,.0f} | "
                f"{path.stat().st_size / 1e6:.1f} | {traced[2] / 1e6:.1f} | "
                f"{max(r[3] for r in [*runs, traced]) / 1e6:.1f} |"
            )
    print(f"command: .venv/bin/python bench/export.py --sizes {' '.join(map(str, args.sizes))}")


if __name__ == "__main__":
    main()
