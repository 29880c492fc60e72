"""A journey's class insights and its saved reports, at /journeys/<journey_id>/insights/."""

from django.urls import path

from insights import report_views, views

app_name = "insights"

urlpatterns = [
    path("", views.index, name="index"),
    path("reports/new/", report_views.report_create, name="report_create"),
    path("reports/<uuid:report_id>/", report_views.report_detail, name="report"),
    path("reports/<uuid:report_id>/edit/", report_views.report_edit, name="report_edit"),
    path("reports/<uuid:report_id>/delete/", report_views.report_delete, name="report_delete"),
]
