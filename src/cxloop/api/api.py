"""The REST API: one django-ninja instance mounting each app's router under /api/v1/."""

from __future__ import annotations

from ninja import NinjaAPI

from cxloop.accounts.api import router as accounts_router
from cxloop.analytics.api import router as metrics_router
from cxloop.analytics.experiment_api import router as experiments_router
from cxloop.customers.api import expectations_router, orders_router, wow_plan_router
from cxloop.customers.api import router as customers_router
from cxloop.customers.expectations import ExpectationInvalid
from cxloop.experiences.api import router as experiences_router
from cxloop.experiences.services import ExperienceInvalid
from cxloop.feedback.api import mentions_router
from cxloop.feedback.api import router as surveys_router
from cxloop.journeys.api import journeys_router, touchpoints_router
from cxloop.loop.case_api import router as cases_router
from cxloop.loop.improvement_api import goal_router, improvements_router, processes_router

from . import errors
from .auth import workspace_token

api = NinjaAPI(
    title="cxloop API",
    version="1",
    description=(
        "Every request is authenticated with a personal API token "
        "(`Authorization: Bearer cxl_…`, created under API tokens in the web UI) and sees only "
        "the workspace the token belongs to."
    ),
    auth=workspace_token,
    urls_namespace="api",
)
# One error shape for every route; domain errors carry the sentence, here they get a status.
errors.install(api, domain_errors={ExperienceInvalid: 422, ExpectationInvalid: 422})
api.add_router("/workspace", accounts_router)
api.add_router("/customers", customers_router)
api.add_router("/orders", orders_router)
api.add_router("/expectations", expectations_router)
api.add_router("/wow-plan-steps", wow_plan_router)
api.add_router("/experiences", experiences_router)
api.add_router("/journeys", journeys_router)
api.add_router("/touchpoints", touchpoints_router)
api.add_router("/surveys", surveys_router)
api.add_router("/mentions", mentions_router)
api.add_router("/cases", cases_router)
api.add_router("/goal", goal_router)
api.add_router("/improvements", improvements_router)
api.add_router("/processes", processes_router)
api.add_router("/experiments", experiments_router)
api.add_router("/metrics", metrics_router)
