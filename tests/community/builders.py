"""A class to test the post pages in: one journey of the conftest academy with
the conftest student, a classmate, a team mission, and people who must not see
it. Test modules import ``classroom_fixture`` and ``attachment_storage_fixture``
(the fixtures ``classroom`` and ``attachment_storage``)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from community.models import Post, PostAttachment
from files.models import File
from tests.factories import (
    JourneyFactory,
    MissionInstanceFactory,
    PostFactory,
    ProfileFactory,
    UserJourneyFactory,
)
from tests.files.conftest import local_storages
from tests.scenarios import Classmate, ClassScenario, MissionAt


@pytest.fixture(name="attachment_storage")
def attachment_storage_fixture(settings, tmp_path):
    """Uploads go to a fresh folder on local disk."""
    base = {alias: settings.STORAGES[alias] for alias in ("default", "staticfiles")}
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {**base, **local_storages(tmp_path)}
    return tmp_path


@pytest.fixture(name="classroom")
def classroom_fixture(organization, other_organization, student, teacher, admin_user, outsider):
    scenario = ClassScenario.build(
        organization,
        journey_name="AI Basics",
        students={"student": student, "classmate": Classmate("서준", "이")},
        teacher=teacher,
        missions=(MissionAt("Write a prompt"), MissionAt("Team idea", kind="team")),
    )
    instance, team_instance = scenario.missions
    # Same academy, not in this journey; and a journey the student is not in.
    stranger = ProfileFactory(organization=organization, role=Role.USER)
    other_journey = JourneyFactory(organization=organization, name="Other class")
    UserJourneyFactory(journey=other_journey, user=stranger)
    return SimpleNamespace(
        journey=scenario.journey,
        week=scenario.week,
        instance=instance,
        team_instance=team_instance,
        student=student,
        classmate=scenario.students["classmate"],
        teacher=teacher,
        admin=admin_user,
        stranger=stranger,
        outsider=outsider,
        other_journey=other_journey,
    )


def submit_url(instance) -> str:
    return reverse("community:submit", args=[instance.journey_id, instance.pk])


def post_url(post: Post, name: str = "post_detail") -> str:
    return reverse(f"community:{name}", args=[post.journey_id, post.pk])


def comment_url(comment, name: str) -> str:
    return reverse(f"community:{name}", args=[comment.post.journey_id, comment.pk])


def make_post(classroom, author=None, **fields) -> Post:
    return PostFactory(
        mission_instance=fields.pop("mission_instance", classroom.instance),
        user=author or classroom.student,
        **fields,
    )


def instance_at(classroom, *, opens_in_days: float, closes_in_days: float, **fields):
    now = timezone.now()
    return MissionInstanceFactory(
        journey_week=classroom.week,
        mission__organization=classroom.journey.organization,
        release_date=now + dt.timedelta(days=opens_in_days),
        expiry_date=now + dt.timedelta(days=closes_in_days),
        **fields,
    )


def attach_file(post: Post, *, name="notes.pdf", kind="document", mime="application/pdf"):
    """An attachment row without bytes (pages only need the row)."""
    file = File.objects.create(
        user=post.user,
        file_name=name,
        file_path=f"post-attachments/{name}",
        file_size=2048,
        mime_type=mime,
        file_type=kind,
        bucket_name="post-attachments",
        metadata={"width": 32, "height": 24} if kind == "image" else {},
    )
    return PostAttachment.objects.create(post=post, file=file)
