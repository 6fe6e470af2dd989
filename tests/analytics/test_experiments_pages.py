"""Experiment pages and API: who may do what, CSRF, the results page and its downloads."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pyarrow.parquet as pq
import pytest
from django.test import Client
from django.urls import reverse

from cxloop.accounts.models import Role
from cxloop.accounts.services import issue_token
from cxloop.analytics.experiments import VariantSpec, create_experiment
from cxloop.analytics.models import Experiment, ExperimentAssignment, ExperimentMetric, Variant

from ..conftest import make_tenant
from ..factories import CustomerFactory, ExperienceFactory, OrderFactory


def _form(**overrides) -> dict:
    data = {
        "name": "Листівка в посилці",
        "hypothesis": "A thank-you postcard makes customers come back.",
        "metric": "wow_rate",
        "design": "fixed",
        "starts_on": "2026-03-01",
        "ends_on": "2026-03-31",
        "minimum_detectable_effect": "5",
        "baseline": "",
        "assignment": "hash",
        "variants": "Без листівки\nЛистівка | 1",
        "members": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def experiment(alice, in_workspace):
    customers = [CustomerFactory(workspace=alice.workspace) for _ in range(6)]
    today = date.today()
    for index, customer in enumerate(customers):
        ExperienceFactory(workspace=alice.workspace, customer=customer, nps=10 if index % 2 else 7)
    with in_workspace(alice.workspace):
        return create_experiment(
            alice.workspace,
            name="ALICE-ONLY postcard",
            metric="wow_rate",
            starts_on=today - timedelta(days=10),
            ends_on=today + timedelta(days=10),
            minimum_detectable_effect=10,
            assignment=Experiment.Assignment.LIST,
            variants=[VariantSpec("Без листівки"), VariantSpec("Листівка")],
            members=[
                (c.external_id, "Листівка" if i % 2 else "Без листівки")
                for i, c in enumerate(customers)
            ],
        )


def test_a_manager_defines_a_hash_experiment(alice):
    response = alice.client.post(reverse("analytics:experiment_create"), _form())
    experiment = Experiment.unscoped.get(workspace=alice.workspace)
    assert response.status_code == 302
    assert response["Location"] == reverse("analytics:experiment_detail", args=[experiment.pk])
    variants = Variant.unscoped.filter(experiment=experiment).order_by("position")
    assert [v.name for v in variants] == [
        "Без листівки",
        "Листівка",
    ]
    page = alice.client.get(response["Location"])
    assert page.status_code == 200
    assert "Листівка в посилці" in page.content.decode()


def test_an_explicit_list_is_pasted_and_uploaded(alice):
    for external_id in ("C-1", "C-2", "C-3"):
        CustomerFactory(workspace=alice.workspace, external_id=external_id)
    upload = io.BytesIO(b"C-3,B\n")
    upload.name = "members.csv"
    response = alice.client.post(
        reverse("analytics:experiment_create"),
        _form(assignment="list", variants="A\nB", members="C-1, A\nC-2, B", members_file=upload),
    )
    assert response.status_code == 302
    rows = ExperimentAssignment.unscoped.filter(workspace=alice.workspace)
    assert sorted((r.customer.external_id, r.variant.name) for r in rows) == [
        ("C-1", "A"),
        ("C-2", "B"),
        ("C-3", "B"),
    ]


def test_bad_input_comes_back_beside_its_field(alice):
    response = alice.client.post(
        reverse("analytics:experiment_create"),
        _form(assignment="list", variants="A\nB", members="nobody, A"),
    )
    assert response.status_code == 200
    assert "match no customer" in response.content.decode()
    assert not Experiment.unscoped.exists()


def test_a_viewer_reads_but_cannot_define_or_edit(alice, experiment):
    viewer = make_tenant("Vera", role=Role.VIEWER)
    from ..factories import MembershipFactory

    MembershipFactory(workspace=alice.workspace, user=viewer.user, role=Role.VIEWER)
    client = Client()
    client.force_login(viewer.user)
    session = client.session
    session["cxloop_workspace_id"] = alice.workspace.pk
    session.save()
    assert client.get(reverse("analytics:experiments")).status_code == 200
    assert (
        client.get(reverse("analytics:experiment_detail", args=[experiment.pk])).status_code == 200
    )
    assert client.post(reverse("analytics:experiment_create"), _form()).status_code == 403
    edit = reverse("analytics:experiment_edit", args=[experiment.pk])
    assert client.post(edit, {"name": "hijacked"}).status_code == 403


def test_a_post_without_the_csrf_token_is_refused(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice.user)
    response = client.post(reverse("analytics:experiment_create"), _form())
    assert response.status_code == 403
    assert not Experiment.unscoped.exists()


def test_editing_changes_the_end_but_not_the_variants(alice, experiment):
    response = alice.client.post(
        reverse("analytics:experiment_edit", args=[experiment.pk]),
        {
            "name": "Renamed",
            "hypothesis": "",
            "ends_on": "2099-01-01",
            "minimum_detectable_effect": "7",
            "baseline": "",
        },
    )
    assert response.status_code == 302
    experiment.refresh_from_db()
    assert (experiment.name, experiment.ends_on) == ("Renamed", date(2099, 1, 1))
    assert Variant.unscoped.filter(experiment=experiment).count() == 2


def test_results_page_shows_n_interval_verdict_and_sample_needed(alice, experiment):
    body = alice.client.get(reverse("analytics:experiment_detail", args=[experiment.pk]))
    text = body.content.decode()
    assert body.status_code == 200
    assert "Fixed horizon: two-proportion z-test" in text
    assert "Still needed" in text
    assert "3 customers listed" in text


@pytest.mark.parametrize("page", ["list", "detail"])
def test_tables_download_as_csv_and_parquet(alice, experiment, page):
    url = (
        reverse("analytics:experiments")
        if page == "list"
        else reverse("analytics:experiment_detail", args=[experiment.pk])
    )
    response = alice.client.get(url, {"format": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    response = alice.client.get(url, {"format": "parquet"})
    table = pq.read_table(io.BytesIO(b"".join(response.streaming_content))).to_pylist()
    if page == "list":
        assert [r["name"] for r in rows] == ["ALICE-ONLY postcard"]
        assert [r["name"] for r in table] == ["ALICE-ONLY postcard"]
    else:
        assert [r["variant"] for r in rows] == ["Без листівки", "Листівка"]
        assert [r["n"] for r in table] == [3, 3]


def test_api_gives_the_same_results(alice, experiment):
    secret = issue_token(alice.membership, "script").secret
    response = alice.client.get(
        reverse("api:get_experiment", kwargs={"experiment_id": experiment.pk}),
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 200
    data = response.json()
    assert data["test"] == "z"
    assert [v["n"] for v in data["variants"]] == [3, 3]
    assert data["variants"][1]["verdict"] in {"collecting", "significant", "noise"}


def test_the_list_is_newest_first_in_a_fixed_number_of_queries(
    alice, in_workspace, django_assert_max_num_queries
):
    for offset in range(5):
        with in_workspace(alice.workspace):
            create_experiment(
                alice.workspace,
                name=f"Experiment {offset}",
                metric="nps",
                starts_on=date(2026, 1, 1) + timedelta(days=offset),
                ends_on=date(2026, 6, 1),
                minimum_detectable_effect=10,
                variants=[VariantSpec("A"), VariantSpec("B"), VariantSpec("C")],
            )
    with django_assert_max_num_queries(8):
        response = alice.client.get(reverse("analytics:experiments"))
    names = [e.name for e in response.context["experiments"]]
    assert names == [f"Experiment {n}" for n in (4, 3, 2, 1, 0)]


@pytest.mark.parametrize("metric", [m for m, _label in ExperimentMetric.choices])
@pytest.mark.parametrize("design", ["fixed", "sequential"])
def test_the_results_page_renders_every_metric_and_design(alice, in_workspace, metric, design):
    for index in range(12):
        customer = CustomerFactory(workspace=alice.workspace)
        ExperienceFactory(workspace=alice.workspace, customer=customer, nps=index % 11)
        OrderFactory(workspace=alice.workspace, customer=customer, amount=100 + index)
    with in_workspace(alice.workspace):
        experiment = create_experiment(
            alice.workspace,
            name=f"{metric} {design}",
            metric=metric,
            design=design,
            starts_on=date.today() - timedelta(days=30),
            ends_on=date.today() + timedelta(days=30),
            minimum_detectable_effect=5,
            variants=[VariantSpec("A"), VariantSpec("B"), VariantSpec("C")],
        )
    response = alice.client.get(reverse("analytics:experiment_detail", args=[experiment.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Bonferroni" in text  # three variants: two comparisons with the control
    assert "Results" in text


def _define(tenant, body: dict, role: str | None = None):
    membership = tenant.membership
    if role is not None:
        membership.role = role
        membership.save(update_fields=["role"])
    secret = issue_token(membership, "script").secret
    return tenant.client.post(
        reverse("api:define_experiment"),
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )


def _definition(**overrides) -> dict:
    body = {
        "name": "Postcard in the parcel",
        "metric": "wow_rate",
        "starts_on": "2026-03-01",
        "ends_on": "2026-03-31",
        "minimum_detectable_effect": 5,
        "variants": [{"name": "No postcard"}, {"name": "Postcard", "weight": 2}],
    }
    body.update(overrides)
    return body


def test_api_defines_an_experiment_as_the_page_does(alice):
    response = _define(alice, _definition(design="sequential"))
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["experiment"]["design"] == "sequential"
    assert [(v["name"], v["control"], v["weight"]) for v in data["experiment"]["variants"]] == [
        ("No postcard", True, 1),
        ("Postcard", False, 2),
    ]
    assert data["test"] == "msprt"
    assert Experiment.unscoped.get().workspace_id == alice.workspace.pk


def test_api_definition_with_a_list_of_customers(alice):
    first, second = (CustomerFactory(workspace=alice.workspace) for _ in range(2))
    members = [
        {"external_id": first.external_id, "variant": "No postcard"},
        {"external_id": second.external_id, "variant": "Postcard"},
    ]
    response = _define(alice, _definition(assignment="list", members=members))
    assert response.status_code == 201, response.content
    assigned = dict(
        ExperimentAssignment.unscoped.values_list("customer_id", "variant__name").order_by()
    )
    assert assigned == {first.pk: "No postcard", second.pk: "Postcard"}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ends_on": "2026-02-01"}, "ends_on"),
        ({"minimum_detectable_effect": 0}, "minimum_detectable_effect"),
        ({"variants": [{"name": "A"}, {"name": "A"}]}, "variants"),
        ({"variants": [{"name": "Only one"}]}, "variants"),
        ({"metric": "happiness"}, "metric"),
        ({"assignment": "list"}, "members"),
    ],
)
def test_api_refuses_a_bad_definition_and_says_which_field(alice, overrides, field):
    response = _define(alice, _definition(**overrides))
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]
    assert not Experiment.unscoped.exists()


def test_api_definition_needs_the_manager_role(alice):
    response = _define(alice, _definition(), role=Role.AGENT)
    assert response.status_code == 403
    assert not Experiment.unscoped.exists()


def test_api_definition_cannot_name_another_workspaces_segment(alice, bob):
    from ..factories import SegmentFactory

    bobs = SegmentFactory(workspace=bob.workspace)
    response = _define(alice, _definition(eligible_segment_id=bobs.pk))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "eligible_segment_id"
    assert not Experiment.unscoped.exists()
