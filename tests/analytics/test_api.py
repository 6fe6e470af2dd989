"""/api/v1/metrics: the dashboard's selectors over HTTP, scoped to the token's workspace."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cxloop.analytics import selectors
from cxloop.analytics.selectors import Slice
from cxloop.core.scoping import bind_workspace
from cxloop.experiences.services import record_experience
from tests.api.conftest import api_for
from tests.factories import SegmentFactory, TouchpointFactory

MONDAY = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
JUNE = {"start": "2026-06-01", "end": "2026-07-01"}


@pytest.fixture
def answered(alice):
    site = TouchpointFactory(workspace=alice.workspace, name="Checkout", channel="site")
    with bind_workspace(alice.workspace):
        for i, score in enumerate([10, 10, 9, 8, 3, 0] * 6):
            record_experience(
                source="survey",
                occurred_at=MONDAY + timedelta(days=i % 14),
                touchpoint=site if i % 2 else None,
                score=score,
                scale="nps",
            )
    return alice, site


def test_value_is_the_selector_value(answered):
    alice, _ = answered
    response = api_for(alice).get("/metrics/value", {"metric": "nps", **JUNE})
    assert response.status_code == 200
    with bind_workspace(alice.workspace):
        expected = selectors.metric_value("nps", Slice.last_days(30, MONDAY.date() + timedelta(29)))
    body = response.json()
    assert (body["value"], body["n"], body["small"]) == (expected.value, 36, False)
    assert body["moe"] == pytest.approx(expected.moe)


def test_series_by_dimension_and_table(answered):
    alice, site = answered
    api = api_for(alice)
    series = api.get("/metrics/series", {"metric": "nps", "grain": "week", **JUNE}).json()
    assert [p["period"] for p in series][:2] == ["2026-06-01", "2026-06-08"]
    assert sum(p["n"] for p in series) == 36
    by = api.get("/metrics/by", {"metric": "nps", "dimension": "touchpoint", **JUNE}).json()
    assert {(g["key"], g["n"]) for g in by} == {(site.pk, 18), ("", 18)}
    table = api.get(
        "/metrics/table",
        {"metrics": "nps,wow_rate", "grain": "week", "dimension": "channel", **JUNE},
    ).json()
    assert {c["key"] for c in table} == {"site", ""}
    assert set(table[0]["values"]) == {"nps", "wow_rate"}


def test_compare_two_weeks(answered):
    alice, _ = answered
    response = api_for(alice).get(
        "/metrics/compare",
        {
            "metric": "nps",
            "a_start": "2026-06-01",
            "a_end": "2026-06-08",
            "b_start": "2026-06-08",
            "b_end": "2026-06-15",
        },
    )
    assert response.status_code == 200
    body = response.json()
    with bind_workspace(alice.workspace):
        expected = selectors.compare(
            "nps",
            Slice(MONDAY.date(), MONDAY.date() + timedelta(7)),
            Slice(MONDAY.date() + timedelta(7), MONDAY.date() + timedelta(14)),
        )
    assert body["diff"] == pytest.approx(expected.diff)
    assert body["p_value"] == pytest.approx(expected.p_value)
    assert body["verdict"] == str(expected.verdict)
    assert body["a"]["n"] + body["b"]["n"] == 36


def test_compare_two_groups_in_one_period(answered):
    alice, site = answered
    response = api_for(alice).get(
        "/metrics/compare",
        {
            "metric": "nps",
            "a_start": "2026-06-01",
            "a_end": "2026-07-01",
            "dimension": "touchpoint",
            "a_key": str(site.pk),
            "b_key": str(site.pk + 1000),
        },
    )
    assert response.status_code == 422  # b names a touchpoint this workspace does not have
    assert response.json()["errors"][0]["field"] == "b_touchpoint"
    same = (
        api_for(alice)
        .get(
            "/metrics/compare",
            {
                "metric": "nps",
                "a_start": "2026-06-01",
                "a_end": "2026-07-01",
                "dimension": "channel",
                "a_key": "site",
                "b_key": "site",
            },
        )
        .json()
    )
    assert (same["diff"], same["significant"]) == (0.0, False)
    assert same["verdict"] == "not distinguishable from noise"


def test_drill_down_and_drivers(answered):
    alice, _ = answered
    api = api_for(alice)
    detractors = api.get("/metrics/answers", {"metric": "nps", "bucket": "detractor", **JUNE})
    assert detractors.status_code == 200
    assert {row["score"] for row in detractors.json()["items"]} == {3, 0}
    assert len(detractors.json()["items"]) == 12
    drivers = api.get("/metrics/drivers", {"metric": "nps", **JUNE}).json()
    assert [d["label"] for d in drivers] == ["Checkout"]


def test_metric_definitions_carry_their_formulas(alice):
    body = api_for(alice).get("/metrics").json()
    nps = next(m for m in body if m["key"] == "nps")
    assert "promoters" in nps["help_text"]
    assert nps["unit"] == "points"


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"metric": "loyalty", **JUNE}, 422),
        ({"metric": "nps", "start": "2026-07-01", "end": "2026-06-01"}, 422),
        ({"metric": "nps", "channel": "site", **JUNE, "dimension": "planet"}, 200),
    ],
)
def test_bad_input_is_refused_with_a_reason(alice, params, status):
    response = api_for(alice).get("/metrics/value", params)
    assert response.status_code == status
    if status != 200:
        assert response.json()["detail"]


def test_bobs_token_cannot_slice_by_alices_segment(answered, bob):
    alice, _ = answered
    alices = SegmentFactory(workspace=alice.workspace)
    response = api_for(bob).get("/metrics/value", {"metric": "nps", "segment": alices.pk, **JUNE})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "segment"
    assert api_for(bob).get("/metrics/value", {"metric": "nps", **JUNE}).json()["n"] == 0


def test_unknown_bucket_is_a_422(alice):
    response = api_for(alice).get("/metrics/answers", {"metric": "nps", "bucket": "fans", **JUNE})
    assert response.status_code == 422
    assert "detractor" in response.json()["detail"]
