"""A journey's pages. The tabs are real URLs (bookmarkable, the back button
works); each tab's view and URL live in the app of its domain (missions:plan,
community:feed, points:dashboard, teams:index, submissions:index)."""

from django.urls import path

from journeys import views

app_name = "journeys"

urlpatterns = [
    path("join/<str:token>/", views.join, name="join"),
    # Teachers and admins of the journey's organization:
    path("new/", views.journey_create, name="create"),
    path("<uuid:journey_id>/edit/", views.journey_edit, name="edit"),
    path("<uuid:journey_id>/delete/", views.journey_delete, name="delete"),
    path("<uuid:journey_id>/members/", views.members, name="members"),
    path("<uuid:journey_id>/members/add/", views.member_add, name="member_add"),
    path(
        "<uuid:journey_id>/members/<uuid:user_id>/remove/",
        views.member_remove,
        name="member_remove",
    ),
    path("<uuid:journey_id>/members/email/", views.members_email, name="members_email"),
    path("<uuid:journey_id>/", views.journey_detail, name="detail"),
    path(
        "<uuid:journey_id>/invite/regenerate/",
        views.invite_regenerate,
        name="invite_regenerate",
    ),
]
