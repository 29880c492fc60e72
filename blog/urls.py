"""The public blog: /blog/, /blog/feed/, /blog/<id>/ and the operator's
/blog/<id>/preview/."""

from django.urls import path

from blog import views
from blog.feeds import LatestPostsFeed

app_name = "blog"

urlpatterns = [
    path("", views.post_list, name="list"),
    path("feed/", LatestPostsFeed(), name="feed"),
    path("<uuid:pk>/", views.post_detail, name="post"),
    path("<uuid:pk>/preview/", views.post_preview, name="preview"),
]
