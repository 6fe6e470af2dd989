"""The daily rollups say exactly what the raw experiences say, after every kind of change.

Each check computes the metrics twice: through the selectors (which read only the rollups) and
by hand in Python from the raw ``Experience`` rows, with the local date taken by ``zoneinfo``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest

from cxloop.analytics import selectors, services
from cxloop.analytics.models import (
    MEASURES,
    ExperienceDay,
    ExperienceDaySegment,
    ExperienceDayTouchpoint,
)
from cxloop.analytics.rollups import _offsets, day_start
from cxloop.analytics.selectors import Slice
from cxloop.customers.models import Customer, Segment
from cxloop.customers.services import CustomerInput, upsert_customers
from cxloop.experiences.models import Experience
from cxloop.experiences.services import record_experience
from cxloop.journeys.models import Touchpoint
from tests.factories import CustomerFactory, SegmentFactory, TouchpointFactory

KYIV = ZoneInfo("Europe/Kyiv")
# Spring DST change in Kyiv: 2026-03-29 03:00 local (01:00 UTC) becomes 04:00.
AROUND_DST = [
    datetime(2026, 3, 28, 21, 59, tzinfo=UTC),  # 23:59 on the 28th in Kyiv (UTC+2)
    datetime(2026, 3, 28, 22, 0, tzinfo=UTC),  # 00:00 on the 29th
    datetime(2026, 3, 29, 0, 59, tzinfo=UTC),  # 02:59, before the change
    datetime(2026, 3, 29, 1, 0, tzinfo=UTC),  # 04:00, after it (UTC+3)
    datetime(2026, 3, 29, 20, 59, tzinfo=UTC),  # 23:59 on the 29th
    datetime(2026, 3, 29, 21, 0, tzinfo=UTC),  # 00:00 on the 30th
]
WHOLE = Slice(date(2026, 1, 1), date(2027, 1, 1))


def _raw_metric(metric: str, rows: list[Experience]) -> tuple[float | None, int]:
    """The metric by its textbook formula, straight from raw rows."""
    scored = {
        "nps": [r.score for r in rows if r.scale == "nps" and r.score is not None],
        "csat": [r.score for r in rows if r.scale == "csat" and r.score is not None],
        "ces": [r.score for r in rows if r.scale == "ces" and r.score is not None],
    }
    if metric == "nps":
        s = scored["nps"]
        return (
            (100 * (sum(x >= 9 for x in s) - sum(x <= 6 for x in s)) / len(s) if s else None),
            len(s),
        )
    if metric == "csat":
        s = scored["csat"]
        return (100 * sum(x >= 4 for x in s) / len(s) if s else None), len(s)
    if metric == "ces":
        s = scored["ces"]
        return (sum(s) / len(s) if s else None), len(s)
    if metric == "ces_easy":
        s = scored["ces"]
        return (100 * sum(x >= 5 for x in s) / len(s) if s else None), len(s)
    if metric == "wow_rate":
        return (
            100 * sum(r.outcome == "exceeded" for r in rows) / len(rows) if rows else None
        ), len(rows)
    if metric == "negative_share":
        return (
            100 * sum(r.emotion == "negative" for r in rows) / len(rows) if rows else None
        ), len(rows)
    raise AssertionError(metric)


LEDGER_METRICS = ["nps", "csat", "ces", "ces_easy", "wow_rate", "negative_share"]


def _raw_rows(slice: Slice) -> list[Experience]:
    rows = []
    for row in Experience.objects.select_related("customer", "touchpoint"):
        day = row.occurred_at.astimezone(KYIV).date()
        if not slice.start <= day < slice.end:
            continue
        values = {
            "segment": row.customer.segment_id if row.customer else None,
            "channel": row.touchpoint.channel if row.touchpoint else None,
            "touchpoint": row.touchpoint_id,
            "stage": row.touchpoint.stage_id if row.touchpoint else None,
            "department": row.touchpoint.owner_department_id if row.touchpoint else None,
            "language": row.language,
            "source": row.source,
        }
        if all(values[k] == v for k, v in slice.filters.items()):
            rows.append(row)
    return rows


def _assert_consistent(slice: Slice = WHOLE) -> None:
    rows = _raw_rows(slice)
    for metric in LEDGER_METRICS:
        expected, n = _raw_metric(metric, rows)
        got = selectors.metric_value(metric, slice)
        assert got.n == n, (metric, slice)
        assert got.value == pytest.approx(expected), (metric, slice)
    # by day, with the day as Kyiv sees it
    by_day: dict[date, list[Experience]] = {}
    for row in rows:
        by_day.setdefault(row.occurred_at.astimezone(KYIV).date(), []).append(row)
    series = dict(selectors.metric_series("wow_rate", slice, "day"))
    for day, value in series.items():
        expected, n = _raw_metric("wow_rate", by_day.get(day, []))
        assert (value.n, value.value) == (n, pytest.approx(expected)), day
    # and by every dimension
    for dimension in selectors.DIMENSIONS:
        groups: dict[object, list[Experience]] = {}
        for row in rows:
            key = _dimension_value(row, dimension)
            groups.setdefault("" if key is None else key, []).append(row)
        got = {key: value for _, key, value in selectors.metric_by("nps", slice, dimension)}
        expected = {
            key: _raw_metric("nps", members)
            for key, members in groups.items()
            if _raw_metric("nps", members)[1]
        }
        assert {k: v.n for k, v in got.items()} == {k: n for k, (_, n) in expected.items()}
        for key, (value, _) in expected.items():
            assert got[key].value == pytest.approx(value), (dimension, key)


def _dimension_value(row: Experience, dimension: str) -> object:
    tp = row.touchpoint
    return {
        "segment": row.customer.segment_id if row.customer else None,
        "channel": tp.channel if tp else None,
        "touchpoint": row.touchpoint_id,
        "stage": tp.stage_id if tp else None,
        "department": tp.owner_department_id if tp else None,
        "language": row.language or None,
        "source": row.source,
    }[dimension]


def _rollup_rows() -> dict[tuple, tuple]:
    """Measures summed per key: after a touchpoint or segment is deleted two rows may share a key
    (both set to null) until the next recompute, which is the same sum."""
    totals: dict[tuple, list[int]] = {}
    fine = ExperienceDay.objects.values_list(
        "day", "touchpoint_id", "segment_id", "language", "source", *MEASURES
    )
    coarse = ExperienceDayTouchpoint.objects.values_list("day", "touchpoint_id", *MEASURES)
    by_segment = ExperienceDaySegment.objects.values_list("day", "segment_id", *MEASURES)
    for prefix, rows, width in (
        ("fine", fine, 5),
        ("coarse", coarse, 2),
        ("segment", by_segment, 2),
    ):
        for row in rows:
            key = (prefix, *row[:width])
            found = totals.setdefault(key, [0] * len(MEASURES))
            for i, value in enumerate(row[width:]):
                found[i] += value
    return {key: tuple(values) for key, values in totals.items()}


def _assert_same_as_rebuilt() -> None:
    maintained = _rollup_rows()
    services.rebuild_rollups()
    assert _rollup_rows() == maintained


@pytest.fixture
def shop(alice):
    workspace = alice.workspace
    regulars = SegmentFactory(workspace=workspace, name="Regulars")
    students = SegmentFactory(workspace=workspace, name="Students")
    site = TouchpointFactory(workspace=workspace, name="Checkout", channel="site")
    courier = TouchpointFactory(workspace=workspace, name="Courier", channel="delivery")
    people = [
        CustomerFactory(workspace=workspace, segment=regulars),
        CustomerFactory(workspace=workspace, segment=students),
        CustomerFactory(workspace=workspace, segment=None),
    ]
    return workspace, (regulars, students), (site, courier), people


def bind(workspace):
    from cxloop.core.scoping import bind_workspace

    return bind_workspace(workspace)


def _record_many(touchpoints, people) -> None:
    scales = [("nps", [10, 9, 8, 7, 3, 0]), ("csat", [5, 4, 3, 1]), ("ces", [7, 5, 4, 2])]
    i = 0
    for moment in AROUND_DST:
        for scale, scores in scales:
            for score in scores:
                record_experience(
                    source="survey",
                    occurred_at=moment + timedelta(days=i % 3),
                    customer=people[i % len(people)] if i % 5 else None,
                    touchpoint=touchpoints[i % 2] if i % 7 else None,
                    score=score,
                    scale=scale,
                    language=["uk", "ru", "en", ""][i % 4],
                )
                i += 1
    record_experience(source="staff_note", occurred_at=AROUND_DST[2], outcome="exceeded")
    record_experience(
        source="review", occurred_at=AROUND_DST[3], outcome="below", customer=people[0]
    )


def test_offsets_find_both_dst_changes_of_a_year():
    spans = _offsets(day_start(date(2026, 1, 1)), day_start(date(2027, 1, 1)))
    assert spans == [
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), 7200),
        (datetime(2026, 10, 25, 1, 0, tzinfo=UTC), 10800),
        (None, 7200),
    ]


def test_recorded_answers_are_counted_by_their_kyiv_day(shop):
    workspace, _, _touchpoints, _people = shop
    with bind(workspace):
        record_experience(source="survey", occurred_at=AROUND_DST[0], score=10, scale="nps")
        record_experience(source="survey", occurred_at=AROUND_DST[1], score=0, scale="nps")
        days = dict(selectors.metric_series("nps", WHOLE, "day"))
        assert days[date(2026, 3, 28)].n == 1
        assert days[date(2026, 3, 28)].value == 100
        assert days[date(2026, 3, 29)].n == 1
        assert days[date(2026, 3, 29)].value == -100


def test_rollups_match_raw_rows_after_inserts(shop):
    workspace, segments, touchpoints, people = shop
    with bind(workspace):
        _record_many(touchpoints, people)
        _assert_consistent()
        _assert_consistent(Slice(date(2026, 3, 29), date(2026, 3, 31), {"channel": "site"}))
        _assert_consistent(Slice(WHOLE.start, WHOLE.end, {"segment": segments[0].pk}))
        _assert_consistent(Slice(WHOLE.start, WHOLE.end, {"language": "ru", "source": "survey"}))
        _assert_same_as_rebuilt()


def test_rollups_follow_deleted_experiences(shop):
    workspace, _, touchpoints, people = shop
    with bind(workspace):
        _record_many(touchpoints, people)
        gone = Experience.objects.filter(scale="nps", score__lte=6)
        assert services.delete_experiences(gone) > 0
        _assert_consistent()
        _assert_same_as_rebuilt()


def test_rollups_follow_a_customer_moving_to_another_segment(shop):
    workspace, segments, touchpoints, people = shop
    with bind(workspace):
        _record_many(touchpoints, people)
        student = people[1]
        upsert_customers([CustomerInput(external_id=student.external_id, segment="Regulars")])
        assert Customer.objects.get(pk=student.pk).segment_id == segments[0].pk
        _assert_consistent(Slice(WHOLE.start, WHOLE.end, {"segment": segments[0].pk}))
        _assert_consistent(Slice(WHOLE.start, WHOLE.end, {"segment": segments[1].pk}))
        _assert_same_as_rebuilt()


def test_rollups_follow_deleted_touchpoints_and_segments(shop):
    workspace, segments, touchpoints, people = shop
    with bind(workspace):
        _record_many(touchpoints, people)
        Touchpoint.objects.filter(pk=touchpoints[1].pk).delete()
        Segment.objects.filter(pk=segments[1].pk).delete()
        _assert_consistent()
        _assert_same_as_rebuilt()


def test_a_touchpoint_moved_to_another_channel_needs_no_recompute(shop):
    workspace, _, touchpoints, people = shop
    with bind(workspace):
        _record_many(touchpoints, people)
        Touchpoint.objects.filter(pk=touchpoints[0].pk).update(channel="web_chat")
        _assert_consistent(Slice(WHOLE.start, WHOLE.end, {"channel": "web_chat"}))
        assert selectors.metric_value("nps", WHOLE.narrowed(channel="site")).n == 0


def test_rollups_of_one_workspace_never_count_another(shop, bob):
    workspace, _, touchpoints, people = shop
    with bind(workspace):
        _record_many(touchpoints, people)
    with bind(bob.workspace):
        record_experience(source="survey", occurred_at=AROUND_DST[0], score=0, scale="nps")
        assert selectors.metric_value("nps", WHOLE).n == 1
    with bind(workspace):
        _assert_consistent()


def test_rebuild_is_idempotent(shop):
    workspace, _, touchpoints, people = shop
    with bind(workspace):
        _record_many(touchpoints, people)
        first = _rollup_rows()
        services.rebuild_rollups()
        services.rebuild_rollups()
        assert _rollup_rows() == first
        assert sum(r.answers for r in ExperienceDayTouchpoint.objects.all()) == (
            Experience.objects.count()
        )


def test_rebuild_command_restores_lost_rollups(shop, bob):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    workspace, _, touchpoints, people = shop
    with bind(workspace):
        _record_many(touchpoints, people)
        maintained = _rollup_rows()
        ExperienceDay.objects.all().delete()
        ExperienceDayTouchpoint.objects.all().delete()
        ExperienceDaySegment.objects.all().delete()
    out = StringIO()
    call_command("rebuild_rollups", "--workspace", workspace.slug, stdout=out)
    assert f"{workspace.slug}: " in out.getvalue()
    with bind(workspace):
        assert _rollup_rows() == maintained
    with pytest.raises(CommandError, match="slug"):
        call_command("rebuild_rollups", "--workspace", "nobody")


def test_a_new_answer_appends_delta_rows_and_compaction_folds_them(shop):
    workspace, _, touchpoints, people = shop
    with bind(workspace):
        for score in (10, 9, 3):
            record_experience(
                source="survey",
                occurred_at=AROUND_DST[0],
                customer=people[0],
                touchpoint=touchpoints[0],
                score=score,
                scale="nps",
                language="uk",
            )
        # Three answers under one key: three rows, summed by every reader, no recompute needed.
        assert ExperienceDay.objects.count() == 3
        assert selectors.metric_value("nps", WHOLE).value == pytest.approx(100 * (2 - 1) / 3)
        maintained = _rollup_rows()
        services.compact_day(workspace.pk, date(2026, 3, 28))
        assert ExperienceDay.objects.count() == 1
        assert ExperienceDayTouchpoint.objects.count() == 1
        assert ExperienceDaySegment.objects.count() == 1
        assert _rollup_rows() == maintained
        _assert_consistent()


def test_the_compaction_task_is_queued_once_per_day_and_minute(
    shop, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    workspace, _, _, _ = shop
    cache.clear()
    services._queued_here.clear()
    with bind(workspace), django_capture_on_commit_callbacks() as callbacks:
        for score in (10, 0):
            record_experience(source="survey", occurred_at=AROUND_DST[0], score=score, scale="nps")
        record_experience(source="survey", occurred_at=AROUND_DST[1], score=5, scale="nps")
    compactions = [c for c in callbacks if getattr(c, "func", None) is services._enqueue_compaction]
    assert sorted(c.args for c in compactions) == [
        (workspace.pk, date(2026, 3, 28)),
        (workspace.pk, date(2026, 3, 29)),
    ]  # one per day touched, not one per answer
    compactions[0]()  # enqueues the task on the configured backend without error


def test_on_postgresql_an_answer_appends_its_delta_rows_in_one_statement(
    shop, django_assert_num_queries
):
    from django.db import connection

    from cxloop.analytics import rollups

    if connection.vendor != "postgresql":
        pytest.skip("the one-statement append is PostgreSQL's; SQLite takes the ORM path")
    workspace, (regulars, _), touchpoints, people = shop
    with bind(workspace):
        experience = Experience.objects.create(
            customer=people[0],
            touchpoint=touchpoints[1],
            occurred_at=AROUND_DST[3],
            source="survey",
            score=2,
            scale="ces",
            outcome="below",
            emotion="negative",
            language="ru",
        )
        anonymous = Experience.objects.create(
            occurred_at=AROUND_DST[3], source="review", outcome="met", emotion="ok"
        )
        with django_assert_num_queries(1):  # lock, segment and three rows together
            assert rollups.add_experience(experience) == date(2026, 3, 29)
        with django_assert_num_queries(1):
            rollups.add_experience(anonymous)
        fine = ExperienceDay.objects.order_by("pk").values_list(
            "touchpoint_id", "segment_id", "language", "source", "answers", "below", "ces_sum"
        )
        assert list(fine) == [
            (touchpoints[1].pk, regulars.pk, "ru", "survey", 1, 1, 2),
            (None, None, "", "review", 1, 0, 0),
        ]
        assert list(ExperienceDaySegment.objects.values_list("segment_id", "answers")) == [
            (regulars.pk, 1),
            (None, 1),
        ]
        assert list(ExperienceDayTouchpoint.objects.values_list("touchpoint_id", "ces_n")) == [
            (touchpoints[1].pk, 1),
            (None, 0),
        ]
        _assert_consistent()
