"""factory-boy factories for every model the tests build."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from accounts.models import Organization, Profile, Role
from community.models import Comment, Like, Post
from journeys.models import Journey, JourneyWeek, UserJourney
from missions.models import JourneyMissionInstance, Mission
from notifications.models import Notification
from points.models import TeamPoint, UserPoint
from teams.models import Team, TeamMember

TEST_PASSWORD = "correct-horse-battery-staple"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Academy {n}")


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    organization = factory.SubFactory(OrganizationFactory)
    role = Role.USER
    privacy_agreed = True
    # A complete profile (names, phone, organization, consent): otherwise every
    # page would send the person to the profile-completion page first.
    phone = factory.Sequence(lambda n: f"010-{n // 10000 % 10000:04d}-{n % 10000:04d}")
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def verified_email(profile, create, extracted, **kwargs):
        """People in tests have confirmed their address (sign-up tests make their
        own, unverified); ``verified_email=False`` leaves it unconfirmed."""
        if create and extracted is not False:
            from allauth.account.models import EmailAddress

            EmailAddress.objects.update_or_create(
                user=profile, email=profile.email, defaults={"verified": True, "primary": True}
            )


class JourneyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Journey

    name = factory.Sequence(lambda n: f"Journey {n}")
    organization = factory.SubFactory(OrganizationFactory)
    date_start = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=7))
    date_end = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=21))


class UserJourneyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UserJourney

    journey = factory.SubFactory(JourneyFactory)
    user = factory.SubFactory(
        ProfileFactory, organization=factory.SelfAttribute("..journey.organization")
    )


class JourneyWeekFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JourneyWeek

    journey = factory.SubFactory(JourneyFactory)
    week_number = factory.Sequence(lambda n: n + 1)
    name = factory.LazyAttribute(lambda week: f"Week {week.week_number}")


class MissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mission

    name = factory.Sequence(lambda n: f"Mission {n}")
    organization = factory.SubFactory(OrganizationFactory)
    mission_type = "individual"
    points = 10


class MissionInstanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JourneyMissionInstance

    journey_week = factory.SubFactory(JourneyWeekFactory)
    journey = factory.SelfAttribute("journey_week.journey")
    mission = factory.SubFactory(
        MissionFactory, organization=factory.SelfAttribute("..journey_week.journey.organization")
    )
    release_date = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    expiry_date = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=6))
    status = "in_progress"


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    journey = factory.SubFactory(JourneyFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class TeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMember

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(ProfileFactory)


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    mission_instance = factory.SubFactory(MissionInstanceFactory)
    journey = factory.SelfAttribute("mission_instance.journey")
    user = factory.SubFactory(
        ProfileFactory, organization=factory.SelfAttribute("..journey.organization")
    )
    title = factory.Sequence(lambda n: f"Submission {n}")
    content = "My work for this mission."


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    post = factory.SubFactory(PostFactory)
    user = factory.SubFactory(ProfileFactory)
    content = "Nice work!"


class LikeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Like

    post = factory.SubFactory(PostFactory)
    user = factory.SubFactory(ProfileFactory)


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    receiver = factory.SubFactory(ProfileFactory)
    type = "comment"
    message = "Someone commented on your post."


class UserPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UserPoint

    post = factory.SubFactory(PostFactory)
    profile = factory.SelfAttribute("post.user")
    mission_instance = factory.SelfAttribute("post.mission_instance")
    total_points = 10


class TeamPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamPoint

    team = factory.SubFactory(TeamFactory)
    mission_instance = factory.SubFactory(MissionInstanceFactory)
    total_points = 10
