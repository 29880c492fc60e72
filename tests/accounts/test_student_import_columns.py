"""The CSV import's columns: matched by their headers, by what the teacher
matched last time, or on the matching form; a single "이름" column of whole
names split into last and first name; every refusal changes nothing."""

from __future__ import annotations

import pytest

from accounts.models import ImportStatus, StudentImport
from people import imports
from people.imports import split_full_name, student_import_map, student_import_preview
from tests.accounts.test_student_import import _complete, csv_file, upload

pytestmark = pytest.mark.django_db

START = "/people/import/"
SCHOOL_CSV = (
    "학생 메일,학생 성,학생 이름,반\n"
    "minji@example.test,김,민지,3반\n"
    "jisoo@example.test,박,지수,3반\n"
)


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def teacher(teacher):
    return _complete(teacher)


@pytest.fixture
def outsider(outsider):
    return _complete(outsider)


def columns_url(student_import: StudentImport) -> str:
    return f"{START}{student_import.pk}/columns/"


def mapping_post(*fields: str) -> dict[str, str]:
    return {f"column_{index}": field for index, field in enumerate(fields)}


def names(student_import: StudentImport) -> list[tuple[str, str, str]]:
    return [(row["email"], row["last_name"], row["first_name"]) for row in student_import.rows]


@pytest.mark.parametrize(
    ("whole", "first", "last"),
    [
        ("김민지", "민지", "김"),
        ("김 민지", "민지", "김"),
        ("남궁민수", "민수", "남궁"),
        ("남궁", "궁", "남"),  # two syllables: a family name and a given name
        ("Minji Kim", "Minji", "Kim"),
        ("Mary Ann Smith", "Mary Ann", "Smith"),
        ("Minji", "Minji", ""),  # one Latin word: no family name to find
        ("민", "민", ""),
        ("", "", ""),
    ],
)
def test_whole_names_are_split_korean_family_name_first(whole, first, last):
    assert split_full_name(whole) == (first, last)


def test_a_single_이름_column_is_split_and_previewed_at_once(client, teacher):
    client.force_login(teacher)
    response = upload(client, "이메일,이름,전화번호\nminji@example.test,김민지,010-1234-5678\n")

    student_import = StudentImport.objects.get()
    assert response["Location"] == f"{START}{student_import.pk}/"
    assert student_import.status == ImportStatus.PREVIEWED
    assert names(student_import) == [("minji@example.test", "김", "민지")]
    assert student_import.rows[0]["problems"] == []


def test_unknown_headers_wait_for_the_teacher_to_match_them(client, teacher):
    client.force_login(teacher)
    response = upload(client, SCHOOL_CSV)

    student_import = StudentImport.objects.get()
    assert student_import.status == ImportStatus.MAPPING
    assert student_import.rows == [] and student_import.total == 2
    assert response["Location"] == f"{START}{student_import.pk}/"
    # The import's page sends the teacher to the matching form.
    assert client.get(response["Location"])["Location"] == columns_url(student_import)
    page = client.get(columns_url(student_import)).content.decode()
    for header in ("학생 메일", "학생 성", "학생 이름", "반"):
        assert header in page
    assert "minji@example.test" in page and "3반" in page  # the first values

    response = client.post(
        columns_url(student_import), mapping_post("email", "last_name", "first_name", "")
    )

    assert response.status_code == 302
    student_import.refresh_from_db()
    assert student_import.status == ImportStatus.PREVIEWED
    assert names(student_import) == [
        ("minji@example.test", "김", "민지"),
        ("jisoo@example.test", "박", "지수"),
    ]


def test_the_next_file_with_the_same_headers_needs_no_matching(teacher):
    first = student_import_preview(
        organization=teacher.organization, by=teacher, file=csv_file(SCHOOL_CSV)
    )
    student_import_map(
        student_import=first, by=teacher, mapping=["email", "last_name", "first_name", ""]
    )

    second = student_import_preview(
        organization=teacher.organization, by=teacher, file=csv_file(SCHOOL_CSV)
    )

    assert second.status == ImportStatus.MAPPING  # "반" was left out: still unknown
    remembered = imports.remembered_mapping(teacher)
    header = ["학생 메일", "학생 성", "학생 이름", "반"]
    assert imports.guess_mapping(header, remembered) == ["email", "last_name", "first_name", ""]
    without_class = SCHOOL_CSV.replace(",반", "").replace(",3반", "")
    third = student_import_preview(
        organization=teacher.organization, by=teacher, file=csv_file(without_class)
    )
    assert third.status == ImportStatus.PREVIEWED
    assert names(third)[0] == ("minji@example.test", "김", "민지")


