"""A journey's Team tab and its actions, under /journeys/<journey_id>/team/.

Students: create, join, leave. Teachers and admins of the journey's
organization: everything under "manage", which answers 404 to anyone else."""

from django.urls import path

from teams import views

app_name = "teams"

urlpatterns = [
    path("", views.team_page, name="index"),
    path("create/", views.team_create, name="create"),
    path("<uuid:team_id>/join/", views.team_join, name="join"),
    path("<uuid:team_id>/leave/", views.team_leave, name="leave"),
    # Teachers:
    path("manage/new/", views.manage_team_create, name="manage_create"),
    path("manage/<uuid:team_id>/rename/", views.manage_team_rename, name="manage_rename"),
    path("manage/<uuid:team_id>/delete/", views.manage_team_delete, name="manage_delete"),
    path("manage/assign/", views.manage_member_assign, name="manage_assign"),
    path("manage/move/", views.manage_member_move, name="manage_move"),
    path(
        "manage/<uuid:team_id>/members/<uuid:user_id>/remove/",
        views.manage_member_remove,
        name="manage_remove",
    ),
    path(
        "manage/<uuid:team_id>/members/<uuid:user_id>/leader/",
        views.manage_leader_set,
        name="manage_leader",
    ),
]
