"""Team actions under /journeys/<journey_id>/team/ (the page itself is journeys:team)."""

from django.urls import path

from teams import views

app_name = "teams"

urlpatterns = [
    path("create/", views.team_create, name="create"),
    path("<uuid:team_id>/join/", views.team_join, name="join"),
    path("<uuid:team_id>/leave/", views.team_leave, name="leave"),
]
