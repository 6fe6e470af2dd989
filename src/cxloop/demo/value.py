"""The demo's customer value: computed from its orders by the service a real workspace uses."""

from __future__ import annotations

from datetime import datetime

from cxloop.accounts.models import Workspace
from cxloop.analytics.value_services import refresh_clv


def compute_customer_value(workspace: Workspace, now: datetime) -> str:
    """Fit the lifetime-value model, store predictions and the Customer value page's figures."""
    result = refresh_clv(workspace, now=now)
    model = result.snapshot.model
    fit = (
        f"BG/NBD r={model['bgnbd']['r']:.3f} alpha={model['bgnbd']['alpha']:.2f}"
        if model.get("fitted")
        else f"no fit ({model.get('reason')})"
    )
    return f"customer value: {result.predictions} predictions, {fit}"
