"""Sqeeze's own settings (production when DEBUG is off), plus two things the
bench needs: the URLconf with the hello view (``bench.urls``) and a static
root of its own (``BENCH_STATIC_ROOT``), filled by ``collectstatic``."""

import os

from sqeeze.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT", STATIC_ROOT)  # noqa: F405
