"""Test files built in memory: real images from Pillow, hand-made headers for
hostile ones, and small documents, audio and video whose signatures ``filetype``
knows. At the end, helpers that look into both storages (local disk or S3)."""

from __future__ import annotations

import io
import struct
import wave
import zipfile
import zlib

from django.core.files.storage import Storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

GPS_IFD = 0x8825
EXIF_IFD = 0x8769
ORIENTATION = 0x0112
MAKE = 0x010F


def upload(data: bytes, name: str = "upload.bin", content_type: str = "image/png"):
    """An uploaded file as Django hands it to a view (name and type as declared)."""
    return SimpleUploadedFile(name, data, content_type=content_type)


def image_bytes(
    format: str = "PNG", size: tuple[int, int] = (32, 24), color=(200, 30, 30), mode="RGB", **save
) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, format, **save)
    return out.getvalue()


def png(size=(32, 24), **kwargs) -> bytes:
    return image_bytes("PNG", size, **kwargs)


def jpeg(size=(32, 24), **kwargs) -> bytes:
    return image_bytes("JPEG", size, **kwargs)


def webp(size=(32, 24), **kwargs) -> bytes:
    return image_bytes("WEBP", size, **kwargs)


def gif(size=(32, 24), **kwargs) -> bytes:
    return image_bytes("GIF", size, mode="P", color=1, **kwargs)


def animated(format: str = "GIF", size=(20, 10), colors=((255, 0, 0), (0, 255, 0), (0, 0, 255))):
    frames = [Image.new("RGB", size, color) for color in colors]
    out = io.BytesIO()
    frames[0].save(
        out, format, save_all=True, append_images=frames[1:], duration=[100, 200, 300], loop=0
    )
    return out.getvalue()


def jpeg_with_gps_and_orientation(size=(40, 20), orientation: int = 6) -> bytes:
    """A camera-like JPEG: GPS position, camera make, an orientation tag, an XMP
    packet, an ICC profile and a comment, all of which must be gone once stored."""
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[MAKE] = "SqueezeCam"
    exif[GPS_IFD] = {1: "N", 2: (37.0, 33.0, 59.0), 3: "E", 4: (126.0, 58.0, 41.0)}
    from PIL import ImageCms

    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    image = Image.new("RGB", size, (10, 120, 240))
    # Mark the top-left corner, to see where it ends up after rotation.
    image.paste((255, 255, 0), (0, 0, 8, 8))
    out = io.BytesIO()
    image.save(
        out,
        "JPEG",
        exif=exif,
        icc_profile=icc,
        comment=b"secret comment",
        xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/">secret xmp</x:xmpmeta>',
    )
    return out.getvalue()


def with_metadata(format: str) -> bytes:
    """A PNG or WebP carrying EXIF with GPS, XMP, an ICC profile (and, for PNG,
    a text chunk)."""
    from PIL import ImageCms, PngImagePlugin

    exif = Image.Exif()
    exif[MAKE] = "SqueezeCam"
    exif[GPS_IFD] = {1: "N", 2: (37.0, 33.0, 59.0)}
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">secret xmp</x:xmpmeta>'
    extra = {}
    if format == "PNG":
        text = PngImagePlugin.PngInfo()
        text.add_text("Comment", "secret text")
        text.add_itxt("XML:com.adobe.xmp", xmp.decode())  # where PNG keeps XMP
        extra["pnginfo"] = text
    out = io.BytesIO()
    Image.new("RGBA", (16, 16), (0, 128, 0, 200)).save(
        out, format, exif=exif, icc_profile=icc, xmp=xmp, **extra
    )
    return out.getvalue()


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares ``width`` × ``height`` pixels, with one
    short compressed row of data: decoding it in full would need gigabytes."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    idat = zlib.compress(b"\x00" + b"\x00" * 3 * 16)
    return (
        PNG_SIGNATURE
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def gif_header_only(width: int, height: int) -> bytes:
    """A tiny GIF whose logical screen (and single image) is ``width`` × ``height``."""
    screen = struct.pack("<HHBBB", width, height, 0x80, 0, 0)  # global table of 2 colours
    palette = b"\x00\x00\x00\xff\xff\xff"
    image = b"\x2c" + struct.pack("<HHHHB", 0, 0, width, height, 0)
    data = b"\x02\x02\x44\x01\x00"  # LZW minimum code size 2, one tiny sub-block
    return b"GIF89a" + screen + palette + image + data + b"\x3b"


HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script></svg>"
)


def png_signature_then_html() -> bytes:
    return PNG_SIGNATURE + HTML


def png_header_then_html() -> bytes:
    """A valid PNG signature and IHDR chunk, then an HTML page instead of pixels."""
    ihdr = struct.pack(">IIBBBBB", 10, 10, 8, 2, 0, 0, 0)
    return PNG_SIGNATURE + _png_chunk(b"IHDR", ihdr) + HTML


def pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def wav() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(8000)
        sound.writeframes(b"\x00\x00" * 800)
    return out.getvalue()


def mp4() -> bytes:
    """The start of an MP4 file: an ``ftyp`` box naming the ``isom`` brand."""
    ftyp = b"ftyp" + b"isom" + struct.pack(">I", 512) + b"isomiso2avc1mp41"
    return struct.pack(">I", len(ftyp) + 4) + ftyp + b"\x00\x00\x00\x08free"


# -- looking into the storages --------------------------------------------------


def _walk(storage: Storage, folder: str) -> list[str]:
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return []  # local disk: nothing was ever stored, so the folder is not there
    prefix = f"{folder}/" if folder else ""
    names = [f"{prefix}{name}" for name in files]
    for sub in folders:
        names += _walk(storage, f"{prefix}{sub}")
    return names


def stored_names() -> list[str]:
    """Every stored file in the public and private storages, as ``alias:name``."""
    return [
        f"{alias}:{name}"
        for alias in ("public_files", "private_files")
        for name in _walk(storages[alias], "")
    ]


def read_stored(storage: Storage, name: str) -> bytes:
    with storage.open(name) as stored:
        return stored.read()
