"""files.services.file_delete (soft delete, who may) and file_purge_deleted
(the bytes of long-deleted files go; the rows stay), and the beat task."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from accounts.models import Role
from files import tasks
from files.models import ActiveFile, File, FileType
from files.purposes import storage_for
from files.services import file_delete, file_purge_deleted, file_upload
from tests.factories import ProfileFactory
from tests.files import images
from tests.files.images import upload


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def a_file(owner, **fields) -> File:
    """A row without bytes, for the permission tests."""
    values = {
        "user": owner,
        "file_name": "notes.pdf",
        "file_path": "post-attachments/2026/01/0123456789abcdef0123456789abcdef.pdf",
        "file_size": 10,
        "mime_type": "application/pdf",
        "file_type": FileType.DOCUMENT,
        "bucket_name": "post-attachments",
    }
    return File.objects.create(**{**values, **fields})


def stored_file(owner, purpose="library_image") -> File:
    return file_upload(uploader=owner, uploaded_file=upload(images.png()), purpose=purpose).file


def deleted_days_ago(file: File, days: float) -> File:
    File.objects.filter(pk=file.pk).update(
        is_deleted=True, deleted_at=timezone.now() - dt.timedelta(days=days)
    )
    file.refresh_from_db()
    return file


# -- file_delete ------------------------------------------------------------------


def test_the_uploader_soft_deletes_a_file(student):
    file = a_file(student)
    before = timezone.now()

    returned = file_delete(file=file, by=student)

    assert returned is file and file.is_deleted and file.deleted_at >= before
    row = File.objects.get(pk=file.pk)  # the row stays, marked
    assert row.is_deleted and row.deleted_at == file.deleted_at
    assert not ActiveFile.objects.filter(pk=file.pk).exists()


def test_deleting_twice_changes_nothing(student):
    file = file_delete(file=a_file(student), by=student)
    first = file.deleted_at

    again = file_delete(file=File.objects.get(pk=file.pk), by=student)

    assert again.is_deleted and again.deleted_at == first
    assert File.objects.get(pk=file.pk).deleted_at == first


def test_the_bytes_stay_until_the_purge(file_storage, teacher):
    file = file_delete(file=stored_file(teacher), by=teacher)
    assert storage_for(file.bucket_name).exists(file.file_path)


@pytest.mark.parametrize("who", ["teacher", "outsider", "classmate"])
def test_others_may_not_delete(student, teacher, outsider, organization, who):
    someone = {
        "teacher": teacher,
        "outsider": outsider,  # an admin, but of another organization
        "classmate": ProfileFactory(organization=organization, role=Role.USER),
    }[who]
    file = a_file(student)
    with pytest.raises(PermissionDenied):
        file_delete(file=file, by=someone)
    assert not File.objects.get(pk=file.pk).is_deleted
    assert ActiveFile.objects.filter(pk=file.pk).exists()


def test_an_admin_of_the_uploaders_organization_may_delete(student, admin_user):
    file = file_delete(file=a_file(student), by=admin_user)
    assert File.objects.get(pk=file.pk).is_deleted


def test_a_platform_operator_may_delete(outsider, superuser):
    file = file_delete(file=a_file(outsider), by=superuser)
    assert File.objects.get(pk=file.pk).is_deleted


def test_a_deactivated_uploader_may_not_delete(student):
    file = a_file(student)
    student.is_active = False
    with pytest.raises(PermissionDenied):
        file_delete(file=file, by=student)


def test_no_admin_may_delete_the_files_of_someone_without_an_organization(admin_user):
    loner = ProfileFactory(organization=None)
    with pytest.raises(PermissionDenied):
        file_delete(file=a_file(loner), by=admin_user)


# -- file_purge_deleted -----------------------------------------------------------------


def test_the_purge_removes_bytes_deleted_long_ago_and_keeps_recent_ones(
    file_storage, teacher, student, settings
):
    settings.FILES_PURGE_AFTER_DAYS = 30
    old = deleted_days_ago(stored_file(teacher), 31)
    recent = deleted_days_ago(stored_file(teacher), 1)
    private_old = deleted_days_ago(stored_file(student, purpose="post_attachment"), 45)
    alive = stored_file(teacher)

    assert file_purge_deleted() == 2

    for file in (old, private_old):
        file.refresh_from_db()
        assert not storage_for(file.bucket_name).exists(file.file_path)
        assert file.metadata["purged_at"]
        assert file.metadata["width"] == 32  # what was known is kept
        assert file.is_deleted  # the row stays
    for file in (recent, alive):
        file.refresh_from_db()
        assert storage_for(file.bucket_name).exists(file.file_path)
        assert "purged_at" not in file.metadata


def test_a_purged_file_is_not_tried_again(file_storage, teacher):
    file = deleted_days_ago(stored_file(teacher), 40)
    assert file_purge_deleted() == 1
    purged_at = File.objects.get(pk=file.pk).metadata["purged_at"]

    assert file_purge_deleted() == 0
    assert File.objects.get(pk=file.pk).metadata["purged_at"] == purged_at


def test_bytes_already_gone_and_rows_without_metadata_are_fine(file_storage, student):
    file = deleted_days_ago(a_file(student, metadata=None), 40)  # nothing was ever stored
    assert file_purge_deleted() == 1
    assert File.objects.get(pk=file.pk).metadata.keys() == {"purged_at"}


def test_older_than_days_overrides_the_setting(file_storage, teacher, settings):
    settings.FILES_PURGE_AFTER_DAYS = 30
    file = deleted_days_ago(stored_file(teacher), 3)
    assert file_purge_deleted(older_than_days=7) == 0
    assert file_purge_deleted(older_than_days=2) == 1
    assert not storage_for(file.bucket_name).exists(file.file_path)


def test_a_storage_error_leaves_the_row_for_the_next_run(file_storage, teacher, monkeypatch):
    file = deleted_days_ago(stored_file(teacher), 40)
    storage = storage_for(file.bucket_name)

    def fail(name):
        raise OSError("storage unavailable")

    monkeypatch.setattr(storage, "delete", fail)
    assert file_purge_deleted() == 0
    assert "purged_at" not in File.objects.get(pk=file.pk).metadata
    monkeypatch.undo()
    assert file_purge_deleted() == 1


def test_the_beat_task_runs_the_purge(monkeypatch):
    calls = []
    monkeypatch.setattr(tasks, "file_purge_deleted", lambda **kwargs: calls.append(kwargs) or 4)
    assert tasks.purge_deleted_files.name == "files.purge_deleted_files"
    assert tasks.purge_deleted_files() == 4
    assert calls == [{}]


def test_the_beat_task_purges_for_real(file_storage, teacher, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    file = deleted_days_ago(stored_file(teacher), 40)
    tasks.purge_deleted_files.apply()
    assert not storage_for(file.bucket_name).exists(file.file_path)


def test_the_beat_schedule_names_the_task(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["purge-deleted-files"]
    assert entry["task"] == tasks.purge_deleted_files.name
