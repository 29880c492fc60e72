"""The organization's mission library, at /missions/."""

from django.urls import path

from missions import views

app_name = "missions"

urlpatterns = [
    path("", views.library, name="library"),
    path("new/", views.mission_create, name="create"),
    path("preview/", views.mission_preview, name="preview"),
    path("<uuid:mission_id>/edit/", views.mission_edit, name="edit"),
    path("<uuid:mission_id>/delete/", views.mission_delete, name="delete"),
]
