"""Demo data: two academies with their people, journeys, missions, submissions,
grades, points, teams, notifications, and the public side (blog, inquiries).

``python manage.py seed_demo`` calls :func:`seed_demo`.

Rows are written straight through the ORM, not through the services: the
services rightly refuse a submission after expiry or points without grading,
and a demo needs a past.

Idempotent: every row is found again by a natural key (an e-mail, organization
and name, journey and week number, the unique constraints) or, where the seed
table has none, by a uuid5 primary key derived from a description of the row
(:func:`demo_uuid`). A rerun refreshes the rows, moving their dates along with
"now" so the demo stays current, and creates nothing new.

Dates are relative to the moment of seeding, laid out on the calendar users see
(``DEFAULT_USER_TIMEZONE``, Asia/Seoul) and stored in UTC.

Passwords: every demo account gets :data:`DEMO_PASSWORD` when it is created. A
rerun leaves a password someone changed alone, unless ``reset_passwords``.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import timezone

from accounts.models import Organization, Profile, Role, RoleAccessCode
from blog.models import Blog
from community.models import AchievementStatus, Comment, Like, Post
from files.models import File, FileType
from files.purposes import storage_for
from inquiries.models import BugReport, BugReportStatus, Inquiry, InquiryStatus
from journeys.models import Journey, JourneyWeek, UserJourney
from missions.models import JourneyMissionInstance, Mission, MissionStatus, MissionType
from notifications.models import EmailQueue, Notification
from points.models import TeamPoint, UserPoint
from teams.models import Team, TeamMember

DEMO_PASSWORD = "sqeeze-demo"
DEMO_EMAIL_DOMAIN = "sqeeze.test"  # .test is reserved: no demo e-mail can reach a real inbox

# Fixed forever: changing it would give every uuid5-keyed row a new identity,
# and a rerun would then duplicate them instead of refreshing them.
_DEMO_NAMESPACE = uuid.UUID("5b0f1e2c-8d7a-4c3e-9f61-2a7d4e9b1c08")

ModelT = TypeVar("ModelT", bound=models.Model)


def demo_uuid(*parts: object) -> uuid.UUID:
    """A stable primary key for a demo row whose table has no natural key."""
    return uuid.uuid5(_DEMO_NAMESPACE, "/".join(str(part) for part in parts))


def demo_email(local_part: str) -> str:
    return f"{local_part}@{DEMO_EMAIL_DOMAIN}"


def demo_phone(email: str) -> str:
    """A Korean mobile number (010-xxxx-xxxx), the same for an e-mail on every run."""
    digits = demo_uuid("phone", email).int
    return f"010-{digits % 9000 + 1000:04d}-{digits // 10_000 % 10_000:04d}"


def lifecycle_status(release: dt.datetime, expiry: dt.datetime, now: dt.datetime) -> MissionStatus:
    """A mission instance's status is where ``now`` falls in its window (DESIGN.md)."""
    if now < release:
        return MissionStatus.NOT_STARTED
    if now >= expiry:
        return MissionStatus.COMPLETED
    return MissionStatus.IN_PROGRESS


# --- What the demo contains ---------------------------------------------------------


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


@dataclass(frozen=True)
class Outcome:
    """How a submission went. ``score`` None on an achieved post means full points."""

    status: AchievementStatus
    score: int | None = None
    hidden: bool = False


MAIN_ORG = "main"
SECOND_ORG = "second"

ORGANIZATIONS = (
    OrganizationSpec(
        MAIN_ORG,
        "스퀴즈 아카데미 / Sqeeze Academy",
        "AI와 업무 자동화를 함께 배우는 성인 학습 커뮤니티입니다.\n"
        "A learning community for working adults who automate their work with AI.",
    ),
    OrganizationSpec(
        SECOND_ORG,
        "한빛 코딩 학원 / Hanbit Coding Academy",
        "중고등학생을 위한 파이썬 코딩 학원입니다.\nPython coding classes for teenagers.",
    ),
)

SUPERUSER = PersonSpec(demo_email("admin"), "최", "유진", MAIN_ORG, Role.ADMIN, is_superuser=True)
SECOND_ADMIN = PersonSpec(demo_email("admin2"), "정", "민호", SECOND_ORG, Role.ADMIN)
TEACHER = PersonSpec(demo_email("teacher"), "박", "지수", MAIN_ORG, Role.TEACHER)
SECOND_TEACHER = PersonSpec(demo_email("teacher2"), "Walker", "Daniel", SECOND_ORG, Role.TEACHER)
DEMO_STUDENT = PersonSpec(
    demo_email("student"), "김", "민지", MAIN_ORG, Role.USER, marketing_opt_in=True
)


def _students(organization: str, rows: Iterable[tuple[str, str, str]]) -> tuple[PersonSpec, ...]:
    return tuple(
        PersonSpec(
            demo_email(local_part),
            last_name,
            first_name,
            organization,
            # About a third say yes to marketing, as in a real sign-up form.
            marketing_opt_in=index % 3 == 0,
        )
        for index, (last_name, first_name, local_part) in enumerate(rows)
    )


MAIN_STUDENTS = _students(
    MAIN_ORG,
    (
        ("이", "서준", "seojun.lee"),
        ("박", "하윤", "hayun.park"),
        ("최", "도윤", "doyun.choi"),
        ("정", "서연", "seoyeon.jung"),
        ("강", "지호", "jiho.kang"),
        ("조", "하은", "haeun.cho"),
        ("Carter", "Olivia", "olivia.carter"),
        ("윤", "예준", "yejun.yoon"),
        ("장", "지유", "jiyu.jang"),
        ("Nguyen", "Liam", "liam.nguyen"),
        ("임", "시우", "siwoo.lim"),
        ("한", "수아", "sua.han"),
        ("오", "주원", "juwon.oh"),
        ("Smith", "Emma", "emma.smith"),
        ("서", "채원", "chaewon.seo"),
        ("신", "건우", "gunwoo.shin"),
        ("권", "다은", "daeun.kwon"),
        ("Garcia", "Noah", "noah.garcia"),
        ("황", "현우", "hyunwoo.hwang"),
        ("안", "지안", "jian.ahn"),
        ("Brown", "Ava", "ava.brown"),
        ("송", "민준", "minjun.song"),
        ("류", "소율", "soyul.ryu"),
        ("Miller", "Ethan", "ethan.miller"),
    ),
)

SECOND_STUDENTS = _students(
    SECOND_ORG,
    (
        ("전", "우진", "woojin.jeon"),
        ("홍", "윤서", "yunseo.hong"),
        ("Kim", "Sophia", "sophia.kim"),
        ("고", "태민", "taemin.ko"),
        ("문", "나연", "nayeon.moon"),
        ("Martin", "Lucas", "lucas.martin"),
    ),
)

