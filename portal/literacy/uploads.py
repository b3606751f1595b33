"""The images and audio files authors upload for lesson steps (docs/literacy.md, Authoring).

Images follow the tracker's rules (portal/feedback/attachments.py): the type is read from the
content, never the name; the size is read from the header and checked before a pixel is
decoded; the picture is decoded and written again by Pillow, so EXIF (camera, time, GPS), XMP,
comments and anything hidden after the image data are gone. PNG, JPEG and WebP only: an SVG
can carry scripts. An image wider or taller than ``MAX_SIDE`` is scaled down, and once
written again it must fit in ``MAX_IMAGE_BYTES``, so a step page with its image stays under
200 KB.

Audio files (MP3, Ogg, M4A) are recognised by their first bytes and capped at
``MAX_AUDIO_BYTES``; the player does not load them with the page (``preload="none"``).

Files are stored in the database, as the tracker stores its attachments, named by the SHA-256
of what is stored: a file never changes, so it is served with a year's cache lifetime.
"""

from __future__ import annotations

import hashlib
import io
import warnings

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.core.errors import Invalid
from portal.literacy.models import LessonFile

IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
MAX_UPLOAD_BYTES = 5 * 1024 * 1024  # what is read at all, image or audio
MAX_HEADER_PIXELS = 4000 * 4000  # refused from the header, before decoding
MAX_SIDE = 1200  # bigger images are scaled down to fit 1200 × 1200
MAX_IMAGE_BYTES = 150 * 1024  # once written again: the step page stays under 200 KB
MAX_AUDIO_BYTES = 5 * 1024 * 1024
PREFIX = "upload:"


def _not_an_image(field: str) -> Invalid:
    return Invalid({field: [_l("Choose a picture in PNG, JPEG or WebP format.")]})


def _not_audio(field: str) -> Invalid:
    return Invalid({field: [_l("Choose a sound file in MP3, Ogg or M4A format.")]})


def clean_image(data: bytes, field: str = "image") -> tuple[str, bytes]:
    """(content type, bytes to store) for an uploaded picture, or Invalid."""
    if not data:
        raise Invalid({field: [_l("The file is empty.")]})
    if len(data) > MAX_UPLOAD_BYTES:
        raise Invalid({field: [_l("The file is larger than %(size)d MB.",
                                  size=MAX_UPLOAD_BYTES // (1024 * 1024))]})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))  # the header only: format and size
            fmt = image.format
            if fmt not in IMAGE_FORMATS:
                raise _not_an_image(field)
            width, height = image.size
            if width * height > MAX_HEADER_PIXELS:
                raise Invalid({field: [_l("The picture is too large: use one at most "
                                          "4000 pixels wide and high.")]})
            if fmt == "PNG":  # every chunk's checksum, without inflating the pixels
                Image.open(io.BytesIO(data)).verify()
            image.load()
    except Invalid:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise Invalid({field: [_l("The picture is too large: use one at most "
                                  "4000 pixels wide and high.")]}) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise _not_an_image(field) from exc
    image = ImageOps.exif_transpose(image)
    if image.width > MAX_SIDE or image.height > MAX_SIDE:
        image.thumbnail((MAX_SIDE, MAX_SIDE))
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    image.info = {k: v for k, v in image.info.items() if k == "icc_profile"}
    out = io.BytesIO()
    options = {"quality": 85, "comment": b""} if fmt == "JPEG" else (
        {"quality": 80} if fmt == "WEBP" else {"optimize": True})
    image.save(out, format=fmt, exif=b"", **options)
    stored = out.getvalue()
    if len(stored) > MAX_IMAGE_BYTES:
        raise Invalid({field: [_l("The picture is more than %(size)d KB even made smaller: "
                                  "use a simpler picture, or a JPEG or WebP photo.",
                                  size=MAX_IMAGE_BYTES // 1024)]})
    return IMAGE_FORMATS[fmt], stored


def audio_type(data: bytes) -> str | None:
    """The content type of an MP3, Ogg or M4A file from its first bytes, else None."""
    if data.startswith(b"ID3") or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0
                                   and data[1] & 0x06 != 0):
        return "audio/mpeg"
    if data.startswith(b"OggS"):
        return "audio/ogg"
    if len(data) >= 12 and data[4:8] == b"ftyp" and data[8:12] in (
            b"M4A ", b"M4B ", b"mp42", b"mp41", b"isom", b"iso2", b"dash"):
        return "audio/mp4"
    return None


def clean_audio(data: bytes, field: str = "audio") -> tuple[str, bytes]:
    if not data:
        raise Invalid({field: [_l("The file is empty.")]})
    if len(data) > MAX_AUDIO_BYTES:
        raise Invalid({field: [_l("The file is larger than %(size)d MB.",
                                  size=MAX_AUDIO_BYTES // (1024 * 1024))]})
    kind = audio_type(data)
    if kind is None:
        raise _not_audio(field)
    return kind, data


def store(session: Session, actor, content_type: str, data: bytes) -> str:
    """Keep the file (once per content) and return what a step stores: ``upload:<key>``."""
    key = hashlib.sha256(data).hexdigest()
    if session.scalar(select(LessonFile.id).where(LessonFile.key == key)) is None:
        session.add(LessonFile(key=key, content_type=content_type, size=len(data), data=data,
                               created_by_id=getattr(actor, "id", None)))
        session.flush()
    return PREFIX + key


def key_of(ref: str | None) -> str | None:
    return ref[len(PREFIX):] if ref and ref.startswith(PREFIX) else None


def get(session: Session, key: str) -> LessonFile | None:
    if len(key) != 64 or not all(c in "0123456789abcdef" for c in key):
        return None
    return session.scalar(select(LessonFile).where(LessonFile.key == key))
