from django.urls import path

from . import experiment_views, value_views, views

app_name = "analytics"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("explore/", views.explore, name="explore"),
    path("answers/", views.answers, name="answers"),
    path("stance/", views.stance_tile, name="stance"),
    path("drivers/", views.key_drivers, name="drivers"),
    # Customer value (CLV, retention): another page of this app, its view in value_views.py.
    path("value/", value_views.customer_value, name="value"),
    path("value/refresh/", value_views.refresh, name="value_refresh"),
    # A/B experiments: experiment_views.py.
    path("experiments/", experiment_views.experiment_list, name="experiments"),
    path("experiments/new/", experiment_views.experiment_create, name="experiment_create"),
    path(
        "experiments/<int:experiment_id>/",
        experiment_views.experiment_detail,
        name="experiment_detail",
    ),
    path(
        "experiments/<int:experiment_id>/edit/",
        experiment_views.experiment_edit,
        name="experiment_edit",
    ),
]
