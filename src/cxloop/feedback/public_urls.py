"""Public survey links, mounted at /s/: personal (/s/i/<token>/), anonymous (/s/<key>/),
unsubscribe (/s/u/<token>/), and the signed mention webhook (/s/hooks/mentions/<slug>/)."""

from django.urls import path

from . import public, unsubscribe, webhooks

app_name = "survey"
urlpatterns = [
    path("i/<str:token>/", public.personal, name="personal"),
    path("i/<str:token>/thanks/", public.personal_thanks, name="personal_thanks"),
    path("u/<str:token>/", unsubscribe.unsubscribe, name="unsubscribe"),
    path(
        "hooks/mentions/<slug:workspace_slug>/",
        webhooks.mention_webhook,
        name="mention_webhook",
    ),
    path("<str:key>/", public.anonymous, name="anonymous"),
    path("<str:key>/r/<uuid:submission>/", public.anonymous_response, name="anonymous_response"),
    path(
        "<str:key>/r/<uuid:submission>/thanks/",
        public.anonymous_thanks,
        name="anonymous_thanks",
    ),
]
