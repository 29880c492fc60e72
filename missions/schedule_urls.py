"""A journey's weeks and scheduled missions, under /journeys/<journey_id>/schedule/."""

from django.urls import path

from missions import schedule_views as views

app_name = "schedule"

urlpatterns = [
    path("weeks/new/", views.week_create, name="week_create"),
    path("weeks/<uuid:week_id>/edit/", views.week_edit, name="week_edit"),
    path("weeks/<uuid:week_id>/delete/", views.week_delete, name="week_delete"),
    path("weeks/<uuid:week_id>/move/", views.week_move, name="week_move"),
    path("weeks/<uuid:week_id>/missions/new/", views.instance_create, name="instance_create"),
    path("instances/<uuid:instance_id>/edit/", views.instance_edit, name="instance_edit"),
    path("instances/<uuid:instance_id>/detach/", views.instance_detach, name="instance_detach"),
]
