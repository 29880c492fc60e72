"""Saved insight reports (/journeys/<id>/insights/reports/…): a journey's
named word groups (name, colour, words) over a week, mission or question,
added up from the class's count; their rules, their pages, and the academy
boundary in the application and in the database."""

from __future__ import annotations

import uuid

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import tenancy
from core.db import fetch_all
from insights import counting
from insights.models import InsightReport, InsightWordGroup
from insights.reports import (
    MAX_GROUPS,
    MAX_REPORTS,
    GroupInput,
    ReportInput,
    ReportRefusal,
    group_counts,
    report_save,
    scope_of,
    words_from,
)
from tests.factories import JourneyWeekFactory, MissionInstanceFactory

pytestmark = pytest.mark.usefixtures("english")

FEELINGS = GroupInput(name="Fruit", colour="#DC2626", words=("사과", "배", "귤"))
EATING = GroupInput(name="Eating", colour="#2563eb", words=("먹다", "맛있다"))


def save(classroom, name="Fruit talk", groups=(FEELINGS, EATING), **scope) -> InsightReport:
    data = ReportInput(name=name, groups=tuple(groups), **scope)
    return report_save(journey=classroom.journey, data=data, author=classroom.teacher)


def refusal(classroom, **fields) -> ReportRefusal:
    before = (InsightReport.objects.count(), InsightWordGroup.objects.count())
    with pytest.raises(ReportRefusal) as raised:
        save(classroom, **fields)
    assert (InsightReport.objects.count(), InsightWordGroup.objects.count()) == before
    return raised.value


# --- the service --------------------------------------------------------------


def test_a_report_keeps_its_groups_in_order_with_their_colours_and_words(classroom):
    report = save(classroom, name="  Fruit   talk ")
    groups = list(report.groups.all())
    assert report.name == "Fruit talk" and report.created_by == classroom.teacher
    assert [(g.position, g.name, g.colour, g.words) for g in groups] == [
        (1, "Fruit", "#dc2626", ["사과", "배", "귤"]),
        (2, "Eating", "#2563eb", ["먹다", "맛있다"]),
    ]


def test_typed_words_are_split_lowered_and_kept_once():
    assert words_from(" Happy, 기쁘다;\n행복 ,happy,,  joy  ful ") == (
        "happy",
        "기쁘다",
        "행복",
        "joy ful",
    )


def test_saving_again_replaces_the_groups(classroom):
    report = save(classroom)
    save_again = ReportInput(name="Fruit talk", groups=(EATING,))
    report_save(journey=classroom.journey, data=save_again, report=report)
    assert [g.name for g in report.groups.all()] == ["Eating"]


def test_saving_costs_the_same_queries_for_one_group_or_twelve(classroom):
    many = tuple(
        GroupInput(name=f"Group {n}", colour="#123456", words=("사과",)) for n in range(MAX_GROUPS)
    )
    counts = []
    for name, groups in (("One", (FEELINGS,)), ("Twelve", many)):
        with CaptureQueriesContext(connection) as queries:
            save(classroom, name=name, groups=groups)
        counts.append(len(queries))
    assert counts[0] == counts[1]


@pytest.mark.parametrize(
    ("fields", "field", "says"),
    [
        ({"name": "   "}, "name", "Give the report a name"),
        ({"name": "x" * 61}, "name", "at most 60 characters"),
        ({"groups": ()}, "groups", "at least one group"),
        (
            {"groups": tuple(FEELINGS for _ in range(MAX_GROUPS + 1))},
            "groups",
            "at most 12 groups",
        ),
        ({"groups": (GroupInput("", "#123456", ("a",)),)}, "groups", "Name this group"),
        ({"groups": (FEELINGS, GroupInput("fruit", "#123456", ("a",)))}, "groups", "Two groups"),
        ({"groups": (GroupInput("A", "red", ("a",)),)}, "groups", "colour like"),
        ({"groups": (GroupInput("A", "#12345g", ("a",)),)}, "groups", "colour like"),
        ({"groups": (GroupInput("A", "#123456", ()),)}, "groups", "at least one word"),
        (
            {"groups": (GroupInput("A", "#123456", tuple(f"w{n}" for n in range(31))),)},
            "groups",
            "at most 30 words",
        ),
        (
            {"groups": (GroupInput("A", "#123456", ("가" * 31,)),)},
            "groups",
            "at most 30 characters",
        ),
    ],
)
def test_bad_reports_are_refused_with_a_reason_and_nothing_saved(classroom, fields, field, says):
    refused = refusal(classroom, **fields)
    assert refused.field == field and says in str(refused)


def test_a_name_is_once_per_journey_whatever_its_case(classroom):
    save(classroom, name="Fruit talk")
    assert "already has a report of that name" in str(refusal(classroom, name="FRUIT TALK"))


