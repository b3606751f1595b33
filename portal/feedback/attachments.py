"""Photos and PDFs: type checked by content, size limited, images stripped of metadata.

Images are decoded and written again by Pillow, which drops EXIF (camera, time and GPS
position) and anything hidden after the image data; a file that does not decode is refused.
"""

from __future__ import annotations

import hashlib
import io
import warnings

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.core.errors import Invalid
from portal.feedback.models import Attachment

MAX_FILES = 5
IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
MAX_PIXELS = 40_000_000
THUMBNAIL_SIZE = (320, 320)  # shown at half that: sharp on high-density screens


def _max_bytes() -> int:
    return current_app.config.get("FEEDBACK_MAX_FILE_BYTES", 5 * 1024 * 1024)


def clean(filename: str, data: bytes) -> tuple[str, str, bytes]:
    """(safe filename, content type, bytes to store) or Invalid."""
    if not data:
        raise Invalid({"files": [_l("The file %(name)s is empty.", name=filename)]})
    if len(data) > _max_bytes():
        raise Invalid({"files": [_l("The file %(name)s is larger than %(size)d MB.",
                                     name=filename, size=_max_bytes() // (1024 * 1024))]})
    base = (filename or "file").replace("\\", "/").rsplit("/", 1)[-1][:150] or "file"
    if data.startswith(b"%PDF-"):
        return _with_ext(base, ".pdf"), "application/pdf", data
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > MAX_PIXELS:
                raise Invalid({"files": [_l("The image %(name)s is too large.", name=filename)]})
            fmt = image.format
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombWarning,
            Image.DecompressionBombError, ValueError) as exc:
        raise Invalid({"files": [_l("%(name)s is not a photo (JPEG, PNG or WebP) or a PDF.",
                                    name=filename)]}) from exc
    if fmt not in IMAGE_FORMATS:
        raise Invalid({"files": [_l("%(name)s is not a photo (JPEG, PNG or WebP) or a PDF.",
                                    name=filename)]})
    image = ImageOps.exif_transpose(image)  # keep the photo upright once EXIF is gone
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, format=fmt, **({"quality": 90} if fmt == "JPEG" else {}))
    ext = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}[fmt]
    return _with_ext(base, ext), IMAGE_FORMATS[fmt], out.getvalue()


def _with_ext(name: str, ext: str) -> str:
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{stem}{ext}"


def count(session: Session, request_id: int | None = None, draft_key: str | None = None) -> int:
    stmt = select(func.count(Attachment.id))
    stmt = stmt.where(Attachment.request_id == request_id) if request_id else stmt.where(
        Attachment.draft_key == draft_key, Attachment.request_id.is_(None))
    return session.scalar(stmt) or 0


def add(session: Session, filename: str, data: bytes, request_id: int | None = None,
        draft_key: str | None = None) -> Attachment:
    if count(session, request_id, draft_key) >= MAX_FILES:
        raise Invalid({"files": [lazy_ngettext("You can attach up to %(num)d file.",
                                                  "You can attach up to %(num)d files.", MAX_FILES)]})
    name, content_type, stored = clean(filename, data)
    attachment = Attachment(
        request_id=request_id, draft_key=draft_key, filename=name, content_type=content_type,
        size=len(stored), sha256=hashlib.sha256(stored).hexdigest(), data=stored,
    )
    session.add(attachment)
    session.flush()
    return attachment


def for_draft(session: Session, draft_key: str) -> list[Attachment]:
    return list(session.scalars(select(Attachment).where(
        Attachment.draft_key == draft_key, Attachment.request_id.is_(None)).order_by(Attachment.id)))


def for_request(session: Session, request_id: int) -> list[Attachment]:
    return list(session.scalars(select(Attachment).where(Attachment.request_id == request_id)
                                .order_by(Attachment.id)))


def remove_from_draft(session: Session, draft_key: str, attachment_id: int) -> None:
    attachment = session.get(Attachment, attachment_id)
    if attachment is not None and attachment.draft_key == draft_key and attachment.request_id is None:
        session.delete(attachment)
        session.flush()


# --- thumbnails: made by the server once, stored, served with a long cache lifetime ------

def is_image(attachment: Attachment) -> bool:
    return attachment.content_type in IMAGE_FORMATS.values()


def make_thumbnail(attachment: Attachment) -> bytes | None:
    """The photo's thumbnail (a small JPEG), made and stored the first time it is asked for;
    None for a PDF, or an image that no longer decodes."""
    if not is_image(attachment):
        return None
    if attachment.thumbnail:
        return attachment.thumbnail
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(attachment.data))
            image.draft("RGB", THUMBNAIL_SIZE)  # JPEG: decode at a reduced size, faster
            image = ImageOps.exif_transpose(image)
            image.thumbnail(THUMBNAIL_SIZE)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombWarning, Image.DecompressionBombError):
        return None
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, "white")
        background.paste(image, mask=image.getchannel("A"))
        image = background
    elif image.mode != "RGB":
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80, optimize=True)
    attachment.thumbnail = out.getvalue()
    return attachment.thumbnail
