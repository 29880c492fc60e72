"""Checking an uploaded file before anything is stored: its size, its real type
(sniffed from the bytes), its name, and for images their pixels.

Every refusal is a ``FileRejected`` whose message can be shown to the uploader.

Images are decoded and re-encoded, so what is stored is pixels we produced, in
the same format, and nothing else:

- the pixel count is checked from the header before any pixel is decoded
  (``settings.FILE_IMAGE_MAX_PIXELS``; Pillow's own decompression-bomb warning
  is an error too), then ``verify()`` and a full decode catch broken files and
  files that only start like an image (a PNG signature in front of HTML);
- the EXIF orientation is applied to the pixels, then every piece of metadata is
  dropped: EXIF (GPS, camera serials), XMP, comments, and the ICC profile. An
  embedded ICC profile is first applied, converting the pixels to sRGB, so a
  Display P3 phone photo keeps its colours without carrying the profile;
- JPEG is re-encoded at quality 90, WebP at quality 90, PNG and GIF losslessly;
- animated GIF, WebP and PNG keep their frames, frame durations and loop count,
  within the same pixel budget counted over all frames.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
import warnings
from dataclasses import dataclass
from typing import IO

import filetype
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageOps, ImageSequence

from core.errors import ServiceError
from files.purposes import FORMATS, SNIFFED_ALIASES, Format, Purpose, size_label

logger = logging.getLogger(__name__)

READ_CHUNK_BYTES = 64 * 1024
FILE_NAME_MAX_LENGTH = 255
JPEG_QUALITY = 90
WEBP_QUALITY = 90
DEFAULT_FRAME_MS = 100


class FileRejected(ServiceError):
    """An upload we refuse; ``message`` (also ``str()``) is for the uploader."""


# -- size ---------------------------------------------------------------------


def too_large_message(max_bytes: int) -> str:
    return _("The file is too large: the limit is %(limit)s.") % {"limit": size_label(max_bytes)}


def read_upload(uploaded_file: IO[bytes], *, max_bytes: int) -> bytes:
    """The file's bytes, refusing an empty file and one over ``max_bytes``.

    The declared size is checked first; the bytes are then read in chunks and at
    most ``max_bytes + 1`` of them are ever held, whatever the declared size said.
    """
    declared = getattr(uploaded_file, "size", None)
    if declared is not None and declared > max_bytes:
        raise FileRejected(too_large_message(max_bytes))
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    data = bytearray()
    while True:
        chunk = uploaded_file.read(min(READ_CHUNK_BYTES, max_bytes + 1 - len(data)))
        if not chunk:
            break
        data += chunk
        if len(data) > max_bytes:
            raise FileRejected(too_large_message(max_bytes))
    if not data:
        raise FileRejected(_("The file is empty."))
    return bytes(data)


# -- type ---------------------------------------------------------------------


def not_allowed_message(purpose: Purpose) -> str:
    return _("This type of file is not accepted here. Accepted: %(formats)s.") % {
        "formats": purpose.format_names
    }


def sniff(data: bytes, *, purpose: Purpose) -> Format:
    """The format the bytes really are, if ``purpose`` accepts it.

    Text formats (HTML, SVG, scripts) have no signature, so ``filetype`` finds
    nothing and they are refused whatever they are called.
    """
    kind = filetype.guess(data)
    mime = SNIFFED_ALIASES.get(kind.mime, kind.mime) if kind is not None else None
    if mime is None or mime not in FORMATS or not purpose.allows(mime):
        raise FileRejected(not_allowed_message(purpose))
    return FORMATS[mime]


# -- name ---------------------------------------------------------------------

_QUOTES = frozenset("\"'`")
# Joiners are "format" characters too, but emoji sequences and some scripts need them.
_KEEP_FORMAT_CHARACTERS = frozenset("\u200c\u200d")
_EXTENSION = re.compile(r"\.([A-Za-z0-9]{1,5})$")


def sanitize_file_name(name: str | None, *, format: Format) -> str:
    """A name that is safe to keep and show: the last path component only (``/``
    and ``\\`` both separate), no control, invisible or bidi-override characters,
    no quotes, single spaces, at most 255 characters, and an extension that tells
    the truth about the content (``evil.html`` holding a PDF becomes ``evil.pdf``,
    ``x`` holding a PNG becomes ``x.png``). Never used as a storage path."""
    text = unicodedata.normalize("NFC", name or "")
    text = re.split(r"[/\\]", text)[-1]
    text = "".join(
        " " if char.isspace() else char
        for char in text
        if char.isspace()
        or (
            char not in _QUOTES
            and (unicodedata.category(char)[0] != "C" or char in _KEEP_FORMAT_CHARACTERS)
        )
    )
    text = " ".join(text.split())
    match = _EXTENSION.search(text)
    if match and match.group(1).lower() in format.extensions:
        stem, extension = text[: match.start()], match.group(1)
    else:
        stem = text[: match.start()] if match else text
        extension = format.extension
    stem = stem.strip(". ")
    if not stem:
        return f"file.{format.extension}"
    stem = stem[: FILE_NAME_MAX_LENGTH - len(extension) - 1].rstrip(". ")
    return f"{stem}.{extension}"


# -- images -------------------------------------------------------------------


@dataclass(frozen=True)
class ProcessedImage:
    data: bytes
    width: int
    height: int
    frames: int


def too_many_pixels_message(max_pixels: int) -> str:
    return _("The image is too large: at most %(megapixels)s megapixels are accepted.") % {
        "megapixels": f"{max_pixels / 1_000_000:g}"
    }


def broken_image_message() -> str:
    return _("The image could not be read. It may be damaged, or not really an image.")


def process_image(data: bytes, *, format: Format, max_pixels: int) -> ProcessedImage:
    """Check and re-encode an image (see the module docstring)."""
    with warnings.catch_warnings():
        # Pillow warns (and only warns) between its own limit and twice that.
        # (catch_warnings is process-wide: another thread decoding an image at
        # the same moment may see this filter too, which only makes it stricter.)
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            return _process_image(data, format, max_pixels)
        except FileRejected:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise FileRejected(too_many_pixels_message(max_pixels)) from None
        except Exception as error:
            # Decoders fail on hostile input in many ways (OSError, SyntaxError,
            # ValueError, struct.error, EOFError …); each means "not an image we
            # can trust", never a bug to surface as a 500.
            logger.info("Refused an image that does not decode: %r", error)
            raise FileRejected(broken_image_message()) from None


def _open(data: bytes, format: Format, max_pixels: int) -> Image.Image:
    image = Image.open(io.BytesIO(data), formats=[format.pillow])
    _check_pixels(image.size, 1, max_pixels)
    return image


def _check_pixels(size: tuple[int, int], frames: int, max_pixels: int) -> None:
    width, height = size
    if width < 1 or height < 1:
        raise FileRejected(broken_image_message())
    if width * height * frames > max_pixels:
        raise FileRejected(too_many_pixels_message(max_pixels))


def _process_image(data: bytes, format: Format, max_pixels: int) -> ProcessedImage:
    # Only the header is read here: the size is known before any pixel is.
    _open(data, format, max_pixels).verify()
    image = _open(data, format, max_pixels)  # verify() leaves the image unusable
    frames = getattr(image, "n_frames", 1)
    _check_pixels(image.size, frames, max_pixels)
    if frames > 1:
        output, size = _encode_animation(image, format, max_pixels)
    else:
        image.load()  # the full decode: a truncated or corrupt file fails here
        icc_profile = image.info.get("icc_profile")
        still = _oriented(image)
        still = _to_srgb(still, icc_profile)
        output, size = _encode_still(still, format), still.size
    return ProcessedImage(data=output, width=size[0], height=size[1], frames=frames)


def _oriented(image: Image.Image) -> Image.Image:
    try:
        return ImageOps.exif_transpose(image)
    except Exception:
        return image.copy()  # unreadable EXIF: keep the pixels as they are


_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _to_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """Apply an embedded colour profile, giving sRGB pixels that need none."""
    if image.mode == "CMYK":
        fallback = image.convert("RGB")
    elif image.mode in ("RGB", "RGBA"):
        fallback = image
    else:
        return image  # palette and grey images: the profile is dropped as it is
    if not icc_profile:
        return fallback
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        output_mode = "RGBA" if image.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(image, source, _SRGB, outputMode=output_mode)
    except Exception:
        return fallback  # a broken profile: the pixels are kept as they are
    return converted if converted is not None else fallback


def _clean(image: Image.Image, *keep: str) -> Image.Image:
    """The same pixels with no metadata at all but the ``keep`` keys of ``info``
    (encoders read EXIF, XMP, comments and ICC profiles from ``info``)."""
    clean = image.copy()
    clean.info = {key: image.info[key] for key in keep if key in image.info}
    return clean


def _encode_still(image: Image.Image, format: Format) -> bytes:
    out = io.BytesIO()
    if format.pillow == "JPEG":
        if image.mode not in ("L", "RGB"):
            image = image.convert("RGB")
        _clean(image).save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    elif format.pillow == "PNG":
        if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"):
            image = image.convert("RGBA")
        _clean(image, "transparency").save(out, "PNG")
    elif format.pillow == "WEBP":
        image = image.convert("RGBA" if image.has_transparency_data else "RGB")
        _clean(image).save(out, "WEBP", quality=WEBP_QUALITY)
    elif format.pillow == "GIF":
        if image.mode not in ("P", "L"):
            image = image.convert("RGBA" if image.has_transparency_data else "RGB")
        _clean(image, "transparency").save(out, "GIF")
    else:  # pragma: no cover - FORMATS lists only the four above with a Pillow name
        raise ValueError(f"No image encoder for {format.mime}")
    return out.getvalue()


def _encode_animation(
    image: Image.Image, format: Format, max_pixels: int
) -> tuple[bytes, tuple[int, int]]:
    frames: list[Image.Image] = []
    durations: list[int] = []
    loop = int(image.info.get("loop", 0))
    total = 0
    for frame in ImageSequence.Iterator(image):
        # A later frame may be larger than the first (GIF); it counts at its size.
        total += frame.size[0] * frame.size[1]
        if total > max_pixels:
            raise FileRejected(too_many_pixels_message(max_pixels))
        frames.append(_clean(frame.convert("RGBA")))
        durations.append(int(frame.info.get("duration") or DEFAULT_FRAME_MS))
    first, rest = frames[0], frames[1:]
    options = {"save_all": True, "append_images": rest, "duration": durations, "loop": loop}
    out = io.BytesIO()
    if format.pillow == "GIF":
        # Frames are whole pictures: each replaces the last (disposal 2 clears it).
        first.save(out, "GIF", disposal=2, **options)
    elif format.pillow == "WEBP":
        first.save(out, "WEBP", quality=WEBP_QUALITY, **options)
    else:
        first.save(out, "PNG", **options)
    return out.getvalue(), first.size