# The accounts to try the app with; the command lists them.
KEY_PEOPLE = (SUPERUSER, SECOND_ADMIN, TEACHER, SECOND_TEACHER, DEMO_STUDENT)
PEOPLE = (*KEY_PEOPLE, *MAIN_STUDENTS, *SECOND_STUDENTS)


def _emails(people: Iterable[PersonSpec]) -> tuple[str, ...]:
    return tuple(person.email for person in people)


MISSIONS = (
    MissionSpec(
        "intro",
        MAIN_ORG,
        "자기소개와 목표 세우기 · Introduce yourself and set a goal",
        MissionType.INDIVIDUAL,
        10,
        "## 미션\n"
        "자기소개와 함께 이번 클라스에서 이루고 싶은 **목표 한 가지**를 적어 주세요.\n\n"
        "- 지금 하고 있는 일\n- 자동화하고 싶은 반복 업무\n- 4주 뒤에 기대하는 내 모습\n\n"
        "## Mission\nIntroduce yourself and write down **one goal** for this class: "
        "your job, a repetitive task you want to automate, and where you want to be "
        "in four weeks.",
    ),
    MissionSpec(
        "prompt-email",
        MAIN_ORG,
        "ChatGPT로 이메일 초안 쓰기 · Draft an e-mail with ChatGPT",
        MissionType.INDIVIDUAL,
        20,
        "## 미션\n"
        "업무 이메일 하나를 골라 ChatGPT로 초안을 만들어 보세요.\n\n"
        "1. 사용한 프롬프트를 그대로 붙여 넣기\n2. 결과물에서 고친 부분 표시하기\n"
        "3. 걸린 시간 비교하기 (before / after)\n\n"
        "## Mission\nPick a real work e-mail and draft it with ChatGPT. Share your prompt, "
        "what you changed and how much time it saved.",
    ),
    MissionSpec(
        "sheet-automation",
        MAIN_ORG,
        "스프레드시트 자동화 · Automate a spreadsheet",
        MissionType.INDIVIDUAL,
        30,
        "## 미션\n"
        "매주 손으로 정리하는 표 하나를 함수나 매크로로 자동화해 보세요.\n\n"
        "> 팁: `QUERY`, `ARRAYFORMULA`, `IMPORTRANGE`부터 시작해 보세요.\n\n"
        "## Mission\nAutomate one sheet you update by hand every week, with formulas "
        "or a macro. Add a screenshot of before and after.",
    ),
    MissionSpec(
        "team-idea",
        MAIN_ORG,
        "팀 미션: 자동화 아이디어 기획 · Team mission: plan an automation",
        MissionType.TEAM,
        50,
        "## 팀 미션\n"
        "팀원들의 반복 업무를 모아 **하나의 자동화 아이디어**를 기획해 주세요.\n\n"
        "| 항목 | 내용 |\n|---|---|\n| 문제 | 누가, 얼마나 자주 |\n"
        "| 해결 | 어떤 도구로 |\n| 효과 | 절약되는 시간 |\n\n"
        "팀장이 팀을 대표해 제출합니다.\n\n"
        "## Team mission\nCollect your team's repetitive tasks and plan **one automation**: "
        "the problem, the tool, the time it saves. The team leader submits.",
    ),
    MissionSpec(
        "data-story",
        MAIN_ORG,
        "데이터 시각화 한 장 · A one-chart data story",
        MissionType.INDIVIDUAL,
        30,
        "## 미션\n"
        "공공데이터나 업무 데이터로 **차트 한 장**을 만들고, 그 차트가 말하는 것을 "
        "세 문장으로 설명해 주세요.\n\n"
        "## Mission\nMake **one chart** from open or work data and tell its story in "
        "three sentences.",
    ),
    MissionSpec(
        "team-pitch",
        MAIN_ORG,
        "팀 미션: 3분 발표 · Team mission: a three-minute pitch",
        MissionType.TEAM,
        40,
        "## 팀 미션\n"
        "기획한 자동화를 3분 안에 소개하는 발표 자료(슬라이드 5장 이내)를 올려 주세요.\n\n"
        "## Team mission\nUpload a pitch of your automation that fits in three minutes "
        "(five slides at most).",
    ),
    MissionSpec(
        "retro",
        MAIN_ORG,
        "회고 쓰기 · Write a retrospective",
        MissionType.INDIVIDUAL,
        20,
        "## 미션\n"
        "4주를 돌아보며 **KPT**(Keep · Problem · Try)로 회고를 작성해 주세요.\n\n"
        "## Mission\nLook back on the four weeks with **KPT**: what to keep, what went "
        "wrong, what to try next.",
    ),
    # In the library but not scheduled: teachers see templates waiting for a class.
    MissionSpec(
        "prompt-library",
        MAIN_ORG,
        "나만의 프롬프트 모음 · My prompt library",
        MissionType.INDIVIDUAL,
        15,
        "## 미션\n자주 쓰는 프롬프트 5개를 정리해 공유해 주세요.\n\n"
        "## Mission\nShare five prompts you use every week.",
    ),
    MissionSpec(
        "hello-python",
        SECOND_ORG,
        "첫 코드 실행 · Hello, Python!",
        MissionType.INDIVIDUAL,
        10,
        "## 미션\n`print()`로 자기소개를 출력하는 코드를 실행하고 결과를 캡처해 올려 주세요."
        '\n\n```python\nprint("안녕하세요, 저는 ...입니다")\n```\n\n'
        "## Mission\nRun a program that prints an introduction of yourself.",
    ),
    MissionSpec(
        "loops",
        SECOND_ORG,
        "반복문 연습 · Loop practice",
        MissionType.INDIVIDUAL,
        20,
        "## 미션\n`for` 문으로 구구단 2단부터 9단까지 출력해 보세요.\n\n"
        "## Mission\nPrint the multiplication tables from 2 to 9 with a `for` loop.",
    ),
    MissionSpec(
        "code-review",
        SECOND_ORG,
        "코드 리뷰 · Peer code review",
        MissionType.INDIVIDUAL,
        15,
        "## 미션\n친구의 코드를 읽고 좋은 점 하나, 고칠 점 하나를 남겨 주세요.\n\n"
        "## Mission\nRead a classmate's code; note one good thing and one to improve.",
    ),
    MissionSpec(
        "mini-project",
        SECOND_ORG,
        "미니 프로젝트 · Mini project",
        MissionType.INDIVIDUAL,
        40,
        "## 미션\n숫자 맞히기 게임이나 가계부처럼 작은 프로그램을 완성해 보세요.\n\n"
        "## Mission\nFinish a small program: a number-guessing game, a budget tracker...",
    ),
)


