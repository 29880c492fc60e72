"""The public inquiry form (/inquiry/; /contact/ redirects there) and the
signed-in bug reports (/bugs/)."""

from django.urls import path
from django.views.generic import RedirectView

from inquiries import views

app_name = "inquiries"

urlpatterns = [
    path("inquiry/", views.inquiry, name="inquiry"),
    path("inquiry/thanks/", views.inquiry_thanks, name="thanks"),
    # The original site's address for the same form; old links keep working.
    path(
        "contact/",
        RedirectView.as_view(pattern_name="inquiries:inquiry", permanent=True),
        name="contact",
    ),
    path("bugs/", views.bug_list, name="bug_list"),
    path("bugs/new/", views.bug_create, name="bug_create"),
    path("bugs/<uuid:pk>/", views.bug_detail, name="bug_detail"),
]
