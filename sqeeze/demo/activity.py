"""What happened in the class: submissions, grades and points, comments and
likes, with the notifications each one sent (``sqeeze.demo.inbox``).

Posts, grades, comments and likes are upserts: ``post_submit`` rightly refuses
a submission after expiry, ``post_grade``, ``comment_create`` and ``like_set``
stamp "now" and notify on every call, and a demo needs a past that a rerun
finds again. Each row is checked by the rule the app checks it with where one
stands alone (``clean_score`` for the score), and the points go through
``points.services`` itself: its upserts are what grading calls.
"""

from __future__ import annotations

import datetime as dt
import random

from accounts.models import Profile
from community.answers import AnswerInput, answers_as_text, answers_check, answers_save
from community.models import AchievementStatus, Comment, Like, Post
from grading.services import clean_score
from insights.models import InsightReport
from insights.reports import ReportInput, report_save
from missions.models import MissionStatus, MissionType, QuestionKind
from missions.selectors import questions_of
from points.models import TeamPoint, UserPoint
from points.services import points_award, points_revoke
from sqeeze.demo import inbox
from sqeeze.demo.builder import DemoBuilder, Slot
from sqeeze.demo.data import (
    DEMO_HIDDEN_REASON,
    DEMO_STUDENT,
    ESSAY_ANSWERS,
    INSIGHT_REPORTS,
    PEER_COMMENTS,
    SCRIPTED_COMMENTS,
    SCRIPTED_OUTCOMES,
    SUBMISSIONS,
    TEACHER_FEEDBACK,
)
from sqeeze.demo.specs import Outcome, demo_uuid
from teams.models import Team


def seed_submissions(demo: DemoBuilder, slot: Slot) -> None:
    if slot.instance.release_date > demo.now:
        return  # nobody can have submitted to a mission that has not opened yet
    # Seeded by the slot, not by run: the same students submit on every run.
    rng = random.Random(f"posts/{slot.key}")
    for author_email, team in authors(demo, slot):
        key = (slot.journey_spec.key, slot.mission_spec.key, author_email)
        outcome = SCRIPTED_OUTCOMES[key] if key in SCRIPTED_OUTCOMES else draw_outcome(rng, slot)
        if outcome is not None:
            seed_post(demo, slot, demo.people[author_email], team, outcome, rng)


def authors(demo: DemoBuilder, slot: Slot) -> list[tuple[str, Team | None]]:
    if slot.mission_spec.mission_type == MissionType.TEAM:
        # The leader submits for the team.
        return [
            (team_spec.members[0], team)
            for team, team_spec in demo.teams.get(slot.journey_spec.key, [])
        ]
    return [(email, None) for email in slot.journey_spec.students]


def draw_outcome(rng: random.Random, slot: Slot) -> Outcome | None:
    is_open = slot.instance.status == MissionStatus.IN_PROGRESS
    if rng.random() >= (0.45 if is_open else 0.85):
        return None  # did not submit
    statuses = (
        AchievementStatus.PENDING,
        AchievementStatus.ACHIEVED,
        AchievementStatus.NOT_ACHIEVED,
    )
    # Open missions are mostly waiting for grading; closed ones mostly graded.
    weights = (6, 3, 1) if is_open else (1, 7, 2)
    status = rng.choices(statuses, weights=weights)[0]
    points = slot.mission_spec.points
    return Outcome(status, score=rng.choice((points, points, points, max(points - 5, 1))))


