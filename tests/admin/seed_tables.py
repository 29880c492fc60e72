"""One row builder per seed table, shared by the admin tests.

``SEED_TABLES`` maps each of the 22 seed tables to a function that builds one
row belonging to a given organization (through whatever path the table reaches
its organization) and to a text that the admin's search finds it by.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Model
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organization, Profile, Role, RoleAccessCode
from blog.models import Blog
from community.models import Comment, Like, Post
from files.models import File, FileType
from inquiries.models import BugReport, Inquiry
from journeys.models import Journey, JourneyWeek, UserJourney
from missions.models import JourneyMissionInstance, Mission
from notifications.models import EmailQueue, Notification, Subscription
from points.models import TeamPoint, UserPoint
from teams.models import Team, TeamMember
from tests.factories import (
    CommentFactory,
    JourneyFactory,
    JourneyWeekFactory,
    LikeFactory,
    MissionFactory,
    MissionInstanceFactory,
    NotificationFactory,
    OrganizationFactory,
    PostFactory,
    ProfileFactory,
    TeamFactory,
    TeamMemberFactory,
    TeamPointFactory,
    UserJourneyFactory,
    UserPointFactory,
)

_serial = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_serial)}"


def in_org(organization: Organization) -> dict:
    """Factory keywords that put a post (and its mission chain) in ``organization``."""
    return {"mission_instance__journey_week__journey__organization": organization}


def build_profile(organization: Organization) -> Profile:
    return ProfileFactory(organization=organization, email=f"{unique('person')}@example.test")


def build_file(organization: Organization, **fields) -> File:
    name = unique("photo")
    defaults = {
        "user": build_profile(organization),
        "file_name": f"{name}.png",
        "file_path": f"images/{name}.png",
        "file_size": 2048,
        "mime_type": "image/png",
        "file_type": FileType.IMAGE,
    }
    return File.objects.create(**{**defaults, **fields})


@dataclass(frozen=True)
class SeedTable:
    model: type[Model]
    build: Callable[[Organization], Model]
    search_term: Callable[[Model], str]
    # Platform tables have no organization; org admins never see them.
    platform_only: bool = False
    # Rows written only by the system (the e-mail queue) have no add page.
    addable: bool = True

    @property
    def label(self) -> str:
        return self.model._meta.label

    def url(self, action: str, *args) -> str:
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_{action}", args=args)


SEED_TABLES: list[SeedTable] = [
    SeedTable(Organization, lambda org: OrganizationFactory(name=unique("Academy")), str),
    SeedTable(Profile, build_profile, lambda profile: profile.email),
    SeedTable(
        RoleAccessCode,
        lambda org: RoleAccessCode.objects.create(
            organization=org, role=Role.TEACHER, expiry_date=timezone.now() + dt.timedelta(days=7)
        ),
        lambda code: str(code.code)[:8],
    ),
    SeedTable(Journey, lambda org: JourneyFactory(organization=org, name=unique("Journey")), str),
    SeedTable(
        UserJourney,
        lambda org: UserJourneyFactory(journey__organization=org),
        lambda enrolment: enrolment.user.email,
    ),
    SeedTable(
        JourneyWeek,
        lambda org: JourneyWeekFactory(journey__organization=org, name=unique("Week")),
        lambda week: week.name,
    ),
    SeedTable(Mission, lambda org: MissionFactory(organization=org, name=unique("Mission")), str),
    SeedTable(
        JourneyMissionInstance,
        lambda org: MissionInstanceFactory(
            journey_week__journey__organization=org, mission__name=unique("Scheduled")
        ),
        lambda instance: instance.mission.name,
    ),
    SeedTable(Team, lambda org: TeamFactory(journey__organization=org, name=unique("Team")), str),
    SeedTable(
        TeamMember,
        lambda org: TeamMemberFactory(team__journey__organization=org, user__organization=org),
        lambda member: member.user.email,
    ),
    SeedTable(Post, lambda org: PostFactory(**in_org(org), title=unique("Post")), str),
    SeedTable(
        Comment,
        lambda org: CommentFactory(
            post=PostFactory(**in_org(org)), user__organization=org, content=unique("Comment")
        ),
        lambda comment: comment.content,
    ),
    SeedTable(
        Like,
        lambda org: LikeFactory(post=PostFactory(**in_org(org)), user__organization=org),
        lambda like: like.user.email,
    ),
    SeedTable(
        Notification,
        lambda org: NotificationFactory(receiver__organization=org, message=unique("Notice")),
        lambda notification: notification.message,
        # A notification is its receiver's alone (Row Level Security): not an
        # academy admin's to browse.
        platform_only=True,
    ),
    SeedTable(
        UserPoint,
        lambda org: UserPointFactory(post=PostFactory(**in_org(org))),
        lambda points: points.profile.email,
    ),
    SeedTable(
        TeamPoint,
        lambda org: TeamPointFactory(
            team__journey__organization=org,
            team__name=unique("PointsTeam"),
            mission_instance__journey_week__journey__organization=org,
        ),
        lambda points: points.team.name,
    ),
    SeedTable(File, build_file, lambda file: file.file_name, addable=False),
    SeedTable(
        BugReport,
        lambda org: BugReport.objects.create(user=build_profile(org), title=unique("Bug")),
        str,
    ),
    SeedTable(
        EmailQueue,
        lambda org: EmailQueue.objects.create(
            recipient_email=f"{unique('mail')}@example.test", subject="Welcome", content="Hi"
        ),
        lambda mail: mail.recipient_email,
        platform_only=True,
        addable=False,
    ),
    SeedTable(
        Subscription,
        lambda org: Subscription.objects.create(
            user=build_profile(org), notification_json='{"endpoint": "https://push.test/1"}'
        ),
        lambda subscription: subscription.user.email,
        platform_only=True,  # its owner's and the system's (Row Level Security)
    ),
    SeedTable(
        Blog,
        lambda org: Blog.objects.create(title=unique("Blog"), content="# Hello"),
        str,
        platform_only=True,
    ),
    SeedTable(
        Inquiry,
        lambda org: Inquiry.objects.create(
            name=unique("Inquirer"), phone="010-0000-0000", automation_needs="Attendance"
        ),
        lambda inquiry: inquiry.name,
        platform_only=True,
    ),
]

TENANT_TABLES = [table for table in SEED_TABLES if not table.platform_only]
PLATFORM_TABLES = [table for table in SEED_TABLES if table.platform_only]


def table_ids(tables: list[SeedTable]) -> list[str]:
    return [table.label for table in tables]
