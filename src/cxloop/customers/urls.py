from django.urls import path

from . import views
from .imports import views as imports

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("<int:customer_id>/", views.customer_detail, name="detail"),
    path("<int:customer_id>/expectations/", views.add_expectation, name="add_expectation"),
    path(
        "<int:customer_id>/expectations/<int:expectation_id>/retire/",
        views.retire_expectation,
        name="retire_expectation",
    ),
    path("<int:customer_id>/wow-plan/", views.add_wow_step, name="add_wow_step"),
    path(
        "<int:customer_id>/wow-plan/<int:step_id>/done/",
        views.complete_wow_step,
        name="complete_wow_step",
    ),
    path("import/", imports.upload, name="import"),
    path("import/<int:run_id>/", imports.run_detail, name="import_run"),
    path("import/<int:run_id>/map/", imports.map_columns, name="import_map"),
    path("import/<int:run_id>/bad-rows.csv", imports.bad_rows, name="import_report"),
]
