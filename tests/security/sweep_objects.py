"""Academy B's real objects for the cross-academy sweep, and how to fill a URL's
kwargs with them (tests/security/test_cross_academy_sweep.py).

``build_academy_b`` makes one academy with one of everything a URL can name: a
journey with a week, a mission and its scheduled instance, a post, a comment, a
team with members, a notification, an access code, a student import, private
files (with bytes on disk, so only the access check can stop a download) and a
row of every academy model Django admin manages (and a bug report). ``KINDS`` says, for each kind of
object, how to get B's ids of that kind, a random id of the same shape, and
(where the mixed case means something) academy A's own id.

Which kind a kwarg names is decided, in order, by

1. ``KIND_BY_URL_KWARG``: a generic name (``pk``, ``path``) on one URL;
2. the admin's ``object_id``/``id``: the model in the admin route
   (``admin/<app>/<model>/...``), B's row of it in ``AcademyB.admin_objects``;
3. ``KIND_BY_KWARG``: a name that says it (``journey_id``, ``post_id``, ...).

A kwarg none of these knows cannot be filled: the sweep then fails for that URL.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialToken
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from accounts.models import (
    Organization,
    OrganizationChange,
    Profile,
    Role,
    RoleAccessCode,
    RoleChange,
    StudentImport,
)
from community.models import Comment, Post, PostAttachment
from files.models import File, FileType
from files.views import LIBRARY_BUCKET
from inquiries.models import BugReport
from insights.models import InsightReport, InsightWordGroup
from journeys.models import Journey, JourneyWeek
from missions.models import JourneyMissionInstance, Mission, MissionQuestion
from notifications.models import Notification, Subscription
from submissions.models import ExportStatus, SubmissionExport
from teams.models import Team
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

FILE_BYTES = b"%PDF-1.4 academy B's private work\n"


@dataclass
class AcademyB:
    """Everything of academy B the sweep asks for by id."""

    organization: Organization
    student: Profile
    classmate: Profile
    teacher: Profile
    admin: Profile
    journey: Journey
    week: JourneyWeek
    mission: Mission
    question: MissionQuestion
    instance: JourneyMissionInstance
    report: InsightReport
    post: Post
    comment: Comment
    team: Team
    notification: Notification
    access_code: RoleAccessCode
    student_import: StudentImport
    bug_report: BugReport
    # A ready export of B's journey's submissions (its bytes on disk too).
    submission_export: SubmissionExport
    # Private files: a post attachment, a bug report screenshot, an unattached upload.
    private_files: list[File]
    library_image: File
    # One row per model Django admin manages, keyed by ``app_label.model_name``.
    admin_objects: dict[str, models.Model] = field(default_factory=dict)


@dataclass
class AcademyA:
    """Academy A's own objects for the mixed fillings (A's journey with B's ids)."""

    journey: Journey
    team: Team


def private_file(uploader: Profile, bucket: str, name: str) -> File:
    return File.objects.create(
        user=uploader,
        file_name=name,
        file_path=f"{bucket}/{uuid.uuid4().hex}-{name}",
        file_size=len(FILE_BYTES),
        mime_type="application/pdf",
        file_type=FileType.DOCUMENT,
        bucket_name=bucket,
    )


