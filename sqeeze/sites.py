"""The django.contrib.sites record (SITE_ID) names this installation and says
where it lives: allauth's mails greet with its name ("Hello from Sqeeze!") and
sign with its domain, and the sitemap builds its links from that domain.

Django creates the record as "example.com". We keep it equal to SITE_NAME and
SITE_URL's host (with its port): a data migration sets it in a new database,
and every ``migrate`` sets it again (post_migrate), so changing either setting
takes effect at the next ``make run`` or docker compose ``migrate`` service.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.apps import apps as global_apps
from django.conf import settings
from django.contrib.sites.models import SITE_CACHE, Site
from django.core.management.color import no_style
from django.db import connections


def site_domain(site_url: str) -> str:
    """``https://lms.example.kr`` → ``lms.example.kr``; ``http://localhost:8000`` →
    ``localhost:8000`` (credentials in the URL, if any, are left out)."""
    parts = urlsplit(site_url)
    host = (parts.hostname or "").lower()
    if ":" in host:  # an IPv6 address keeps its brackets
        host = f"[{host}]"
    return f"{host}:{parts.port}" if parts.port else host


def site_sync(*, site_model=None, using: str = "default") -> None:
    """Make the SITE_ID record say SITE_NAME and SITE_URL's domain. Takes the
    model, so a migration can pass its historical one."""
    site_model = site_model or Site
    _site, created = site_model.objects.using(using).update_or_create(
        pk=settings.SITE_ID,
        defaults={"domain": site_domain(settings.SITE_URL), "name": settings.SITE_NAME},
    )
    if created:
        # Saved with an explicit id: move the id sequence past it, as Django does
        # for its own example.com record, or the next site added would collide.
        with connections[using].cursor() as cursor:
            for command in connections[using].ops.sequence_reset_sql(no_style(), [site_model]):
                cursor.execute(command)
    # get_current_site() keeps records in a process-wide cache.
    SITE_CACHE.clear()


def site_sync_after_migrate(sender, *, using: str, apps=global_apps, **kwargs) -> None:
    """post_migrate of django.contrib.sites, after its own handler (which adds
    "example.com" to an empty table). ``migrate`` passes its migrated state as
    ``apps``; ``flush`` (tests that reset the database) passes none."""
    try:
        site_model = apps.get_model("sites", "Site")
    except LookupError:  # the sites app is migrated to zero
        return
    site_sync(site_model=site_model, using=using)
