"""Maintaining the daily rollups: recompute whole (workspace, day) buckets from the raw ledger.

Why recompute instead of adding +1/−1: a bucket rebuilt from the raw rows in one
``DELETE`` + ``INSERT … SELECT … GROUP BY`` is exactly what a raw-row query would say, whatever
happened to those rows (an insert, an edit, a delete, a customer moved to another segment), and
running it twice changes nothing. A day of a shop with 10 million answers is ~15 thousand rows, a
few tens of milliseconds.

A single new answer does not recompute its day: :func:`add_experience` appends one *delta row*
(that answer's counts under its keys) to each rollup, in the recording transaction, without
waiting on anyone. Every reader sums rows per key, so a day's bucket may be several rows and still
says exactly what the raw rows say. A background task later compacts the day
(:func:`recompute_days`) back to one row per key; until it runs, nothing is wrong, only a little
larger. Recomputing a busy day per answer cost 64 ms at 1,000 answers that day and 371 ms at
100,000, under a workspace-wide lock held to commit: every survey answer of a workspace queued
behind it.

Concurrency: appending takes a *shared* advisory lock on the workspace (PostgreSQL), which never
waits for another append; a recompute takes it *exclusively*, so it starts only after every
in-flight append has committed or rolled back and sees all of their raw rows and delta rows
(READ COMMITTED), and no append interleaves between its ``DELETE`` and its ``INSERT … SELECT``.
SQLite has one writer anyway.

Days are the workspace's dates in ``settings.TIME_ZONE``. All dialect-specific SQL of analytics
lives here: the local date of a timestamp (``LocalDate``) and the lock.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Func, Q, Sum, Value
from django.db.models.fields import DateField
from django.db.models.functions import Coalesce, TruncDate, TruncMonth, TruncWeek

from cxloop.customers.models import Customer
from cxloop.experiences.models import Experience
from cxloop.experiences.scoring import Emotion, Outcome, Scale

from .models import MEASURES, ExperienceDay, ExperienceDaySegment, ExperienceDayTouchpoint

DERIVED = (ExperienceDayTouchpoint, ExperienceDaySegment)  # sums of ExperienceDay

LOCK_CLASS = 0x43584C52  # "CXLR": the advisory-lock namespace of rollup maintenance
MAX_RUNS = 50  # more separate runs of days than this: recompute the whole span at once


@cache
def zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def day_of(moment: datetime) -> date:
    """The workspace date of a moment."""
    return moment.astimezone(zone()).date()


def day_start(day: date) -> datetime:
    """The first moment of a workspace date (DST-aware)."""
    return datetime.combine(day, time.min, tzinfo=zone())


# --- dialect-specific SQL ---------------------------------------------------------------------


def _offsets(lo: datetime, hi: datetime) -> list[tuple[datetime | None, int]]:
    """The UTC offset (seconds) of the zone over [lo, hi): [(until_utc, offset), …, (None, last)].

    Found day by day and bisected to the second, so any zone's DST rules work.
    """
    tz = zone()

    def offset(moment: datetime) -> int:
        return int(moment.astimezone(tz).utcoffset().total_seconds())

    lo_utc = lo.astimezone(ZoneInfo("UTC")) - timedelta(days=1)
    hi_utc = hi.astimezone(ZoneInfo("UTC")) + timedelta(days=1)
    spans: list[tuple[datetime | None, int]] = []
    current = offset(lo_utc)
    cursor = lo_utc
    while cursor < hi_utc:
        step = cursor + timedelta(days=1)
        if offset(step) != current:
            a, b = cursor, step  # offset(a) == current != offset(b)
            while (b - a) > timedelta(seconds=1):
                mid = a + (b - a) / 2
                if offset(mid) == current:
                    a = mid
                else:
                    b = mid
            b = b.replace(microsecond=0)
            spans.append((b, current))
            current = offset(b)
        cursor = step
    spans.append((None, current))
    return spans


class LocalDate(Func):
    """The workspace date of a timestamp column, computed inside the database.

    PostgreSQL: ``(ts AT TIME ZONE 'Europe/Kyiv')::date``. SQLite stores UTC text and has no zone
    database, so the offsets in force over the span [lo, hi) are spelled out in a ``CASE``
    (two DST changes a year), which keeps a rebuild of millions of rows in plain SQL instead of a
    Python function per row.
    """

    output_field = DateField()

    def __init__(self, expression: object, lo: datetime, hi: datetime) -> None:
        super().__init__(expression)
        self.lo, self.hi = lo, hi

    def as_postgresql(self, compiler, connection, **extra):
        inner, params = compiler.compile(self.source_expressions[0])
        return f"(({inner}) AT TIME ZONE %s)::date", [*params, settings.TIME_ZONE]

    def as_sqlite(self, compiler, connection, **extra):
        inner, params = compiler.compile(self.source_expressions[0])
        spans = _offsets(self.lo, self.hi)
        if len(spans) == 1:
            return f"date({inner}, %s)", [*params, f"{spans[0][1]:+d} seconds"]
        cases, case_params = [], []
        for until, seconds in spans[:-1]:
            cases.append(f"WHEN {inner} < %s THEN %s")
            case_params += [*params, until.strftime("%Y-%m-%d %H:%M:%S"), f"{seconds:+d} seconds"]
        sql = f"date({inner}, CASE {' '.join(cases)} ELSE %s END)"
        return sql, [*params, *case_params, f"{spans[-1][1]:+d} seconds"]

    def as_sql(self, compiler, connection, **extra):
        return compiler.compile(TruncDate(self.source_expressions[0], tzinfo=zone()))


class PeriodStart(Func):
    """The first day of the week (Monday) or month of a date column, inside the database.

    PostgreSQL: ``date_trunc``; SQLite: ``date(d, 'weekday 0', '-6 days')`` (the Sunday on or
    after the day, minus six) and ``date(d, 'start of month')``: no Python function per row.
    """

    output_field = DateField()

    def __init__(self, expression: object, grain: str) -> None:
        if grain not in {"week", "month"}:
            raise ValueError(f"Unknown grain {grain!r}; use week or month.")
        super().__init__(expression)
        self.grain = grain

    def as_postgresql(self, compiler, connection, **extra):
        inner, params = compiler.compile(self.source_expressions[0])
        return f"date_trunc('{self.grain}', ({inner})::timestamp)::date", params

    def as_sqlite(self, compiler, connection, **extra):
        inner, params = compiler.compile(self.source_expressions[0])
        if self.grain == "week":
            return f"date({inner}, 'weekday 0', '-6 days')", params
        return f"date({inner}, 'start of month')", params

    def as_sql(self, compiler, connection, **extra):
        truncate = TruncWeek if self.grain == "week" else TruncMonth
        return compiler.compile(truncate(self.source_expressions[0], output_field=DateField()))


def _lock(workspace_id: int, *, shared: bool = False) -> None:
    """Hold the workspace's rollup lock until the transaction ends: shared to append a delta
    row (appends never wait for each other), exclusive to recompute days."""
    if connection.vendor == "postgresql":
        function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {function}(%s, %s)", [LOCK_CLASS, workspace_id])


# --- the measures of one bucket, from raw rows ------------------------------------------------


def _measures() -> dict[str, object]:
    nps = Q(scale=Scale.NPS, score__isnull=False)
    csat = Q(scale=Scale.CSAT, score__isnull=False)
    ces = Q(scale=Scale.CES, score__isnull=False)
    return {
        "answers": Count("id"),
        "below": Count("id", filter=Q(outcome=Outcome.BELOW)),
        "met": Count("id", filter=Q(outcome=Outcome.MET)),
        "exceeded": Count("id", filter=Q(outcome=Outcome.EXCEEDED)),
        "negative": Count("id", filter=Q(emotion=Emotion.NEGATIVE)),
        "ok": Count("id", filter=Q(emotion=Emotion.OK)),
        "wow": Count("id", filter=Q(emotion=Emotion.WOW)),
        "nps_n": Count("id", filter=nps),
        "nps_promoters": Count("id", filter=nps & Q(score__gte=9)),
        "nps_detractors": Count("id", filter=nps & Q(score__lte=6)),
        "csat_n": Count("id", filter=csat),
        "csat_satisfied": Count("id", filter=csat & Q(score__gte=4)),
        "ces_n": Count("id", filter=ces),
        "ces_sum": Coalesce(Sum("score", filter=ces), Value(0)),
        "ces_sum_sq": Coalesce(Sum(F("score") * F("score"), filter=ces), Value(0)),
        "ces_easy": Count("id", filter=ces & Q(score__gte=5)),
    }


FINE_KEYS = ["day", "touchpoint_id", "segment_id", "language", "source"]


def _fill_fine(workspace_id: int, lo: datetime, hi: datetime) -> int:
    raw = (
        Experience.unscoped.filter(
            workspace_id=workspace_id, occurred_at__gte=lo, occurred_at__lt=hi
        )
        .values(
            k_day=LocalDate("occurred_at", lo, hi),
            k_tp=F("touchpoint_id"),
            k_seg=F("customer__segment_id"),
            k_lang=F("language"),
            k_src=F("source"),
        )
        .annotate(**{f"m_{name}": aggregate for name, aggregate in _measures().items()})
        .order_by()
    )
    columns = ["workspace_id", *FINE_KEYS, *MEASURES]
    aliases = ["k_day", "k_tp", "k_seg", "k_lang", "k_src", *(f"m_{m}" for m in MEASURES)]
    return _insert_select_aliased(ExperienceDay, columns, aliases, raw, workspace_id)


def _fill_coarse(workspace_id: int, first: date | None, last: date | None) -> int:
    fine = ExperienceDay.unscoped.filter(workspace_id=workspace_id)
    if first is not None:
        fine = fine.filter(day__gte=first, day__lte=last)
    grouped = (
        fine.values(k_day=F("day"), k_tp=F("touchpoint_id"))
        .annotate(**{f"m_{m}": Sum(m) for m in MEASURES})
        .order_by()
    )
    columns = ["workspace_id", "day", "touchpoint_id", *MEASURES]
    aliases = ["k_day", "k_tp", *(f"m_{m}" for m in MEASURES)]
    return _insert_select_aliased(ExperienceDayTouchpoint, columns, aliases, grouped, workspace_id)


def _fill_segment(workspace_id: int, first: date | None, last: date | None) -> int:
    fine = ExperienceDay.unscoped.filter(workspace_id=workspace_id)
    if first is not None:
        fine = fine.filter(day__gte=first, day__lte=last)
    grouped = (
        fine.values(k_day=F("day"), k_seg=F("segment_id"))
        .annotate(**{f"m_{m}": Sum(m) for m in MEASURES})
        .order_by()
    )
    columns = ["workspace_id", "day", "segment_id", *MEASURES]
    aliases = ["k_day", "k_seg", *(f"m_{m}" for m in MEASURES)]
    return _insert_select_aliased(ExperienceDaySegment, columns, aliases, grouped, workspace_id)


def _analyze() -> None:
    """Fresh planner statistics after a bulk change (PostgreSQL; SQLite plans these alike)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (*DERIVED, ExperienceDay):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _insert_select_aliased(
    model: type, columns: list[str], aliases: list[str], queryset: object, workspace_id: int
) -> int:
    sql, params = queryset.query.sql_with_params()  # type: ignore[attr-defined]
    quote = connection.ops.quote_name
    # Names come from the models, values go as parameters.
    target = f"{quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)})"
    picked = ", ".join(f"sub.{quote(a)}" for a in aliases)
    statement = f"INSERT INTO {target} SELECT %s, {picked} FROM ({sql}) sub"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(statement, [workspace_id, *params])
        return cursor.rowcount


