from django.urls import include, path

from cxloop.api.api import api
from cxloop.core.views import healthz

urlpatterns = [
    path("", include("cxloop.web.urls")),
    path("accounts/", include("cxloop.accounts.urls")),
    path("customers/", include("cxloop.customers.urls")),
    path("journeys/", include("cxloop.journeys.urls")),
    path("surveys/", include("cxloop.feedback.urls")),
    path("s/", include("cxloop.feedback.public_urls")),
    path("insights/", include("cxloop.insights.urls")),
    path("analytics/", include("cxloop.analytics.urls")),
    path("loop/", include("cxloop.loop.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz, name="healthz"),
]

handler403 = "cxloop.web.views.forbidden"
handler404 = "cxloop.web.views.not_found"
