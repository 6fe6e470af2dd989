"""What every page's shell needs: navigation, the workspace switcher, the language switcher."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cxloop.accounts.services import memberships_of


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    active_prefix: str  # "namespace:url-name" prefix of the pages that light this item up


# Only areas that exist are listed; each feature adds its own line when it lands.
NAVIGATION = (
    NavItem(_("Home"), "web:home", "web:home"),
    NavItem(_("Dashboard"), "analytics:dashboard", "analytics:dashboard"),
    NavItem(_("Customers"), "customers:list", "customers:"),
    NavItem(_("Journeys"), "journeys:list", "journeys:"),
    NavItem(_("Surveys"), "feedback:list", "feedback:"),
    NavItem(_("Insights"), "insights:overview", "insights:"),
    NavItem(_("Cases"), "loop:cases", "loop:case"),
    NavItem(_("Improvements"), "loop:improvements", "loop:improvement"),
    NavItem(_("Goal"), "loop:goal", "loop:goal"),
    NavItem(_("Customer value"), "analytics:value", "analytics:value"),
    NavItem(_("Experiments"), "analytics:experiments", "analytics:experiment"),
    NavItem(_("Team"), "accounts:members", "accounts:member"),
    NavItem(_("API tokens"), "accounts:tokens", "accounts:token"),
)


def shell(request: HttpRequest) -> dict:
    membership = getattr(request, "membership", None)
    if membership is None or getattr(request, "api_token", None) is not None:
        return {"nav_items": [], "workspace_choices": []}
    match = request.resolver_match
    current = f"{match.namespace}:{match.url_name}" if match else ""
    return {
        "nav_items": [
            {
                "label": item.label,
                "url": reverse(item.url_name),
                "active": current.startswith(item.active_prefix),
            }
            for item in NAVIGATION
        ],
        "workspace_choices": memberships_of(request.user),
    }
