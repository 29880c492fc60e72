"""The people pages under /people/: my profile, others' public profiles,
role access codes, and the CSV import of students."""

from django.urls import path, re_path

from people import views

app_name = "people"

urlpatterns = [
    path("me/", views.profile_me, name="me"),
    path("me/edit/", views.profile_edit, name="edit"),
    path("me/delete/", views.profile_delete, name="delete"),
    path("codes/", views.codes_list, name="codes"),
    path("codes/new/", views.codes_create, name="codes_create"),
    path("codes/<uuid:pk>/expire/", views.codes_expire, name="codes_expire"),
    path("import/", views.import_start, name="import_start"),
    path("import/sample.csv", views.sample_csv, name="import_sample"),
    # The invitation link: the same uid-key pair as allauth's password reset link.
    re_path(
        r"^import/invitation/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
        views.invitation,
        name="invitation",
    ),
    path("import/<uuid:pk>/", views.import_detail, name="import_detail"),
    path("import/<uuid:pk>/progress/", views.import_progress, name="import_progress"),
    path("import/<uuid:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("import/<uuid:pk>/columns/", views.import_columns, name="import_columns"),
    path("<uuid:pk>/", views.profile_public, name="profile"),
]
