from django.urls import path

from . import views

app_name = "feedback"
urlpatterns = [
    path("", views.survey_list, name="list"),
    path("new/", views.survey_create, name="create"),
    path("settings/", views.feedback_settings, name="settings"),
    path("<int:survey_id>/", views.survey_detail, name="detail"),
    path("<int:survey_id>/invite/", views.survey_invite, name="invite"),
    path("<int:survey_id>/close/", views.survey_close, name="close"),
    path("<int:survey_id>/qr.png", views.survey_qr, {"fmt": "png"}, name="qr_png"),
    path("<int:survey_id>/qr.svg", views.survey_qr, {"fmt": "svg"}, name="qr_svg"),
    path("<int:survey_id>/results/", views.survey_results, name="results"),
    path("<int:survey_id>/results.csv", views.survey_export, name="export"),
]
