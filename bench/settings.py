"""Sqeeze's own settings (production when DEBUG is off), plus the URLconf
with the hello view (``bench.urls``). The bench gives the server a static root
of its own through ``STATIC_ROOT``, filled by ``collectstatic``."""

from sqeeze.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
