"""Speed of an improvement's effect and of the weekly grid as the data grows.

Generates one workspace with a touchpoint and ``--experiences`` experiences spread over the 12
weeks around one improvement's ship date (bulk inserts), plus ``--improvements`` shipped
improvements over 20 processes and the last year, then times, as medians of ``--repeat`` runs
after one warm-up:

- **effect**: ``effects.measure`` (two grouped queries + the tests) for 6 weeks before and after;
- **grid**: ``grid.build_grid`` for the last 12 weeks with the departments' streaks.

Never the dev database: a fresh SQLite file in ``var/bench-loop/`` (or
``BENCH_LOOP_DATABASE_URL``, e.g. a PostgreSQL database this script may fill).

    .venv/bin/python bench/loop_improvements.py [--experiences 100000] [--improvements 1000] \\
        [--repeat 7]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKDIR = ROOT / "var" / "bench-loop"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--experiences", type=int, default=100_000)
    parser.add_argument("--improvements", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    WORKDIR.mkdir(parents=True, exist_ok=True)
    database = os.environ.get("BENCH_LOOP_DATABASE_URL")
    if not database:
        path = WORKDIR / "bench.sqlite3"
        path.unlink(missing_ok=True)
        database = f"sqlite:///{path}"
    os.environ["CXLOOP_DATABASE_URL"] = database
    os.environ.setdefault("CXLOOP_VAR_DIR", str(WORKDIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxloop.settings")
    sys.path.insert(0, str(ROOT / "src"))

    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from cxloop.accounts.models import Department, Workspace
    from cxloop.core.scoping import bind_workspace
    from cxloop.experiences.models import Experience
    from cxloop.journeys.models import Journey, Stage, Touchpoint
    from cxloop.loop import effects, grid, improvements
    from cxloop.loop.models import Improvement, Process

    call_command("migrate", verbosity=0)
    rng = random.Random(7)
    Workspace.objects.filter(slug="bench-loop").delete()
    workspace = Workspace.objects.create(name="Bench", slug="bench-loop")
    today = timezone.localdate()
    ship = today - timedelta(weeks=7)
    started = time.perf_counter()
    with bind_workspace(workspace):
        department = Department.objects.create(name="Warehouse")
        journey = Journey.objects.create(name="Purchase")
        stage = Stage.objects.create(journey=journey, name="Delivery", position=1)
        touchpoint = Touchpoint.objects.create(stage=stage, name="Packaging", channel="package")
        processes = [
            improvements.add_process(f"Process {n}", department=department) for n in range(20)
        ]
        start = timezone.now() - timedelta(weeks=13)
        batch = []
        for n in range(args.experiences):
            at = start + timedelta(seconds=rng.uniform(0, 13 * 7 * 86400))
            after = at.date() >= ship
            negative = rng.random() < (0.1 if after else 0.2)
            score = rng.randint(0, 6) if negative else rng.randint(7, 10)
            batch.append(
                Experience(
                    touchpoint=touchpoint,
                    occurred_at=at,
                    source="survey",
                    score=score,
                    scale="nps",
                    outcome="below" if negative else "met",
                    emotion="negative" if negative else "ok",
                )
            )
            if len(batch) == 5000 or n == args.experiences - 1:
                Experience.objects.bulk_create(batch)
                batch = []
        rows = [
            Improvement(
                title=f"Change {n}",
                process=processes[n % 20],
                department=department,
                status="shipped",
                shipped_on=today - timedelta(days=rng.randint(0, 364)),
            )
            for n in range(args.improvements)
        ]
        Improvement.objects.bulk_create(rows)
        measured = improvements.create_improvement(
            title="Measured", process=processes[0], touchpoint=touchpoint
        )
        Improvement.objects.filter(pk=measured.pk).update(status="shipped", shipped_on=ship)
        measured.refresh_from_db()
        Process.objects.count()
    print(f"generated in {time.perf_counter() - started:.1f} s: {args.experiences} experiences")

    def timed(action) -> float:
        action()  # warm-up
        runs = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            action()
            runs.append(time.perf_counter() - t)
        return 1000 * statistics.median(runs)

    with bind_workspace(workspace):
        effect = effects.measure(measured)
        share = next(c for c in effect.comparisons if c.key == "negative_share")
        print(
            f"effect: {effect.before.experiences} → {effect.after.experiences} experiences, "
            f"share negative {share.before:.1f}% → {share.after:.1f}%, "
            f"p = {share.result.p_value:.2g}"
        )
        effect_ms = timed(lambda: effects.measure(measured))
        grid_ms = timed(lambda: grid.build_grid())
    engine = database.split(":", 1)[0]
    print(f"engine {engine}, medians of {args.repeat} runs:")
    print(f"  effect of one improvement ({args.experiences} experiences): {effect_ms:.0f} ms")
    print(f"  weekly grid (20 processes, {args.improvements} improvements): {grid_ms:.0f} ms")
    print("command: .venv/bin/python bench/loop_improvements.py " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()
