"""A journey's submissions overview for teachers, under /journeys/<journey_id>/submissions/."""

from django.urls import path

from submissions import views

app_name = "submissions"

urlpatterns = [
    path("", views.overview, name="index"),
    path("missing/<uuid:instance_id>/", views.missing, name="missing"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("remind/", views.remind, name="remind"),
]