def test_the_scope_must_be_the_journeys_own_and_agree(classroom, quiz):
    instance, essay, _other = quiz
    other_week = JourneyWeekFactory(journey=classroom.other_journey)
    other_instance = MissionInstanceFactory(journey_week=other_week)
    later_week = JourneyWeekFactory(journey=classroom.journey)
    for scope, says in (
        ({"week": other_week}, "week is not one of this journey's"),
        ({"instance": other_instance}, "mission is not one of this journey's"),
        ({"week": later_week, "instance": instance}, "not in that week"),
        ({"question": essay}, "Choose the mission of the question"),
        ({"instance": classroom.instance, "question": essay}, "Choose the mission of the question"),
    ):
        refused = refusal(classroom, **scope)
        assert refused.field == "scope" and says in str(refused)
    report = save(classroom, week=classroom.week, instance=instance, question=essay)
    assert scope_of(report) == counting.Scope(
        week_id=classroom.week.pk, instance_id=instance.pk, question_id=essay.pk
    )


def test_a_journey_holds_a_bounded_number_of_reports(classroom):
    InsightReport.objects.bulk_create(
        InsightReport(journey=classroom.journey, name=f"R{n}") for n in range(MAX_REPORTS)
    )
    assert "delete one first" in str(refusal(classroom, name="One more"))


def test_groups_add_up_their_words_most_used_first_and_unused_at_zero(classroom):
    report = save(classroom)
    counted = group_counts(report.groups.all(), [("먹다", 3), ("사과", 3), ("배", 1), ("좋다", 2)])
    assert [(g.name, g.colour, g.total, g.words) for g in counted] == [
        ("Fruit", "#dc2626", 4, [("사과", 3), ("배", 1), ("귤", 0)]),
        ("Eating", "#2563eb", 3, [("먹다", 3), ("맛있다", 0)]),
    ]


# --- the database's academy boundary ------------------------------------------


def test_a_report_and_its_groups_take_the_journeys_academy_and_another_sees_none(
    classroom, other_organization
):
    report = save(classroom)
    academy = classroom.journey.organization_id
    assert fetch_all("SELECT organization_id FROM insight_reports WHERE id = %s", [report.pk]) == [
        (academy,)
    ]
    groups = fetch_all(
        "SELECT organization_id FROM insight_word_groups WHERE report_id = %s", [report.pk]
    )
    assert groups == [(academy,), (academy,)]
    with tenancy.use(tenancy.for_academy(other_organization.pk)):
        assert not InsightReport.objects.filter(pk=report.pk).exists()
        assert not InsightWordGroup.objects.filter(report_id=report.pk).exists()
        renamed = fetch_all(
            "UPDATE insight_reports SET name = 'defaced' WHERE id = %s RETURNING id", [report.pk]
        )
    assert renamed == []


def test_a_group_cannot_be_slipped_into_another_academys_report(classroom, other_organization):
    report = save(classroom)
    with (
        tenancy.use(tenancy.for_academy(other_organization.pk)),
        pytest.raises(DatabaseError),
        transaction.atomic(),
    ):
        fetch_all(
            "INSERT INTO insight_word_groups (id, report_id, position, name, colour, words,"
            " created_at, updated_at) VALUES (%s, %s, 9, 'mine', '#000000', '[]', now(), now())",
            [uuid.uuid4(), report.pk],
        )
    assert report.groups.count() == 2


def test_the_database_refuses_a_colour_that_is_not_hex(classroom):
    report = save(classroom)
    with pytest.raises(DatabaseError), transaction.atomic():
        InsightWordGroup.objects.filter(report=report).update(colour="red;x")


# --- the pages ----------------------------------------------------------------


def form_data(name="Fruit talk", rows=(("Fruit", "#dc2626", "사과, 배, 귤"),), total=None, **scope):
    data = {
        "name": name,
        "groups-TOTAL_FORMS": str(total if total is not None else len(rows)),
        "groups-INITIAL_FORMS": "0",
        **{key: str(value) for key, value in scope.items()},
    }
    for index, (group, colour, words) in enumerate(rows):
        data |= {
            f"groups-{index}-name": group,
            f"groups-{index}-colour": colour,
            f"groups-{index}-words": words,
        }
    return data


def report_url(report, name="report") -> str:
    return reverse(f"insights:{name}", args=[report.journey_id, report.pk])


def new_url(journey) -> str:
    return reverse("insights:report_create", args=[journey.pk])


