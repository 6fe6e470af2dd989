from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cxloop.analytics"
    verbose_name = _("Analytics")

    def ready(self) -> None:
        # The rollups count every experience recorded, in the recording transaction.
        from cxloop.experiences import events as experience_events

        from . import services

        experience_events.experience_recorded.connect(
            services.on_experience_recorded, dispatch_uid="analytics.rollups.experience_recorded"
        )