def build_academy_b(media_root: Path) -> AcademyB:
    """Academy B, with the bytes of its files under ``media_root`` (see
    ``tests/files/conftest.local_storages``). Each private file's bytes are
    also put in the *public* folder under the same path, so that only the public
    route's check of the row (not a missing file on disk) can refuse it."""
    organization = OrganizationFactory(name="Academy B")
    student = ProfileFactory(organization=organization, role=Role.USER)
    classmate = ProfileFactory(organization=organization, role=Role.USER)
    teacher = ProfileFactory(organization=organization, role=Role.TEACHER)
    admin = ProfileFactory(organization=organization, role=Role.ADMIN)

    journey = JourneyFactory(organization=organization, name="B's journey")
    enrolment = UserJourneyFactory(journey=journey, user=student)
    UserJourneyFactory(journey=journey, user=classmate)
    week = JourneyWeekFactory(journey=journey, week_number=1)
    mission = MissionFactory(organization=organization, name="B's mission")
    question = MissionQuestion.objects.create(
        mission=mission, position=1, kind="essay", text="B's question"
    )
    instance = MissionInstanceFactory(journey_week=week, mission=mission)
    report = InsightReport.objects.create(journey=journey, name="B's report", week=week)
    InsightWordGroup.objects.create(
        report=report, position=1, name="B's group", colour="#123456", words=["b"]
    )
    team = TeamFactory(journey=journey, name="B's team")
    team_member = TeamMemberFactory(team=team, user=student, is_leader=True)
    TeamMemberFactory(team=team, user=classmate)
    post = PostFactory(mission_instance=instance, user=student, title="B's post")
    comment = CommentFactory(post=post, user=classmate, content="B's comment")
    like = LikeFactory(post=post, user=classmate)
    notification = NotificationFactory(receiver=student, message="B's notification")
    access_code = RoleAccessCode.objects.create(
        organization=organization,
        role=Role.TEACHER,
        expiry_date=timezone.now() + dt.timedelta(days=7),
        created_by=admin,
    )
    student_import = StudentImport.objects.create(
        organization=organization, created_by=teacher, file_name="b-students.csv"
    )

    attachment = private_file(student, "post-attachments", "b-work.pdf")
    PostAttachment.objects.create(post=post, file=attachment)
    screenshot = private_file(student, "bug-reports", "b-screen.pdf")
    bug_report = BugReport.objects.create(user=student, title="B's bug", attachment_file=screenshot)
    unattached = private_file(teacher, "post-attachments", "b-draft.pdf")
    library_image = File.objects.create(
        user=teacher,
        file_name="b-library.png",
        file_path=f"{LIBRARY_BUCKET}/{uuid.uuid4().hex}-b-library.png",
        file_size=len(FILE_BYTES),
        mime_type="image/png",
        file_type=FileType.IMAGE,
        bucket_name=LIBRARY_BUCKET,
    )
    private_files = [attachment, screenshot, unattached]
    for file in [*private_files, library_image]:
        for folder in ("private", "public"):
            target = media_root / folder / file.file_path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(FILE_BYTES)

    submission_export = SubmissionExport.objects.create(
        journey=journey,
        requested_by=teacher,
        format="csv",
        status=ExportStatus.READY,
        file_path=f"submission-exports/{uuid.uuid4().hex}.csv",
        file_size=len(FILE_BYTES),
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    target = media_root / "private" / submission_export.file_path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(FILE_BYTES)

    social_account = SocialAccount.objects.create(
        user=student, provider="google", uid=f"b-{uuid.uuid4().hex}"
    )
    admin_objects: dict[str, models.Model] = {
        "accounts.organization": organization,
        "accounts.profile": student,
        "accounts.rolechange": RoleChange.objects.create(
            profile=teacher, changed_by=admin, old_role=Role.USER, new_role=Role.TEACHER
        ),
        # A platform operator's move of a person into academy B (the audit row).
        "accounts.organizationchange": OrganizationChange.objects.create(
            profile=classmate, new_organization=organization, old_role=Role.USER
        ),
        "accounts.roleaccesscode": access_code,
        "files.file": attachment,
        "journeys.journey": journey,
        "journeys.journeyweek": week,
        "journeys.userjourney": enrolment,
        "missions.mission": mission,
        "missions.journeymissioninstance": instance,
        "teams.team": team,
        "teams.teammember": team_member,
        "community.post": post,
        "community.comment": comment,
        "community.like": like,
        "points.userpoint": UserPointFactory(post=post),
        "points.teampoint": TeamPointFactory(team=team, mission_instance=instance),
        "notifications.notification": notification,
        "notifications.subscription": Subscription.objects.create(
            user=student,
            notification_json='{"endpoint": "https://push.test/b"}',
            endpoint=f"https://push.test/b/{uuid.uuid4().hex}",
        ),
        "inquiries.bugreport": bug_report,
        "submissions.submissionexport": submission_export,
        # allauth's rows of B's people (their admin pages are not the tenant
        # admin's, but the rows are academy B's).
        "account.emailaddress": EmailAddress.objects.get(user=student),
        "socialaccount.socialaccount": social_account,
        "socialaccount.socialtoken": SocialToken.objects.create(
            account=social_account, token="b-access-token"
        ),
    }
    return AcademyB(
        organization=organization,
        student=student,
        classmate=classmate,
        teacher=teacher,
        admin=admin,
        journey=journey,
        week=week,
        mission=mission,
        question=question,
        instance=instance,
        report=report,
        post=post,
        comment=comment,
        team=team,
        notification=notification,
        access_code=access_code,
        student_import=student_import,
        bug_report=bug_report,
        submission_export=submission_export,
        private_files=private_files,
        library_image=library_image,
        admin_objects=admin_objects,
    )


def build_academy_a(organization: Organization, student: Profile) -> AcademyA:
    """A's journey with A's student enrolled (so every role of A gets past the
    journey check), and a team of that journey with the student in it."""
    journey = JourneyFactory(organization=organization, name="A's journey")
    UserJourneyFactory(journey=journey, user=student)
    team = TeamFactory(journey=journey, name="A's team")
    TeamMemberFactory(team=team, user=student, is_leader=True)
    return AcademyA(journey=journey, team=team)


# --- kinds of objects ------------------------------------------------------------


def random_uuid() -> str:
    return str(uuid.uuid4())


def random_int() -> str:
    return str(random.randint(10**9, 2 * 10**9))


@dataclass(frozen=True)
class Kind:
    """How to fill a kwarg that names one kind of object."""

    name: str
    of_b: Callable[[AcademyB], list[Any]]  # B's real ids (each is swept)
    random: Callable[[], str]  # an id of the same shape that names nothing
    of_a: Callable[[AcademyA], Any] | None = None  # A's own, for the mixed fillings


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in [
        Kind("journey", lambda b: [b.journey.pk], random_uuid, lambda a: a.journey.pk),
        Kind("week", lambda b: [b.week.pk], random_uuid),
        Kind("instance", lambda b: [b.instance.pk], random_uuid),
        Kind("mission", lambda b: [b.mission.pk], random_uuid),
        Kind("question", lambda b: [b.question.pk], random_uuid),
        Kind("report", lambda b: [b.report.pk], random_uuid),
        Kind("post", lambda b: [b.post.pk], random_uuid),
        Kind("comment", lambda b: [b.comment.pk], random_uuid),
        Kind("team", lambda b: [b.team.pk], random_uuid, lambda a: a.team.pk),
        # A member of B's journey and of B's team (its leader).
        Kind("member", lambda b: [b.student.pk], random_uuid),
        Kind("notification", lambda b: [b.notification.pk], random_uuid),
        Kind("person", lambda b: [b.student.pk, b.teacher.pk, b.admin.pk], random_uuid),
        Kind("access_code", lambda b: [b.access_code.pk], random_uuid),
        Kind("student_import", lambda b: [b.student_import.pk], random_uuid),
        Kind("bug_report", lambda b: [b.bug_report.pk], random_uuid),
        Kind("submission_export", lambda b: [b.submission_export.pk], random_uuid),
        Kind("private_file", lambda b: [file.pk for file in b.private_files], random_int),
        Kind("library_image", lambda b: [b.library_image.pk], random_int),
        # The public media route must not serve a private file's path.
        Kind(
            "private_file_path",
            lambda b: [file.file_path for file in b.private_files],
            lambda: f"post-attachments/{uuid.uuid4().hex}-missing.pdf",
        ),
        # admin/r/<content_type_id>/<object_id>/: the content type names no
        # academy's object; its "random" twin is the same content type.
        Kind(
            "journey_content_type",
            lambda b: [ContentType.objects.get_for_model(Journey).pk],
            lambda: str(ContentType.objects.get_for_model(Journey).pk),
        ),
    ]
}

