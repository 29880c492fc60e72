"""Reads of the people pages: a person's posts that another may see on their
public profile.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from accounts.models import (
    ROLE_RANK,
    Profile,
    Role,
)
from community.models import Post
from journeys.models import UserJourney


def shared_posts(*, viewer: Profile, author: Profile) -> QuerySet:
    """``author``'s visible posts in journeys ``viewer`` shares with them: every
    journey of the author's organization for its teachers and admins (and a
    platform operator), else journeys where both are enrolled."""
    posts = Post.objects.filter(user=author, is_hidden=False, journey__isnull=False)
    sees_whole_organization = viewer.is_superuser or (
        author.organization_id is not None
        and viewer.organization_id == author.organization_id
        and ROLE_RANK[Role(viewer.role)] >= ROLE_RANK[Role.TEACHER]
    )
    if sees_whole_organization:
        return posts.filter(journey__organization_id=author.organization_id)
    both_enrolled = Exists(
        UserJourney.objects.filter(journey_id=OuterRef("journey_id"), user_id=viewer.pk)
    ) & Exists(UserJourney.objects.filter(journey_id=OuterRef("journey_id"), user_id=author.pk))
    return posts.filter(both_enrolled, journey__organization_id=viewer.organization_id)
