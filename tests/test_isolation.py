"""No request crosses the workspace line: Bob tries every route with Alice's ids.

The URL list is read from the URL resolver, so a new route with an id in its path fails this test
until it is listed here with the object that Alice owns.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cxloop.accounts.models import ApiToken
from cxloop.accounts.services import issue_token
from cxloop.core.scoping import bind_workspace
from cxloop.customers.expectations import note_individual_expectation, plan_wow
from cxloop.customers.models import Expectation, ImportRun, WowPlanItem

from .analytics.experiment_fixtures import alices_experiment
from .factories import (
    CustomerFactory,
    ExperienceFactory,
    OrderFactory,
    SurveyFactory,
    TouchpointFactory,
)
from .insights.isolation_fixtures import alices_proposal, alices_topic
from .loop.case_isolation import alices_case
from .loop.improvement_helpers import alices_improvement


def _named_routes(resolver: URLResolver | None = None, namespace: str = "") -> list:
    resolver = resolver or get_resolver()
    routes = []
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace or ""
            routes += _named_routes(pattern, inner or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            routes.append((name, list(pattern.pattern.converters)))
    return routes


# For each route that takes an id: how to get Alice's object's id, and the HTTP method to try.
ID_ROUTES = {
    "customers:detail": ("GET", lambda a: {"customer_id": a["customer"].pk}),
    "customers:import_map": ("GET", lambda a: {"run_id": a["import_run"].pk}),
    "customers:import_run": ("GET", lambda a: {"run_id": a["import_run"].pk}),
    "customers:import_report": ("GET", lambda a: {"run_id": a["import_run"].pk}),
    "customers:add_expectation": ("POST", lambda a: {"customer_id": a["customer"].pk}),
    "customers:retire_expectation": (
        "POST",
        lambda a: {"customer_id": a["customer"].pk, "expectation_id": a["expectation"].pk},
    ),
    "customers:add_wow_step": ("POST", lambda a: {"customer_id": a["customer"].pk}),
    "customers:complete_wow_step": (
        "POST",
        lambda a: {"customer_id": a["customer"].pk, "step_id": a["wow_step"].pk},
    ),
    "accounts:token_revoke": ("POST", lambda a: {"token_id": a["token"].pk}),
    "api:get_customer": ("GET", lambda a: {"customer_id": a["customer"].pk}),
    "api:update_customer": ("PATCH", lambda a: {"customer_id": a["customer"].pk}),
    "api:get_order": ("GET", lambda a: {"order_id": a["order"].pk}),
    "api:get_experience": ("GET", lambda a: {"experience_id": a["experience"].pk}),
    "api:get_expectation": ("GET", lambda a: {"expectation_id": a["expectation"].pk}),
    "api:update_expectation": ("PATCH", lambda a: {"expectation_id": a["expectation"].pk}),
    "api:get_wow_plan_step": ("GET", lambda a: {"step_id": a["wow_step"].pk}),
    "api:update_wow_plan_step": ("PATCH", lambda a: {"step_id": a["wow_step"].pk}),
    "journeys:detail": ("GET", lambda a: {"journey_id": a["journey"].pk}),
    "journeys:stage_create": ("POST", lambda a: {"journey_id": a["journey"].pk}),
    "journeys:touchpoint_create": ("POST", lambda a: {"journey_id": a["journey"].pk}),
    "journeys:touchpoint_edit": ("POST", lambda a: {"touchpoint_id": a["touchpoint"].pk}),
    "api:get_journey": ("GET", lambda a: {"journey_id": a["journey"].pk}),
    "feedback:detail": ("GET", lambda a: {"survey_id": a["survey"].pk}),
    "feedback:invite": ("POST", lambda a: {"survey_id": a["survey"].pk}),
    "feedback:close": ("POST", lambda a: {"survey_id": a["survey"].pk}),
    "feedback:qr_png": ("GET", lambda a: {"survey_id": a["survey"].pk}),
    "feedback:qr_svg": ("GET", lambda a: {"survey_id": a["survey"].pk}),
    "feedback:results": ("GET", lambda a: {"survey_id": a["survey"].pk}),
    "feedback:export": ("GET", lambda a: {"survey_id": a["survey"].pk}),
    "api:get_survey": ("GET", lambda a: {"survey_id": a["survey"].pk}),
    "api:list_responses": ("GET", lambda a: {"survey_id": a["survey"].pk}),
    "analytics:experiment_detail": ("GET", lambda a: {"experiment_id": alices_experiment(a).pk}),
    "analytics:experiment_edit": ("POST", lambda a: {"experiment_id": alices_experiment(a).pk}),
    "api:get_experiment": ("GET", lambda a: {"experiment_id": alices_experiment(a).pk}),
    "loop:case_detail": ("GET", lambda a: {"case_id": alices_case(a).pk}),
    "loop:case_contact": ("POST", lambda a: {"case_id": alices_case(a).pk}),
    "loop:case_resolve": ("POST", lambda a: {"case_id": alices_case(a).pk}),
    "loop:case_wont_fix": ("POST", lambda a: {"case_id": alices_case(a).pk}),
    "loop:case_note": ("POST", lambda a: {"case_id": alices_case(a).pk}),
    "loop:case_reassign": ("POST", lambda a: {"case_id": alices_case(a).pk}),
    "api:get_case": ("GET", lambda a: {"case_id": alices_case(a).pk}),
    "api:change_case_status": ("POST", lambda a: {"case_id": alices_case(a).pk}),
    "api:add_case_note": ("POST", lambda a: {"case_id": alices_case(a).pk}),
    "loop:improvement_detail": ("GET", lambda a: {"improvement_id": alices_improvement(a).pk}),
    "loop:improvement_edit": ("GET", lambda a: {"improvement_id": alices_improvement(a).pk}),
    "loop:improvement_move": ("POST", lambda a: {"improvement_id": alices_improvement(a).pk}),
    "loop:improvement_link": ("POST", lambda a: {"improvement_id": alices_improvement(a).pk}),
    "api:get_improvement": ("GET", lambda a: {"improvement_id": alices_improvement(a).pk}),
    "api:update_improvement": ("PATCH", lambda a: {"improvement_id": alices_improvement(a).pk}),
    "api:move_improvement": ("POST", lambda a: {"improvement_id": alices_improvement(a).pk}),
    "api:link_signals": ("POST", lambda a: {"improvement_id": alices_improvement(a).pk}),
    "api:improvement_effect": ("GET", lambda a: {"improvement_id": alices_improvement(a).pk}),
    "insights:topic": ("GET", lambda a: {"topic_id": alices_topic(a).pk}),
    "insights:proposal": ("GET", lambda a: {"proposal_id": alices_proposal(a).pk}),
    "insights:proposal_accept": ("POST", lambda a: {"proposal_id": alices_proposal(a).pk}),
    "insights:proposal_dismiss": ("POST", lambda a: {"proposal_id": alices_proposal(a).pk}),
}
# Public survey links carry a token or key instead of an id: the link itself is the permission,
# the same for everybody (tests/feedback/test_links.py checks wrong and expired ones).
PUBLIC_ROUTES = {
    "loop:you_said_unsubscribe",
    "survey:personal",
    "survey:personal_thanks",
    "survey:anonymous",
    "survey:anonymous_response",
    "survey:anonymous_thanks",
    "survey:mention_webhook",
    "survey:unsubscribe",
}
# Routes without ids that list or change workspace data: Bob must only ever see his own.
LISTING_ROUTES = [
    "web:home",
    "analytics:dashboard",
    "analytics:explore",
    "analytics:answers",
    "analytics:stance",
    "analytics:drivers",
    "analytics:value",
    "customers:list",
    "customers:import",
    "accounts:members",
    "accounts:tokens",
    "journeys:list",
    "feedback:list",
    "analytics:experiments",
    "loop:cases",
    "loop:goal",
    "loop:improvements",
    "loop:grid",
    "loop:processes",
    "loop:you_said_template",
    "insights:overview",
]


@pytest.fixture
def alices_things(alice):
    customer = CustomerFactory(workspace=alice.workspace, name="Alice's Secret Customer")
    order = OrderFactory(workspace=alice.workspace, customer=customer)
    touchpoint = TouchpointFactory(workspace=alice.workspace, name="ALICE-ONLY touchpoint")
    for _ in range(5):  # enough to rank among the worst touchpoints
        experience = ExperienceFactory(
            workspace=alice.workspace,
            customer=customer,
            touchpoint=touchpoint,
            nps=2,
            text="ALICE-ONLY words",
        )
    token = issue_token(alice.membership, "alice's sync").token
    with bind_workspace(alice.workspace):
        expectation = note_individual_expectation(customer, "ALICE-ONLY wish", noted_by=None)
        wow_step = plan_wow(customer, "ALICE-ONLY surprise", due_on=date(2099, 1, 1))
        import_run = ImportRun.objects.create(
            kind="customers", file_name="ALICE-ONLY customers.csv", status="done"
        )
    survey = SurveyFactory(workspace=alice.workspace, name="ALICE-ONLY survey", kind="nps")
    return {
        "survey": survey,
        "customer": customer,
        "order": order,
        "experience": experience,
        "token": token,
        "expectation": expectation,
        "wow_step": wow_step,
        "import_run": import_run,
        "journey": touchpoint.stage.journey,
        "touchpoint": touchpoint,
    }


def test_every_route_with_an_id_is_covered():
    with_ids = {name for name, converters in _named_routes() if converters} - PUBLIC_ROUTES
    assert with_ids <= set(ID_ROUTES), f"add these routes to ID_ROUTES: {with_ids - set(ID_ROUTES)}"


@pytest.mark.parametrize("route", sorted(ID_ROUTES))
def test_bob_gets_404_for_alices_ids(route, alice, bob, alices_things):
    method, kwargs = ID_ROUTES[route]
    url = reverse(route, kwargs=kwargs(alices_things))
    if route.startswith("api:"):
        secret = issue_token(bob.membership, "bob's script").secret
        response = bob.client.generic(method, url, HTTP_AUTHORIZATION=f"Bearer {secret}")
    else:
        response = bob.client.generic(method, url)
    assert response.status_code == 404
    # Nothing of Alice's changed either.
    assert ApiToken.unscoped.get(pk=alices_things["token"].pk).revoked_at is None
    assert Expectation.unscoped.get(pk=alices_things["expectation"].pk).active
    assert WowPlanItem.unscoped.get(pk=alices_things["wow_step"].pk).done_on is None
    assert not Expectation.unscoped.filter(workspace=bob.workspace).exists()


@pytest.mark.parametrize("route", LISTING_ROUTES)
def test_bobs_pages_never_show_alices_rows(route, alice, bob, alices_things):
    response = bob.client.get(reverse(route))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Alice&#x27;s Secret Customer" not in body
    assert "Alice's Secret Customer" not in body
    assert "ALICE-ONLY" not in body
    assert "alice&#x27;s sync" not in body


def test_bobs_api_token_lists_only_bobs_customers(alice, bob, alices_things):
    mine = CustomerFactory(workspace=bob.workspace, name="Bob's customer")
    secret = issue_token(bob.membership, "bob's script").secret
    response = bob.client.get(reverse("api:list_customers"), HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
    assert [c["id"] for c in response.json()["items"]] == [mine.pk]


def test_a_forged_workspace_in_the_session_falls_back_to_ones_own(alice, bob, alices_things):
    session = bob.client.session
    session["cxloop_workspace_id"] = alice.workspace.pk
    session.save()
    response = bob.client.get(reverse("customers:list"))
    assert "Alice" not in response.content.decode()


def test_switching_to_a_workspace_one_is_not_a_member_of_is_refused(alice, bob):
    response = bob.client.post(
        reverse("accounts:switch_workspace"), {"workspace": alice.workspace.pk}, follow=True
    )
    assert response.context["request"].workspace == bob.workspace
    assert "cxloop_workspace_id" not in bob.client.session
