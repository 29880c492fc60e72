"""The teachers' grading dashboard, at /grading/."""

from django.urls import path

from grading import views

app_name = "grading"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("posts/<uuid:post_id>/", views.grade, name="grade"),
    path("bulk/", views.bulk_achieve, name="bulk_achieve"),
    path("posts/<uuid:post_id>/hide/", views.post_hide, name="hide"),
    path("posts/<uuid:post_id>/unhide/", views.post_unhide, name="unhide"),
    path("posts/<uuid:post_id>/delete/", views.post_remove, name="delete"),
]