def seed_post(
    demo: DemoBuilder,
    slot: Slot,
    author: Profile,
    team: Team | None,
    outcome: Outcome,
    rng: random.Random,
) -> None:
    instance = slot.instance
    title, content = rng.choice(SUBMISSIONS[slot.mission_spec.key])
    questions = questions_of(instance.mission)
    answers = drawn_answers(rng, slot, questions) if questions else None
    if answers is not None:
        content = answers_as_text(questions, answers)
    if team is not None:
        title = f"[{team.name.split(' · ')[0]}] {title}"  # the Korean half of the name
    submitters = demo.team_spec(slot, team).members if team is not None else (author.email,)
    demo.submitted.setdefault(slot.key, set()).update(submitters)
    window_end = min(instance.expiry_date, demo.now)
    created_at = instance.release_date + (window_end - instance.release_date) * rng.uniform(
        0.15, 0.85
    )
    view_count = rng.randint(2, 60)
    graded = outcome.status != AchievementStatus.PENDING
    graded_at = grader = score = None
    if graded:
        drawn = created_at + dt.timedelta(hours=rng.randint(2, 30))
        if outcome.graded_hours_ago is not None:
            drawn = max(demo.now - dt.timedelta(hours=outcome.graded_hours_ago), created_at)
        graded_at = demo.not_after_now(drawn)
        grader = demo.people[slot.journey_spec.teachers[0]]
        # The score grading would store: full points unless told, 0 when not achieved.
        wanted = outcome.score or slot.mission_spec.points
        score = clean_score(
            Post(mission_instance=instance),
            outcome.status,
            wanted if outcome.status == AchievementStatus.ACHIEVED else None,
        )
    # Grade fields set on every run: a rerun undoes a grade given in the app since.
    post = demo.upsert(
        Post,
        {
            "mission_instance": instance,
            "journey": slot.journey,
            "user": author,
            "team": team,
            "is_team_submission": team is not None,
            "title": title,
            "content": content,
            "score": score,
            "achievement_status": outcome.status,
            "graded_at": graded_at,
            "graded_by": grader,
            "is_hidden": outcome.hidden,
            "hidden_reason": DEMO_HIDDEN_REASON if outcome.hidden else None,
            "view_count": view_count,
            "created_at": created_at,
        },
        id=demo_uuid("post", slot.key, author.email),
    )
    if answers is not None:
        answers_save(post=post, questions=questions, answers=answers)
    inbox.notify_submission(demo, slot, post, graded=graded)
    seed_points(demo, post, graded_at)
    if grader is not None and graded_at is not None:
        inbox.notify_grading(demo, slot, post, grader=grader, graded_at=graded_at)
    if post.is_hidden:
        teacher = demo.people[slot.journey_spec.teachers[0]]
        hidden_at = (graded_at or created_at) + dt.timedelta(minutes=1)
        inbox.notify_hidden(demo, post, by=teacher, hidden_at=demo.not_after_now(hidden_at))
    else:
        seed_conversation(demo, slot, post, graded_at)


def drawn_answers(rng: random.Random, slot: Slot, questions) -> dict:
    """A student's answers to a mission of questions: a choice (mostly the
    right one), one of the demo's essays, no image (the image is optional);
    checked by the rules the submit form applies."""
    given = {}
    for question in questions:
        if question.kind == QuestionKind.MULTIPLE_CHOICE:
            right = question.correct_options[0]
            wrong = [i for i in range(len(question.options)) if i != right]
            given[question.pk] = AnswerInput(
                choices=(right if rng.random() < 0.7 else rng.choice(wrong),)
            )
        elif question.asks_text:
            given[question.pk] = AnswerInput(text=rng.choice(ESSAY_ANSWERS[slot.mission_spec.key]))
    return answers_check(questions, given)


def seed_points(demo: DemoBuilder, post: Post, graded_at: dt.datetime | None) -> None:
    """The points grading gives or takes back, through ``points.services``."""
    table = TeamPoint if post.is_team_submission else UserPoint
    if post.is_team_submission:
        # Rows an earlier demo wrote for a team post's leader: a team post earns
        # team points only.
        UserPoint.objects.filter(post=post).delete()
    if post.achievement_status != AchievementStatus.ACHIEVED:
        # Also what a rerun does to a demo post someone graded in the app since.
        points_revoke(post=post)
        return
    existed = table.objects.filter(post=post).exists()
    points_award(post=post, score=post.score)
    # The service stamps the moment of awarding; the demo's grade was given earlier.
    table.objects.filter(post=post).update(created_at=graded_at)
    demo.report.record(table, created=not existed)


