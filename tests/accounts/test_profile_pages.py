"""My profile (view and edit, with the image through the files service) and
other members' public profiles."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Profile, Role
from files.models import File
from tests.factories import (
    JourneyFactory,
    MissionInstanceFactory,
    PostFactory,
    ProfileFactory,
    UserJourneyFactory,
)
from tests.files.conftest import use_storage
from tests.files.images import png, upload

pytestmark = pytest.mark.django_db

ME = "/people/me/"
EDIT = "/people/me/edit/"


def logged_in(person: Profile) -> Client:
    # A complete profile (names, phone) is what a member has; without a phone the
    # completion middleware would send them to finish their profile first.
    Profile.objects.filter(pk=person.pk, phone__isnull=True).update(phone="010-1111-2222")
    client = Client()
    client.force_login(person)
    return client


@pytest.fixture
def disk(request, settings, tmp_path):
    return use_storage("local", request, settings, tmp_path)


def edit_data(**overrides) -> dict:
    return {
        "last_name": "Kim",
        "first_name": "Minji",
        "phone": "010-1234-5678",
        **overrides,
    }


# --- my profile -------------------------------------------------------------


def test_my_profile_shows_my_details(settings, student):
    settings.LANGUAGE_CODE = "en"
    Profile.objects.filter(pk=student.pk).update(phone="010-9876-5432", marketing_opt_in=True)

    response = logged_in(student).get(ME)

    assert response.status_code == 200
    content = response.content.decode()
    assert "Minji" in content and "Kim" in content
    assert "010-9876-5432" in content
    assert "Sqeeze Academy" in content
    assert "Student" in content
    assert "Yes, I agreed" in content
    assert "/accounts/password/change/" in content
    assert "/accounts/email/" in content
    assert 'href="/people/me/edit/"' in content


def test_the_profile_pages_need_a_log_in(client):
    for url in (ME, EDIT, "/people/me/delete/", "/people/codes/"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_the_nav_links_to_my_profile(settings, student):
    settings.LANGUAGE_CODE = "en"
    content = logged_in(student).get("/home/").content.decode()
    assert 'href="/people/me/"' in content
    assert "My profile" in content


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("01012345678", "010-1234-5678"),
        ("+82 10-1234-5678", "010-1234-5678"),
        ("010.1234.5678", "010-1234-5678"),
        ("02 123 4567", "02-123-4567"),
        ("031-1234-5678", "031-1234-5678"),
    ],
)
def test_the_phone_number_is_normalised(student, typed, stored):
    response = logged_in(student).post(EDIT, edit_data(phone=typed))

    assert response.status_code == 302
    assert response["Location"] == ME
    student.refresh_from_db()
    assert student.phone == stored


def test_names_and_marketing_consent_are_saved(student):
    logged_in(student).post(
        EDIT, edit_data(first_name=" Yuna ", last_name="Choi", marketing_opt_in="on")
    )

    student.refresh_from_db()
    assert (student.first_name, student.last_name) == ("Yuna", "Choi")
    assert student.marketing_opt_in is True

    logged_in(student).post(EDIT, edit_data())
    student.refresh_from_db()
    assert student.marketing_opt_in is False


@pytest.mark.parametrize(
    ("field", "value"),
    [("phone", "12345"), ("phone", "010-1234-567a"), ("phone", ""), ("first_name", "")],
)
def test_wrong_values_give_an_error_and_change_nothing(settings, student, field, value):
    settings.LANGUAGE_CODE = "en"
    client = logged_in(student)
    student.refresh_from_db()
    before = (student.first_name, student.last_name, student.phone)

    response = client.post(EDIT, edit_data(**{field: value}))

    assert response.status_code == 200
    assert field in response.context["form"].errors
    student.refresh_from_db()
    assert (student.first_name, student.last_name, student.phone) == before


def test_forged_role_organization_superuser_and_email_are_ignored(student, other_organization):
    response = logged_in(student).post(
        EDIT,
        edit_data(
            role=Role.ADMIN,
            organization=str(other_organization.pk),
            organization_id=str(other_organization.pk),
            is_superuser="on",
            is_staff="on",
            email="hijack@example.test",
            deleted_at="2020-01-01",
        ),
    )

    assert response.status_code == 302
    student.refresh_from_db()
    assert student.role == Role.USER
    assert student.organization.name == "Sqeeze Academy"
    assert student.is_superuser is False
    assert student.email == "student@example.test"
    assert student.deleted_at is None


def test_an_uploaded_image_replaces_the_old_one(disk, student):
    client = logged_in(student)

    client.post(EDIT, {**edit_data(), "image": upload(png(), "me.png")})
    student.refresh_from_db()
    first = student.profile_image_file
    assert first is not None and not first.is_deleted
    assert first.bucket_name == "profile-images"
    assert student.image_url

    client.post(EDIT, {**edit_data(), "image": upload(png(color=(0, 0, 255)), "new.png")})
    student.refresh_from_db()
    second = student.profile_image_file
    assert second.pk != first.pk and not second.is_deleted
    first.refresh_from_db()
    assert first.is_deleted is True and first.deleted_at is not None

    page = client.get(ME).content.decode()
    assert student.image_url in page


def test_the_image_can_be_removed(disk, student):
    client = logged_in(student)
    client.post(EDIT, {**edit_data(), "image": upload(png(), "me.png")})
    student.refresh_from_db()
    old = student.profile_image_file

    client.post(EDIT, edit_data(remove_image="on"))

    student.refresh_from_db()
    assert student.profile_image_file is None
    old.refresh_from_db()
    assert old.is_deleted is True


def test_a_file_that_is_not_an_image_is_refused(disk, student):
    response = logged_in(student).post(
        EDIT, {**edit_data(first_name="Changed"), "image": upload(b"%PDF-1.4 nope", "cv.pdf")}
    )

    assert response.status_code == 200
    assert "image" in response.context["form"].errors
    student.refresh_from_db()
    assert student.first_name == "Minji"
    assert student.profile_image_file is None
    assert not File.objects.filter(user=student).exists()


def test_a_too_large_image_is_refused_before_it_is_read(disk, settings, student):
    from files.purposes import purpose

    limit = purpose("profile_image").max_bytes
    response = logged_in(student).post(
        EDIT, {**edit_data(), "image": upload(b"\0" * (limit + 70 * 1024), "huge.png")}
    )

    assert response.status_code == 302
    assert response["Location"] == EDIT
    assert not File.objects.filter(user=student).exists()


# --- public profiles --------------------------------------------------------


def profile_url(person: Profile) -> str:
    return f"/people/{person.pk}/"


def test_a_member_of_my_organization_has_a_public_profile(settings, student, teacher):
    settings.LANGUAGE_CODE = "en"
    response = logged_in(student).get(profile_url(teacher))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Jisoo Park" in content
    assert "Teacher" in content
    assert teacher.email not in content  # no e-mail or phone for others
    assert "010-" not in content


def test_someone_of_another_organization_answers_404(student, outsider):
    assert logged_in(student).get(profile_url(outsider)).status_code == 404
    assert logged_in(outsider).get(profile_url(student)).status_code == 404


def test_an_inactive_or_deleted_profile_answers_404(student, organization):
    inactive = ProfileFactory(organization=organization, is_active=False)
    deleted = ProfileFactory(organization=organization)
    Profile.objects.filter(pk=deleted.pk).update(deleted_at="2025-01-01T00:00:00Z")
    client = logged_in(student)

    assert client.get(profile_url(inactive)).status_code == 404
    assert client.get(profile_url(deleted)).status_code == 404
    assert client.get("/people/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_a_student_sees_posts_only_of_journeys_we_share(student, organization):
    classmate = ProfileFactory(organization=organization)
    shared = JourneyFactory(organization=organization, name="Shared journey")
    theirs_only = JourneyFactory(organization=organization, name="Their journey")
    for journey in (shared, theirs_only):
        UserJourneyFactory(journey=journey, user=classmate)
    UserJourneyFactory(journey=shared, user=student)
    PostFactory(mission_instance__journey_week__journey=shared, user=classmate, title="Visible")
    PostFactory(
        mission_instance__journey_week__journey=shared,
        user=classmate,
        title="Hidden one",
        is_hidden=True,
    )
    PostFactory(
        mission_instance__journey_week__journey=theirs_only, user=classmate, title="Elsewhere"
    )

    content = logged_in(student).get(profile_url(classmate)).content.decode()

    assert "Visible" in content
    assert "Hidden one" not in content
    assert "Elsewhere" not in content


def test_a_teacher_sees_the_posts_of_every_journey_of_the_organization(
    teacher, student, organization
):
    journey = JourneyFactory(organization=organization)
    UserJourneyFactory(journey=journey, user=student)
    PostFactory(mission_instance__journey_week__journey=journey, user=student, title="Essay one")

    content = logged_in(teacher).get(profile_url(student)).content.decode()

    assert "Essay one" in content


def test_the_public_profile_runs_the_same_queries_for_2_or_10_posts(teacher, student, organization):
    journey = JourneyFactory(organization=organization)
    UserJourneyFactory(journey=journey, user=student)
    client = logged_in(teacher)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(profile_url(student)).status_code == 200
        return len(captured)

    for _ in range(2):
        PostFactory(
            mission_instance=MissionInstanceFactory(journey_week__journey=journey), user=student
        )
    few = queries()
    for _ in range(8):
        PostFactory(
            mission_instance=MissionInstanceFactory(journey_week__journey=journey), user=student
        )
    assert queries() == few
