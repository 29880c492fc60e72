from django.urls import path, re_path

from accounts import import_views

app_name = "accounts_import"

urlpatterns = [
    path("", import_views.import_start, name="start"),
    path("sample.csv", import_views.sample_csv, name="sample"),
    # The invitation link: the same uid-key pair as allauth's password reset link.
    re_path(
        r"^invitation/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
        import_views.invitation,
        name="invitation",
    ),
    path("<uuid:pk>/", import_views.import_detail, name="detail"),
    path("<uuid:pk>/progress/", import_views.import_progress, name="progress"),
    path("<uuid:pk>/confirm/", import_views.import_confirm, name="confirm"),
]
