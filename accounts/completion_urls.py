"""/accounts/complete/: finish a profile (mounted before allauth's URLs)."""

from django.urls import path

from accounts import completion

app_name = "completion"

urlpatterns = [
    path("", completion.complete_profile, name="complete_profile"),
]
