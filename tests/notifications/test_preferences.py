"""The notification settings page: e-mail and push per type; in-app always on."""

from django.urls import reverse

from notifications.models import EmailQueue, NotificationPreference
from notifications.selectors import Channels, preferences_of
from notifications.services import notification_send
from notifications.types import NOTIFICATION_TYPES


def test_without_choices_the_defaults_apply(student):
    choices = preferences_of(student)
    assert choices["grading"] == Channels(email=True, push=True)
    assert choices["comment"] == Channels(email=False, push=True)
    assert set(choices) == set(NOTIFICATION_TYPES)


def test_the_page_shows_every_type_that_concerns_a_teacher(client, teacher):
    client.force_login(teacher)
    page = client.get(reverse("notifications:preferences")).content.decode()
    for key, kind in NOTIFICATION_TYPES.items():
        offered = f'name="{key}__email"' in page and f'name="{key}__push"' in page
        assert offered is not kind.in_app_only, key


def test_in_app_only_types_never_send_mail_or_push(student, teacher, fan_out):
    """A like is born fanned out: no worker is even asked, and no mail goes."""
    with fan_out():
        like = notification_send(receiver=student, type="like", message="Hi", actor=teacher)
    like.refresh_from_db()
    assert like.fanned_out_at is not None
    assert not EmailQueue.objects.exists()


def test_students_are_not_offered_teacher_notifications(client, student):
    client.force_login(student)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert 'name="grading__email"' in page
    assert 'name="submission__email"' not in page


def test_saving_stores_a_choice_for_every_type(client, student):
    client.force_login(student)
    response = client.post(reverse("notifications:preferences"), {"grading__push": "on"})
    assert response.status_code == 302
    choices = preferences_of(student)
    assert choices["grading"] == Channels(email=False, push=True)
    assert choices["comment"] == Channels(email=False, push=False)
    offered = [kind for kind in NOTIFICATION_TYPES.values() if kind.concerns(student)]
    assert NotificationPreference.objects.filter(user=student).count() == len(offered)


def test_unknown_fields_change_nothing_else(client, student, teacher):
    client.force_login(student)
    client.post(
        reverse("notifications:preferences"),
        {"party__email": "on", "user": str(teacher.pk), "grading__email": "on"},
    )
    assert not NotificationPreference.objects.filter(user=teacher).exists()
    assert not NotificationPreference.objects.filter(notification_type="party").exists()
    assert preferences_of(student)["grading"].email is True


def test_the_settings_page_needs_a_log_in(client, db):
    assert client.get(reverse("notifications:preferences")).status_code == 302
