"""The demo's public side and back office: the blog, problem reports and
inquiries. Data only; ``sqeeze.demo.public`` writes it."""

from __future__ import annotations

from inquiries.models import BugReportStatus, InquiryStatus
from sqeeze.demo.data import DEMO_STUDENT, TEACHER
from sqeeze.demo.specs import BlogPostSpec, BugReportSpec, InquirySpec

# The public blog: three published posts (Korean, as the site's visitors read it)
# and one draft that only operators see through its preview. Days ago: written,
# and published (None: still a draft).
BLOG_POSTS = (
    BlogPostSpec(
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
    BlogPostSpec(
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
    BlogPostSpec(
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
    BlogPostSpec(
        "second-cohort",
        "업무 자동화 클라스 2기 모집 안내",
        None,
        "2기 모집 일정과 커리큘럼을 정리하고 있습니다. (작성 중)\n\n"
        "- 모집 기간: 미정\n- 정원: 20명\n- 팀 미션 주차 추가",
        1,
        None,
    ),
)

BUG_REPORTS = (
    BugReportSpec(
        key="mobile-upload",
        reporter=DEMO_STUDENT.email,
        title="모바일에서 사진 업로드가 멈춰요 · Photo upload hangs on mobile",
        description="아이폰 사파리에서 10MB 넘는 사진을 올리면 진행 표시가 멈춥니다.\n\n"
        "On iPhone Safari, uploading a photo over 10 MB stalls at 90%.",
        status=BugReportStatus.OPEN,
        with_screenshot=True,
        days_ago=1,
    ),
    BugReportSpec(
        key="leaderboard-tie",
        reporter=TEACHER.email,
        title="리더보드 동점자 순서 · Leaderboard order on ties",
        description="점수가 같은 학생의 순서가 새로고침할 때마다 바뀌었어요.",
        status=BugReportStatus.RESOLVED,
        with_screenshot=False,
        days_ago=9,
    ),
)

INQUIRIES = (
    InquirySpec(
        key="new",
        name="이수진",
        phone="010-2345-6789",
        automation_needs="학생 출결과 과제 제출 알림을 학부모님께 자동으로 보내고 싶어요.",
        current_tools="카카오톡 단체방, 구글 시트",
        tool_issues="누가 제출했는지 손으로 확인해야 해요.",
        status=InquiryStatus.PENDING,
        notes=None,
        days_ago=1,
    ),
    InquirySpec(
        key="answered",
        name="Michael Johnson",
        phone="010-8765-4321",
        automation_needs="We want weekly progress reports for our English academy, "
        "sent automatically.",
        current_tools="Excel, Gmail",
        tool_issues="Reports take a whole Friday afternoon.",
        status=InquiryStatus.COMPLETED,
        notes="3/14 화상 상담 완료, 견적서 발송 · Call done, quote sent.",
        days_ago=12,
    ),
)
