from django.urls import path

from . import case_views as case
from . import improvement_views as improvement

app_name = "loop"
urlpatterns: list = [
    # Cases (case_views.py).
    path("cases/", case.case_list, name="cases"),
    path("cases/<int:case_id>/", case.case_detail, name="case_detail"),
    path("cases/<int:case_id>/contact/", case.case_contact, name="case_contact"),
    path("cases/<int:case_id>/resolve/", case.case_resolve, name="case_resolve"),
    path("cases/<int:case_id>/wont-fix/", case.case_wont_fix, name="case_wont_fix"),
    path("cases/<int:case_id>/note/", case.case_note, name="case_note"),
    path("cases/<int:case_id>/reassign/", case.case_reassign, name="case_reassign"),
    path("notifications/read/", case.notifications_read, name="notifications_read"),
    # Goal, improvements, the weekly grid and "you said, we did" (improvement_views.py).
    path("goal/", improvement.goal_page, name="goal"),
    path("goal/edit/", improvement.goal_edit, name="goal_edit"),
    path("improvements/", improvement.improvement_list, name="improvements"),
    path("improvements/new/", improvement.improvement_new, name="improvement_new"),
    path("improvements/grid/", improvement.grid_page, name="grid"),
    path("improvements/processes/", improvement.process_list, name="processes"),
    path("improvements/you-said/", improvement.you_said_template, name="you_said_template"),
    path(
        "improvements/<int:improvement_id>/",
        improvement.improvement_detail,
        name="improvement_detail",
    ),
    path(
        "improvements/<int:improvement_id>/edit/",
        improvement.improvement_edit,
        name="improvement_edit",
    ),
    path(
        "improvements/<int:improvement_id>/status/",
        improvement.improvement_move,
        name="improvement_move",
    ),
    path(
        "improvements/<int:improvement_id>/signals/",
        improvement.improvement_link,
        name="improvement_link",
    ),
    path(
        "you-said/unsubscribe/<str:token>/",
        improvement.you_said_unsubscribe,
        name="you_said_unsubscribe",
    ),
]
