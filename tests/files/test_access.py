"""files.access: who may see a stored file. The predicate (download view) and the
queryset (lists) must give the same answer for every person and file."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import Role
from community.models import PostAttachment
from files.access import file_visible_to, visible_files
from files.models import File
from inquiries.models import BugReport
from tests.factories import JourneyFactory, PostFactory, ProfileFactory, UserJourneyFactory


def make_file(uploader, *, bucket="post-attachments", deleted=False, name="work.pdf") -> File:
    return File.objects.create(
        user=uploader,
        file_name=name,
        file_path=f"{bucket}/{name}",
        file_size=10,
        mime_type="application/pdf",
        file_type="document",
        bucket_name=bucket,
        is_deleted=deleted,
    )


@pytest.fixture
def cast(student, teacher, admin_user, outsider, superuser, organization, other_organization):
    journey = JourneyFactory(organization=organization)
    UserJourneyFactory(journey=journey, user=student)
    classmate = UserJourneyFactory(journey=journey, user__role=Role.USER).user
    stranger = ProfileFactory(organization=organization, role=Role.USER)  # not in the journey
    other_teacher = ProfileFactory(organization=other_organization, role=Role.TEACHER)
    inactive_classmate = UserJourneyFactory(journey=journey, user__is_active=False).user
    return {
        "journey": journey,
        "student": student,
        "classmate": classmate,
        "stranger": stranger,
        "teacher": teacher,
        "admin": admin_user,
        "outsider": outsider,
        "other_teacher": other_teacher,
        "superuser": superuser,
        "inactive_classmate": inactive_classmate,
        "anonymous": AnonymousUser(),
    }


def attach(file: File, journey, author, *, hidden=False) -> None:
    post = PostFactory(mission_instance__journey_week__journey=journey, user=author)
    if hidden:
        post.is_hidden = True
        post.save(update_fields=["is_hidden"])
    PostAttachment.objects.create(post=post, file=file)


def who_sees(cast, file: File) -> set[str]:
    """Everyone in the cast who may see ``file``, checking that the predicate and
    the queryset agree for each of them."""
    seen = set()
    for name, person in cast.items():
        if name == "journey":
            continue
        by_predicate = file_visible_to(person, file)
        by_queryset = visible_files(person).filter(pk=file.pk).exists()
        assert by_predicate == by_queryset, f"{name}: predicate and queryset disagree"
        if by_predicate:
            seen.add(name)
    return seen


def test_post_attachment_is_seen_by_journey_members_teachers_and_admins(cast):
    file = make_file(cast["student"])
    attach(file, cast["journey"], cast["student"])
    assert who_sees(cast, file) == {"student", "classmate", "teacher", "admin", "superuser"}


def test_attachment_of_a_hidden_post_is_not_shown_to_classmates(cast):
    file = make_file(cast["student"])
    attach(file, cast["journey"], cast["student"], hidden=True)
    assert who_sees(cast, file) == {"student", "teacher", "admin", "superuser"}


def test_unattached_private_file_is_seen_by_uploader_and_admins_only(cast):
    file = make_file(cast["student"])
    assert who_sees(cast, file) == {"student", "admin", "superuser"}


def test_bug_report_screenshot_is_seen_by_reporter_and_admins_not_teachers(cast):
    file = make_file(cast["student"], bucket="bug-reports", name="screen.png")
    BugReport.objects.create(user=cast["student"], title="Broken", attachment_file=file)
    assert who_sees(cast, file) == {"student", "admin", "superuser"}


def test_screenshot_attached_to_someone_elses_report_is_seen_by_that_reporter(cast):
    file = make_file(cast["admin"], bucket="bug-reports", name="screen.png")
    BugReport.objects.create(user=cast["stranger"], title="Broken", attachment_file=file)
    assert who_sees(cast, file) == {"stranger", "admin", "superuser"}


def test_other_organization_never_sees_a_private_file_even_through_a_journey(cast):
    """A file belongs to its uploader's organization, even if it ends up attached
    to a post in another organization's journey: only its own admins see it."""
    foreign = make_file(cast["other_teacher"])
    attach(foreign, cast["journey"], cast["student"])
    # "outsider" is the other organization's admin.
    assert who_sees(cast, foreign) == {"other_teacher", "outsider", "superuser"}


def test_public_file_is_seen_by_everyone_including_anonymous(cast):
    file = make_file(cast["outsider"], bucket="journey-covers", name="cover.png")
    assert who_sees(cast, file) == set(cast) - {"journey"}


def test_deleted_file_is_seen_by_nobody(cast):
    private = make_file(cast["student"], deleted=True)
    attach(private, cast["journey"], cast["student"])
    public = make_file(cast["student"], bucket="images", deleted=True, name="pic.png")
    assert who_sees(cast, private) == set()
    assert who_sees(cast, public) == set()


def test_unknown_bucket_counts_as_private(cast):
    file = make_file(cast["student"], bucket="no-such-bucket")
    assert who_sees(cast, file) == {"student", "admin", "superuser"}


def test_visible_files_lists_without_duplicates(cast):
    file = make_file(cast["student"])
    attach(file, cast["journey"], cast["student"])
    attach(file, cast["journey"], cast["classmate"])  # the same file on two posts
    assert list(visible_files(cast["classmate"])) == [file]
    assert list(visible_files(cast["teacher"])) == [file]


def test_predicate_needs_at_most_one_query(cast, django_assert_max_num_queries):
    file = make_file(cast["student"])
    attach(file, cast["journey"], cast["student"])
    file = File.objects.get(pk=file.pk)
    for person in ("classmate", "teacher", "admin", "stranger", "outsider"):
        with django_assert_max_num_queries(1):
            file_visible_to(cast[person], file)
    for person in ("student", "superuser", "anonymous"):
        with django_assert_max_num_queries(0):
            file_visible_to(cast[person], file)