# --- entry points (called by services.py) -----------------------------------------------------


def _runs(days: list[date]) -> list[tuple[date, date]]:
    runs: list[tuple[date, date]] = []
    for day in days:
        if runs and day - runs[-1][1] <= timedelta(days=1):
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    if len(runs) > MAX_RUNS:
        return [(days[0], days[-1])]
    return runs


def delta_measures(experience: Experience) -> dict[str, int]:
    """One experience's contribution to every measure: :func:`_measures` for a single row."""
    score, scale = experience.score, experience.scale
    nps = scale == Scale.NPS and score is not None
    csat = scale == Scale.CSAT and score is not None
    ces = scale == Scale.CES and score is not None
    return {
        "answers": 1,
        "below": int(experience.outcome == Outcome.BELOW),
        "met": int(experience.outcome == Outcome.MET),
        "exceeded": int(experience.outcome == Outcome.EXCEEDED),
        "negative": int(experience.emotion == Emotion.NEGATIVE),
        "ok": int(experience.emotion == Emotion.OK),
        "wow": int(experience.emotion == Emotion.WOW),
        "nps_n": int(nps),
        "nps_promoters": int(nps and score >= 9),
        "nps_detractors": int(nps and score <= 6),
        "csat_n": int(csat),
        "csat_satisfied": int(csat and score >= 4),
        "ces_n": int(ces),
        "ces_sum": score if ces else 0,
        "ces_sum_sq": score * score if ces else 0,
        "ces_easy": int(ces and score >= 5),
    }


