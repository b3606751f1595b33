"""Photos and PDFs: type checked by content, size limited, stripped of metadata.

Refused before they cost anything: at most ``MAX_FILES`` per request are looked at (a refused
file counts too), an image's size is read from its header and checked against
``MAX_PIXELS`` before a pixel is decoded, and a PNG's chunks are checked (cheap) before its
pixels are (a truncated file would be decoded to its end first).

Images are decoded and written again by Pillow, without EXIF (camera, time and GPS position),
XMP, JPEG comments or anything hidden after the image data; a file that does not decode is
refused. PDFs must parse (pypdf); their pages are written into a new document, without the
document information (author, producer, dates), XMP or the pages' own metadata.
"""

from __future__ import annotations

import hashlib
import io
import logging
import warnings
from collections.abc import Iterable

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from portal.core.db_errors import storage_full
from portal.core.errors import Invalid
from portal.feedback.models import Attachment

MAX_FILES = 5
IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
THUMBNAIL_SIZE = (320, 320)  # shown at half that: sharp on high-density screens
MAX_PIXELS = 24_000_000  # 6000 × 4000: a phone's photo; a bigger one is not needed to see a pothole
# Pillow's own guard, for every image the process opens: warns past this, refuses past twice.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
PAGE_METADATA = ("/Metadata", "/PieceInfo")

log = logging.getLogger(__name__)


def _not_a_file(filename: str) -> Invalid:
    return Invalid({"files": [_l("%(name)s is not a photo (JPEG, PNG or WebP) or a PDF.",
                                 name=filename)]})


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
        return _with_ext(base, ".pdf"), "application/pdf", clean_pdf(filename, data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))  # reads the header only: the size, the format
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise Image.DecompressionBombError(f"{width}×{height}")
            fmt = image.format
            if fmt not in IMAGE_FORMATS:
                raise _not_a_file(filename)
            if fmt == "PNG":  # every chunk's checksum, without inflating the pixels
                Image.open(io.BytesIO(data)).verify()
            image.load()
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise Invalid({"files": [_l("The image %(name)s is too large.", name=filename)]}) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise _not_a_file(filename) from exc
    image = ImageOps.exif_transpose(image)  # keep the photo upright once EXIF is gone
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    # What the encoders would carry over from the file read: comments, XMP, EXIF. The colour
    # profile stays (it says nothing about the person).
    image.info = {k: v for k, v in image.info.items() if k == "icc_profile"}
    out = io.BytesIO()
    image.save(out, format=fmt, exif=b"", **({"quality": 90, "comment": b""} if fmt == "JPEG" else {}))
    ext = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}[fmt]
    return _with_ext(base, ext), IMAGE_FORMATS[fmt], out.getvalue()


def clean_pdf(filename: str, data: bytes) -> bytes:
    """The PDF's pages in a new document, without its metadata; Invalid if it does not parse."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise _not_a_file(filename)
        writer = PdfWriter()
        for page in reader.pages:
            for key in PAGE_METADATA:
                if NameObject(key) in page:
                    del page[NameObject(key)]
            writer.add_page(page)
        if not writer.pages:
            raise _not_a_file(filename)
        writer.metadata = None
        writer.xmp_metadata = None
        out = io.BytesIO()
        writer.write(out)
    except Invalid:
        raise
    except Exception as exc:  # pypdf raises many kinds on a broken file
        log.info("refused a PDF that does not parse: %r", exc)
        raise _not_a_file(filename) from exc
    return out.getvalue()


def _with_ext(name: str, ext: str) -> str:
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{stem}{ext}"


def count(session: Session, request_id: int | None = None, draft_key: str | None = None) -> int:
    stmt = select(func.count(Attachment.id))
    stmt = stmt.where(Attachment.request_id == request_id) if request_id else stmt.where(
        Attachment.draft_key == draft_key, Attachment.request_id.is_(None))
    return session.scalar(stmt) or 0


def add(session: Session, filename: str, data: bytes, request_id: int | None = None,
        draft_key: str | None = None, checked_count: bool = False) -> Attachment:
    if not checked_count and count(session, request_id, draft_key) >= MAX_FILES:
        raise Invalid({"files": [_too_many()]})
    name, content_type, stored = clean(filename, data)
    attachment = Attachment(
        request_id=request_id, draft_key=draft_key, filename=name, content_type=content_type,
        size=len(stored), sha256=hashlib.sha256(stored).hexdigest(), data=stored,
    )
    session.add(attachment)
    session.flush()
    return attachment


def add_uploads(session: Session, uploads: Iterable, request_id: int | None = None,
                draft_key: str | None = None) -> tuple[list[Attachment], list[str]]:
    """Add the files of one request (``FileStorage``s): what was added, and the messages for
    what was not. Only as many files as there are free places are read and checked; a
    refused file takes its place too, so one post costs at most ``MAX_FILES`` checks. A file
    the database cannot write (disk full) is refused with its own message; the caller's
    transaction (the draft, the other files) goes on."""
    uploads = [u for u in uploads if getattr(u, "filename", "")]
    free = max(0, MAX_FILES - count(session, request_id, draft_key))
    added, errors = [], []
    for upload in uploads[:free]:
        name = upload.filename or ""
        savepoint = session.begin_nested()  # a file the database cannot store undoes only itself
        try:
            attachment = add(session, name, upload.read(), request_id=request_id,
                             draft_key=draft_key, checked_count=True)
            savepoint.commit()
            added.append(attachment)
        except Invalid as exc:
            savepoint.rollback()
            errors += [str(m) for m in exc.errors.get("files", []) if str(m) not in errors]
        except DBAPIError as exc:
            if not storage_full(exc):
                raise
            log.error("attachment %r not stored, the database is full: %s", name, exc.orig)
            lost = [name]
            try:
                savepoint.rollback()
            except DBAPIError:  # SQLite rolled the whole transaction back: this post's files too
                session.rollback()
                lost, added = [a.filename for a in added] + lost, []
            errors += [_not_stored(n) for n in lost]
    if len(uploads) > free:
        errors.append(str(_too_many()))
    return added, errors


def _not_stored(name: str) -> str:
    return str(_l("%(name)s could not be stored: the portal is out of space. Everything else "
                  "you sent is kept; try this file again later.", name=name))


def _too_many():
    return lazy_ngettext("You can attach up to %(num)d file.", "You can attach up to %(num)d files.",
                         MAX_FILES)


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
