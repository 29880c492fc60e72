"""Team actions under /journeys/<journey_id>/team/ (the page itself is journeys:team)."""

app_name = "teams"

urlpatterns: list = [
    # helper D adds: create, join, leave
]