def test_the_columns_can_be_matched_again_from_the_preview(client, teacher):
    client.force_login(teacher)
    upload(client, "이메일,이름\nminji@example.test,김민지\n")
    student_import = StudentImport.objects.get()
    assert "Match the columns again" in client.get(f"{START}{student_import.pk}/").content.decode()

    client.post(columns_url(student_import), mapping_post("email", "first_name"))
    # A first name alone is not enough: refused, the preview kept as it was.
    student_import.refresh_from_db()
    assert names(student_import) == [("minji@example.test", "김", "민지")]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (("email", "email", "first_name", ""), "“E-mail” is chosen for more than one column."),
        (("", "last_name", "first_name", ""), "Choose the column with the e-mail addresses."),
        (("email", "last_name", "", ""), "a full name, or a last and a first name"),
        (("email", "full_name", "first_name", ""), "not both"),
        (("email", "last_name", "first_name", "role"), "Select a valid choice."),
    ],
)
def test_a_bad_matching_is_refused_and_changes_nothing(client, teacher, fields, message):
    client.force_login(teacher)
    upload(client, SCHOOL_CSV)
    student_import = StudentImport.objects.get()

    response = client.post(columns_url(student_import), mapping_post(*fields))

    assert response.status_code == 400
    assert message in response.content.decode()
    student_import.refresh_from_db()
    assert student_import.status == ImportStatus.MAPPING
    assert student_import.rows == [] and student_import.column_mapping == []


def test_the_service_refuses_a_mapping_of_the_wrong_length_or_field(teacher):
    student_import = student_import_preview(
        organization=teacher.organization, by=teacher, file=csv_file(SCHOOL_CSV)
    )
    for mapping in (["email", "full_name"], ["email", "full_name", "", "is_superuser"]):
        with pytest.raises(imports.StudentImportError):
            student_import_map(student_import=student_import, by=teacher, mapping=mapping)
    student_import.refresh_from_db()
    assert student_import.status == ImportStatus.MAPPING


def test_a_queued_import_cannot_be_matched_again(client, teacher):
    client.force_login(teacher)
    upload(client, "이메일,이름\nminji@example.test,김민지\n")
    student_import = StudentImport.objects.get()
    client.post(f"{START}{student_import.pk}/confirm/")
    student_import.refresh_from_db()
    assert student_import.status == ImportStatus.QUEUED
    assert student_import.table == {}  # the file's cells are not kept once queued

    response = client.post(columns_url(student_import), mapping_post("email", "full_name"))

    assert response.status_code == 302
    student_import.refresh_from_db()
    assert student_import.status == ImportStatus.QUEUED
    assert names(student_import) == [("minji@example.test", "김", "민지")]


def test_another_academys_import_is_404_for_matching(client, teacher, outsider):
    student_import = student_import_preview(
        organization=teacher.organization, by=teacher, file=csv_file(SCHOOL_CSV)
    )
    client.force_login(outsider)

    assert client.get(columns_url(student_import)).status_code == 404
    post = client.post(columns_url(student_import), mapping_post("email", "", "", "full_name"))
    assert post.status_code == 404
    student_import.refresh_from_db()
    assert student_import.status == ImportStatus.MAPPING


def test_a_file_with_too_many_columns_is_refused(client, teacher):
    client.force_login(teacher)
    header = ",".join(f"c{n}" for n in range(imports.MAX_COLUMNS + 1))
    response = upload(client, f"email,{header}\na@example.test\n")

    assert response.status_code == 400
    assert f"more than {imports.MAX_COLUMNS} columns" in response.content.decode()
    assert not StudentImport.objects.exists()


def test_columns_of_addresses_or_phone_numbers_are_recognised_by_their_values():
    table = imports.read_table(
        "학생 메일,보호자 연락,학생 이름,메모\n"
        "minji@example.test,010-1234-5678,김민지,a@b\n"
        "jisoo@example.test,01098765432,박지수,\n"
    )

    mapping = imports.guess_mapping(table["header"], {}, table["rows"])

    # "메모" holds "a@b", which is no address: it stays unmatched.
    assert mapping == ["email", "phone", "full_name", ""]
    assert imports.is_complete(table["header"], mapping) is False  # "메모" is unmatched
