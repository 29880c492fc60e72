"""Bulk student creation from a CSV: preview checks, refusals, the run, the
invitation link, access and progress."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import ImportStatus, Profile, Role, StudentImport
from notifications.models import EmailQueue
from people import imports, invitations, tasks
from people.imports import MAX_ROWS, student_import_preview
from people.invitations import student_import_run
from tests.factories import ProfileFactory

pytestmark = pytest.mark.django_db

START = "/people/import/"
NEW_PASSWORD = "Kettle-Orbit-93!"


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    settings.ACCOUNT_RATE_LIMITS = False
    settings.EMAIL_BACKEND = "notifications.email_backend.QueueEmailBackend"
    settings.SITE_URL = "http://testserver"


def _complete(profile):
    # Profile completion (accounts.middleware) asks for a phone before anything else.
    profile.phone = "010-0000-0000"
    profile.save(update_fields=["phone"])
    return profile


@pytest.fixture
def teacher(teacher):
    return _complete(teacher)


@pytest.fixture
def student(student):
    return _complete(student)


@pytest.fixture
def admin_user(admin_user):
    return _complete(admin_user)


@pytest.fixture
def outsider(outsider):
    return _complete(outsider)


def csv_file(text: str, *, encoding: str = "utf-8", name: str = "students.csv"):
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


GOOD_CSV = (
    "email,first_name,last_name,phone\n"
    "minji@example.test,Minji,Kim,010-1234-5678\n"
    "jisoo@example.test,Jisoo,Park,\n"
)


def upload(client, text: str, **kwargs):
    return client.post(START, {"file": csv_file(text, **kwargs)})


def only_import() -> StudentImport:
    return StudentImport.objects.get()


# --- Preview ---------------------------------------------------------------------


def test_preview_flags_every_kind_of_problem(client, teacher, student):
    client.force_login(teacher)
    text = (
        "\ufeffE-mail , First Name,LAST_NAME, Phone\n"
        "ok@example.test,Minji,Kim,01012345678\n"
        "not-an-email,Jisoo,Park,\n"
        "Dup@Example.test,Hana,Lee,\n"
        "dup@example.TEST,Hana,Lee,\n"
        "STUDENT@example.test,Minji,Kim,\n"
        "noname@example.test,,,\n"
        "phone@example.test,Bo,Choi,12345\n"
        "excel@example.test,Ara,Yoon,1098765432\n"
    )
    response = upload(client, text)
    student_import = only_import()
    assert response.status_code == 302
    assert response["Location"] == f"/people/import/{student_import.pk}/"
    assert student_import.status == ImportStatus.PREVIEWED
    assert student_import.total == 8
    assert student_import.organization == teacher.organization
    assert student_import.created_by == teacher

    problems = {row["line"]: [p["code"] for p in row["problems"]] for row in student_import.rows}
    assert problems == {
        2: [],
        3: ["email_invalid"],
        4: [],
        5: ["duplicate"],
        6: ["exists"],
        7: ["first_name_missing", "last_name_missing"],
        8: ["phone_invalid"],
        9: [],
    }
    phones = {row["line"]: row["phone"] for row in student_import.rows}
    assert phones[2] == "010-1234-5678"
    assert phones[9] == "010-9876-5432"  # Excel dropped the leading 0

    page = client.get(response["Location"]).content.decode()
    assert "Not a valid e-mail address." in page
    assert "Same e-mail as row 4." in page
    assert "This e-mail already has an account." in page
    assert "First name is missing." in page
    assert "Last name is missing." in page
    assert "Not a Korean phone number" in page
    assert "3 ready" in page
    assert "5 with problems" in page
    assert page.count('class="import-row--problem"') == 5
    assert Profile.objects.count() == 2  # nothing created by a preview


def test_existing_user_of_another_organization_is_flagged(client, teacher, outsider):
    client.force_login(teacher)
    upload(client, f"email,first_name,last_name\n{outsider.email.upper()},A,B\n")
    assert only_import().rows[0]["problems"] == [{"code": "exists"}]


def test_korean_headers_in_cp949_work(client, teacher):
    client.force_login(teacher)
    text = "이메일,성,이름,전화번호\r\nminji@example.test,김,민지,010 1234 5678\r\n"
    response = upload(client, text, encoding="cp949")
    assert response.status_code == 302
    row = only_import().rows[0]
    assert (row["email"], row["last_name"], row["first_name"], row["phone"]) == (
        "minji@example.test",
        "김",
        "민지",
        "010-1234-5678",
    )
    assert row["problems"] == []


def test_utf8_bom_korean_file_works(client, teacher):
    client.force_login(teacher)
    text = "\ufeff이메일,이름,성\nminji@example.test,민지,김\n"
    assert upload(client, text).status_code == 302
    assert only_import().rows[0]["last_name"] == "김"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The submitted file is empty."),
        ("\n\n", "The file is empty."),
        ("email,first_name,last_name\n", "a header but no students"),
    ],
)
def test_unreadable_files_are_refused_and_nothing_stored(client, teacher, text, message):
    client.force_login(teacher)
    response = upload(client, text)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not StudentImport.objects.exists()


def test_ten_thousand_rows_are_refused_and_nothing_stored(client, teacher):
    client.force_login(teacher)
    lines = ["email,first_name,last_name,phone"]
    lines += [f"s{n}@example.test,Minji,Kim,010-1234-5678" for n in range(10_000)]
    text = "\n".join(lines) + "\n"
    assert len(text.encode()) < imports.MAX_FILE_BYTES  # refused for its rows, not its size
    response = upload(client, text)
    assert response.status_code == 400
    assert f"more than {MAX_ROWS:,} students" in response.content.decode()
    assert not StudentImport.objects.exists()


def test_exactly_the_row_limit_is_accepted(teacher):
    lines = ["email,first_name,last_name"] + [f"s{n}@example.test,A,B" for n in range(MAX_ROWS)]
    student_import = student_import_preview(
        organization=teacher.organization, by=teacher, file=csv_file("\n".join(lines))
    )
    assert student_import.total == MAX_ROWS


def test_a_file_over_one_megabyte_is_refused_before_reading(client, teacher):
    client.force_login(teacher)
    text = "email,first_name,last_name\n" + "x" * (imports.MAX_FILE_BYTES + 10)
    response = upload(client, text)
    assert response.status_code == 302
    assert response["Location"] == START
    assert "too large" in client.get(START).content.decode().lower()
    assert not StudentImport.objects.exists()


def test_binary_file_gets_a_clear_error(client, teacher):
    client.force_login(teacher)
    response = client.post(
        START, {"file": SimpleUploadedFile("x.csv", b"\xff\xfe\x00\x81\x00\xff" * 10)}
    )
    assert response.status_code == 400
    assert not StudentImport.objects.exists()


# --- Access ----------------------------------------------------------------------


@pytest.fixture
def previewed(teacher) -> StudentImport:
    return student_import_preview(
        organization=teacher.organization, by=teacher, file=csv_file(GOOD_CSV)
    )


def test_student_gets_403_everywhere(client, student, previewed):
    client.force_login(student)
    assert client.get(START).status_code == 403
    assert client.post(START, {"file": csv_file(GOOD_CSV)}).status_code == 403
    assert client.get(f"{START}{previewed.pk}/").status_code == 403
    assert client.post(f"{START}{previewed.pk}/confirm/").status_code == 403
    assert client.get(f"{START}sample.csv").status_code == 403
    assert StudentImport.objects.count() == 1


def test_student_service_call_is_refused(student):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        student_import_preview(
            organization=student.organization, by=student, file=csv_file(GOOD_CSV)
        )


def test_another_organization_gets_404(client, outsider, previewed):
    client.force_login(outsider)
    assert client.get(f"{START}{previewed.pk}/").status_code == 404
    assert client.get(f"{START}{previewed.pk}/progress/").status_code == 404
    assert client.post(f"{START}{previewed.pk}/confirm/").status_code == 404
    assert previewed.file_name not in client.get(START).content.decode()
    previewed.refresh_from_db()
    assert previewed.status == ImportStatus.PREVIEWED


def test_admin_of_the_organization_sees_a_teachers_import(client, admin_user, previewed):
    client.force_login(admin_user)
    assert client.get(f"{START}{previewed.pk}/").status_code == 200
    assert previewed.file_name in client.get(START).content.decode()


def test_anonymous_is_sent_to_log_in(client, previewed):
    response = client.get(f"{START}{previewed.pk}/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_sample_csv_downloads(client, teacher):
    client.force_login(teacher)
    response = client.get(f"{START}sample.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0] == "email,first_name,last_name,phone"
    # The sample is itself a valid import.
    table = imports.read_table(text)
    mapping = imports.guess_mapping(table["header"], {})
    assert imports.is_complete(table["header"], mapping)
    rows = imports.check_rows(imports.rows_from_table(table, mapping))
    assert rows[0]["problems"] == []


# --- Confirm and run -------------------------------------------------------------


def test_confirm_queues_one_task_on_commit(
    client, teacher, previewed, django_capture_on_commit_callbacks
):
    client.force_login(teacher)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(f"{START}{previewed.pk}/confirm/")
        client.post(f"{START}{previewed.pk}/confirm/")  # a double click queues nothing more
    assert response.status_code == 302
    assert len(callbacks) == 1
    previewed.refresh_from_db()
    assert previewed.status == ImportStatus.QUEUED
    assert Profile.objects.filter(email="minji@example.test").count() == 0  # the task creates


def test_confirm_callback_sends_the_named_task(
    teacher, previewed, django_capture_on_commit_callbacks, monkeypatch
):

    sent = []
    monkeypatch.setattr(tasks.run_student_import, "delay", lambda *args: sent.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        imports.student_import_confirm(student_import=previewed, by=teacher)
    assert sent == [(str(previewed.pk),)]
    assert tasks.run_student_import.name == "accounts.run_student_import"


def queued(student_import: StudentImport) -> StudentImport:
    StudentImport.objects.filter(pk=student_import.pk).update(status=ImportStatus.QUEUED)
    return student_import


def invitation_link(email: str) -> str:
    mail = EmailQueue.objects.get(recipient_email=email)
    match = re.search(r"http://testserver(/people/import/invitation/\S+/)", mail.content)
    assert match, mail.content
    assert match.group(0) in mail.html_content
    return match.group(1)


def test_run_creates_students_and_queues_invitations(teacher, student):
    text = GOOD_CSV + "bad-email,X,Y,\n" + f"{student.email},Minji,Kim,\n"
    student_import = queued(
        student_import_preview(organization=teacher.organization, by=teacher, file=csv_file(text))
    )
    result = student_import_run(import_id=student_import.pk)

    assert result.status == ImportStatus.DONE
    assert result.processed == result.total == 4
    assert [(r["line"], r["outcome"], r["outcome_code"]) for r in result.results] == [
        (2, "created", "created"),
        (3, "created", "created"),
        (4, "skipped", "problems"),
        (5, "skipped", "problems"),
    ]
    minji = Profile.objects.get(email="minji@example.test")
    assert minji.organization == teacher.organization
    assert minji.role == Role.USER
    assert (minji.first_name, minji.last_name, minji.phone) == ("Minji", "Kim", "010-1234-5678")
    assert not minji.has_usable_password()
    assert minji.privacy_agreed is False
    assert Profile.objects.get(email="jisoo@example.test").phone is None
    address = EmailAddress.objects.get(user=minji)
    assert (address.email, address.verified, address.primary) == (minji.email, False, True)

    assert set(EmailQueue.objects.values_list("recipient_email", flat=True)) == {
        "minji@example.test",
        "jisoo@example.test",
    }
    mail = EmailQueue.objects.get(recipient_email="minji@example.test")
    assert teacher.organization.name in mail.subject


def test_invitation_link_sets_the_password_and_the_student_logs_in(client, teacher, previewed):
    student_import_run(import_id=queued(previewed).pk)
    link = invitation_link("minji@example.test")

    response = client.get(link, follow=True)
    assert response.status_code == 200
    set_password_url = response.redirect_chain[-1][0]
    assert set_password_url.endswith("-set-password/")
    minji = Profile.objects.get(email="minji@example.test")
    assert EmailAddress.objects.get(user=minji).verified  # the link reached the address

    response = client.post(set_password_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]
    minji.refresh_from_db()
    assert minji.check_password(NEW_PASSWORD)

    client.logout()
    response = client.post(
        "/accounts/login/", {"login": "MINJI@example.test", "password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(minji.pk)

    # The link works once.
    client.logout()
    response = client.get(link, follow=True)
    assert "-set-password/" not in response.redirect_chain[-1][0]


def test_a_bad_invitation_link_changes_nothing(client, teacher, previewed):
    student_import_run(import_id=queued(previewed).pk)
    minji = Profile.objects.get(email="minji@example.test")
    link = invitation_link("minji@example.test")
    tampered = link[:-3] + "xx/"
    client.get(tampered)
    assert not EmailAddress.objects.get(user=minji).verified


def test_rerun_is_idempotent(teacher, previewed):
    student_import_run(import_id=queued(previewed).pk)
    first = StudentImport.objects.get(pk=previewed.pk)
    student_import_run(import_id=previewed.pk)
    again = StudentImport.objects.get(pk=previewed.pk)
    assert again.results == first.results
    assert (
        Profile.objects.filter(email__in=["minji@example.test", "jisoo@example.test"]).count() == 2
    )
    assert EmailQueue.objects.count() == 2


def test_previewed_import_is_not_run(previewed):
    student_import_run(import_id=previewed.pk)
    previewed.refresh_from_db()
    assert previewed.status == ImportStatus.PREVIEWED
    assert not Profile.objects.filter(email="minji@example.test").exists()


def test_an_address_taken_after_the_preview_is_skipped(teacher, previewed, other_organization):
    ProfileFactory(email="MINJI@example.test", organization=other_organization)
    result = student_import_run(import_id=queued(previewed).pk)
    assert result.results[0]["outcome"] == "skipped"
    assert result.results[0]["outcome_code"] == "exists"
    assert "already has an account" in imports.result_message(result.results[0])
    assert Profile.objects.filter(email__iexact="minji@example.test").count() == 1
    assert not EmailQueue.objects.filter(recipient_email__iexact="minji@example.test").exists()
    assert result.results[1]["outcome"] == "created"


def test_run_resumes_at_processed(teacher, monkeypatch):
    monkeypatch.setattr(invitations, "BATCH_SIZE", 2)
    lines = ["email,first_name,last_name"] + [f"s{n}@example.test,A,B" for n in range(5)]
    student_import = student_import_preview(
        organization=teacher.organization, by=teacher, file=csv_file("\n".join(lines))
    )
    queued(student_import)
    # A worker died after the first batch: status running, two rows processed.
    StudentImport.objects.filter(pk=student_import.pk).update(status=ImportStatus.RUNNING)
    assert invitations._run_batch(student_import.pk) is True
    result = student_import_run(import_id=student_import.pk)
    assert result.status == ImportStatus.DONE
    assert [r["outcome"] for r in result.results] == ["created"] * 5
    assert (
        Profile.objects.filter(email__startswith="s", organization=teacher.organization).count()
        == 5
    )
    assert EmailQueue.objects.count() == 5


def test_unexpected_error_marks_the_import_failed(teacher, previewed, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("mail templates missing")

    monkeypatch.setattr(invitations, "existing_emails", broken)
    result = student_import_run(import_id=queued(previewed).pk)
    assert result.status == ImportStatus.FAILED
    assert result.results[-1]["line"] is None
    assert "mail templates missing" in imports.result_message(result.results[-1])
    assert not Profile.objects.filter(email="minji@example.test").exists()


# --- Progress page ---------------------------------------------------------------


def test_progress_polls_while_queued_and_stops_when_done(client, teacher, previewed):
    client.force_login(teacher)
    queued(previewed)
    page = client.get(f"{START}{previewed.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' in page
    assert f'hx-get="/people/import/{previewed.pk}/progress/"' in page
    assert "0 of 2 rows processed" in page
    assert f'href="/people/import/{previewed.pk}/"' in page  # refresh without JavaScript

    partial = client.get(f"{START}{previewed.pk}/progress/", headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert "<html" not in partial.content.decode()
    assert "HX-Refresh" not in partial

    student_import_run(import_id=previewed.pk)
    partial = client.get(f"{START}{previewed.pk}/progress/", headers={"HX-Request": "true"})
    assert partial["HX-Refresh"] == "true"
    page = client.get(f"{START}{previewed.pk}/").content.decode()
    assert "every 2s" not in page
    assert "2 of 2 rows processed" in page
    assert "Created: 2" in page
    assert "Created; invitation sent." in page


def test_preview_page_query_count_is_flat(client, teacher):
    client.force_login(teacher)

    def queries_for(rows: int) -> int:
        lines = ["email,first_name,last_name,phone"]
        lines += [f"q{rows}-{n}@example.test,A,B,010-1234-5678" for n in range(rows)]
        student_import = student_import_preview(
            organization=teacher.organization, by=teacher, file=csv_file("\n".join(lines))
        )
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"{START}{student_import.pk}/").status_code == 200
        return len(captured)

    assert queries_for(2) == queries_for(200)


def test_start_page_query_count_is_flat(client, teacher):
    client.force_login(teacher)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(START).status_code == 200
        return len(captured)

    student_import_preview(organization=teacher.organization, by=teacher, file=csv_file(GOOD_CSV))
    one = queries()
    for _ in range(4):
        other = ProfileFactory(organization=teacher.organization, role=Role.TEACHER)
        student_import_preview(organization=teacher.organization, by=other, file=csv_file(GOOD_CSV))
    assert queries() == one
