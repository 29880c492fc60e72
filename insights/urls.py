"""A journey's class insights, at /journeys/<journey_id>/insights/."""

from django.urls import path

from insights import views

app_name = "insights"

urlpatterns = [
    path("", views.index, name="index"),
]