def _e(local_part: str) -> str:
    return demo_email(local_part)


JOURNEYS = (
    JourneySpec(
        key="ai-automation",
        organization=MAIN_ORG,
        name="AI 업무 자동화 입문 · Intro to AI Work Automation",
        started_days_ago=17,  # week 3 of 4 is open
        teachers=(TEACHER.email,),
        students=(DEMO_STUDENT.email, *_emails(MAIN_STUDENTS[:15])),
        weeks=(
            ("intro", "prompt-email"),
            ("sheet-automation", "team-idea"),
            ("data-story", "team-pitch"),
            ("retro",),
        ),
        teams=(
            TeamSpec(
                "불꽃팀 · Team Blaze",
                "반복 보고서를 없애는 팀 · We kill repetitive reports.",
                (DEMO_STUDENT.email, _e("seojun.lee"), _e("hayun.park"), _e("doyun.choi")),
            ),
            TeamSpec(
                "파도팀 · Team Wave",
                "메일과 일정 자동화 · E-mail and calendar automation.",
                (_e("seoyeon.jung"), _e("jiho.kang"), _e("haeun.cho"), _e("olivia.carter")),
            ),
            TeamSpec(
                "번개팀 · Team Bolt",
                "스프레드시트 장인들 · Spreadsheet wizards.",
                (_e("liam.nguyen"), _e("yejun.yoon"), _e("jiyu.jang"), _e("siwoo.lim")),
            ),
        ),
    ),
    JourneySpec(
        key="data-literacy",
        organization=MAIN_ORG,
        name="데이터 리터러시 챌린지 · Data Literacy Challenge",
        started_days_ago=10,  # week 2 of 4 is open
        teachers=(TEACHER.email,),
        students=(DEMO_STUDENT.email, *_emails(MAIN_STUDENTS[9:24])),
        weeks=(
            ("intro",),
            ("data-story", "team-idea"),
            ("sheet-automation",),
            ("retro", "team-pitch"),
        ),
        teams=(
            TeamSpec(
                "오로라팀 · Team Aurora",
                "숫자로 말하는 팀 · Numbers tell our story.",
                (_e("sua.han"), DEMO_STUDENT.email, _e("juwon.oh"), _e("emma.smith")),
            ),
            TeamSpec(
                "은하수팀 · Team Galaxy",
                "대시보드 만들기 · Dashboards for everyone.",
                (_e("gunwoo.shin"), _e("daeun.kwon"), _e("noah.garcia"), _e("hyunwoo.hwang")),
            ),
        ),
    ),
    # The second academy's own class, so its admin and students see their own data
    # and never the first academy's.
    JourneySpec(
        key="python-basics",
        organization=SECOND_ORG,
        name="파이썬 코딩 기초 · Python Coding Basics",
        started_days_ago=4,  # week 1 of 4 is open
        teachers=(SECOND_TEACHER.email,),
        students=_emails(SECOND_STUDENTS),
        weeks=(("hello-python",), ("loops",), ("code-review",), ("mini-project",)),
    ),
)

WEEKS_PER_JOURNEY = 4

# Submissions told, not drawn: the demo student's path shows every state, and a
# few fixed rows make sure the demo always has a hidden post and graded team work.
# Keyed by (journey key, mission key, author e-mail; a team post's author is its leader).
DEMO_HIDDEN_REASON = "전화번호가 보여서 잠시 숨겼어요. · Hidden for now: it shows a phone number."

SCRIPTED_OUTCOMES: dict[tuple[str, str, str], Outcome | None] = {
    ("ai-automation", "intro", DEMO_STUDENT.email): Outcome(AchievementStatus.ACHIEVED),
    ("ai-automation", "prompt-email", DEMO_STUDENT.email): Outcome(AchievementStatus.ACHIEVED),
    ("ai-automation", "sheet-automation", DEMO_STUDENT.email): Outcome(
        AchievementStatus.ACHIEVED, score=25
    ),
    ("ai-automation", "team-idea", DEMO_STUDENT.email): Outcome(AchievementStatus.ACHIEVED),
    ("ai-automation", "team-idea", _e("seoyeon.jung")): Outcome(
        AchievementStatus.ACHIEVED, score=45
    ),
    ("ai-automation", "team-idea", _e("liam.nguyen")): Outcome(AchievementStatus.NOT_ACHIEVED),
    ("ai-automation", "data-story", DEMO_STUDENT.email): Outcome(AchievementStatus.PENDING),
    # None: not submitted. The open team pitch waits for the demo student's team,
    # so the demo always has an open mission she can submit.
    ("ai-automation", "team-pitch", DEMO_STUDENT.email): None,
    ("ai-automation", "intro", _e("jiho.kang")): Outcome(
        AchievementStatus.NOT_ACHIEVED, hidden=True
    ),
    ("ai-automation", "data-story", _e("seojun.lee")): Outcome(AchievementStatus.ACHIEVED),
    ("data-literacy", "intro", DEMO_STUDENT.email): Outcome(AchievementStatus.ACHIEVED),
    # Rejected while the mission is still open: the demo student can resubmit.
    ("data-literacy", "data-story", DEMO_STUDENT.email): Outcome(AchievementStatus.NOT_ACHIEVED),
    ("data-literacy", "team-idea", _e("sua.han")): Outcome(AchievementStatus.PENDING),
    ("python-basics", "hello-python", _e("woojin.jeon")): Outcome(AchievementStatus.ACHIEVED),
}

SUBMISSIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "intro": (
        (
            "안녕하세요, 마케팅팀 막내입니다",
            "매주 월요일마다 **광고 성과 보고서**를 손으로 만들고 있어요.\n\n"
            "목표: 4주 뒤에는 보고서를 10분 안에 끝내기!",
        ),
        (
            "Hi from the finance team",
            "I reconcile invoices by hand every Friday.\n\n"
            "**Goal:** automate the matching step before the end of this class.",
        ),
        (
            "인사팀 자기소개 & 목표",
            "채용 공고 응답 메일을 하나하나 보내고 있습니다.\n\n"
            "- 목표: 지원자 안내 메일 자동화\n- 기대: 하루 1시간 절약",
        ),
    ),
    "prompt-email": (
        (
            "거래처 일정 변경 메일 초안",
            "**프롬프트**\n\n> 정중하지만 간결하게, 미팅을 다음 주 화요일로 옮기자는 메일을 "
            "써줘.\n\n결과에서 인사말만 고쳤고, 10분 → 3분으로 줄었어요.",
        ),
        (
            "Follow-up e-mail after a demo",
            "**Prompt:** _Write a friendly follow-up after a product demo, three short "
            "paragraphs._\n\nI changed the closing line. Time: 15 min → 4 min.",
        ),
    ),
    "sheet-automation": (
        (
            "주간 매출표 자동 집계",
            "`QUERY` 함수로 지점별 매출을 자동으로 모았습니다.\n\n"
            '```\n=QUERY(raw!A:D, "select B, sum(D) group by B")\n```',
        ),
        (
            "Attendance sheet on autopilot",
            "An `ARRAYFORMULA` fills the weekly attendance from the form responses. "
            "No more copy and paste!",
        ),
    ),
    "team-idea": (
        (
            "회의록 요약 자동화",
            "| 항목 | 내용 |\n|---|---|\n| 문제 | 매주 회의록 정리에 2시간 |\n"
            "| 해결 | 녹음 → 전사 → 요약 |\n| 효과 | 주 2시간 절약 |",
        ),
        (
            "Invoice reminders",
            "**Problem:** late invoices are chased by hand.\n\n"
            "**Solution:** a sheet plus a scheduled e-mail.\n\n**Saves:** about 3 hours a week.",
        ),
    ),
    "data-story": (
        (
            "서울시 따릉이 이용량 차트",
            "출퇴근 시간에 이용량이 두 번 치솟습니다. 주말에는 오후에 한 번만 올라가요. "
            "비 오는 날은 절반으로 줄어듭니다.",
        ),
        (
            "Our support tickets by weekday",
            "Mondays bring twice as many tickets as Fridays. Most are password resets. "
            "A self-service reset page would halve Monday's load.",
        ),
    ),
    "team-pitch": (
        (
            "발표 자료: 보고서 자동화",
            "슬라이드 5장으로 정리했습니다.\n\n1. 문제\n2. 해결\n3. 데모\n4. 효과\n5. 다음 단계",
        ),
    ),
    "retro": (
        (
            "4주 회고 (KPT)",
            "- **Keep:** 매일 30분 실습\n- **Problem:** 팀 일정 맞추기\n"
            "- **Try:** 주 1회 짧은 싱크",
        ),
    ),
    "hello-python": (
        ("첫 코드 실행 성공!", '```python\nprint("안녕하세요, 저는 우진입니다")\n```'),
        ("My first program", '```python\nprint("Hi, I am new to Python!")\n```'),
    ),
    "loops": (
        (
            "구구단 출력",
            "```python\nfor dan in range(2, 10):\n    for i in range(1, 10):\n"
            '        print(f"{dan} x {i} = {dan * i}")\n```',
        ),
    ),
    "code-review": (("친구 코드 리뷰", "좋은 점: 변수 이름이 명확해요.\n\n고칠 점: 중복 코드"),),
    "mini-project": (("숫자 맞히기 게임", "1부터 100 사이 숫자를 맞히는 게임을 만들었어요."),),
}

TEACHER_FEEDBACK = {
    AchievementStatus.ACHIEVED: (
        "잘했어요! 구체적인 수치까지 적어 준 점이 좋아요. 👏",
        "Great work: clear, concrete and easy to reuse.",
        "훌륭합니다. 다음 주에는 팀원들과도 공유해 보세요.",
    ),
    AchievementStatus.NOT_ACHIEVED: (
        "방향은 좋아요. 미션의 세 가지 항목을 모두 채워서 다시 올려 주세요.",
        "Almost there: please add the before/after comparison and resubmit.",
    ),
}

PEER_COMMENTS = (
    "저도 같은 고민이었는데 덕분에 힌트 얻었어요!",
    "This is so useful, thanks for sharing.",
    "프롬프트 복사해 갑니다 🙏",
    "Nice idea! Did you try it with real data yet?",
    "와 이건 바로 써먹을 수 있겠네요.",
)

# The public blog: three published posts (Korean, as the site's visitors read it)
# and one draft that only operators see through its preview. Days ago: written,
# and published (None: still a draft).
BLOG_POSTS = (
    (
        "welcome",
        "스퀴즈를 소개합니다",
        "배우고, 제출하고, 함께 성장하는 클라스",
        "스퀴즈는 학원과 학교를 위한 **미션 기반 학습 플랫폼**입니다. 한 학기 수업을 주차별 "
        "클라스로 나누고, 매주 미션을 열어 학생들이 스스로 배우고 제출하도록 돕습니다.\n\n"
        "## 학생에게\n\n"
        "- 이번 주에 해야 할 미션과 마감(D-3, D-Day)을 한눈에 봅니다.\n"
        "- 휴대폰으로 사진과 글을 바로 제출합니다.\n"
        "- 선생님의 피드백과 내 포인트, 우리 팀의 순위를 확인합니다.\n\n"
        "## 선생님에게\n\n"
        "채점 대기열 하나에서 제출물을 차례로 확인하고 달성 여부와 점수, 피드백을 남깁니다. "
        "아직 제출하지 않은 학생에게는 버튼 하나로 알림을 보낼 수 있어요.\n\n"
        "## 학원에게\n\n"
        "모든 클라스와 선생님, 학생을 한곳에서 관리합니다. 초대 링크로 학생을 모으고, "
        "CSV로 한 번에 등록하고, 제출 현황을 엑셀로 내보내세요.\n\n"
        "궁금한 점이 있다면 [상담을 신청](/inquiry/)해 주세요.",
        46,
        45,
    ),
    (
        "team-missions",
        "팀 미션을 잘 운영하는 5가지 방법",
        "지난 학기 선생님들이 효과를 본 방법을 모았습니다",
        "팀 미션은 혼자 하기 어려운 과제를 함께 해내는 경험을 줍니다. 지난 학기 스퀴즈를 "
        "쓴 선생님들이 효과를 본 방법 다섯 가지를 모았습니다.\n\n"
        "1. **팀은 4명 안팎으로.** 너무 크면 무임승차가 생기고, 너무 작으면 한 명이 빠질 때 "
        "흔들립니다.\n"
        "2. **팀장은 돌아가며.** 주차마다 팀장을 바꾸면 모두가 책임을 나눠 갖습니다.\n"
        "3. **중간 점검 댓글.** 마감 이틀 전 피드에 짧은 댓글을 남기면 완성도가 눈에 띄게 "
        "올라갑니다.\n"
        "4. **팀 포인트는 공개.** 리더보드는 경쟁보다 서로를 챙기게 만드는 장치입니다.\n"
        "5. **마지막 주에는 발표.** 한 학기 결과물을 5분씩 발표하며 마무리하세요.\n\n"
        "> 팀장이 돌아가며 바뀌니 조용하던 학생도 자기 차례를 준비하더라고요.\n\n"
        "다음 학기 팀 미션을 준비하고 있다면, 첫 주에 팀 규칙을 함께 정하는 미션부터 "
        "열어 보세요.",
        21,
        20,
    ),
    (
        "automation-stories",
        "첫 기수 수강생들의 자동화 이야기",
        "업무 자동화 클라스 1기 후기",
        "업무 자동화 클라스 1기 수강생들은 4주 동안 매주 하나씩 자동화 미션을 수행했습니다. "
        "결과는 평균 **주 3.5시간** 절약이었습니다.\n\n"
        "## 월요일 보고서가 10분으로\n\n"
        "마케팅 담당 수강생은 매주 월요일 아침 두 시간씩 걸리던 보고서를 스프레드시트 "
        "함수와 간단한 스크립트로 10분짜리 일로 바꿨습니다.\n\n"
        "## 지원자 안내 메일 자동 발송\n\n"
        "인사 담당 수강생은 지원서가 들어오면 안내 메일이 자동으로 나가도록 만들었습니다. "
        "답장을 놓치는 지원자가 없어졌다고 해요.\n\n"
        "## 다음 기수에서는\n\n"
        "2기에는 팀 미션을 더해, 서로의 자동화를 검토하고 개선하는 주차를 넣을 예정입니다.",
        7,
        6,
    ),
    (
        "second-cohort",
        "업무 자동화 클라스 2기 모집 안내",
        None,
        "2기 모집 일정과 커리큘럼을 정리하고 있습니다. (작성 중)\n\n"
        "- 모집 기간: 미정\n- 정원: 20명\n- 팀 미션 주차 추가",
        1,
        None,
    ),
)


