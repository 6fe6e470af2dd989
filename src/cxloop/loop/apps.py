from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoopConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cxloop.loop"
    verbose_name = _("Close the loop")

    def ready(self) -> None:
        from . import events

        events.connect()
