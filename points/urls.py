"""A journey's Dashboard tab (points and rankings), at /journeys/<journey_id>/dashboard/."""

from django.urls import path

from points import views

app_name = "points"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
