"""The kinds of notification Sqeeze sends, with each one's default channels.

In-app is always on. E-mail and push follow the person's preference for the
type (``NotificationPreference``), or these defaults when they chose nothing.
Each type that can send e-mail has templates: ``notifications/email/<key>.subject.txt``,
``<key>.txt`` and ``<key>.html``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NotificationType:
    key: str
    label: str | Promise
    description: str | Promise
    email_default: bool
    push_default: bool
    teachers_only: bool = False
    # In the inbox only: no e-mail, no push, and nothing to choose in settings.
    in_app_only: bool = False

    def concerns(self, profile) -> bool:
        """Does this type offer ``profile`` a choice of channels? (Settings show only those.)"""
        return not self.in_app_only and (profile.is_teacher or not self.teachers_only)


NOTIFICATION_TYPES: dict[str, NotificationType] = {
    kind.key: kind
    for kind in (
        NotificationType(
            "grading",
            _("Grading results"),
            _("A teacher graded one of your submissions."),
            email_default=True,
            push_default=True,
        ),
        NotificationType(
            "comment",
            _("Comments"),
            _("Someone commented on your post."),
            email_default=False,
            push_default=True,
        ),
        NotificationType(
            "mention",
            _("Mentions"),
            _("Someone mentioned you in a comment."),
            email_default=False,
            push_default=True,
        ),
        NotificationType(
            "like",
            _("Likes"),
            _("Someone liked your post (grouped per post)."),
            email_default=False,
            push_default=False,
            in_app_only=True,
        ),
        NotificationType(
            "new_mission",
            _("New missions"),
            _("A mission opened in one of your journeys."),
            email_default=True,
            push_default=True,
        ),
        NotificationType(
            "deadline",
            _("Deadline reminders"),
            _("A mission you have not submitted closes soon."),
            email_default=True,
            push_default=True,
        ),
        NotificationType(
            "invite",
            _("Journey invitations"),
            _("You were added to a journey."),
            email_default=True,
            push_default=False,
        ),
        NotificationType(
            "moderation",
            _("Moderation"),
            _("A teacher hid or showed again one of your posts."),
            email_default=True,
            push_default=False,
        ),
        NotificationType(
            "submission",
            _("New submissions (teachers)"),
            _("A student submitted or resubmitted a mission in your journeys."),
            email_default=False,
            push_default=False,
            teachers_only=True,
        ),
        NotificationType(
            "bug_report_updated",
            _("Problem reports"),
            _("The Sqeeze team answered a problem you reported, or changed its status."),
            email_default=True,
            push_default=False,
        ),
    )
}


@dataclass(frozen=True)
class NotificationDraft:
    """What a service tells people, before it has a receiver. A service's public
    message builder (``grading.services.grading_notification`` …) makes it, and
    the service hands it to ``notification_send``; the demo (``sqeeze.demo``)
    builds its past with the same builders, so it says exactly what the app says."""

    type: str
    message: str | Promise  # lazy, so it is rendered in the receiver's language
    link: str
    payload: dict[str, Any]

    def send_kwargs(self) -> dict[str, Any]:
        """The arguments of ``notification_send`` (and ``notification_compose``) it fills."""
        return {
            "type": self.type,
            "message": self.message,
            "link": self.link,
            "payload": self.payload,
        }


def notification_type(key: str) -> NotificationType:
    try:
        return NOTIFICATION_TYPES[key]
    except KeyError:
        raise ValueError(f"Unknown notification type {key!r}.") from None
