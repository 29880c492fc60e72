"""The feed, posts, comments and likes, under /journeys/<journey_id>/."""

from django.urls import path

from community import views

app_name = "community"

urlpatterns = [
    path("feed/", views.feed, name="feed"),
    path("mention-suggestions/", views.mention_suggestions, name="mention_suggestions"),
    path("missions/<uuid:instance_id>/submit/", views.post_submit, name="submit"),
    path("posts/<uuid:post_id>/", views.post_detail, name="post_detail"),
    path("posts/<uuid:post_id>/edit/", views.post_edit, name="post_edit"),
    path("posts/<uuid:post_id>/delete/", views.post_delete, name="post_delete"),
    path("posts/<uuid:post_id>/like/", views.like_toggle, name="like_toggle"),
    path("posts/<uuid:post_id>/comments/", views.comment_create, name="comment_create"),
    path("comments/<uuid:comment_id>/edit/", views.comment_edit, name="comment_edit"),
    path("comments/<uuid:comment_id>/delete/", views.comment_delete, name="comment_delete"),
]