# Kwargs whose name says what they name, on every URL.
KIND_BY_KWARG = {
    "journey_id": "journey",
    "week_id": "week",
    "instance_id": "instance",
    "mission_id": "mission",
    "question_id": "question",
    "report_id": "report",
    "post_id": "post",
    "comment_id": "comment",
    "team_id": "team",
    "user_id": "member",
    "export_id": "submission_export",
}

# Generic kwarg names: what they name depends on the URL.
KIND_BY_URL_KWARG = {
    ("notifications:open", "pk"): "notification",
    ("people:profile", "pk"): "person",
    ("people:codes_expire", "pk"): "access_code",
    ("people:import_detail", "pk"): "student_import",
    ("people:import_progress", "pk"): "student_import",
    ("people:import_confirm", "pk"): "student_import",
    ("people:import_columns", "pk"): "student_import",
    ("inquiries:bug_detail", "pk"): "bug_report",
    # Public files (journey covers, library images) are public by design, anyone
    # may download them (tests/files/test_access.py); B's private files may not.
    ("files:download", "pk"): "private_file",
    ("files:library_delete", "pk"): "library_image",
    ("public_media", "path"): "private_file_path",
    ("admin:view_on_site", "content_type_id"): "journey_content_type",
    ("admin:view_on_site", "object_id"): "journey",
}

# Django admin names the object as ``object_id`` (``id`` on the password page).
ADMIN_OBJECT_KWARGS = frozenset({"object_id", "id"})


def admin_kind(model: type[models.Model]) -> Kind:
    """B's row of ``model`` for the admin's object URLs (none if
    ``build_academy_b`` makes no such row: the sweep then fails for the URL)."""
    label = model._meta.label_lower
    return Kind(
        f"admin:{label}",
        lambda b: [b.admin_objects[label].pk] if label in b.admin_objects else [],
        random_int if isinstance(model._meta.pk, models.IntegerField) else random_uuid,
    )


def admin_model(route: str) -> type[models.Model] | None:
    """The model of an admin route ``admin/<app_label>/<model_name>/...``."""
    parts = route.split("/")
    if len(parts) < 3 or parts[0] != "admin":
        return None
    try:
        return apps.get_model(parts[1], parts[2])
    except (LookupError, ValueError):
        return None
