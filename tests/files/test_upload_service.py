"""files.services.file_upload, on local disk and on S3 (the ``file_storage``
fixture): what it accepts and stores, and every bad input it refuses with a
clear message while storing nothing, neither bytes nor row."""

from __future__ import annotations

import io
import re

import pytest
from django.db import IntegrityError
from django.urls import reverse
from django.utils import translation
from PIL import Image, ImageFile

from files.models import File, FileType
from files.purposes import storage_for
from files.services import FileRejected, file_upload
from tests.files import images
from tests.files.images import read_stored, stored_names, upload

GENERATED_PATH = re.compile(r"^(?P<bucket>[a-z-]+)/\d{4}/\d{2}/[0-9a-f]{32}\.(?P<ext>[a-z0-9]+)$")


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English (the site's default language is Korean)."""
    with translation.override("en"):
        yield


def refused(uploader, data: bytes, *, purpose="library_image", name="x.png", message=""):
    """Upload, expect a refusal whose message contains ``message``, and check
    that nothing at all was stored."""
    with pytest.raises(FileRejected) as refusal:
        file_upload(uploader=uploader, uploaded_file=upload(data, name), purpose=purpose)
    assert message.lower() in refusal.value.message.lower()
    assert File.objects.count() == 0
    assert stored_names() == []
    return refusal.value


# -- accepted -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "mime", "ext"),
    [
        (images.png(size=(30, 20)), "image/png", "png"),
        (images.jpeg(size=(30, 20)), "image/jpeg", "jpg"),
        (images.webp(size=(30, 20)), "image/webp", "webp"),
        (images.gif(size=(30, 20)), "image/gif", "gif"),
    ],
)
def test_a_library_image_is_stored_publicly_with_its_size(file_storage, teacher, data, mime, ext):
    result = file_upload(
        uploader=teacher, uploaded_file=upload(data, f"Photo.{ext}"), purpose="library_image"
    )

    file = File.objects.get()
    assert result.file == file
    assert (file.file_type, file.mime_type, file.bucket_name) == (FileType.IMAGE, mime, "images")
    assert file.file_name == f"Photo.{ext}"
    assert file.user == teacher and not file.is_deleted
    assert file.metadata["width"] == 30 and file.metadata["height"] == 20
    assert file.metadata["original_size"] == len(data)
    path = GENERATED_PATH.match(file.file_path)
    assert path and path["bucket"] == "images" and path["ext"] == ext

    storage = storage_for("images")
    stored = read_stored(storage, file.file_path)
    assert file.file_size == len(stored)
    assert Image.open(io.BytesIO(stored)).size == (30, 20)
    assert result.url == storage.url(file.file_path)
    assert "X-Amz-Signature" not in result.url  # a public address, no signature
    assert stored_names() == [f"public_files:{file.file_path}"]


def test_a_pdf_post_attachment_is_a_private_document(file_storage, student):
    data = images.pdf()
    result = file_upload(
        uploader=student, uploaded_file=upload(data, "Report.pdf"), purpose="post_attachment"
    )

    file = result.file
    assert (file.file_type, file.mime_type, file.bucket_name) == (
        FileType.DOCUMENT,
        "application/pdf",
        "post-attachments",
    )
    assert result.url == reverse("files:download", args=[file.pk])
    # Not an image: kept byte for byte.
    assert read_stored(storage_for("post-attachments"), file.file_path) == data
    assert stored_names() == [f"private_files:{file.file_path}"]