def test_a_teacher_saves_a_report_from_the_insights_filters_and_sees_its_groups(
    client, classroom, quiz, eager_celery, django_capture_on_commit_callbacks
):
    instance, _essay, _other = quiz
    client.force_login(classroom.teacher)
    blank = client.get(new_url(classroom.journey) + f"?mission={instance.pk}&week=nonsense")
    html = blank.content.decode()
    assert blank.status_code == 200
    assert f'<option value="{instance.pk}" selected>' in html
    assert html.count('type="color"') == 3  # three empty rows to start with

    rows = (
        ("Fruit", "#dc2626", "사과, 배, 귤"),
        ("", "#2563eb", ""),
        ("Eating", "#16a34a", "먹다"),
    )
    response = client.post(new_url(classroom.journey), form_data(rows=rows, mission=instance.pk))
    report = InsightReport.objects.get()
    assert response.status_code == 302 and response["Location"] == report_url(report)
    assert [g.name for g in report.groups.all()] == ["Fruit", "Eating"]  # the empty row left out
    assert report.mission_instance == instance

    with django_capture_on_commit_callbacks(execute=True):
        client.get(report_url(report))  # the count is queued and runs
    html = client.get(report_url(report)).content.decode()
    assert 'fill="#dc2626"' in html and 'fill="#16a34a"' in html
    assert "사과 3" in html and "귤 0" in html
    csv_rows = client.get(report_url(report) + "?format=csv").content.decode("utf-8-sig")
    assert csv_rows.splitlines()[:3] == ["Group,Word,Count", "Fruit,사과,3", "Fruit,배,1"]
    index = client.get(reverse("insights:index", args=[classroom.journey.pk])).content.decode()
    assert report_url(report) in index


def test_a_refused_row_is_shown_at_its_row_and_nothing_is_saved(client, classroom):
    client.force_login(classroom.teacher)
    rows = (("Fruit", "#dc2626", "사과"), ("", "#2563eb", ""), ("Fruit", "#16a34a", "배"))
    response = client.post(new_url(classroom.journey), form_data(rows=rows))
    assert response.status_code == 200
    groups = response.context["formset"].forms
    assert groups[2].non_field_errors() == ["Two groups have this name."]
    assert not InsightReport.objects.exists()


def test_another_journeys_week_or_a_forged_number_of_rows_saves_nothing(client, classroom):
    client.force_login(classroom.teacher)
    foreign_week = JourneyWeekFactory(journey=classroom.other_journey)
    response = client.post(new_url(classroom.journey), form_data(week=foreign_week.pk))
    assert response.status_code == 200 and "week" in response.context["form"].errors
    flood = form_data(total=1000)
    response = client.post(new_url(classroom.journey), flood)
    assert response.status_code == 200 and response.context["formset"].non_form_errors()
    assert not InsightReport.objects.exists()


def test_editing_and_deleting_a_report(client, classroom):
    report = save(classroom)
    client.force_login(classroom.admin)  # any teacher or admin of the academy
    form = client.get(report_url(report, "report_edit")).content.decode()
    assert 'value="Fruit talk"' in form and "사과, 배, 귤" in form
    rows = (("Sweet", "#9333ea", "달다, 맛있다"),)
    response = client.post(report_url(report, "report_edit"), form_data(name="Taste", rows=rows))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.name == "Taste"
    assert [(g.name, g.words) for g in report.groups.all()] == [("Sweet", ["달다", "맛있다"])]
    response = client.post(report_url(report, "report_delete"))
    assert response.status_code == 302 and not InsightReport.objects.exists()
    assert not InsightWordGroup.objects.exists()


def test_students_other_academies_and_other_journeys_get_404(client, classroom, other_organization):
    report = save(classroom)
    addresses = [report_url(report, name) for name in ("report", "report_edit")]
    client.force_login(classroom.student)
    for address in [*addresses, new_url(classroom.journey)]:
        assert client.get(address).status_code == 404
    assert client.post(report_url(report, "report_delete")).status_code == 404
    # The report seen through another journey of the same academy.
    through_other = reverse("insights:report", args=[classroom.other_journey.pk, report.pk])
    client.force_login(classroom.teacher)
    assert client.get(through_other).status_code == 404
    client.force_login(classroom.outsider)
    assert client.get(addresses[0]).status_code == 404
    assert client.post(report_url(report, "report_delete")).status_code == 404
    assert InsightReport.objects.filter(pk=report.pk).exists()


def test_a_delete_is_a_post(client, classroom):
    report = save(classroom)
    client.force_login(classroom.teacher)
    assert client.get(report_url(report, "report_delete")).status_code == 405
    assert InsightReport.objects.filter(pk=report.pk).exists()


def test_the_report_page_and_the_list_cost_the_same_queries_however_many_groups_or_reports(
    client, classroom
):
    small = save(classroom, name="Small", groups=(FEELINGS,))
    many = tuple(
        GroupInput(name=f"Group {n}", colour="#123456", words=("사과",)) for n in range(MAX_GROUPS)
    )
    large = save(classroom, name="Large", groups=many)
    client.force_login(classroom.teacher)
    counts = []
    for report in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(report_url(report)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    index = reverse("insights:index", args=[classroom.journey.pk])
    with CaptureQueriesContext(connection) as few:
        client.get(index)
    InsightReport.objects.bulk_create(
        InsightReport(journey=classroom.journey, name=f"R{n}") for n in range(MAX_REPORTS - 2)
    )
    with CaptureQueriesContext(connection) as full:
        html = client.get(index).content.decode()
    assert len(full) == len(few) and html.count("/insights/reports/") >= MAX_REPORTS
