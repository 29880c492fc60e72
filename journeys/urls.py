"""A journey's pages. The tabs are real URLs (bookmarkable, the back button
works); each tab's view lives in the app of its domain."""

from django.urls import path

from community import feed_views
from journeys import views
from points import views as points_views
from teams import views as team_views

app_name = "journeys"

urlpatterns = [
    path("join/<str:token>/", views.join, name="join"),
    path("<uuid:journey_id>/", views.journey_detail, name="detail"),
    path("<uuid:journey_id>/plan/", views.plan, name="plan"),
    path("<uuid:journey_id>/feed/", feed_views.feed, name="feed"),
    path("<uuid:journey_id>/dashboard/", points_views.dashboard, name="dashboard"),
    path("<uuid:journey_id>/team/", team_views.team_page, name="team"),
    path(
        "<uuid:journey_id>/invite/regenerate/",
        views.invite_regenerate,
        name="invite_regenerate",
    ),
]
