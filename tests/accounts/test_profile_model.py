import pytest
from django.db import DataError, IntegrityError, connection, transaction

from accounts.models import Profile, Role


def test_email_is_unique_regardless_of_case(student):
    with pytest.raises(IntegrityError), transaction.atomic():
        Profile.objects.create_user(email=student.email.upper(), password="x-long-password")


def test_the_database_refuses_an_unknown_role(student):
    with (
        pytest.raises(DataError, match="invalid input value for enum role"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE profiles SET role = 'boss' WHERE id = %s", [student.pk])


def test_roles_rank_student_teacher_admin(student, teacher, admin_user, other_organization):
    assert not student.has_role_at_least(Role.TEACHER)
    assert teacher.has_role_at_least(Role.TEACHER)
    assert not teacher.has_role_at_least(Role.ADMIN)
    assert admin_user.has_role_at_least(Role.TEACHER)
    assert not admin_user.has_role_at_least(Role.TEACHER, organization=other_organization)


def test_only_admins_are_staff(student, teacher, admin_user):
    assert (student.is_staff, teacher.is_staff, admin_user.is_staff) == (False, False, True)
    admin_user.is_active = False
    assert admin_user.is_staff is False


@pytest.mark.parametrize(
    ("last", "first", "expected"),
    [
        ("김", "민지", "김민지"),
        ("Smith", "Emma", "Emma Smith"),
        (None, "Emma", "Emma"),
        ("", "", ""),
    ],
)
def test_full_name_follows_the_name_order_of_the_language(last, first, expected):
    assert Profile(last_name=last, first_name=first).full_name == expected
