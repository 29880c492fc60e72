"""Sqeeze's URLs plus ``/bench-hello``: a bare Django view that every page is
measured against (same server, same middleware, no template, no query)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from sqeeze.urls import urlpatterns as sqeeze_urlpatterns


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"Hello, world\n", content_type="text/plain")


urlpatterns = [path("bench-hello", hello, name="bench_hello"), *sqeeze_urlpatterns]
