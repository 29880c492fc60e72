"""A journey's submissions overview and its exports, for teachers, under
/journeys/<journey_id>/submissions/."""

from django.urls import path

from submissions import export_views, views

app_name = "submissions"

urlpatterns = [
    path("", views.overview, name="index"),
    path("missing/<uuid:instance_id>/", views.missing, name="missing"),
    path("remind/", views.remind, name="remind"),
    path("exports/", export_views.exports_page, name="exports"),
    path("exports/prepare/", export_views.export_prepare, name="export_prepare"),
    path(
        "exports/<uuid:export_id>/download/", export_views.export_download, name="export_download"
    ),
    # The former direct downloads, kept for bookmarks: they lead to the exports page.
    path("export.csv", export_views.export_csv, name="export_csv"),
    path("export.xlsx", export_views.export_xlsx, name="export_xlsx"),
]
