"""Photos and PDFs: type checked by content, size limited, photos stripped of metadata."""

from __future__ import annotations

import io

import pytest
from PIL import ExifTags, Image
from sqlalchemy import select

from portal.core.errors import Invalid
from portal.feedback import attachments
from portal.feedback.models import Attachment


def photo(fmt="JPEG", size=(64, 48), gps=True, orientation=None) -> bytes:
    image = Image.new("RGB", size, "green")
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PocketCam"
    exif[ExifTags.Base.DateTimeOriginal] = "2026:03:01 08:15:00"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    if gps:
        info = exif.get_ifd(ExifTags.IFD.GPSInfo)
        info[ExifTags.GPS.GPSLatitudeRef] = "N"
        info[ExifTags.GPS.GPSLatitude] = (31.0, 14.0, 0.0)
        info[ExifTags.GPS.GPSLongitudeRef] = "E"
        info[ExifTags.GPS.GPSLongitude] = (121.0, 28.0, 0.0)
    out = io.BytesIO()
    image.save(out, fmt, exif=exif)
    return out.getvalue()


def message(exc: pytest.ExceptionInfo) -> str:
    return " ".join(str(m) for m in exc.value.errors["files"])


@pytest.fixture
def limits(app):
    with app.test_request_context():
        yield


def test_jpeg_with_gps_comes_back_without_exif(limits):
    original = photo()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    name, content_type, stored = attachments.clean("IMG_0001.JPG", original)
    assert (name, content_type) == ("IMG_0001.jpg", "image/jpeg")
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG" and image.size == (64, 48)
    assert not image.getexif()
    assert b"Exif" not in stored and b"PocketCam" not in stored and b"2026:03:01" not in stored


def test_png_and_webp_lose_their_metadata_too(limits):
    for fmt, ext in (("PNG", ".png"), ("WEBP", ".webp")):
        name, content_type, stored = attachments.clean(f"photo.{fmt.lower()}", photo(fmt))
        assert name == f"photo{ext}" and content_type == f"image/{fmt.lower()}"
        assert not Image.open(io.BytesIO(stored)).getexif()
        assert b"PocketCam" not in stored


def test_a_turned_photo_stays_upright_without_its_orientation_tag(limits):
    _, _, stored = attachments.clean("side.jpg", photo(size=(80, 40), gps=False, orientation=6))
    assert Image.open(io.BytesIO(stored)).size == (40, 80)


def test_the_name_comes_from_the_content_not_the_extension(limits):
    assert attachments.clean("report.jpg", b"%PDF-1.7 minimal")[:2] == ("report.pdf", "application/pdf")
    assert attachments.clean("holiday.pdf", photo("PNG"))[:2] == ("holiday.png", "image/png")
    assert attachments.clean("C:\\Users\\me\\pic.jpeg", photo())[0] == "pic.jpg"


@pytest.mark.parametrize("content", [
    b"just some text, renamed to look like a photo",
    b"GIF89a\x01\x00\x01\x00",  # a real format, but not one we take
    b"\xff\xd8\xff\xe0 truncated jpeg",
    b"<svg xmlns='http://www.w3.org/2000/svg'/>",
])
def test_what_is_not_a_photo_or_pdf_is_refused(limits, content):
    with pytest.raises(Invalid) as exc:
        attachments.clean("photo.jpg", content)
    assert "photo.jpg is not a photo (JPEG, PNG or WebP) or a PDF." in message(exc)


def test_empty_and_oversized_files_are_refused(app, limits, monkeypatch):
    with pytest.raises(Invalid) as exc:
        attachments.clean("empty.jpg", b"")
    assert "empty" in message(exc)
    monkeypatch.setitem(app.config, "FEEDBACK_MAX_FILE_BYTES", 1024 * 1024)
    big = photo() + b"\0" * (1024 * 1024)
    with pytest.raises(Invalid) as exc:
        attachments.clean("big.jpg", big)
    assert "larger than 1 MB" in message(exc)


def test_an_image_with_too_many_pixels_is_refused(limits):
    out = io.BytesIO()
    Image.new("1", (7000, 7000)).save(out, "PNG")  # small file, 49 million pixels
    with pytest.raises(Invalid) as exc:
        attachments.clean("huge.png", out.getvalue())
    assert "too large" in message(exc)


def test_a_draft_takes_five_files_and_refuses_the_sixth(limits, db_session):
    for i in range(attachments.MAX_FILES):
        attachments.add(db_session, f"p{i}.jpg", photo(), draft_key="draft-a")
    with pytest.raises(Invalid) as exc:
        attachments.add(db_session, "p5.jpg", photo(), draft_key="draft-a")
    assert "up to 5 files" in message(exc)
    attachments.add(db_session, "other.jpg", photo(), draft_key="draft-b")  # its own five
    assert attachments.count(db_session, draft_key="draft-a") == 5
    assert [a.filename for a in attachments.for_draft(db_session, "draft-a")] == [
        f"p{i}.jpg" for i in range(5)]


def test_only_the_drafts_own_files_can_be_removed_from_it(limits, db_session):
    mine = attachments.add(db_session, "mine.pdf", b"%PDF-1.4 mine", draft_key="draft-a")
    theirs = attachments.add(db_session, "theirs.pdf", b"%PDF-1.4 theirs", draft_key="draft-b")
    attachments.remove_from_draft(db_session, "draft-a", theirs.id)
    attachments.remove_from_draft(db_session, "draft-a", mine.id)
    db_session.commit()
    names = list(db_session.scalars(select(Attachment.filename)))
    assert names == ["theirs.pdf"]
    stored = db_session.scalar(select(Attachment).where(Attachment.filename == "theirs.pdf"))
    assert stored.size == len(b"%PDF-1.4 theirs") and len(stored.sha256) == 64
