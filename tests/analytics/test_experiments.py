"""A/B experiments end to end: definition, assignment, observations and the verdicts."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from cxloop.analytics import experiments as svc
from cxloop.analytics.experiment_selectors import observations
from cxloop.analytics.experiments import ExperimentInvalid, VariantSpec
from cxloop.analytics.models import Experiment, ExperimentMetric

from ..factories import CustomerFactory, ExperienceFactory, OrderFactory, SegmentFactory

START = date(2026, 3, 2)
END = date(2026, 3, 29)


def _at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.get_current_timezone())


def _create(workspace, in_workspace, **overrides):
    values = {
        "name": "Postcard",
        "metric": ExperimentMetric.REPEAT_PURCHASE,
        "starts_on": START,
        "ends_on": END,
        "minimum_detectable_effect": 10.0,
        "variants": [VariantSpec("No postcard"), VariantSpec("Postcard")],
    }
    values.update(overrides)
    with in_workspace(workspace):
        return svc.create_experiment(workspace, **values)


def _listed(alice, in_workspace, groups: dict[str, list], **overrides):
    """An experiment whose members are given explicitly: {variant name: [customers]}."""
    members = [(c.external_id, name) for name, customers in groups.items() for c in customers]
    return _create(
        alice.workspace,
        in_workspace,
        assignment=Experiment.Assignment.LIST,
        variants=[VariantSpec(name) for name in groups],
        members=members,
        **overrides,
    )


def _results(workspace, in_workspace, experiment, now=None):
    with in_workspace(workspace):
        return svc.experiment_results(experiment, now=now or _at(END + timedelta(days=3)))


def test_hash_assignment_is_stable_and_follows_the_weights(alice, in_workspace):
    experiment = _create(
        alice.workspace,
        in_workspace,
        variants=[VariantSpec("Control", weight=3), VariantSpec("Postcard", weight=1)],
    )
    with in_workspace(alice.workspace):
        variants = list(experiment.variants.order_by("position"))
    picks = [svc.hashed_variant(experiment.pk, customer, variants) for customer in range(8000)]
    again = [svc.hashed_variant(experiment.pk, customer, variants) for customer in range(8000)]
    assert picks == again
    share = sum(v.name == "Postcard" for v in picks) / len(picks)
    assert share == pytest.approx(0.25, abs=0.02)


def test_repeat_purchase_rate_per_variant_from_listed_customers(alice, in_workspace):
    control = [CustomerFactory(workspace=alice.workspace) for _ in range(4)]
    postcard = [CustomerFactory(workspace=alice.workspace) for _ in range(4)]
    # control: 1 of 4 buys again in the window; postcard: 3 of 4
    for customer in control + postcard:
        OrderFactory(workspace=alice.workspace, customer=customer, placed_at=_at(START))
    for customer in [control[0], *postcard[:3]]:
        OrderFactory(workspace=alice.workspace, customer=customer, placed_at=_at(START, 18))
    # an order before the window and one after it count for nothing
    OrderFactory(workspace=alice.workspace, customer=control[1], placed_at=_at(END + timedelta(1)))
    OrderFactory(
        workspace=alice.workspace, customer=control[2], placed_at=_at(START - timedelta(1))
    )
    experiment = _listed(alice, in_workspace, {"No postcard": control, "Postcard": postcard})
    results = _results(alice.workspace, in_workspace, experiment)
    base, card = results.variants
    assert (base.sample.n, base.estimate.value) == (4, pytest.approx(25.0))
    assert (card.sample.n, card.estimate.value) == (4, pytest.approx(75.0))
    assert card.comparison.difference == pytest.approx(50.0)
    # z-test by hand: pooled p = 4/8 = .5, SE0 = sqrt(.25·(1/4+1/4)) = .353553, z = 1.414214
    assert card.comparison.statistic == pytest.approx(1.414214, abs=1e-6)
    assert card.comparison.p_value == pytest.approx(0.157299, abs=1e-6)
    assert results.status == "ended"
    assert card.verdict == "noise"


def test_nps_observation_is_each_customers_first_answer_in_the_window(alice, in_workspace):
    customer = CustomerFactory(workspace=alice.workspace)
    ExperienceFactory(workspace=alice.workspace, customer=customer, nps=3, occurred_at=_at(START))
    ExperienceFactory(
        workspace=alice.workspace, customer=customer, nps=10, occurred_at=_at(START, 15)
    )
    with in_workspace(alice.workspace):
        seen = list(observations(ExperimentMetric.NPS, _at(START, 0), _at(END)))
    assert [o.value for o in seen] == [-1.0]


def test_observations_never_include_another_workspace(alice, bob, in_workspace):
    ExperienceFactory(workspace=bob.workspace, nps=10, occurred_at=_at(START))
    ExperienceFactory(workspace=alice.workspace, nps=0, occurred_at=_at(START))
    with in_workspace(alice.workspace):
        seen = list(observations(ExperimentMetric.NPS, _at(START, 0), _at(END)))
    assert [o.value for o in seen] == [-1.0]


def test_segment_assignment_puts_each_segment_in_its_variant(alice, in_workspace):
    north, south = (
        SegmentFactory(workspace=alice.workspace),
        SegmentFactory(workspace=alice.workspace),
    )
    for segment, score in ((north, 10), (north, 9), (south, 2), (south, 10)):
        customer = CustomerFactory(workspace=alice.workspace, segment=segment)
        ExperienceFactory(
            workspace=alice.workspace, customer=customer, nps=score, occurred_at=_at(START)
        )
    outsider = CustomerFactory(workspace=alice.workspace)
    ExperienceFactory(workspace=alice.workspace, customer=outsider, nps=0, occurred_at=_at(START))
    experiment = _create(
        alice.workspace,
        in_workspace,
        metric=ExperimentMetric.NPS,
        assignment=Experiment.Assignment.SEGMENT,
        variants=[VariantSpec("North", segment=north), VariantSpec("South", segment=south)],
    )
    results = _results(alice.workspace, in_workspace, experiment)
    assert [(r.sample.n, r.estimate.value) for r in results.variants] == [
        (2, pytest.approx(100.0)),
        (2, pytest.approx(0.0)),
    ]


def test_fixed_horizon_waits_for_the_planned_sample_before_a_verdict(alice, in_workspace):
    control = [CustomerFactory(workspace=alice.workspace) for _ in range(40)]
    treated = [CustomerFactory(workspace=alice.workspace) for _ in range(40)]
    for index, customer in enumerate(control + treated):
        wow = index % 2 == 0 if index < 40 else index % 4 != 0  # 50 % vs 75 %
        ExperienceFactory(
            workspace=alice.workspace,
            customer=customer,
            nps=10 if wow else 7,
            occurred_at=_at(START + timedelta(days=1)),
        )
    experiment = _listed(
        alice,
        in_workspace,
        {"A": control, "B": treated},
        metric=ExperimentMetric.WOW_RATE,
        minimum_detectable_effect=25.0,
    )
    running = _results(alice.workspace, in_workspace, experiment, now=_at(START + timedelta(5)))
    # baseline from the control so far (50 %), 50 % → 75 %: Fleiss gives 58 per variant
    assert running.baseline == pytest.approx(50.0)
    assert running.baseline_source == "control"
    treated_row = running.variants[1]
    assert treated_row.planned_n == 58
    assert treated_row.still_needed == 18
    assert treated_row.verdict == "collecting"
    ended = _results(alice.workspace, in_workspace, experiment)
    assert ended.variants[1].verdict in {"significant", "noise"}
    assert ended.variants[1].still_needed == 18


def test_sequential_design_stops_on_the_day_the_boundary_is_crossed(alice, in_workspace):
    control = [CustomerFactory(workspace=alice.workspace) for _ in range(120)]
    treated = [CustomerFactory(workspace=alice.workspace) for _ in range(120)]
    for index, customer in enumerate(control):
        day = START + timedelta(days=index % 12)
        ExperienceFactory(
            workspace=alice.workspace,
            customer=customer,
            nps=10 if index % 5 == 0 else 7,
            occurred_at=_at(day),
        )  # 20 % WOW
    for index, customer in enumerate(treated):
        day = START + timedelta(days=index % 12)
        ExperienceFactory(
            workspace=alice.workspace,
            customer=customer,
            nps=10 if index % 5 else 7,
            occurred_at=_at(day),
        )  # 80 % WOW
    experiment = _listed(
        alice,
        in_workspace,
        {"A": control, "B": treated},
        metric=ExperimentMetric.WOW_RATE,
        design=Experiment.Design.SEQUENTIAL,
        minimum_detectable_effect=10.0,
    )
    results = _results(alice.workspace, in_workspace, experiment, now=_at(START + timedelta(20)))
    row = results.variants[1]
    assert results.test == "msprt"
    assert row.verdict == "significant"
    assert START <= row.stopped_on < START + timedelta(days=12)
    assert row.always_valid_p < 0.05
    assert row.planned_n is None  # a sequential test has no planned sample
    assert row.comparison.low > 0  # the confidence sequence excludes no effect


def test_order_value_is_compared_with_welch(alice, in_workspace):
    groups = {"A": [], "B": []}
    for name, amounts in (("A", [100, 200, 300]), ("B", [400, 500, 600])):
        for amount in amounts:
            customer = CustomerFactory(workspace=alice.workspace)
            OrderFactory(
                workspace=alice.workspace,
                customer=customer,
                placed_at=_at(START),
                amount=Decimal(amount),
            )
            groups[name].append(customer)
    experiment = _listed(alice, in_workspace, groups, metric=ExperimentMetric.ORDER_VALUE)
    row = _results(alice.workspace, in_workspace, experiment).variants[1]
    # means 200 and 500, s² = 10000 each: SE = sqrt(2·10000/3) = 81.65, t = 300/81.65 = 3.674
    assert row.comparison.difference == pytest.approx(300.0)
    assert row.comparison.statistic == pytest.approx(3.674235, abs=1e-6)
    assert row.comparison.test == "welch"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"variants": [VariantSpec("Only one")]}, "variants"),
        ({"variants": [VariantSpec("A"), VariantSpec("A")]}, "variants"),
        ({"ends_on": START - timedelta(days=1)}, "ends_on"),
        ({"assignment": Experiment.Assignment.LIST}, "members"),
        (
            {"assignment": Experiment.Assignment.LIST, "members": [("nobody", "No postcard")]},
            "members",
        ),
    ],
)
def test_an_invalid_definition_names_its_field(alice, in_workspace, overrides, field):
    with pytest.raises(ExperimentInvalid) as error:
        _create(alice.workspace, in_workspace, **overrides)
    assert error.value.field == field


def test_a_customer_of_another_workspace_cannot_be_listed(alice, bob, in_workspace):
    stranger = CustomerFactory(workspace=bob.workspace, external_id="BOB-1")
    with pytest.raises(ExperimentInvalid):
        _create(
            alice.workspace,
            in_workspace,
            assignment=Experiment.Assignment.LIST,
            members=[(stranger.external_id, "Postcard")],
        )