@pytest.mark.parametrize(
    ("data", "name", "kind", "mime"),
    [
        (
            images.docx(),
            "notes.docx",
            FileType.DOCUMENT,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (images.wav(), "voice.wav", FileType.AUDIO, "audio/wav"),
        (images.mp4(), "clip.mp4", FileType.VIDEO, "video/mp4"),
        (images.png(), "diagram.png", FileType.IMAGE, "image/png"),
    ],
)
def test_post_attachments_are_classified_by_their_bytes(
    file_storage, student, data, name, kind, mime
):
    result = file_upload(
        uploader=student,
        uploaded_file=upload(data, name, content_type="application/octet-stream"),
        purpose="post_attachment",
    )
    assert (result.file.file_type, result.file.mime_type) == (kind, mime)
    assert result.file.file_name == name
    assert result.file.file_path.endswith(name.rsplit(".", 1)[1])


def test_the_declared_name_and_content_type_are_ignored(file_storage, teacher):
    # A real JPEG sent as "cat.png" with a made-up type is stored as the JPEG it is.
    result = file_upload(
        uploader=teacher,
        uploaded_file=upload(images.jpeg(), "cat.png", content_type="text/html"),
        purpose="library_image",
    )
    assert result.file.mime_type == "image/jpeg"
    assert result.file.file_path.endswith(".jpg")
    assert result.file.file_name == "cat.jpg"  # the kept name tells the truth too


def test_animated_gif_keeps_its_frames(file_storage, teacher):
    result = file_upload(
        uploader=teacher,
        uploaded_file=upload(images.animated("GIF"), "dance.gif"),
        purpose="library_image",
    )
    stored = Image.open(io.BytesIO(read_stored(storage_for("images"), result.file.file_path)))
    assert stored.n_frames == 3
    assert result.file.metadata["frames"] == 3


# -- metadata and orientation ---------------------------------------------------


def test_a_camera_jpeg_loses_its_gps_and_metadata_and_is_turned_upright(file_storage, student):
    data = images.jpeg_with_gps_and_orientation(size=(40, 20), orientation=6)
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(images.GPS_IFD)  # the test has GPS

    result = file_upload(
        uploader=student, uploaded_file=upload(data, "IMG_0001.JPG"), purpose="profile_image"
    )

    stored_bytes = read_stored(storage_for("profile-images"), result.file.file_path)
    stored = Image.open(io.BytesIO(stored_bytes))
    # Orientation 6 is "rotate 90° clockwise to show": the pixels now are.
    assert stored.size == (20, 40)
    assert (result.file.metadata["width"], result.file.metadata["height"]) == (20, 40)
    red, green, blue = stored.convert("RGB").getpixel((18, 1))  # was the top-left corner
    assert red > 200 and green > 200 and blue < 80
    # No EXIF at all (so no GPS, no camera, no orientation), no XMP, ICC or comment.
    assert not stored.getexif()
    assert not {"exif", "xmp", "icc_profile", "comment"} & set(stored.info)
    assert b"Exif" not in stored_bytes and b"SqueezeCam" not in stored_bytes
    assert b"secret" not in stored_bytes
    assert result.file.file_size == len(stored_bytes)
    assert result.file.metadata["original_size"] == len(data)


@pytest.mark.parametrize("format", ["PNG", "WEBP"])
def test_png_and_webp_metadata_is_dropped_and_transparency_kept(file_storage, teacher, format):
    data = images.with_metadata(format)
    assert b"SqueezeCam" in data and b"secret xmp" in data  # the test has metadata

    result = file_upload(uploader=teacher, uploaded_file=upload(data), purpose="library_image")

    stored_bytes = read_stored(storage_for("images"), result.file.file_path)
    stored = Image.open(io.BytesIO(stored_bytes))
    assert not stored.getexif()
    assert not {"exif", "xmp", "icc_profile", "Comment", "XML:com.adobe.xmp"} & set(stored.info)
    assert b"SqueezeCam" not in stored_bytes and b"secret" not in stored_bytes
    assert stored.mode == "RGBA" and stored.getpixel((0, 0))[3] < 255


def test_bytes_after_an_image_are_not_kept(file_storage, teacher):
    # A valid PNG with an HTML page appended (a "polyglot"): the pixels are kept,
    # the page is not, since what is stored was re-encoded from the pixels.
    data = images.png() + images.HTML
    result = file_upload(uploader=teacher, uploaded_file=upload(data), purpose="library_image")
    assert b"<script>" not in read_stored(storage_for("images"), result.file.file_path)


# -- refused, and nothing stored --------------------------------------------------


@pytest.mark.parametrize("data", [images.HTML, images.SVG], ids=["html", "svg"])
def test_html_or_svg_named_png_is_refused(file_storage, teacher, data):
    error = refused(teacher, data, name="x.png", message="not accepted")
    assert "JPEG, PNG, WebP, GIF" in error.message


def test_an_svg_is_refused_whatever_its_name(file_storage, teacher):
    refused(teacher, images.SVG, name="logo.svg", message="not accepted")


@pytest.mark.parametrize(
    "data",
    [images.png_signature_then_html(), images.png_header_then_html()],
    ids=["signature-then-html", "ihdr-then-html"],
)
def test_a_png_header_in_front_of_html_is_refused(file_storage, teacher, data):
    refused(teacher, data, message="could not be read")


@pytest.mark.parametrize(
    "data",
    [images.png_header_only(50_000, 50_000), images.gif_header_only(50_000, 50_000)],
    ids=["png", "gif"],
)
def test_a_tiny_file_declaring_50000_by_50000_pixels_is_refused(file_storage, teacher, data):
    assert len(data) < 200
    refused(teacher, data, name="bomb.png", message="too large")


def test_the_pixel_limit_is_checked_before_decoding(file_storage, teacher, settings, monkeypatch):
    settings.FILE_IMAGE_MAX_PIXELS = 30 * 20 - 1
    decoded = []
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: decoded.append(self))
    error = refused(teacher, images.png(size=(30, 20)), message="too large")
    assert "megapixels" in error.message
    assert decoded == []


def test_pillows_decompression_bomb_warning_is_a_refusal(
    file_storage, teacher, settings, monkeypatch
):
    # Between Pillow's own limit and twice that, Pillow only warns; we refuse.
    settings.FILE_IMAGE_MAX_PIXELS = 10**9
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 30 * 20 - 1)
    refused(teacher, images.png(size=(30, 20)), message="too large")


def test_an_animation_counts_the_pixels_of_every_frame(file_storage, teacher, settings):
    settings.FILE_IMAGE_MAX_PIXELS = 20 * 10 * 2  # two of the three frames
    refused(teacher, images.animated("GIF", size=(20, 10)), message="too large")