def add_experience(experience: Experience) -> date:
    """Append the delta rows of one new experience (the caller's transaction); returns its day.

    The fine and segment rows carry the customer's current segment (None for an anonymous
    signal), read in the same transaction, as :func:`_fill_fine` would join it. On PostgreSQL
    the shared lock, the segment and the three rows are one statement: one round trip per answer
    instead of five.
    """
    workspace_id = experience.workspace_id
    day = day_of(experience.occurred_at)
    counts = delta_measures(experience)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                _append_sql(),
                [
                    LOCK_CLASS,
                    workspace_id,
                    workspace_id,
                    day,
                    *counts.values(),
                    experience.touchpoint_id,
                    experience.customer_id,
                    experience.language,
                    experience.source,
                ],
            )
        return day
    segment_id = None
    if experience.customer_id is not None:
        segment_id = (
            Customer.unscoped.filter(pk=experience.customer_id)
            .values_list("segment_id", flat=True)
            .first()
        )
    _lock(workspace_id, shared=True)
    common = {"workspace_id": workspace_id, "day": day, **counts}
    ExperienceDay.unscoped.create(
        **common,
        touchpoint_id=experience.touchpoint_id,
        segment_id=segment_id,
        language=experience.language,
        source=experience.source,
    )
    ExperienceDayTouchpoint.unscoped.create(**common, touchpoint_id=experience.touchpoint_id)
    ExperienceDaySegment.unscoped.create(**common, segment_id=segment_id)
    return day


