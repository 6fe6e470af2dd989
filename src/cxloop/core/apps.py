from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cxloop.core"
    label = "core"
    verbose_name = "cxloop core"

    def ready(self) -> None:
        from . import db  # noqa: F401 - registers the casefold lookup and SQLite functions
