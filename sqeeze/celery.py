"""The Celery application: tasks live in each app's ``tasks.py``."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sqeeze.settings")

app = Celery("sqeeze")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
