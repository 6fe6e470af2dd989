from django.urls import path

from . import views

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
]
