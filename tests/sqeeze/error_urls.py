"""The site's URLs plus views that fail on purpose, for tests/sqeeze/test_error_pages.py."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import OperationalError
from django.urls import include, path


def forbidden(request):
    raise PermissionDenied


def suspicious(request):
    raise SuspiciousOperation("a test of the 400 page")


def broken(request):
    raise RuntimeError("a test of the 500 page")


def database_down(request):
    raise OperationalError("connection refused (a test of the 500 page)")


urlpatterns = [
    path("test-errors/403/", forbidden),
    path("test-errors/400/", suspicious),
    path("test-errors/500/", broken),
    path("test-errors/database/", database_down),
    path("", include("sqeeze.urls")),
]
