from django.contrib import admin
from django.contrib.sitemaps.views import sitemap as sitemap_view
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from files import views as file_views
from sqeeze import pwa, views
from sqeeze.sitemaps import SITEMAPS

admin.site.site_header = _("Sqeeze administration")
admin.site.site_title = _("Sqeeze admin")
admin.site.index_title = _("Academy data")

urlpatterns = [
    path("", views.landing, name="landing"),
    path("home/", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # For search engines: what they may crawl, and the public pages to index.
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("sitemap.xml", sitemap_view, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("blog/", include("blog.urls")),
    # Browsers ask for /favicon.ico on pages without a <link rel="icon"> (admin).
    path("favicon.ico", views.favicon),
    # The service worker must come from the root to control every page (scope "/").
    path("sw.js", pwa.service_worker, name="service_worker"),
    # The installable app: its manifest, and the page the worker shows offline.
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("offline/", pwa.offline, name="offline"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("notifications/", include("notifications.urls")),
    path("journeys/", include("journeys.urls")),
    path("journeys/<uuid:journey_id>/", include("community.urls")),
    path("journeys/<uuid:journey_id>/team/", include("teams.urls")),
    path("journeys/<uuid:journey_id>/dashboard/", include("points.urls")),
    path("journeys/<uuid:journey_id>/submissions/", include("submissions.urls")),
    path("journeys/<uuid:journey_id>/insights/", include("insights.urls")),
    path("", include("missions.urls")),
    path("grading/", include("grading.urls")),
    path("files/", include("files.urls")),
    path("people/", include("people.urls")),
    # Public uploads on local disk (STORAGES["public_files"] base_url), in production
    # too; only files with a live row are served. With S3, S3 serves them itself.
    path("media/public/<path:path>", file_views.public_media, name="public_media"),
    # Django's set_language, which also stores a signed-in person's choice.
    path("i18n/setlang/", views.language_set, name="set_language"),
    # /inquiry/ (public), /contact/ (its old address), /bugs/ (signed-in bug reports).
    path("", include("inquiries.urls")),
]
