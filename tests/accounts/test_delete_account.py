"""Deleting my account: the row is anonymised, my posts stay under "Deleted user"."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import authenticate
from django.test import Client, RequestFactory

from accounts.models import Profile
from accounts.selectors import public_name
from community.models import Comment, Post
from notifications.models import NotificationPreference, Subscription
from people.services import account_delete
from tests.factories import TEST_PASSWORD, CommentFactory, PostFactory
from tests.files.conftest import use_storage
from tests.files.images import png, upload

pytestmark = pytest.mark.django_db

DELETE = "/people/me/delete/"


def logged_in(person: Profile) -> Client:
    Profile.objects.filter(pk=person.pk, phone__isnull=True).update(phone="010-1111-2222")
    client = Client()
    client.force_login(person)
    return client


@pytest.fixture
def disk(request, settings, tmp_path):
    return use_storage("local", request, settings, tmp_path)


@pytest.fixture
def rich_student(disk, student):
    """A student with everything that must go: an image, push, settings, a
    social log-in, marketing consent, a phone; and a post and a comment that stay."""
    client = logged_in(student)
    client.post(
        "/people/me/edit/",
        {
            "last_name": "Kim",
            "first_name": "Minji",
            "phone": "010-1234-5678",
            "marketing_opt_in": "on",
            "image": upload(png(), "me.png"),
        },
    )
    Subscription.objects.create(user=student, notification_json='{"endpoint": "https://p.test/1"}')
    NotificationPreference.objects.create(user=student, notification_type="comment", email=False)
    SocialAccount.objects.create(user=student, provider="kakao", uid="12345")
    PostFactory(user=student, title="My essay")
    CommentFactory(user=student, content="My comment")
    student.refresh_from_db()
    return student


def test_the_page_asks_for_the_password(settings, student):
    settings.LANGUAGE_CODE = "en"
    response = logged_in(student).get(DELETE)

    assert response.status_code == 200
    assert 'type="password"' in response.content.decode()


def test_a_wrong_password_changes_nothing(settings, student):
    settings.LANGUAGE_CODE = "en"
    response = logged_in(student).post(DELETE, {"password": "wrong"})

    assert response.status_code == 200
    assert "The password is not correct." in response.content.decode()
    student.refresh_from_db()
    assert student.is_active and student.deleted_at is None


def test_deleting_anonymises_the_account_and_logs_out(rich_student):
    student = rich_student
    old_image = student.profile_image_file
    client = logged_in(student)

    response = client.post(DELETE, {"password": TEST_PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"
    student.refresh_from_db()
    assert student.first_name in ("", None) and student.last_name in ("", None)
    assert student.email == f"deleted-{student.pk}@deleted.invalid"
    assert student.phone is None
    assert student.profile_image_file is None and student.profile_image is None
    old_image.refresh_from_db()
    assert old_image.is_deleted is True
    assert student.marketing_opt_in is False
    assert student.has_usable_password() is False
    assert student.is_active is False
    assert student.deleted_at is not None
    assert not Subscription.objects.filter(user=student).exists()
    assert not NotificationPreference.objects.filter(user=student).exists()
    assert not EmailAddress.objects.filter(user=student).exists()
    assert not SocialAccount.objects.filter(user=student).exists()
    # Posts and comments stay, under "Deleted user".
    assert Post.objects.filter(user=student, title="My essay").exists()
    assert Comment.objects.filter(user=student, content="My comment").exists()
    # Logged out: the session no longer has a user.
    assert "_auth_user_id" not in client.session
    assert client.get("/people/me/").status_code == 302


def test_the_old_address_and_password_no_longer_log_in(student):
    logged_in(student).post(DELETE, {"password": TEST_PASSWORD})

    request = RequestFactory().post("/accounts/login/")
    assert authenticate(request, email="student@example.test", password=TEST_PASSWORD) is None
    assert not Profile.objects.filter(email__iexact="student@example.test").exists()


def test_other_sessions_end_too(student):
    other_device = logged_in(student)
    logged_in(student).post(DELETE, {"password": TEST_PASSWORD})

    assert other_device.get("/people/me/").status_code == 302


def test_the_public_name_of_a_deleted_person(settings, student, teacher):
    settings.LANGUAGE_CODE = "en"
    assert public_name(student) == "Minji Kim"

    account_delete(profile=student)

    assert public_name(student) == "Deleted user"
    assert logged_in(teacher).get(f"/people/{student.pk}/").status_code == 404


def test_an_account_without_a_password_confirms_with_its_address(student):
    Profile.objects.filter(pk=student.pk).update(password="!unusable")
    student.refresh_from_db()
    client = logged_in(student)

    assert client.post(DELETE, {"password": "someone@else.test"}).status_code == 200
    student.refresh_from_db()
    assert student.deleted_at is None

    client.post(DELETE, {"password": "Student@Example.test"})
    student.refresh_from_db()
    assert student.deleted_at is not None


def test_a_platform_operator_cannot_delete_themselves_here(superuser):
    response = logged_in(superuser).post(DELETE, {"password": TEST_PASSWORD})

    assert response.status_code == 302
    superuser.refresh_from_db()
    assert superuser.is_active and superuser.deleted_at is None
