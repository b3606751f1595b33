"""Photos and PDFs: type checked by content, size limited, photos stripped of metadata."""

from __future__ import annotations

import io

import pytest
from PIL import ExifTags, Image, ImageFile
from sqlalchemy import select

from portal.core.errors import Invalid
from portal.feedback import attachments
from portal.feedback.models import Attachment
from tests.samples import pdf


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
    assert attachments.clean("report.jpg", pdf())[:2] == ("report.pdf", "application/pdf")
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
    mine = attachments.add(db_session, "mine.pdf", pdf(), draft_key="draft-a")
    theirs = attachments.add(db_session, "theirs.pdf", pdf(pages=2), draft_key="draft-b")
    attachments.remove_from_draft(db_session, "draft-a", theirs.id)
    attachments.remove_from_draft(db_session, "draft-a", mine.id)
    db_session.commit()
    names = list(db_session.scalars(select(Attachment.filename)))
    assert names == ["theirs.pdf"]
    stored = db_session.scalar(select(Attachment).where(Attachment.filename == "theirs.pdf"))
    assert stored.size == len(stored.data) and len(stored.sha256) == 64


# --- refused before they cost anything; no metadata left -----------------------------------

@pytest.fixture
def decodes(monkeypatch):
    """How many images were decoded (pixels read)."""
    calls = []
    load = ImageFile.ImageFile.load

    def counting(self):
        calls.append(self.size)
        return load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", counting)
    return calls


def _png(size, mode="1") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size).save(out, "PNG")
    return out.getvalue()


def test_pillow_guards_every_image_with_the_same_cap():
    assert Image.MAX_IMAGE_PIXELS == attachments.MAX_PIXELS


def test_a_large_image_is_refused_from_its_header_without_decoding(limits, decodes):
    with pytest.raises(Invalid) as exc:
        attachments.clean("big.png", _png((6300, 6300))[:20000])  # truncated, 39.7 million pixels
    assert "too large" in message(exc)
    assert decodes == []


def test_a_truncated_png_is_refused_before_its_pixels_are_decoded(limits, decodes):
    data = _png((3000, 3000), "RGB")
    with pytest.raises(Invalid) as exc:
        attachments.clean("cut.png", data[: len(data) // 2])
    assert "not a photo" in message(exc)
    assert decodes == []


def test_jpeg_comments_and_xmp_are_removed_with_exif(limits):
    out = io.BytesIO()
    Image.new("RGB", (32, 32), "blue").save(out, "JPEG", comment=b"Taken by Jane at 8 Elm Road",
                                            xmp=b"<x:xmpmeta>Jane Resident XMP</x:xmpmeta>")
    assert b"8 Elm Road" in out.getvalue()
    _, _, stored = attachments.clean("c.jpg", out.getvalue())
    assert b"Elm Road" not in stored and b"Jane" not in stored
    assert "comment" not in Image.open(io.BytesIO(stored)).info


def test_a_pdf_loses_its_author_and_xmp(limits):
    original = pdf(author="Jane Resident", xmp=True, pages=2)
    assert b"Jane Resident" in original
    name, content_type, stored = attachments.clean("scan.pdf", original)
    assert (name, content_type) == ("scan.pdf", "application/pdf")
    assert b"Jane" not in stored and b"/Author" not in stored and b"/Metadata" not in stored
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(stored))
    assert len(reader.pages) == 2 and not reader.metadata and reader.xmp_metadata is None


@pytest.mark.parametrize("content", [b"%PDF-1.4 not really a pdf", pdf()[:120], b"%PDF-"])
def test_a_pdf_that_does_not_parse_is_refused(limits, content):
    with pytest.raises(Invalid) as exc:
        attachments.clean("scan.pdf", content)
    assert "scan.pdf is not a photo (JPEG, PNG or WebP) or a PDF." in message(exc)


class _Upload:
    def __init__(self, name, data):
        self.filename, self.data, self.reads = name, data, 0

    def read(self):
        self.reads += 1
        return self.data


def test_one_post_checks_at_most_five_files_refused_ones_included(limits, db_session, monkeypatch):
    checked = []
    clean = attachments.clean
    monkeypatch.setattr(attachments, "clean", lambda name, data: checked.append(name) or clean(name, data))
    uploads = [_Upload(f"bad{i}.png", b"\x89PNG not really") for i in range(10)]
    added, errors = attachments.add_uploads(db_session, uploads, draft_key="draft-a")
    assert added == [] and len(checked) == 5
    assert [u.reads for u in uploads] == [1] * 5 + [0] * 5  # the rest are not even read
    assert any("up to 5 files" in e for e in errors)
    assert any("bad0.png is not a photo" in e for e in errors)


def test_free_places_are_what_the_draft_has_left(limits, db_session):
    for i in range(3):
        attachments.add(db_session, f"p{i}.jpg", photo(), draft_key="draft-a")
    uploads = [_Upload(f"n{i}.jpg", photo()) for i in range(4)]
    added, errors = attachments.add_uploads(db_session, uploads, draft_key="draft-a")
    assert [a.filename for a in added] == ["n0.jpg", "n1.jpg"]
    assert errors == ["You can attach up to 5 files."]
    assert attachments.count(db_session, draft_key="draft-a") == 5
