"""What holds for every route of the API, read from its own OpenAPI schema.

Walking the schema rather than a hand-kept list means a new route is checked the day it is added:
it needs a token (401), a viewer cannot change anything through it (403), another workspace's id
in its path is "not here" (404), and its errors come in the one shape.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import Client

from cxloop.api.api import api
from cxloop.core.scoping import bind_workspace
from cxloop.customers.expectations import plan_wow
from cxloop.customers.models import Customer, Expectation, WowPlanItem

from ..analytics.experiment_fixtures import alices_experiment
from ..factories import (
    CustomerFactory,
    ExpectationFactory,
    ExperienceFactory,
    OrderFactory,
    SegmentFactory,
    SurveyFactory,
    TouchpointFactory,
)
from ..loop.case_isolation import make_case
from ..loop.improvement_helpers import make_improvement
from .conftest import PREFIX

pytestmark = pytest.mark.django_db

OPERATIONS = sorted(
    (method.upper(), path)
    for path, methods in api.get_openapi_schema(path_prefix=PREFIX)["paths"].items()
    for method in methods
)
WRITES = [(method, path) for method, path in OPERATIONS if method != "GET"]
WITH_IDS = [(method, path) for method, path in OPERATIONS if "{" in path]


def _fill(path: str, ids: dict[str, int]) -> str:
    def value(match: re.Match) -> str:
        name = match.group(1)
        assert name in ids, f"say which of Alice's objects fills {{{name}}} in {path}"
        return str(ids[name])

    return re.sub(r"\{(\w+)\}", value, path)


def test_the_schema_lists_every_route():
    assert set(OPERATIONS) >= {
        ("GET", "/api/v1/customers"),
        ("POST", "/api/v1/customers"),
        ("POST", "/api/v1/customers/bulk"),
        ("GET", "/api/v1/customers/{customer_id}"),
        ("PATCH", "/api/v1/customers/{customer_id}"),
        ("GET", "/api/v1/orders"),
        ("POST", "/api/v1/orders/bulk"),
        ("GET", "/api/v1/orders/{order_id}"),
        ("GET", "/api/v1/expectations"),
        ("POST", "/api/v1/expectations"),
        ("GET", "/api/v1/expectations/{expectation_id}"),
        ("PATCH", "/api/v1/expectations/{expectation_id}"),
        ("GET", "/api/v1/wow-plan-steps"),
        ("POST", "/api/v1/wow-plan-steps"),
        ("GET", "/api/v1/wow-plan-steps/{step_id}"),
        ("PATCH", "/api/v1/wow-plan-steps/{step_id}"),
        ("GET", "/api/v1/experiences"),
        ("POST", "/api/v1/experiences"),
        ("GET", "/api/v1/experiences/{experience_id}"),
    }


def test_the_schema_is_served_and_documents_pagination_and_errors():
    response = Client().get(f"{PREFIX}/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    listed = {(m.upper(), p) for p, methods in schema["paths"].items() for m in methods}
    assert listed == set(OPERATIONS)
    parameters = {p["name"] for p in schema["paths"][f"{PREFIX}/customers"]["get"]["parameters"]}
    assert {"limit", "cursor", "q", "stance"} <= parameters
    page = schema["components"]["schemas"]["PagedCustomerOut"]
    assert set(page["properties"]) == {"items", "next_cursor"}
    assert set(schema["components"]["schemas"]["ErrorOut"]["properties"]) == {"detail", "errors"}
    assert schema["components"]["securitySchemes"]["WorkspaceToken"]["scheme"] == "bearer"
    bulk = schema["components"]["schemas"]["CustomerBulkIn"]["properties"]["rows"]
    assert bulk["maxItems"] == 1000
    assert "external_id" in bulk["items"]["properties"]


def test_the_docs_page_loads_its_scripts_and_styles_from_our_own_static_files():
    client = Client()
    response = client.get(f"{PREFIX}/docs")

    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', html)
    assert assets, "the docs page should load Swagger UI's script and stylesheet"
    assert all(asset.startswith("/static/") for asset in assets), assets
    assert "cdn" not in html.lower()
    for asset in assets:
        assert client.get(asset).status_code == 200, asset


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_every_route_needs_a_token(anonymous_api, method, path):
    response = anonymous_api.send(
        method, _fill(path, dict.fromkeys(_params(path), 1))[len(PREFIX) :]
    )

    assert response.status_code == 401
    assert response.json()["detail"].startswith("Send a valid API token")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_or_made_up_token_is_a_401(alice_api):
    alice_api.secret = "cxl_made-up"

    assert alice_api.get("/customers").status_code == 401


@pytest.mark.parametrize(("method", "path"), WRITES)
def test_a_viewer_cannot_write_through_any_route(viewer_api, method, path):
    customer = CustomerFactory(workspace=viewer_api.workspace, name="Unchanged")

    response = viewer_api.send(
        method, _fill(path, dict.fromkeys(_params(path), customer.pk))[len(PREFIX) :]
    )

    assert response.status_code == 403
    assert re.fullmatch(r"This needs the \w+ role or higher\.", response.json()["detail"])
    customer.refresh_from_db()
    assert customer.name == "Unchanged"
    assert Customer.unscoped.count() == 1


def test_a_viewer_reads_everything(viewer_api):
    CustomerFactory(workspace=viewer_api.workspace)

    assert viewer_api.get("/customers").status_code == 200


def _params(path: str) -> list[str]:
    return re.findall(r"\{(\w+)\}", path)


@pytest.fixture
def alices_ids(alice):
    customer = CustomerFactory(workspace=alice.workspace, name="Alice's customer")
    touchpoint = TouchpointFactory(workspace=alice.workspace)
    expectation = ExpectationFactory(workspace=alice.workspace, customer=customer, text="Hers")
    with bind_workspace(alice.workspace):
        step = plan_wow(customer, "Her surprise", due_on=date(2099, 1, 1))
    return {
        "customer_id": customer.pk,
        "order_id": OrderFactory(workspace=alice.workspace, customer=customer).pk,
        "experience_id": ExperienceFactory(workspace=alice.workspace, customer=customer).pk,
        "expectation_id": expectation.pk,
        "step_id": step.pk,
        "segment_id": SegmentFactory(workspace=alice.workspace).pk,
        "touchpoint_id": touchpoint.pk,
        "stage_id": touchpoint.stage_id,
        "journey_id": touchpoint.stage.journey_id,
        "survey_id": SurveyFactory(workspace=alice.workspace).pk,
        "improvement_id": make_improvement(alice.workspace, title="Hers").pk,
        "case_id": make_case(alice.workspace, customer).pk,
        "experiment_id": alices_experiment({"customer": customer}).pk,
    }


@pytest.mark.parametrize(("method", "path"), WITH_IDS)
def test_bob_gets_404_for_alices_ids_through_every_method(bob_api, alices_ids, method, path):
    body = {"name": "Bob was here", "text": "Bob was here", "done": True, "active": False}

    response = bob_api.send(method, _fill(path, alices_ids)[len(PREFIX) :], body)

    assert response.status_code == 404, response.content
    assert response.json()["errors"] == []
    assert Customer.unscoped.get(pk=alices_ids["customer_id"]).name == "Alice's customer"
    expectation = Expectation.unscoped.get(pk=alices_ids["expectation_id"])
    assert (expectation.text, expectation.active) == ("Hers", True)
    assert WowPlanItem.unscoped.get(pk=alices_ids["step_id"]).done_on is None


def test_a_body_that_is_not_json_is_a_400(alice_api):
    response = alice_api.client.post(
        f"{PREFIX}/customers",
        "{not json",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {alice_api.secret}",
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "The request body is not valid JSON; send a JSON object.",
        "errors": [],
    }


def test_a_missing_body_is_a_422_that_says_so(alice_api):
    response = alice_api.client.generic(
        "POST", f"{PREFIX}/customers", HTTP_AUTHORIZATION=f"Bearer {alice_api.secret}"
    )

    assert response.status_code == 422
    assert response.json()["detail"] == "The request needs a JSON object in its body."


def test_field_errors_name_the_path_inside_the_body(alice_api):
    response = alice_api.post("/customers/bulk", {"rows": "not a list"})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "rows"


def test_a_patch_without_a_body_changes_nothing(alice_api):
    customer = CustomerFactory(workspace=alice_api.workspace, name="Olena")

    response = alice_api.client.generic(
        "PATCH",
        f"{PREFIX}/customers/{customer.pk}",
        HTTP_AUTHORIZATION=f"Bearer {alice_api.secret}",
    )

    assert response.status_code == 200
    assert response.json()["name"] == "Olena"


def test_a_body_larger_than_the_server_accepts_is_a_413(alice_api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    rows = [{"external_id": f"C-{i}", "name": "x" * 100} for i in range(100)]

    response = alice_api.post("/customers/bulk", {"rows": rows})

    assert response.status_code == 413
    assert "send fewer rows" in response.json()["detail"]
    assert not Customer.unscoped.exists()
