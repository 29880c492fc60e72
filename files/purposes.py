"""What an upload is for decides where it goes and which types it may be.

A **purpose** (``profile_image``, ``post_attachment`` …) names a bucket and the
formats accepted for it. A **format** is one type we can recognise from the bytes
themselves (``filetype``) and are willing to store; the file's name and declared
content type are never trusted. A **bucket** (``settings.FILE_BUCKETS``) is public
(served to anyone with the address) or private (served only through the
access-checked download view); an unknown bucket counts as private, so a typo
never publishes a file.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from files.types import FileType


@dataclass(frozen=True)
class Format:
    """A file type we accept, as ``filetype`` reports it from the bytes."""

    mime: str  # what is stored in files.mime_type and served as Content-Type
    extensions: tuple[str, ...]  # the first one names stored files; all count as matching
    kind: FileType
    name: str  # shown to people in messages ("JPEG", "PDF")
    pillow: str | None = None  # Pillow's format name: images are decoded and re-encoded

    @property
    def extension(self) -> str:
        return self.extensions[0]


_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

FORMATS: dict[str, Format] = {
    format.mime: format
    for format in (
        Format("image/jpeg", ("jpg", "jpeg", "jpe", "jfif"), FileType.IMAGE, "JPEG", "JPEG"),
        Format("image/png", ("png",), FileType.IMAGE, "PNG", "PNG"),
        Format("image/webp", ("webp",), FileType.IMAGE, "WebP", "WEBP"),
        Format("image/gif", ("gif",), FileType.IMAGE, "GIF", "GIF"),
        Format("application/pdf", ("pdf",), FileType.DOCUMENT, "PDF"),
        Format(_DOCX, ("docx",), FileType.DOCUMENT, "Word (.docx)"),
        Format(_XLSX, ("xlsx",), FileType.DOCUMENT, "Excel (.xlsx)"),
        Format(_PPTX, ("pptx",), FileType.DOCUMENT, "PowerPoint (.pptx)"),
        Format("video/mp4", ("mp4",), FileType.VIDEO, "MP4"),
        Format("video/webm", ("webm",), FileType.VIDEO, "WebM"),
        Format("audio/mpeg", ("mp3",), FileType.AUDIO, "MP3"),
        Format("audio/mp4", ("m4a",), FileType.AUDIO, "M4A"),
        Format("audio/ogg", ("ogg", "oga", "opus"), FileType.AUDIO, "Ogg"),
        Format("audio/wav", ("wav",), FileType.AUDIO, "WAV"),
    )
}

# filetype's names for types listed above under another name: an animated PNG is
# still a PNG to every browser, and audio/wav is the registered name of WAV.
SNIFFED_ALIASES = {"image/apng": "image/png", "audio/x-wav": "audio/wav", "audio/wave": "audio/wav"}

IMAGE_MIME_TYPES = frozenset(mime for mime, f in FORMATS.items() if f.kind == FileType.IMAGE)
DOCUMENT_MIME_TYPES = frozenset({"application/pdf", _DOCX, _XLSX, _PPTX})
VIDEO_MIME_TYPES = frozenset({"video/mp4", "video/webm"})
AUDIO_MIME_TYPES = frozenset({"audio/mpeg", "audio/mp4", "audio/ogg", "audio/wav"})


def kind_of(mime: str) -> FileType:
    """The seed's ``file_type`` for a MIME type."""
    known = FORMATS.get(mime)
    if known is not None:
        return known.kind
    major = mime.split("/", 1)[0]
    if major in ("image", "video", "audio"):
        return FileType(major)
    return FileType.OTHER


@dataclass(frozen=True)
class Purpose:
    key: str
    bucket: str
    mime_types: frozenset[str]
    label: str | Promise

    @property
    def formats(self) -> list[Format]:
        return [f for mime, f in FORMATS.items() if mime in self.mime_types]

    @property
    def kinds(self) -> frozenset[FileType]:
        return frozenset(f.kind for f in self.formats)

    @property
    def images_only(self) -> bool:
        return self.kinds == {FileType.IMAGE}

    @property
    def public(self) -> bool:
        return is_public(self.bucket)

    @property
    def max_bytes(self) -> int:
        return max_bytes(self.bucket)

    @property
    def accept(self) -> str:
        """For ``<input type="file" accept="…">``: a hint to the browser's picker,
        never a check (the service sniffs the bytes)."""
        parts = [f.mime for f in self.formats]
        parts += [f".{extension}" for f in self.formats for extension in f.extensions]
        return ",".join(parts)

    @property
    def format_names(self) -> str:
        """ "JPEG, PNG, WebP, GIF": for messages and help texts."""
        return ", ".join(f.name for f in self.formats)

    def allows(self, mime: str) -> bool:
        return mime in self.mime_types


PURPOSES: dict[str, Purpose] = {
    p.key: p
    for p in (
        Purpose("profile_image", "profile-images", IMAGE_MIME_TYPES, _("Profile image")),
        Purpose("journey_cover", "journey-covers", IMAGE_MIME_TYPES, _("Journey cover")),
        Purpose("blog_image", "images", IMAGE_MIME_TYPES, _("Blog image")),
        Purpose("library_image", "images", IMAGE_MIME_TYPES, _("Library image")),
        Purpose(
            "post_attachment",
            "post-attachments",
            IMAGE_MIME_TYPES | DOCUMENT_MIME_TYPES | VIDEO_MIME_TYPES | AUDIO_MIME_TYPES,
            _("Post attachment"),
        ),
        Purpose("bug_screenshot", "bug-reports", IMAGE_MIME_TYPES, _("Bug report screenshot")),
    )
}


def purpose(key: str) -> Purpose:
    """The purpose named ``key``; ValueError for a name that is not one."""
    try:
        return PURPOSES[key]
    except KeyError:
        raise ValueError(
            f"Unknown upload purpose {key!r}; choose one of {', '.join(PURPOSES)}."
        ) from None


def is_public(bucket: str) -> bool:
    """Is this bucket served to anyone who has the address? Unknown: no."""
    config = settings.FILE_BUCKETS.get(bucket) or {}
    return bool(config.get("public", False))


def max_bytes(bucket: str) -> int:
    """The largest file accepted into ``bucket``; ValueError for an unknown bucket."""
    try:
        return int(settings.FILE_BUCKETS[bucket]["max_bytes"])
    except KeyError:
        raise ValueError(f"Unknown file bucket {bucket!r} (settings.FILE_BUCKETS).") from None


def storage_for(bucket: str) -> Storage:
    """The storage that holds ``bucket``'s files."""
    return storages["public_files" if is_public(bucket) else "private_files"]


def size_label(size: int) -> str | Promise:
    """ "5 MB", for limits in messages (limits are whole mebibytes in settings)."""
    if size >= 2**20 and size % 2**20 == 0:
        return format_lazy(_("{megabytes} MB"), megabytes=size // 2**20)
    from django.template.defaultfilters import filesizeformat

    return filesizeformat(size)