def seed_conversation(
    demo: DemoBuilder, slot: Slot, post: Post, graded_at: dt.datetime | None
) -> None:
    rng = random.Random(f"conversation/{post.pk}")
    classmates = [email for email in slot.journey_spec.students if email != post.user.email]
    teacher = demo.people[slot.journey_spec.teachers[0]]
    # (writer, text, when, is the grading's feedback)
    comments: list[tuple[Profile, str, dt.datetime, bool]] = []
    if graded_at is not None and (post.user.email == DEMO_STUDENT.email or rng.random() < 0.6):
        feedback = rng.choice(TEACHER_FEEDBACK[AchievementStatus(post.achievement_status)])
        comments.append((teacher, feedback, graded_at, True))
    if classmates and rng.random() < 0.35:
        peer = demo.people[rng.choice(classmates)]
        when = demo.not_after_now(post.created_at + dt.timedelta(hours=rng.randint(1, 20)))
        comments.append((peer, rng.choice(PEER_COMMENTS), when, False))
    for number, (writer, content, when, feedback) in enumerate(comments):
        comment = demo.upsert(
            Comment,
            {"post": post, "user": writer, "content": content, "created_at": when},
            id=demo_uuid("comment", post.pk, number),
        )
        # Feedback given with a grade tells the author through the grading
        # notification (post_grade: comment_create(notify_author=False)).
        inbox.notify_comment(demo, comment, notify_author=not feedback)
    likers = rng.sample(classmates, k=rng.randint(0, min(6, len(classmates))))
    likes = []
    for number, email in enumerate(likers):
        # A second apart at least: two likes in the same hour, or both moved
        # back to now, would tie, and the notification names the last liker.
        when = demo.not_after_now(
            post.created_at + dt.timedelta(hours=rng.randint(1, 48))
        ) - dt.timedelta(seconds=number)
        demo.upsert(Like, {"created_at": when}, post=post, user=demo.people[email])
        likes.append((demo.people[email], when))
    inbox.notify_likes(demo, post, likes)


def seed_scripted_comments(demo: DemoBuilder) -> None:
    for spec in SCRIPTED_COMMENTS:
        slot = demo.slot(spec.journey, spec.mission)
        post = Post.objects.select_related("user", "team").get(
            id=demo_uuid("post", slot.key, spec.author)
        )
        post.mission_instance = slot.instance
        writer = demo.people[spec.writer]
        comment = demo.upsert(
            Comment,
            {
                "post": post,
                "user": writer,
                "content": spec.content,
                "created_at": demo.not_after_now(
                    post.created_at + dt.timedelta(hours=spec.hours_after)
                ),
            },
            id=demo_uuid("scripted-comment", slot.key, spec.author, spec.writer),
        )
        inbox.notify_comment(demo, comment, notify_author=True)


def seed_insight_report(demo: DemoBuilder, slot: Slot) -> None:
    """The mission's saved report of word groups on the slot's journey, by its
    first teacher, through the reports' service; a rerun finds it by name and
    puts its groups back as the demo has them."""
    spec = INSIGHT_REPORTS.get(slot.mission_spec.key)
    if spec is None:
        return
    name, position, groups = spec
    question = next(
        (q for q in questions_of(slot.instance.mission) if q.position == position), None
    )
    if question is None:  # a demo seeded before the mission had questions
        return
    journey = slot.journey
    data = ReportInput(name=name, groups=groups, instance=slot.instance, question=question)
    report_save(
        journey=journey,
        data=data,
        author=demo.people[slot.journey_spec.teachers[0]],
        report=InsightReport.objects.filter(journey=journey, name=name).first(),
    )
