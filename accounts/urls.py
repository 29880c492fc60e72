"""The accounts pages of our own under /accounts/ (mounted before allauth's,
which serve log-in, sign-up, password and e-mail pages)."""

from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("complete/", views.complete_profile, name="complete_profile"),
]
