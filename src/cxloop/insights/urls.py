from django.urls import path

from . import views

app_name = "insights"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("topics/<int:topic_id>/", views.topic_texts, name="topic"),
    path("emerging/look/", views.look_for_emerging, name="look_for_emerging"),
    path("emerging/<int:proposal_id>/", views.proposal_detail, name="proposal"),
    path("emerging/<int:proposal_id>/accept/", views.proposal_accept, name="proposal_accept"),
    path("emerging/<int:proposal_id>/dismiss/", views.proposal_dismiss, name="proposal_dismiss"),
]