@cache
def _append_sql() -> str:
    """PostgreSQL: take the shared lock, read the segment, insert the three delta rows.

    The values are given once (``delta``), each cast to its column's type (a NULL touchpoint would
    otherwise be text), and are fewer than psycopg's 50, so it parses the statement once per
    process. ``delta`` reads ``lock``, so the lock is taken before any insert.
    """
    quote = connection.ops.quote_name
    fields = {f.column: f for f in ExperienceDay._meta.concrete_fields}

    def cast(column: str) -> str:
        # Text for text: an explicit cast to varchar(n) would cut a long value instead of failing.
        kind = fields[column].cast_db_type(connection)
        return "text" if kind.startswith("varchar") else kind

    customers = quote(Customer._meta.db_table)
    segment = f"(SELECT segment_id FROM {customers} WHERE id = %s::bigint)"  # noqa: S608
    given = [f"%s::{cast(c)} AS {quote(c)}" for c in ["workspace_id", "day", *MEASURES]]
    given += [
        f"%s::{cast('touchpoint_id')} AS touchpoint_id",
        f"{segment} AS segment_id",
        f"%s::text AS {quote('language')}",
        f"%s::text AS {quote('source')}",
    ]

    def insert(model: type, keys: list[str]) -> str:
        names = ", ".join(quote(c) for c in ["workspace_id", "day", *MEASURES, *keys])
        return f"INSERT INTO {quote(model._meta.db_table)} ({names}) SELECT {names} FROM delta"  # noqa: S608

    fine = insert(ExperienceDay, ["touchpoint_id", "segment_id", "language", "source"])
    coarse = insert(ExperienceDayTouchpoint, ["touchpoint_id"])
    by_segment = insert(ExperienceDaySegment, ["segment_id"])
    return (
        "WITH lock AS MATERIALIZED (SELECT pg_advisory_xact_lock_shared(%s, %s)), "  # noqa: S608
        f"delta AS MATERIALIZED (SELECT {', '.join(given)} FROM lock), "
        f"fine AS ({fine}), coarse AS ({coarse}) {by_segment}"
    )


