"""The shapes of the demo's data (``sqeeze.demo.data``, ``sqeeze.demo.public_data``)
and the keys that find a demo row again on every run."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from accounts.models import Role
from community.models import AchievementStatus
from inquiries.models import BugReportStatus, InquiryStatus
from missions.models import MissionType

DEMO_PASSWORD = "sqeeze-demo"
DEMO_EMAIL_DOMAIN = "sqeeze.test"  # .test is reserved: no demo e-mail can reach a real inbox

# Fixed forever: changing it would give every uuid5-keyed row a new identity,
# and a rerun would then duplicate them instead of refreshing them.
_DEMO_NAMESPACE = uuid.UUID("5b0f1e2c-8d7a-4c3e-9f61-2a7d4e9b1c08")


def demo_uuid(*parts: object) -> uuid.UUID:
    """A stable primary key for a demo row whose table has no natural key."""
    return uuid.uuid5(_DEMO_NAMESPACE, "/".join(str(part) for part in parts))


def demo_email(local_part: str) -> str:
    return f"{local_part}@{DEMO_EMAIL_DOMAIN}"


def demo_phone(email: str) -> str:
    """A Korean mobile number (010-xxxx-xxxx), the same for an e-mail on every run."""
    digits = demo_uuid("phone", email).int
    return f"010-{digits % 9000 + 1000:04d}-{digits // 10_000 % 10_000:04d}"


# --- the class: academies, people, missions, journeys ----------------------------------


@dataclass(frozen=True)
class OrganizationSpec:
    key: str
    name: str
    description: str


@dataclass(frozen=True)
class PersonSpec:
    email: str
    last_name: str
    first_name: str
    organization: str  # an OrganizationSpec.key
    role: Role = Role.USER
    is_superuser: bool = False
    marketing_opt_in: bool = False


@dataclass(frozen=True)
class MissionSpec:
    key: str
    organization: str
    name: str
    mission_type: MissionType
    points: int
    description: str


@dataclass(frozen=True)
class TeamSpec:
    name: str
    description: str
    members: tuple[str, ...]  # e-mails; the first one leads the team


@dataclass(frozen=True)
class JourneySpec:
    key: str
    organization: str
    name: str
    # Mid-week on purpose: the open week's missions are open whatever the hour of seeding.
    started_days_ago: int
    teachers: tuple[str, ...]
    students: tuple[str, ...]
    weeks: tuple[tuple[str, ...], ...]  # mission keys of week 1, 2, ...
    teams: tuple[TeamSpec, ...] = ()


# --- what happened in it ---------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """How a submission went. ``score`` None on an achieved post means full points.
    ``graded_hours_ago`` pins the grading to a recent moment (else it is drawn)."""

    status: AchievementStatus
    score: int | None = None
    hidden: bool = False
    graded_hours_ago: int | None = None


@dataclass(frozen=True)
class ScriptedComment:
    """A comment told, not drawn: ``writer`` on ``author``'s post for ``mission``
    in ``journey``, ``hours_after`` the post."""

    journey: str
    mission: str
    author: str  # the post's author (a team post's: its leader)
    writer: str
    content: str
    hours_after: int


@dataclass(frozen=True)
class ReminderSpec:
    """A teacher pressing "Remind" on the Submissions tab for one student."""

    journey: str
    mission: str
    student: str
    teacher: str
    minutes_ago: int


class EmailState:
    """Where a queued e-mail is in its delivery (notifications.email_delivery)."""

    SENT = "sent"
    WAITING = "waiting"  # for the next drain
    RETRYING = "retrying"  # failed, will be tried again


@dataclass(frozen=True)
class QueuedEmailSpec:
    """The e-mail of one of ``receiver``'s notifications: of ``kind``, about the
    mission ``mission`` of ``journey``, in delivery ``state``."""

    receiver: str
    kind: str
    journey: str
    mission: str
    state: str
    failed_attempts: int = 0


# --- the public side and the back office ----------------------------------------------


@dataclass(frozen=True)
class BlogPostSpec:
    key: str
    title: str
    subtitle: str | None
    content: str
    written_days_ago: int
    published_days_ago: int | None  # None: still a draft


@dataclass(frozen=True)
class BugReportSpec:
    key: str
    reporter: str
    title: str
    description: str
    status: BugReportStatus
    with_screenshot: bool
    days_ago: int


@dataclass(frozen=True)
class InquirySpec:
    key: str
    name: str
    phone: str
    automation_needs: str
    current_tools: str
    tool_issues: str
    status: InquiryStatus
    notes: str | None
    days_ago: int
