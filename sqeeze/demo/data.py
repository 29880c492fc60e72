"""What the demo contains: two academies, their people, missions and journeys,
and what happened in them (submissions and how they went, comments, a
reminder, e-mails). Data only: ``sqeeze.demo.builder`` turns it into rows
through the app's own services and message builders.

Told, not drawn, where it matters: the demo student's path shows every state,
and a few fixed rows make sure the demo always has a hidden post, graded team
work, a mention and each e-mail delivery state. The rest is drawn from seeded
random generators, so every run draws the same.
"""

from __future__ import annotations

from collections.abc import Iterable

from accounts.models import Role
from community.models import AchievementStatus
from insights.reports import GroupInput
from missions.models import MissionType
from missions.questions import QuestionInput
from sqeeze.demo.specs import (
    EmailState,
    JourneySpec,
    MissionSpec,
    OrganizationSpec,
    Outcome,
    PersonSpec,
    QueuedEmailSpec,
    ReminderSpec,
    ScriptedComment,
    TeamSpec,
    demo_email,
)

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
# The others are drawn (activity.draw_outcome). Keyed by (journey key, mission key,
# author e-mail; a team post's author is its leader).
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
    # Rejected while the mission is still open: the demo student can resubmit. Graded
    # two hours ago: its e-mail is the one the mail provider keeps refusing (below).
    ("data-literacy", "data-story", DEMO_STUDENT.email): Outcome(
        AchievementStatus.NOT_ACHIEVED, graded_hours_ago=2
    ),
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

# A classmate mentions the demo student under a teammate's chart: she gets a
# "mention", the post's author a "comment", as the app decides for any comment.
SCRIPTED_COMMENTS = (
    ScriptedComment(
        journey="ai-automation",
        mission="data-story",
        author=_e("seojun.lee"),
        writer=_e("hayun.park"),
        content="@김민지 이 차트 우리 팀 발표에 넣어 봐요! · Let's put this chart in our pitch!",
        hours_after=3,
    ),
)

# The teacher reminds the demo student of her team's open pitch a few minutes ago.
REMINDERS = (
    ReminderSpec(
        journey="ai-automation",
        mission="team-pitch",
        student=DEMO_STUDENT.email,
        teacher=TEACHER.email,
        minutes_ago=4,
    ),
)

# One e-mail in each delivery state, each the e-mail of one of the demo student's
# notifications (rendered by the app's own e-mail code), queued when it was sent.
QUEUED_EMAILS = (
    QueuedEmailSpec(DEMO_STUDENT.email, "grading", "ai-automation", "intro", EmailState.SENT),
    QueuedEmailSpec(
        DEMO_STUDENT.email,
        "grading",
        "data-literacy",
        "data-story",
        EmailState.RETRYING,
        failed_attempts=2,
    ),
    QueuedEmailSpec(
        DEMO_STUDENT.email, "deadline", "ai-automation", "team-pitch", EmailState.WAITING
    ),
)


# A mission made of questions (issue 16): the data story asks three, of three
# kinds; its points (30) are theirs. Its posts answer them (activity.seed_post)
# with a drawn choice and one of the essays below, so the class insights have
# Korean answers to count.
MISSION_QUESTIONS: dict[str, tuple[QuestionInput, ...]] = {
    "data-story": (
        QuestionInput(
            kind="multiple_choice",
            text="여러 항목의 크기를 비교할 때 가장 알맞은 차트는? · "
            "Which chart compares the size of several items best?",
            points=5,
            options=(
                ("막대 차트 · Bar chart", True),
                ("원 차트 · Pie chart", False),
                ("선 차트 · Line chart", False),
            ),
        ),
        QuestionInput(
            kind="essay",
            text="차트가 말하는 것을 세 문장으로 설명해 주세요. · "
            "Tell your chart's story in three sentences.",
            points=20,
            min_chars=20,
            max_chars=600,
            placeholder="이 차트는 …",
        ),
        QuestionInput(
            kind="image_upload",
            text="만든 차트를 올려 주세요. · Upload your chart.",
            points=5,
            required=False,
            max_images=2,
        ),
    ),
}

ESSAY_ANSWERS: dict[str, tuple[str, ...]] = {
    "data-story": (
        "출퇴근 시간에 따릉이 이용량이 두 번 크게 늘어납니다. 주말에는 오후에 한 번만 "
        "올라가요. 비 오는 날에는 이용량이 절반으로 줄어듭니다.",
        "월요일 문의가 금요일보다 두 배 많습니다. 대부분 비밀번호 재설정 문의예요. "
        "셀프 재설정 페이지를 만들면 월요일 문의를 절반으로 줄일 수 있습니다.",
        "지역별 매출을 막대 차트로 비교했습니다. 서울 매출이 가장 높고 부산이 뒤를 "
        "잇습니다. 지방 매출은 꾸준히 늘어나고 있어요.",
        "월별 전기 사용량을 선 차트로 그렸습니다. 여름과 겨울에 사용량이 크게 늘어납니다. "
        "에어컨과 난방이 가장 큰 원인이에요.",
        "연령대별 운동 시간을 비교했습니다. 이십 대가 가장 많이 운동하고 오십 대가 "
        "가장 적게 운동합니다. 주말 운동 시간은 모든 연령대에서 늘어납니다.",
    ),
}


# A saved insight report on every journey that schedules the mission: the
# words of its essay question (by position) in groups, as a teacher would
# group them (insights/reports.py).
INSIGHT_REPORTS: dict[str, tuple[str, int, tuple[GroupInput, ...]]] = {
    "data-story": (
        "차트 이야기 · Chart stories",
        2,
        (
            GroupInput(
                "늘고 줄다 · Up and down",
                "#16a34a",
                ("늘어나다", "줄어들다", "늘다", "줄다", "높다"),
            ),
            GroupInput("때 · When", "#2563eb", ("월요일", "주말", "여름", "겨울", "시간", "오후")),
            GroupInput("차트 · Charts", "#9333ea", ("차트", "막대", "선", "비교", "그리다")),
        ),
    ),
}
