"""The organization's mission library at /missions/, a journey's Plan tab at
/journeys/<journey_id>/plan/, and its weeks and scheduled missions under
/journeys/<journey_id>/schedule/ (this file is mounted
at the root, so both keep one namespace: ``missions:``)."""

from django.urls import include, path

from missions import question_views, views

app_name = "missions"

library_patterns = [
    path("", views.library, name="library"),
    path("new/", views.mission_create, name="create"),
    path("preview/", views.mission_preview, name="preview"),
    path("<uuid:mission_id>/edit/", views.mission_edit, name="edit"),
    path("<uuid:mission_id>/delete/", views.mission_delete, name="delete"),
    path(
        "<uuid:mission_id>/questions/new/",
        question_views.question_create,
        name="question_create",
    ),
    path(
        "<uuid:mission_id>/questions/<uuid:question_id>/edit/",
        question_views.question_edit,
        name="question_edit",
    ),
    path(
        "<uuid:mission_id>/questions/<uuid:question_id>/move/",
        question_views.question_move,
        name="question_move",
    ),
    path(
        "<uuid:mission_id>/questions/<uuid:question_id>/delete/",
        question_views.question_delete,
        name="question_delete",
    ),
]

schedule_patterns = [
    path("weeks/new/", views.week_create, name="week_create"),
    path("weeks/<uuid:week_id>/edit/", views.week_edit, name="week_edit"),
    path("weeks/<uuid:week_id>/delete/", views.week_delete, name="week_delete"),
    path("weeks/<uuid:week_id>/move/", views.week_move, name="week_move"),
    path(
        "weeks/<uuid:week_id>/missions/new/",
        views.instance_create,
        name="instance_create",
    ),
    path("instances/<uuid:instance_id>/edit/", views.instance_edit, name="instance_edit"),
    path(
        "instances/<uuid:instance_id>/detach/",
        views.instance_detach,
        name="instance_detach",
    ),
]

urlpatterns = [
    path("missions/", include(library_patterns)),
    path("journeys/<uuid:journey_id>/plan/", views.plan, name="plan"),
    path("journeys/<uuid:journey_id>/schedule/", include(schedule_patterns)),
]
