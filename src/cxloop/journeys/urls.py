from django.urls import path

from . import views

app_name = "journeys"
urlpatterns = [
    path("", views.journey_list, name="list"),
    path("new/", views.journey_create, name="create"),
    path("<int:journey_id>/", views.journey_detail, name="detail"),
    path("<int:journey_id>/stages/new/", views.stage_create, name="stage_create"),
    path("<int:journey_id>/touchpoints/new/", views.touchpoint_create, name="touchpoint_create"),
    path("touchpoints/<int:touchpoint_id>/", views.touchpoint_edit, name="touchpoint_edit"),
]