def recompute_days(workspace_id: int, days: Iterable[date]) -> None:
    """Rebuild the rollup rows of these workspace days from the raw experiences."""
    ordered = sorted(set(days))
    if not ordered:
        return
    with transaction.atomic():
        _lock(workspace_id)
        for first, last in _runs(ordered):
            ExperienceDay.unscoped.filter(
                workspace_id=workspace_id, day__gte=first, day__lte=last
            ).delete()
            for model in DERIVED:
                model.unscoped.filter(
                    workspace_id=workspace_id, day__gte=first, day__lte=last
                ).delete()
            _fill_fine(workspace_id, day_start(first), day_start(last + timedelta(days=1)))
            _fill_coarse(workspace_id, first, last)
            _fill_segment(workspace_id, first, last)


def rebuild_workspace(workspace_id: int) -> int:
    """Drop and rebuild every rollup row of a workspace; returns the fine rows written."""
    with transaction.atomic():
        _lock(workspace_id)
        ExperienceDay.unscoped.filter(workspace_id=workspace_id).delete()
        for model in DERIVED:
            model.unscoped.filter(workspace_id=workspace_id).delete()
        span = Experience.unscoped.filter(workspace_id=workspace_id).order_by("occurred_at")
        first = span.values_list("occurred_at", flat=True).first()
        last = span.reverse().values_list("occurred_at", flat=True).first()
        if first is None:
            return 0
        lo = day_start(day_of(first))
        hi = day_start(day_of(last) + timedelta(days=1))
        written = _fill_fine(workspace_id, lo, hi)
        _fill_coarse(workspace_id, None, None)
        _fill_segment(workspace_id, None, None)
        _analyze()
        return written


def days_of_customers(workspace_id: int, customer_ids: Iterable[int]) -> set[date]:
    """The workspace days on which these customers have experiences (set-based, chunked)."""
    ids = list(customer_ids)
    days: set[date] = set()
    for start in range(0, len(ids), 2000):
        chunk = ids[start : start + 2000]
        rows = Experience.unscoped.filter(workspace_id=workspace_id, customer_id__in=chunk)
        span = rows.order_by("occurred_at").values_list("occurred_at", flat=True)
        first, last = span.first(), span.reverse().first()
        if first is None:
            continue
        lo, hi = day_start(day_of(first)), day_start(day_of(last) + timedelta(days=1))
        days.update(
            rows.annotate(d=LocalDate("occurred_at", lo, hi))
            .values_list("d", flat=True)
            .order_by()
            .distinct()
        )
    return {date.fromisoformat(d) if isinstance(d, str) else d for d in days}