def test_a_truncated_image_is_refused(file_storage, teacher):
    data = images.jpeg(size=(64, 64))
    refused(teacher, data[: len(data) // 2], name="half.jpg", message="could not be read")


def test_an_empty_file_is_refused(file_storage, student):
    refused(student, b"", name="empty.png", message="empty")


def test_a_file_over_the_bucket_limit_is_refused(file_storage, teacher, settings):
    data = images.png(size=(64, 64))
    settings.FILE_BUCKETS = {
        **settings.FILE_BUCKETS,
        "images": {"public": True, "max_bytes": len(data) - 1},
    }
    refused(teacher, data, message="too large")


class LyingUpload:
    """An upload that claims to be small but keeps producing bytes."""

    name = "endless.png"
    size = 10

    def __init__(self) -> None:
        self.read_bytes = 0

    def seek(self, position: int) -> None:
        pass

    def read(self, size: int = -1) -> bytes:
        size = 1024 if size < 0 else size
        self.read_bytes += size
        return b"\x89PNG" + b"\x00" * (size - 4) if size >= 4 else b"\x00" * size


def test_reading_stops_at_the_limit_whatever_the_declared_size(file_storage, teacher, settings):
    settings.FILE_BUCKETS = {**settings.FILE_BUCKETS, "images": {"public": True, "max_bytes": 1000}}
    lying = LyingUpload()
    with pytest.raises(FileRejected, match="too large"):
        file_upload(uploader=teacher, uploaded_file=lying, purpose="library_image")
    assert lying.read_bytes == 1001
    assert File.objects.count() == 0 and stored_names() == []


def test_a_pdf_is_not_a_profile_image(file_storage, student):
    error = refused(student, images.pdf(), name="me.pdf", purpose="profile_image")
    assert "not accepted" in error.message and "PDF" not in error.message


def test_a_zip_or_html_is_not_a_post_attachment(file_storage, student):
    import zipfile

    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("readme.txt", "hello")
    refused(student, archive.getvalue(), name="a.zip", purpose="post_attachment")
    refused(student, images.HTML, name="a.html", purpose="post_attachment")


# -- names ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("../../x", "x.png"),
        ('a"; filename=b.html', "a; filename=b.png"),
        ("..\\..\\windows\\photo.png", "photo.png"),
        ("...", "file.png"),
        ("\x00\x01.png", "file.png"),
        ("  my\tholiday \n photo .png", "my holiday photo.png"),
        ("\u202egnp.exe", "gnp.png"),  # no right-to-left override
        ("과제 사진.png", "과제 사진.png"),
    ],
)
def test_the_kept_name_is_sanitized_and_the_path_is_generated(file_storage, teacher, name, kept):
    result = file_upload(
        uploader=teacher, uploaded_file=upload(images.png(), name), purpose="library_image"
    )
    assert result.file.file_name == kept
    assert GENERATED_PATH.match(result.file.file_path)
    assert ".." not in result.file.file_path and "html" not in result.file.file_path


def test_a_long_name_is_cut_to_255_characters_keeping_the_extension(file_storage, teacher):
    result = file_upload(
        uploader=teacher,
        uploaded_file=upload(images.png(), "가" * 300 + ".png"),
        purpose="library_image",
    )
    assert len(result.file.file_name) == 255
    assert result.file.file_name.endswith("가.png")


# -- bytes and row stay consistent -----------------------------------------------


def test_when_the_row_cannot_be_saved_the_bytes_are_removed(file_storage, teacher, monkeypatch):
    def fail(**kwargs):
        raise IntegrityError("simulated")

    monkeypatch.setattr(File.objects, "create", fail)
    with pytest.raises(IntegrityError):
        file_upload(uploader=teacher, uploaded_file=upload(images.png()), purpose="library_image")
    assert stored_names() == []


def test_when_the_bytes_cannot_be_saved_there_is_no_row(file_storage, teacher, monkeypatch):
    storage = storage_for("images")

    def fail(name, content, max_length=None):
        raise OSError("disk full")

    monkeypatch.setattr(storage, "save", fail)
    with pytest.raises(OSError):
        file_upload(uploader=teacher, uploaded_file=upload(images.png()), purpose="library_image")
    assert File.objects.count() == 0


def test_an_unknown_purpose_or_a_bucket_that_is_not_the_purposes_is_a_programming_error(
    teacher,
):
    with pytest.raises(ValueError, match="Unknown upload purpose"):
        file_upload(uploader=teacher, uploaded_file=upload(images.png()), purpose="avatar")
    with pytest.raises(ValueError, match="stores into"):
        file_upload(
            uploader=teacher,
            uploaded_file=upload(images.png()),
            purpose="library_image",
            bucket="post-attachments",
        )
    assert File.objects.count() == 0


@pytest.mark.parametrize("name", [None, "", ".", "..", "../", "a/..", '"'])
def test_a_name_with_nothing_left_becomes_file_dot_extension(name):
    from files.purposes import FORMATS
    from files.validation import sanitize_file_name

    assert sanitize_file_name(name, format=FORMATS["application/pdf"]) == "file.pdf"