# --- Building it ----------------------------------------------------------------------


@dataclass
class SeedReport:
    """What a run wrote, per table: new rows and rows that were already there."""

    created: Counter[str] = field(default_factory=Counter)
    existing: Counter[str] = field(default_factory=Counter)
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # e-mail, role, org
    other_students: list[str] = field(default_factory=list)  # e-mails, same password

    def record(self, model: type[models.Model], *, created: bool) -> None:
        (self.created if created else self.existing)[model._meta.db_table] += 1

    def rows(self, table: str) -> int:
        return self.created[table] + self.existing[table]

    @property
    def tables(self) -> list[str]:
        return sorted(set(self.created) | set(self.existing))

    @property
    def total_created(self) -> int:
        return sum(self.created.values())

    @property
    def total_existing(self) -> int:
        return sum(self.existing.values())


@dataclass
class Slot:
    """One mission scheduled into one week of one journey."""

    journey_spec: JourneySpec
    journey: Journey
    week_number: int
    mission_spec: MissionSpec
    instance: JourneyMissionInstance

    @property
    def key(self) -> str:
        return f"{self.journey_spec.key}/{self.week_number}/{self.mission_spec.key}"


class DemoBuilder:
    def __init__(self, *, now: dt.datetime, reset_passwords: bool = False) -> None:
        self.now = now
        self.tz = ZoneInfo(settings.DEFAULT_USER_TIMEZONE)
        self.today = timezone.localdate(now, self.tz)
        self.reset_passwords = reset_passwords
        self.report = SeedReport()
        self.organizations: dict[str, Organization] = {}
        self.people: dict[str, Profile] = {}
        self.missions: dict[str, Mission] = {}
        self.slots: list[Slot] = []
        self.teams: dict[str, list[tuple[Team, TeamSpec]]] = {}  # per journey key
        self.submitted: dict[str, set[str]] = {}  # e-mails per slot key, team members included

    def build(self) -> SeedReport:
        self.seed_organizations()
        self.seed_people()
        self.seed_role_access_codes()
        self.seed_missions()
        for spec in JOURNEYS:
            self.seed_journey(spec)
        for slot in self.slots:
            self.seed_submissions(slot)
            self.seed_new_mission_notices(slot)
        screenshot = self.seed_screenshot_file()
        self.seed_bug_reports(screenshot)
        self.seed_email_queue()
        self.seed_blog()
        self.seed_inquiries()
        return self.report

    # -- helpers

    def upsert(self, model: type[ModelT], defaults: dict[str, Any], **lookup: Any) -> ModelT:
        row, created = model._default_manager.update_or_create(defaults=defaults, **lookup)
        self.report.record(model, created=created)
        return row

    def at(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        """A wall-clock time on the users' calendar (stored as UTC by the database)."""
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=self.tz)

    def not_after_now(self, moment: dt.datetime) -> dt.datetime:
        # Nothing in the demo may have happened in the future.
        return min(moment, self.now - dt.timedelta(minutes=1))

    @cached_property
    def demo_password_hash(self) -> str:
        # Hashed once and shared: the demo accounts publish one password anyway, and
        # hashing it per account would cost seconds on every fresh seed.
        return make_password(DEMO_PASSWORD)

    # -- tenants and people

    def seed_organizations(self) -> None:
        for spec in ORGANIZATIONS:
            self.organizations[spec.key] = self.upsert(
                Organization, {"description": spec.description}, name=spec.name
            )

    def seed_people(self) -> None:
        for spec in PEOPLE:
            self.people[spec.email] = self.seed_person(spec)

    def seed_person(self, spec: PersonSpec) -> Profile:
        organization = self.organizations[spec.organization]
        profile = self.upsert(
            Profile,
            {
                "first_name": spec.first_name,
                "last_name": spec.last_name,
                "organization": organization,
                "phone": demo_phone(spec.email),
                "role": spec.role,
                "is_superuser": spec.is_superuser,
                "is_active": True,
                "privacy_agreed": True,
                "marketing_opt_in": spec.marketing_opt_in,
            },
            email=spec.email,
        )
        if self.reset_passwords or not profile.password:
            profile.password = self.demo_password_hash
            profile.save(update_fields=["password"])
        # A verified address: the demo log-ins keep working when a deployment
        # switches ACCOUNT_EMAIL_VERIFICATION to "mandatory".
        self.upsert(
            EmailAddress,
            {"verified": True, "primary": True},
            user=profile,
            email=spec.email,
        )
        self.record_login(spec, organization)
        return profile

    def record_login(self, spec: PersonSpec, organization: Organization) -> None:
        if spec not in KEY_PEOPLE:
            self.report.other_students.append(spec.email)
            return
        role = str(Role(spec.role).label)
        if spec.is_superuser:
            role = f"{role} + superuser"
        self.report.logins.append((spec.email, role, organization.name))

    def seed_role_access_codes(self) -> None:
        # One code to hand to a new colleague, and one that ran out (refused at sign-up);
        # both of the main academy, so its teachers see the first on /people/codes/.
        for role, expires_in_days in ((Role.TEACHER, 30), (Role.ADMIN, -1)):
            self.upsert(
                RoleAccessCode,
                {
                    "role": role,
                    "code": demo_uuid("role-access-code", role, "code"),
                    "expiry_date": self.now + dt.timedelta(days=expires_in_days),
                    "organization": self.organizations[MAIN_ORG],
                    "created_by": self.people[SUPERUSER.email],
                },
                id=demo_uuid("role-access-code", role),
            )

    # -- missions, journeys, weeks, enrolments, teams

    def seed_missions(self) -> None:
        for spec in MISSIONS:
            self.missions[spec.key] = self.upsert(
                Mission,
                {
                    "mission_type": spec.mission_type,
                    "points": spec.points,
                    "description": spec.description,
                },
                organization=self.organizations[spec.organization],
                name=spec.name,
            )

    def seed_journey(self, spec: JourneySpec) -> None:
        start = self.today - dt.timedelta(days=spec.started_days_ago)
        journey = self.upsert(
            Journey,
            {
                "date_start": start,
                "date_end": start + dt.timedelta(days=7 * WEEKS_PER_JOURNEY - 1),
            },
            organization=self.organizations[spec.organization],
            name=spec.name,
        )
        for week_number, mission_keys in enumerate(spec.weeks, start=1):
            week = self.upsert(
                JourneyWeek,
                {"name": f"{week_number}주차 · Week {week_number}"},
                journey=journey,
                week_number=week_number,
            )
            first_day = start + dt.timedelta(days=7 * (week_number - 1))
            for mission_key in mission_keys:
                self.seed_slot(spec, journey, week, first_day, mission_key)
        self.seed_enrolments(spec, journey, joined_at=self.at(start - dt.timedelta(days=3), 10))
        self.seed_teams(spec, journey, formed_at=self.at(start + dt.timedelta(days=1), 20))

    def seed_slot(
        self,
        spec: JourneySpec,
        journey: Journey,
        week: JourneyWeek,
        first_day: dt.date,
        mission_key: str,
    ) -> None:
        # Open from the week's first morning to its last night.
        release = self.at(first_day, 9)
        expiry = self.at(first_day + dt.timedelta(days=6), 23, 59)
        instance = self.upsert(
            JourneyMissionInstance,
            {
                "journey_week": week,
                "journey": journey,
                "mission": self.missions[mission_key],
                "release_date": release,
                "expiry_date": expiry,
                "status": lifecycle_status(release, expiry, self.now),
            },
            id=demo_uuid("instance", spec.key, week.week_number, mission_key),
        )
        mission_spec = next(m for m in MISSIONS if m.key == mission_key)
        self.slots.append(Slot(spec, journey, week.week_number, mission_spec, instance))

    def seed_enrolments(
        self, spec: JourneySpec, journey: Journey, *, joined_at: dt.datetime
    ) -> None:
        members = [(email, "teacher") for email in spec.teachers]
        members += [(email, "user") for email in spec.students]
        for email, role_in_journey in members:
            self.upsert(
                UserJourney,
                {"role_in_journey": role_in_journey, "joined_at": joined_at},
                user=self.people[email],
                journey=journey,
            )

    def seed_teams(self, spec: JourneySpec, journey: Journey, *, formed_at: dt.datetime) -> None:
        teams = self.teams.setdefault(spec.key, [])
        for team_spec in spec.teams:
            team = self.upsert(
                Team, {"description": team_spec.description}, journey=journey, name=team_spec.name
            )
            teams.append((team, team_spec))
            for position, email in enumerate(team_spec.members):
                self.upsert(
                    TeamMember,
                    {"is_leader": position == 0, "joined_at": formed_at},
                    team=team,
                    user=self.people[email],
                )

    # -- submissions, grades, points, comments, likes

    def seed_submissions(self, slot: Slot) -> None:
        if slot.instance.release_date > self.now:
            return  # nobody can have submitted to a mission that has not opened yet
        # Seeded by the slot, not by run: the same students submit on every run.
        rng = random.Random(f"posts/{slot.key}")
        for author_email, team in self.authors(slot):
            key = (slot.journey_spec.key, slot.mission_spec.key, author_email)
            if key in SCRIPTED_OUTCOMES:
                outcome = SCRIPTED_OUTCOMES[key]
            else:
                outcome = self.draw_outcome(rng, slot)
            if outcome is not None:
                self.seed_post(slot, self.people[author_email], team, outcome, rng)

    def authors(self, slot: Slot) -> list[tuple[str, Team | None]]:
        if slot.mission_spec.mission_type == MissionType.TEAM:
            # The leader submits for the team.
            return [
                (team_spec.members[0], team)
                for team, team_spec in self.teams.get(slot.journey_spec.key, [])
            ]
        return [(email, None) for email in slot.journey_spec.students]

    def draw_outcome(self, rng: random.Random, slot: Slot) -> Outcome | None:
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
        self,
        slot: Slot,
        author: Profile,
        team: Team | None,
        outcome: Outcome,
        rng: random.Random,
    ) -> None:
        instance = slot.instance
        title, content = rng.choice(SUBMISSIONS[slot.mission_spec.key])
        if team is not None:
            title = f"[{team.name.split(' · ')[0]}] {title}"  # the Korean half of the name
        submitters = self.team_spec(slot, team).members if team is not None else (author.email,)
        self.submitted.setdefault(slot.key, set()).update(submitters)
        window_end = min(instance.expiry_date, self.now)
        created_at = instance.release_date + (window_end - instance.release_date) * rng.uniform(
            0.15, 0.85
        )
        achieved = outcome.status == AchievementStatus.ACHIEVED
        score = (outcome.score or slot.mission_spec.points) if achieved else None
        post = self.upsert(
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
                "team_points": score if achieved and team is not None else 0,
                "achievement_status": outcome.status,
                "is_hidden": outcome.hidden,
                "view_count": rng.randint(2, 60),
                "created_at": created_at,
            },
            id=demo_uuid("post", slot.key, author.email),
        )
        self.notify_teachers_of_submission(slot, post)
        if outcome.status == AchievementStatus.PENDING:
            graded_at = None
        else:
            graded_at = self.not_after_now(created_at + dt.timedelta(hours=rng.randint(2, 30)))
            self.notify_grading(slot, post, team, graded_at)
        # Reset on every run, like the grade itself: a pending post was never graded.
        grader = self.people[slot.journey_spec.teachers[0]] if graded_at else None
        Post.objects.filter(pk=post.pk).update(
            graded_at=graded_at,
            graded_by=grader,
            hidden_reason=DEMO_HIDDEN_REASON if post.is_hidden else None,
        )
        if achieved:
            self.seed_points(post, team, graded_at)
        else:
            # Someone may have graded this demo post in the app since the last run;
            # the rerun resets the grade, so the points it earned go too.
            UserPoint.objects.filter(post=post).delete()
            TeamPoint.objects.filter(post=post).delete()
        if not post.is_hidden:
            self.seed_conversation(slot, post, graded_at)

    def seed_points(self, post: Post, team: Team | None, graded_at: dt.datetime | None) -> None:
        # One row per student (and team) and mission instance, equal to the grade.
        self.upsert(
            UserPoint,
            {"post": post, "total_points": post.score, "created_at": graded_at},
            profile=post.user,
            mission_instance=post.mission_instance,
        )
        if team is not None:
            self.upsert(
                TeamPoint,
                {"post": post, "total_points": post.team_points, "created_at": graded_at},
                team=team,
                mission_instance=post.mission_instance,
            )

    def seed_conversation(self, slot: Slot, post: Post, graded_at: dt.datetime | None) -> None:
        rng = random.Random(f"conversation/{post.pk}")
        classmates = [email for email in slot.journey_spec.students if email != post.user.email]
        teacher = self.people[slot.journey_spec.teachers[0]]
        comments: list[tuple[Profile, str, dt.datetime]] = []
        if graded_at is not None and (post.user.email == DEMO_STUDENT.email or rng.random() < 0.6):
            feedback = rng.choice(TEACHER_FEEDBACK[AchievementStatus(post.achievement_status)])
            comments.append((teacher, feedback, graded_at))
        if classmates and rng.random() < 0.35:
            peer = self.people[rng.choice(classmates)]
            when = self.not_after_now(post.created_at + dt.timedelta(hours=rng.randint(1, 20)))
            comments.append((peer, rng.choice(PEER_COMMENTS), when))
        for number, (writer, content, when) in enumerate(comments):
            comment = self.upsert(
                Comment,
                {"post": post, "user": writer, "content": content, "created_at": when},
                id=demo_uuid("comment", post.pk, number),
            )
            self.notify_comment(post, comment)
        likers = rng.sample(classmates, k=rng.randint(0, min(6, len(classmates))))
        for email in likers:
            when = self.not_after_now(post.created_at + dt.timedelta(hours=rng.randint(1, 48)))
            self.upsert(Like, {"created_at": when}, post=post, user=self.people[email])

    # -- notifications

    def notify(
        self,
        *,
        key: tuple[object, ...],
        receiver: Profile,
        kind: str,
        message: str,
        link: str,
        payload: dict[str, Any],
        created_at: dt.datetime,
        is_read: bool | None = None,
    ) -> None:
        if is_read is None:
            # Older than two days counts as read: every inbox has read and unread items.
            is_read = created_at < self.now - dt.timedelta(days=2)
        read_at = self.not_after_now(created_at + dt.timedelta(hours=1)) if is_read else None
        self.upsert(
            Notification,
            {
                "receiver": receiver,
                "type": kind,
                "message": message,
                "link": link,
                "notification_json": json.dumps(payload, ensure_ascii=False),
                "created_at": created_at,
                "read_at": read_at,
            },
            id=demo_uuid("notification", *key, receiver.email),
        )

    def notify_grading(
        self, slot: Slot, post: Post, team: Team | None, graded_at: dt.datetime
    ) -> None:
        mission = slot.mission_spec.name
        if post.achievement_status == AchievementStatus.ACHIEVED:
            message = f"'{mission}' 미션을 달성했어요! +{post.score}점"
        else:
            message = f"'{mission}' 미션이 미달성으로 채점되었어요. 피드백을 확인해 주세요."
        # A team's grade concerns every member, not only the leader who submitted.
        receivers = (
            [self.people[email] for email in self.team_spec(slot, team).members]
            if team is not None
            else [post.user]
        )
        for receiver in receivers:
            self.notify(
                key=("grading", post.pk),
                receiver=receiver,
                kind="grading",
                message=message,
                link=post_link(post),
                payload={
                    "post_id": str(post.pk),
                    "journey_id": str(slot.journey.pk),
                    "achievement_status": post.achievement_status,
                    "score": post.score,
                },
                created_at=graded_at,
            )

    def notify_teachers_of_submission(self, slot: Slot, post: Post) -> None:
        for email in slot.journey_spec.teachers:
            self.notify(
                key=("submission", post.pk),
                receiver=self.people[email],
                kind="submission",
                message=f"{post.user.full_name}님이 '{slot.mission_spec.name}' 미션을 제출했어요.",
                link=post_link(post),
                payload={"post_id": str(post.pk), "journey_id": str(slot.journey.pk)},
                created_at=post.created_at,
                # A graded submission has been opened; a waiting one may not have been yet.
                is_read=True if post.achievement_status != AchievementStatus.PENDING else None,
            )

    def notify_comment(self, post: Post, comment: Comment) -> None:
        if comment.user_id == post.user_id:
            return
        self.notify(
            key=("comment", comment.pk),
            receiver=post.user,
            kind="comment",
            message=f"{comment.user.full_name}님이 회원님의 게시물에 댓글을 남겼어요.",
            link=post_link(post),
            payload={"post_id": str(post.pk), "comment_id": str(comment.pk)},
            created_at=comment.created_at,
        )

    def seed_new_mission_notices(self, slot: Slot) -> None:
        # Only for missions open now: an inbox full of last month's news is not realistic.
        if slot.instance.status != MissionStatus.IN_PROGRESS:
            return
        for email in slot.journey_spec.students:
            self.notify(
                key=("new_mission", slot.instance.pk),
                receiver=self.people[email],
                kind="new_mission",
                message=f"새 미션이 열렸어요: {slot.mission_spec.name}",
                link=journey_link(slot.journey),
                payload={
                    "journey_id": str(slot.journey.pk),
                    "mission_instance_id": str(slot.instance.pk),
                },
                created_at=slot.instance.release_date,
                # Whoever already submitted has clearly seen it.
                is_read=email in self.submitted.get(slot.key, set()),
            )

    def team_spec(self, slot: Slot, team: Team) -> TeamSpec:
        return next(spec for row, spec in self.teams[slot.journey_spec.key] if row.pk == team.pk)

    # -- files, bug reports, e-mail queue, blog, inquiries

    def seed_screenshot_file(self) -> File:
        """A real image in the private storage, attached to a bug report. A fixed
        path (not the upload service's random one) keeps reruns idempotent."""
        path = "bug-reports/demo/bug-report-screenshot.png"
        content = demo_screenshot_png()
        storage = storage_for("bug-reports")
        if not storage.exists(path):
            storage.save(path, ContentFile(content))
        return self.upsert(
            File,
            {
                "user": self.people[DEMO_STUDENT.email],
                "file_name": "screenshot.png",
                "file_size": len(content),
                "mime_type": "image/png",
                "file_type": FileType.IMAGE,
                "bucket_name": "bug-reports",
                "metadata": {"width": 640, "height": 360, "demo": True},
            },
            file_path=path,
        )

    def seed_bug_reports(self, screenshot: File) -> None:
        reports = (
            (
                "mobile-upload",
                DEMO_STUDENT.email,
                "모바일에서 사진 업로드가 멈춰요 · Photo upload hangs on mobile",
                "아이폰 사파리에서 10MB 넘는 사진을 올리면 진행 표시가 멈춥니다.\n\n"
                "On iPhone Safari, uploading a photo over 10 MB stalls at 90%.",
                BugReportStatus.OPEN,
                screenshot,
                1,
            ),
            (
                "leaderboard-tie",
                TEACHER.email,
                "리더보드 동점자 순서 · Leaderboard order on ties",
                "점수가 같은 학생의 순서가 새로고침할 때마다 바뀌었어요.",
                BugReportStatus.RESOLVED,
                None,
                9,
            ),
        )
        for key, email, title, description, status, attachment, days_ago in reports:
            self.upsert(
                BugReport,
                {
                    "user": self.people[email],
                    "title": title,
                    "description": description,
                    "status": status,
                    "attachment_file": attachment,
                    "created_at": self.now - dt.timedelta(days=days_ago),
                },
                id=demo_uuid("bug-report", key),
            )

    def seed_email_queue(self) -> None:
        student = self.people[DEMO_STUDENT.email]
        graded = (
            Post.objects.filter(user=student, achievement_status=AchievementStatus.ACHIEVED)
            .select_related("mission_instance__mission")
            .order_by("created_at", "id")[0]
        )
        opened = next(s for s in self.slots if s.instance.status == MissionStatus.IN_PROGRESS)
        rows = (
            # Sent: the worker stored the provider's answer.
            (
                "[스퀴즈] 미션 채점 결과가 도착했어요",
                f"{student.full_name}님, '{graded.mission_instance.mission.name}' 미션을 "
                f"달성했어요! +{graded.score}점",
                graded.pk,
                {
                    "created_at": self.now - dt.timedelta(days=6, minutes=2),
                    "processed": True,
                    "processed_at": self.now - dt.timedelta(days=6),
                    "status_code": 202,
                    "response": "Accepted",
                    "retry_count": 0,
                },
            ),
            # Waiting for the next drain.
            (
                "[스퀴즈] 새 미션이 열렸어요",
                f"새 미션이 열렸어요: {opened.mission_spec.name}",
                opened.instance.pk,
                {
                    "created_at": self.now - dt.timedelta(minutes=5),
                    "processed": False,
                    "retry_count": 0,
                },
            ),
            # Failed twice, will be retried.
            (
                "[스퀴즈] 마감이 다가와요",
                f"'{opened.mission_spec.name}' 마감까지 하루 남았어요.",
                demo_uuid("deadline", opened.instance.pk),
                {
                    "created_at": self.now - dt.timedelta(hours=3),
                    "processed": False,
                    "retry_count": 2,
                    "status_code": 503,
                    "error_message": "Mail provider unavailable (503), will retry.",
                },
            ),
        )
        for subject, content, about, outcome in rows:
            self.upsert(
                EmailQueue,
                {"recipient_name": student.full_name, "content": content, **outcome},
                recipient_email=student.email,
                subject=subject,
                content_ref_id=about,
            )

    def seed_blog(self) -> None:
        for key, title, subtitle, content, written_days_ago, published_days_ago in BLOG_POSTS:
            published_at = (
                None
                if published_days_ago is None
                else self.now - dt.timedelta(days=published_days_ago)
            )
            self.upsert(
                Blog,
                {
                    "title": title,
                    "subtitle": subtitle,
                    "content": content,
                    "created_at": self.now - dt.timedelta(days=written_days_ago),
                    "published_at": published_at,
                },
                id=demo_uuid("blog", key),
            )

    def seed_inquiries(self) -> None:
        inquiries = (
            (
                "new",
                "이수진",
                "010-2345-6789",
                "학생 출결과 과제 제출 알림을 학부모님께 자동으로 보내고 싶어요.",
                "카카오톡 단체방, 구글 시트",
                "누가 제출했는지 손으로 확인해야 해요.",
                InquiryStatus.PENDING,
                None,
                1,
            ),
            (
                "answered",
                "Michael Johnson",
                "010-8765-4321",
                "We want weekly progress reports for our English academy, sent automatically.",
                "Excel, Gmail",
                "Reports take a whole Friday afternoon.",
                InquiryStatus.COMPLETED,
                "3/14 화상 상담 완료, 견적서 발송 · Call done, quote sent.",
                12,
            ),
        )
        for key, name, phone, needs, tools, issues, status, notes, days_ago in inquiries:
            self.upsert(
                Inquiry,
                {
                    "name": name,
                    "phone": phone,
                    "automation_needs": needs,
                    "current_tools": tools,
                    "tool_issues": issues,
                    "status": status,
                    "notes": notes,
                    "created_at": self.now - dt.timedelta(days=days_ago),
                },
                id=demo_uuid("inquiry", key),
            )


def post_link(post: Post) -> str:
    return f"/journeys/{post.journey_id}/posts/{post.pk}/"


def journey_link(journey: Journey) -> str:
    return f"/journeys/{journey.pk}/"


def demo_screenshot_png() -> bytes:
    """A small, always identical PNG that looks like a screenshot of a stuck upload."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 360), "#f4f5fb")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 640, 48), fill="#4b3fd8")
    draw.rounded_rectangle((120, 150, 520, 190), radius=12, outline="#c7c9d9", width=2)
    draw.rounded_rectangle((122, 152, 480, 188), radius=10, fill="#4b3fd8")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def seed_demo(*, now: dt.datetime | None = None, reset_passwords: bool = False) -> SeedReport:
    """Create or refresh the demo data in one transaction and report what was written."""
    with transaction.atomic():
        builder = DemoBuilder(now=now or timezone.now(), reset_passwords=reset_passwords)
        return builder.build()
