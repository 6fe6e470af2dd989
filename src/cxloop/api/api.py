"""The REST API: one django-ninja instance mounting each app's router under /api/v1/."""

from __future__ import annotations

from ninja import NinjaAPI

from cxloop.accounts.api import router as accounts_router
from cxloop.customers.api import router as customers_router

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
api.add_router("/workspace", accounts_router)
api.add_router("/customers", customers_router)
