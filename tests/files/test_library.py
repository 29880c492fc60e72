"""The image library page: teachers and admins upload, see, copy and delete images."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from files.models import File
from tests.factories import ProfileFactory

pytestmark = pytest.mark.usefixtures("english")


def png(name="photo.png", size=(40, 30), color="purple"):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = name
    return buffer


def html_pretending_to_be_png():
    buffer = io.BytesIO(b"<html><script>alert(1)</script></html>")
    buffer.name = "innocent.png"
    return buffer


def upload(client, *files):
    return client.post(reverse("files:library_upload"), {"images": list(files)}, follow=True)


def page_text(response) -> str:
    return response.content.decode()


def test_students_cannot_open_the_library(client, student):
    client.force_login(student)
    assert client.get(reverse("files:library")).status_code == 403
    assert upload(client, png()).status_code == 403
    assert not File.objects.exists()


def test_the_library_needs_a_log_in(client, db):
    response = client.get(reverse("files:library"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_a_teacher_uploads_several_images_and_a_bad_one_is_named(client, teacher, file_storage):
    client.force_login(teacher)
    response = upload(
        client, png("one.png"), png("two.png", color="orange"), html_pretending_to_be_png()
    )
    assert response.status_code == 200
    stored = File.objects.filter(bucket_name="images", user=teacher)
    assert sorted(stored.values_list("file_name", flat=True)) == ["one.png", "two.png"]
    text = page_text(response)
    assert "innocent.png" in text  # the refused file is named in the message
    for image in stored:
        assert image.file_path in text or str(image.pk) in text


def test_nothing_chosen_is_a_clear_message(client, teacher):
    client.force_login(teacher)
    response = client.post(reverse("files:library_upload"), {}, follow=True)
    assert [str(m) for m in response.context["messages"]]
    assert not File.objects.exists()


def test_the_page_shows_only_this_organizations_active_library_images(
    client, teacher, outsider, file_storage
):
    client.force_login(outsider)
    upload(client, png("theirs.png"))
    client.force_login(teacher)
    upload(client, png("ours.png"), png("gone.png"))
    File.objects.filter(file_name="gone.png").update(is_deleted=True)
    text = page_text(client.get(reverse("files:library")))
    assert "ours.png" in text
    assert "theirs.png" not in text and "gone.png" not in text


def test_blog_covers_of_an_operator_in_this_academy_are_not_library_images(
    client, teacher, superuser, admin_user, file_storage
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from files.services import file_upload

    cover = file_upload(
        uploader=superuser,
        uploaded_file=SimpleUploadedFile("cover.png", png().getvalue(), "image/png"),
        purpose="blog_image",
    ).file
    client.force_login(teacher)
    assert "cover.png" not in page_text(client.get(reverse("files:library")))
    client.force_login(admin_user)
    response = client.post(reverse("files:library_delete", args=[cover.pk]))
    assert response.status_code == 404
    cover.refresh_from_db()
    assert not cover.is_deleted


def test_a_teacher_deletes_their_own_image_in_place(client, teacher, file_storage):
    client.force_login(teacher)
    upload(client, png())
    image = File.objects.get()
    response = client.post(reverse("files:library_delete", args=[image.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response.content == b""
    image.refresh_from_db()
    assert image.is_deleted and image.deleted_at


def test_only_the_uploader_or_an_admin_deletes(
    client, teacher, admin_user, organization, file_storage
):
    colleague = ProfileFactory(organization=organization, role="teacher")
    client.force_login(colleague)
    upload(client, png())
    image = File.objects.get()
    client.force_login(teacher)
    client.post(reverse("files:library_delete", args=[image.pk]))
    image.refresh_from_db()
    assert not image.is_deleted
    client.force_login(admin_user)
    client.post(reverse("files:library_delete", args=[image.pk]))
    image.refresh_from_db()
    assert image.is_deleted


def test_another_organizations_image_is_404(client, teacher, outsider, file_storage):
    client.force_login(outsider)
    upload(client, png())
    image = File.objects.get()
    client.force_login(teacher)
    assert client.post(reverse("files:library_delete", args=[image.pk])).status_code == 404
    image.refresh_from_db()
    assert not image.is_deleted


def test_delete_needs_post(client, teacher):
    client.force_login(teacher)
    assert client.get(reverse("files:library_delete", args=[1])).status_code == 405


def test_pages_go_by_key(client, teacher, settings, file_storage):
    client.force_login(teacher)
    for number in range(26):
        upload(client, png(f"p{number}.png"))
    first = client.get(reverse("files:library"))
    assert len(first.context["images"]) == 24
    rest = client.get(reverse("files:library"), {"before": first.context["next_before"]})
    assert len(rest.context["images"]) == 2 and rest.context["next_before"] is None
    assert client.get(reverse("files:library"), {"before": "x"}).status_code == 400


@pytest.mark.parametrize("count", [1, 15])
def test_the_page_query_count_stays_flat(
    client, teacher, file_storage, count, django_assert_max_num_queries
):
    client.force_login(teacher)
    for number in range(count):
        upload(client, png(f"q{number}.png"))
    with django_assert_max_num_queries(8):
        client.get(reverse("files:library"))


def test_an_oversized_image_is_refused_with_a_message(client, teacher, settings, file_storage):
    settings.FILE_BUCKETS = {**settings.FILE_BUCKETS, "images": {"public": True, "max_bytes": 2000}}
    client.force_login(teacher)
    response = upload(client, png("huge.png", size=(900, 900)))
    assert response.status_code == 200
    assert any("too large" in str(message) for message in response.context["messages"])
    assert not File.objects.exists()


def test_uploads_still_need_the_csrf_token(teacher):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(teacher)
    response = strict.post(reverse("files:library_upload"), {"images": [png()]})
    assert response.status_code == 403
    assert not File.objects.exists()
