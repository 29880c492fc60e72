"""Journey.objects.visible_to: the one gate every tenant read goes through."""

from django.contrib.auth.models import AnonymousUser

from journeys.models import Journey
from tests.factories import JourneyFactory, UserJourneyFactory


def visible(user) -> set:
    return set(Journey.objects.visible_to(user))


def test_students_see_only_journeys_they_are_enrolled_in(student, organization):
    enrolled = UserJourneyFactory(user=student, journey__organization=organization).journey
    JourneyFactory(organization=organization)
    assert visible(student) == {enrolled}


def test_a_student_enrolled_across_organizations_still_sees_only_their_own(student, outsider):
    # An enrolment row pointing at another academy (bad data) must not leak it.
    foreign = JourneyFactory(organization=outsider.organization)
    UserJourneyFactory(user=student, journey=foreign)
    assert visible(student) == set()


def test_teachers_and_admins_see_their_organizations_journeys(teacher, admin_user, outsider):
    own = JourneyFactory(organization=teacher.organization)
    JourneyFactory(organization=outsider.organization)
    assert visible(teacher) == visible(admin_user) == {own}


def test_the_platform_operator_sees_every_journey(superuser, outsider):
    own = JourneyFactory(organization=superuser.organization)
    foreign = JourneyFactory(organization=outsider.organization)
    assert visible(superuser) == {own, foreign}


def test_anonymous_and_deactivated_people_see_nothing(teacher):
    JourneyFactory(organization=teacher.organization)
    teacher.is_active = False
    assert visible(AnonymousUser()) == visible(teacher) == set()
