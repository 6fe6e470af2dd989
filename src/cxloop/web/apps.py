from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "cxloop.web"
    label = "web"
