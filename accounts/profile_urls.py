"""People: my profile, others' public profiles, role access codes."""

from django.urls import path

from accounts import codes, profile_views

app_name = "people"

urlpatterns = [
    path("me/", profile_views.profile_me, name="me"),
    path("me/edit/", profile_views.profile_edit, name="edit"),
    path("me/delete/", profile_views.profile_delete, name="delete"),
    path("codes/", codes.codes_list, name="codes"),
    path("codes/new/", codes.codes_create, name="codes_create"),
    path("codes/<uuid:pk>/expire/", codes.codes_expire, name="codes_expire"),
    path("<uuid:pk>/", profile_views.profile_public, name="profile"),
]
