"""The disclosure catalog: departments publish documents (proactive disclosure, Order 711 art. 20).

Rules, in one place:
- a publication belongs to a department; its text is in versions. Staff of the department
  (and administrators) write a draft, send it for review, and a reviewer publishes it;
- four eyes: the reviewer is another staff member of the department, the department's
  supervisor or an administrator, never the version's author (an administrator's own draft
  needs someone else too);
- editing a published publication makes a new version (with a note of what changed), which
  is reviewed and published in its turn; the earlier versions stay readable at their own
  addresses; the permanent link always shows the current one;
- withdrawing keeps the page, with a notice and the reason; a withdrawn or never published
  publication is never listed, fed or found;
- attachments are checked by their content, not their name (``clean_file``);
- a disclosure request answered as provided or partly provided can become a draft in one
  action (``from_request``), without anything that names the requester.
Publish and withdraw are written to the audit log.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from portal.core import audit, search, site_search
from portal.core.errors import Forbidden, Invalid, NotFound
from portal.core.forms import CONTROL_MESSAGE, MAX_INT, at_most
from portal.core.i18n import BY_CODE
from portal.core.models import User, utcnow
from portal.core.roles import ADMIN, STAFF
from portal.core.text import has_control_characters
from portal.responsibility.models import Department
from portal.transparency.models import (
    CATALOG_TOPIC,
    DisclosureEvent,
    DisclosureRequest,
    Publication,
    PublicationFile,
    PublicationVersion,
)

TITLE_MAX, SUMMARY_MAX, NUMBER_MAX, NOTE_MAX = 300, 5000, 80, 1000
TAG_MAX, TAGS_MAX = 40, 10
MAX_FILES = 10
PER_PAGE = 20
SEARCH_KIND = "publication"
TOPIC = CATALOG_TOPIC  # its models' own cache topic: every write to them changes its pages
DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Category:
    label: object
    description: object


# The categories of mandatory disclosure (after Order 711, art. 20). The codes are stable: they
# are in URLs, feeds and the CSV. ``CATALOG_CATEGORIES`` chooses which are offered, in order.
CATEGORIES: dict[str, Category] = {
    "regulations": Category(_l("Regulations and normative documents"),
                            _l("Rules, regulations and other normative documents the department "
                               "made or applies.")),
    "plans": Category(_l("Plans and programmes"),
                      _l("Development plans, special plans, programmes and their progress.")),
    "statistics": Category(_l("Statistics"),
                           _l("Statistical information the department collects and publishes.")),
    "licensing": Category(_l("Administrative licensing"),
                          _l("What needs a licence, the conditions, the procedure and the licences "
                             "granted.")),
    "penalties": Category(_l("Administrative penalties"),
                          _l("Penalties and enforcement: the grounds, the procedure and the "
                             "decisions that must be made public.")),
    "budgets": Category(_l("Budgets and final accounts"),
                        _l("Budgets, final accounts and their explanations.")),
    "fees": Category(_l("Fees"), _l("What is charged, how much, and on what basis.")),
    "procurement": Category(_l("Procurement"),
                            _l("Government procurement: the lists, standards and the contracts "
                               "awarded.")),
    "services": Category(_l("Public services"),
                         _l("Public services: education, health, social security, housing and "
                            "the like, and how to use them.")),
    "emergencies": Category(_l("Emergencies"),
                            _l("Emergency plans, warnings and how emergencies were handled.")),
    "personnel": Category(_l("Personnel"),
                          _l("The civil service recruitment, the department's staff positions "
                             "and appointments.")),
    "organization": Category(_l("Organization and functions"),
                             _l("What the department does, how it is organized and whom to "
                                "contact.")),
    "other": Category(_l("Other information"), _l("Other information the department publishes.")),
}

VERSION_STATES = {
    "draft": (_l("Draft"), "neutral"),
    "review": (_l("In review"), "warning"),
    "published": (_l("Published"), "success"),
    "superseded": (_l("Earlier version"), "info"),
}
PUBLICATION_STATES = {
    "draft": (_l("Not published yet"), "neutral"),
    "published": (_l("Published"), "success"),
    "withdrawn": (_l("Withdrawn"), "danger"),
}

audit.register_action("publication.published", _l("Publication published"))
audit.register_action("publication.withdrawn", _l("Publication withdrawn"))


def categories() -> list[tuple[str, Category]]:
    """The offered categories, in the configured order (a code without a label shows as itself)."""
    codes = current_app.config.get("CATALOG_CATEGORIES") or tuple(CATEGORIES)
    return [(c, CATEGORIES.get(c) or Category(c, "")) for c in codes]


def category_label(code: str):
    found = CATEGORIES.get(code)
    return found.label if found else code


def _max_file_bytes() -> int:
    return int(current_app.config.get("CATALOG_MAX_FILE_BYTES", DEFAULT_MAX_FILE_BYTES))


# --- who may do what ------------------------------------------------------------------------------

def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def _staff_of(session: Session, user, department_id: int) -> bool:
    from portal.moderation.services import staff_department_ids

    return user.has_role(STAFF) and department_id in staff_department_ids(session, user)


def can_edit(session: Session, department_id: int, user) -> bool:
    """Write drafts and send them for review: the department's staff and administrators."""
    if not _signed_in(user):
        return False
    return user.has_role(ADMIN) or _staff_of(session, user, department_id)


def may_review(session: Session, department_id: int, user) -> bool:
    """Review (publish, withdraw): the department's staff, its supervisor, administrators."""
    if not _signed_in(user):
        return False
    if user.has_role(ADMIN) or _staff_of(session, user, department_id):
        return True
    department = session.get(Department, department_id)
    return department is not None and department.supervisor_id == user.id


def can_publish(session: Session, version: PublicationVersion, user) -> bool:
    """A reviewer who is not the version's author (four eyes)."""
    return (version.state == "review" and may_review(session, version.publication.department_id, user)
            and user.id != version.author_id)


def staff_departments(session: Session, user) -> list[Department]:
    """The departments whose catalog ``user`` works on (administrators: all)."""
    if not _signed_in(user):
        return []
    stmt = select(Department).order_by(Department.code)
    if not user.has_role(ADMIN):
        from portal.moderation.services import staff_department_ids

        ids = staff_department_ids(session, user) if user.has_role(STAFF) else set()
        supervised = set(session.scalars(select(Department.id).where(Department.supervisor_id == user.id)))
        stmt = stmt.where(Department.id.in_(ids | supervised or {-1}))
    return list(session.scalars(stmt))


# --- checks ------------------------------------------------------------------------------------------

def _text(errors: dict, name: str, value: str | None, limit: int, required_message=None,
          multiline: bool = True) -> str:
    value = (value or "").strip()
    if not value and required_message is not None:
        errors[name] = [required_message]
    elif has_control_characters(value, multiline=multiline):
        errors[name] = [CONTROL_MESSAGE]
    elif len(value) > limit:
        errors[name] = [at_most(limit)]
    return value


def _day(errors: dict, name: str, value) -> date | None:
    if isinstance(value, date):
        return value
    value = (value or "").strip() if isinstance(value, str) else ""
    if not value:
        return None
    try:
        day = date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        day = None
    if day is None or not 1900 <= day.year <= 2200:
        errors[name] = [_l("Enter a real date, like 2026-03-31.")]
    return day


_TAG_SPLIT = re.compile(r"[,，、;；]")


def read_tags(errors: dict, value: str | None) -> list[str]:
    tags: list[str] = []
    raw = value or ""
    if has_control_characters(raw, multiline=False):
        errors["tags"] = [CONTROL_MESSAGE]
        return []
    for piece in _TAG_SPLIT.split(raw):
        tag = " ".join(piece.split())
        if tag and tag not in tags:
            tags.append(tag)
    if any(len(t) > TAG_MAX for t in tags):
        errors["tags"] = [_l("Each tag may have at most %(num)d characters.", num=TAG_MAX)]
    elif len(tags) > TAGS_MAX:
        errors["tags"] = [_l("Give at most %(num)d tags.", num=TAGS_MAX)]
    return tags


@dataclass
class PublicationData:
    category: str
    title: str
    summary: str
    source_locale: str
    document_number: str = ""
    made_on: object = None  # a date or its ISO text
    valid_until: object = None
    tags: str = ""
    change_note: str = ""


def _check(session: Session, data: PublicationData, department_id: int, publication_id: int | None,
           note_required: bool) -> dict:
    errors: dict[str, list] = {}
    values: dict = {}
    if data.category not in dict(categories()):
        errors["category"] = [_l("Choose a category from the list.")]
    values["category"] = data.category
    values["title"] = _text(errors, "title", data.title, TITLE_MAX, _l("Enter the title."), multiline=False)
    values["summary"] = _text(errors, "summary", data.summary, SUMMARY_MAX, _l("Write a summary."))
    if data.source_locale not in BY_CODE:
        errors["source_locale"] = [_l("Choose the language it is written in.")]
    number = _text(errors, "document_number", data.document_number, NUMBER_MAX, multiline=False)
    values["document_number"] = number or None
    if number and "document_number" not in errors:
        taken = session.scalar(select(Publication.id).where(
            Publication.department_id == department_id, Publication.document_number == number,
            Publication.id != (publication_id or -1)))
        if taken:
            errors["document_number"] = [_l("Another publication of this department has this number.")]
    values["made_on"] = _day(errors, "made_on", data.made_on)
    values["valid_until"] = _day(errors, "valid_until", data.valid_until)
    if values["made_on"] and values["valid_until"] and "valid_until" not in errors \
            and values["valid_until"] < values["made_on"]:
        errors["valid_until"] = [_l("The date it is valid until cannot be before the date it was made.")]
    values["tags"] = read_tags(errors, data.tags)
    values["change_note"] = _text(errors, "change_note", data.change_note, NOTE_MAX,
                                  _l("Say what changed in this version.") if note_required else None)
    if errors:
        raise Invalid(errors)
    return values


def _apply(version: PublicationVersion, values: dict, source_locale: str) -> None:
    old_source = version.source_locale
    title_i18n, summary_i18n = dict(version.title_i18n or {}), dict(version.summary_i18n or {})
    if old_source and old_source != source_locale:
        title_i18n.pop(old_source, None)
        summary_i18n.pop(old_source, None)
    title_i18n[source_locale] = values["title"]
    summary_i18n[source_locale] = values["summary"]
    version.title_i18n, version.summary_i18n = title_i18n, summary_i18n
    version.source_locale = source_locale
    version.category = values["category"]
    version.document_number = values["document_number"]
    version.made_on, version.valid_until = values["made_on"], values["valid_until"]
    version.tags = values["tags"]
    version.change_note = values["change_note"]


def _row_id(value) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_INT:
        return None
    return value


# --- writing -------------------------------------------------------------------------------------

def create_draft(session: Session, actor: User, department_id, data: PublicationData) -> PublicationVersion:
    version = _new_draft(session, actor, department_id, data)
    session.commit()
    return version


def _new_draft(session: Session, actor: User, department_id, data: PublicationData,
               from_request_id: int | None = None) -> PublicationVersion:
    department = session.get(Department, _row_id(department_id)) if _row_id(department_id) else None
    if department is None:
        raise Invalid({"department_id": [_l("Choose the department.")]})
    if not can_edit(session, department.id, actor):
        raise Forbidden()
    values = _check(session, data, department.id, None, note_required=False)
    publication = Publication(department_id=department.id, state="draft", category=values["category"],
                              document_number=values["document_number"], created_by_id=actor.id,
                              from_request_id=from_request_id, created_at=utcnow())
    session.add(publication)
    session.flush()
    version = PublicationVersion(publication_id=publication.id, number=1, state="draft",
                                 author_id=actor.id, created_at=utcnow())
    version.publication = publication
    _apply(version, values, data.source_locale)
    session.add(version)
    session.flush()
    return version


def open_version(session: Session, publication: Publication) -> PublicationVersion | None:
    """The version being written or reviewed, if any (at most one at a time)."""
    return session.scalar(select(PublicationVersion).where(
        PublicationVersion.publication_id == publication.id,
        PublicationVersion.state.in_(("draft", "review"))).order_by(PublicationVersion.id.desc()).limit(1))


def save(session: Session, actor: User, publication: Publication,
         data: PublicationData) -> PublicationVersion:
    """Edit the open version (a version in review goes back to draft), or, when there is none,
    start the next version from what was posted (a note of what changed is then required)."""
    if not can_edit(session, publication.department_id, actor):
        raise Forbidden()
    if publication.state == "withdrawn":
        raise Invalid({"": [_l("A withdrawn publication cannot be edited.")]})
    version = open_version(session, publication)
    needs_note = publication.version_count > 0
    values = _check(session, data, publication.department_id, publication.id, note_required=needs_note)
    if version is None:
        current = session.get(PublicationVersion, publication.current_version_id)
        number = (session.scalar(select(func.max(PublicationVersion.number)).where(
            PublicationVersion.publication_id == publication.id)) or 0) + 1
        version = PublicationVersion(publication_id=publication.id, number=number, state="draft",
                                     author_id=actor.id, created_at=utcnow(),
                                     title_i18n=dict(current.title_i18n) if current else {},
                                     summary_i18n=dict(current.summary_i18n) if current else {},
                                     source_locale=current.source_locale if current else "en")
        version.publication = publication
        _apply(version, values, data.source_locale)
        session.add(version)
        session.flush()
        if current is not None:
            for f in files_of(session, current, with_data=True):
                session.add(PublicationFile(version_id=version.id, filename=f.filename,
                                            content_type=f.content_type, size=f.size, sha256=f.sha256,
                                            data=f.data))
    else:
        version.state = "draft"
        version.sent_at = None
        _apply(version, values, data.source_locale)
    publication.document_number = values["document_number"]
    if publication.state == "draft":
        publication.category = values["category"]
    session.commit()
    return version


def translate(session: Session, actor: User, version: PublicationVersion, locale: str, title: str,
              summary: str) -> None:
    """Add or replace one language's title and summary of an open version (empty: remove it)."""
    if not can_edit(session, version.publication.department_id, actor):
        raise Forbidden()
    if version.state not in ("draft", "review"):
        raise Invalid({"": [_l("Only a version being written can be translated.")]})
    errors: dict[str, list] = {}
    if locale not in BY_CODE or locale == version.source_locale:
        errors["locale"] = [_l("Choose a language other than the one it is written in.")]
    title = _text(errors, "title", title, TITLE_MAX, multiline=False)
    summary = _text(errors, "summary", summary, SUMMARY_MAX)
    if errors:
        raise Invalid(errors)
    titles, summaries = dict(version.title_i18n or {}), dict(version.summary_i18n or {})
    for store, text in ((titles, title), (summaries, summary)):
        if text:
            store[locale] = text
        else:
            store.pop(locale, None)
    version.title_i18n, version.summary_i18n = titles, summaries
    version.state, version.sent_at = "draft", None
    session.commit()


def send_for_review(session: Session, actor: User, version: PublicationVersion) -> None:
    if not can_edit(session, version.publication.department_id, actor):
        raise Forbidden()
    if version.state != "draft":
        raise Invalid({"": [_l("Only a draft can be sent for review.")]})
    version.state = "review"
    version.sent_at = utcnow()
    session.commit()


def publish(session: Session, actor: User, version: PublicationVersion,
            ip_address: str | None = None) -> None:
    publication = version.publication
    if not may_review(session, publication.department_id, actor):
        raise Forbidden()
    if version.state != "review":
        raise Invalid({"": [_l("Only a version sent for review can be published.")]})
    if actor.id == version.author_id:
        raise Invalid({"": [_l("Someone other than the author must review and publish this version.")]})
    now = utcnow()
    if publication.current_version_id:
        previous = session.get(PublicationVersion, publication.current_version_id)
        if previous is not None:
            previous.state = "superseded"
    publication.version_count += 1
    version.state = "published"
    version.published_number = publication.version_count
    version.reviewer_id = actor.id
    version.published_at = now
    publication.state = "published"
    publication.current_version_id = version.id
    publication.category = version.category
    publication.title_i18n = dict(version.title_i18n)
    publication.summary_i18n = dict(version.summary_i18n)
    publication.source_locale = version.source_locale
    publication.document_number = version.document_number
    publication.published_at = now
    if publication.first_published_at is None:
        publication.first_published_at = now
        publication.year = now.year
    session.flush()
    index_publication(session, publication, version)
    audit.record(session, actor, "publication.published", "publication", publication.id, ip_address,
                 version=version.published_number)
    session.commit()


def withdraw(session: Session, actor: User, publication: Publication, note: str,
             ip_address: str | None = None) -> None:
    if not may_review(session, publication.department_id, actor):
        raise Forbidden()
    if publication.state != "published":
        raise Invalid({"note": [_l("Only a published publication can be withdrawn.")]})
    errors: dict[str, list] = {}
    note = _text(errors, "note", note, NOTE_MAX, _l("Say why it is withdrawn."))
    if errors:
        raise Invalid(errors)
    publication.state = "withdrawn"
    publication.withdrawn_at = utcnow()
    publication.withdrawn_note = note
    session.flush()
    index_publication(session, publication)
    audit.record(session, actor, "publication.withdrawn", "publication", publication.id, ip_address)
    session.commit()


# --- files ---------------------------------------------------------------------------------------

OFFICE_TYPES = {
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "word/"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xl/"),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "ppt/"),
    "odt": ("application/vnd.oasis.opendocument.text", None),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", None),
}
ZIP_MEMBERS_MAX = 2000
ZIP_UNPACKED_MAX = 200 * 1024 * 1024
_CORE_PERSONAL = re.compile(
    rb"<(dc:creator|cp:lastModifiedBy|dc:contributor)(\s[^>]*)?>.*?</\1>|<(dc:creator|cp:lastModifiedBy)\s*/>",
    re.S)
_META_PERSONAL = re.compile(
    rb"<(meta:initial-creator|dc:creator|meta:printed-by)(\s[^>]*)?>.*?</\1>", re.S)


def _refused(filename: str) -> Invalid:
    return Invalid({"file": [_l("%(name)s is not a PDF, an office document (docx, xlsx, pptx, odt, "
                                "ods) or a CSV file.", name=filename)]})


def _office(filename: str, data: bytes) -> tuple[str, str, bytes]:
    """The zip container an office document claims to be, rewritten without its author fields."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
        if len(infos) > ZIP_MEMBERS_MAX or sum(i.file_size for i in infos) > ZIP_UNPACKED_MAX:
            raise _refused(filename)
        names = {i.filename for i in infos}
        kind = None
        if "mimetype" in names:
            mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
            kind = next((k for k, (ct, _) in OFFICE_TYPES.items() if ct == mimetype), None)
        elif "[Content_Types].xml" in names:
            kind = next((k for k, (_, prefix) in OFFICE_TYPES.items()
                         if prefix and any(n.startswith(prefix) for n in names)), None)
        if kind is None:
            raise _refused(filename)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as clean:
            for info in infos:
                body = archive.read(info)
                if info.filename == "docProps/core.xml":
                    body = _CORE_PERSONAL.sub(b"", body)
                elif info.filename == "meta.xml":
                    body = _META_PERSONAL.sub(b"", body)
                compress = zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED
                clean.writestr(zipfile.ZipInfo(info.filename, date_time=info.date_time), body,
                               compress_type=compress)
    except Invalid:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, KeyError, EOFError,
            NotImplementedError, RuntimeError) as exc:
        raise _refused(filename) from exc
    return kind, OFFICE_TYPES[kind][0], out.getvalue()


def clean_file(filename: str, data: bytes) -> tuple[str, str, bytes]:
    """(safe filename, content type, bytes to store), or Invalid. The type is read from the
    content: a PDF must parse and loses its metadata (the tracker's rule); an office document
    must be the zip container it claims, without the author fields; a CSV must be UTF-8 text."""
    from portal.feedback.attachments import clean_pdf

    base = (filename or "file").replace("\\", "/").rsplit("/", 1)[-1][:150] or "file"
    if has_control_characters(base, multiline=False):
        base = "file"
    if not data:
        raise Invalid({"file": [_l("The file %(name)s is empty.", name=base)]})
    if len(data) > _max_file_bytes():
        raise too_large(base)
    stem = base.rsplit(".", 1)[0] if "." in base else base
    if data.startswith(b"%PDF-"):
        try:
            return f"{stem}.pdf", "application/pdf", clean_pdf(base, data)
        except Invalid:
            raise _refused(base) from None
    if data.startswith(b"PK\x03\x04"):
        kind, content_type, stored = _office(base, data)
        return f"{stem}.{kind}", content_type, stored
    if base.lower().endswith(".csv") or b"," in data[:4096]:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise Invalid({"file": [_l("%(name)s is not UTF-8 text: save the CSV file as UTF-8 and "
                                       "send it again.", name=base)]}) from None
        if "\x00" in text:
            raise _refused(base)
        return f"{stem}.csv", "text/csv", data
    raise _refused(base)


def too_large(name: str) -> Invalid:
    return Invalid({"file": [_l("The file %(name)s is larger than %(size)d MB.", name=name,
                                size=_max_file_bytes() // (1024 * 1024))]})


def read_upload(upload) -> bytes:
    """At most the size cap plus one byte of an upload: a bigger file is refused without
    reading it all."""
    limit = _max_file_bytes()
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        raise too_large(upload.filename or "file")
    return data


def add_file(session: Session, actor: User, version: PublicationVersion, filename: str,
             data: bytes) -> PublicationFile:
    if not can_edit(session, version.publication.department_id, actor):
        raise Forbidden()
    if version.state not in ("draft", "review"):
        raise Invalid({"file": [_l("Files can be added only to a version being written.")]})
    count = session.scalar(select(func.count(PublicationFile.id)).where(
        PublicationFile.version_id == version.id)) or 0
    if count >= MAX_FILES:
        raise Invalid({"file": [_l("A version can have at most %(num)d files.", num=MAX_FILES)]})
    name, content_type, stored = clean_file(filename, data)
    row = PublicationFile(version_id=version.id, filename=name, content_type=content_type,
                          size=len(stored), sha256=hashlib.sha256(stored).hexdigest(), data=stored)
    session.add(row)
    version.state, version.sent_at = "draft", None
    session.commit()
    return row


def remove_file(session: Session, actor: User, version: PublicationVersion, file_id) -> None:
    if not can_edit(session, version.publication.department_id, actor):
        raise Forbidden()
    row = session.get(PublicationFile, _row_id(file_id)) if _row_id(file_id) else None
    if row is None or row.version_id != version.id or version.state not in ("draft", "review"):
        raise NotFound()
    session.delete(row)
    version.state, version.sent_at = "draft", None
    session.commit()


def files_of(session: Session, version: PublicationVersion,
             with_data: bool = False) -> list[PublicationFile]:
    stmt = (select(PublicationFile).where(PublicationFile.version_id == version.id)
            .order_by(PublicationFile.id))
    if with_data:
        from sqlalchemy.orm import undefer

        stmt = stmt.options(undefer(PublicationFile.data))
    return list(session.scalars(stmt))


# --- reading -------------------------------------------------------------------------------------

def get(session: Session, publication_id) -> Publication:
    publication = session.get(Publication, _row_id(publication_id)) if _row_id(publication_id) else None
    if publication is None:
        raise NotFound()
    return publication


def public(session: Session, publication_id, user=None) -> Publication:
    """A published or withdrawn publication; a never published one only for its department's
    staff and reviewers."""
    publication = get(session, publication_id)
    if publication.state == "draft" and not may_review(session, publication.department_id, user):
        raise NotFound()
    return publication


def version(session: Session, publication: Publication, number, user=None) -> PublicationVersion:
    """One version by its number: published ones for everybody, the others for the staff."""
    found = session.scalar(select(PublicationVersion).where(
        PublicationVersion.publication_id == publication.id,
        PublicationVersion.number == (_row_id(number) or -1)))
    if found is None:
        raise NotFound()
    if found.state not in ("published", "superseded") and not may_review(
            session, publication.department_id, user):
        raise NotFound()
    found.publication = publication
    return found


def history(session: Session, publication: Publication) -> list[PublicationVersion]:
    """The published versions, newest first."""
    return list(session.scalars(select(PublicationVersion).where(
        PublicationVersion.publication_id == publication.id,
        PublicationVersion.state.in_(("published", "superseded")))
        .order_by(PublicationVersion.number.desc())))


def all_versions(session: Session, publication: Publication) -> list[PublicationVersion]:
    return list(session.scalars(select(PublicationVersion).where(
        PublicationVersion.publication_id == publication.id).order_by(PublicationVersion.number.desc())))


@dataclass(frozen=True)
class Filters:
    category: str = ""
    department_id: int | None = None
    year: int | None = None
    q: str = ""


def _browse_statement(session: Session, f: Filters):
    stmt = (select(Publication).options(joinedload(Publication.department))
            .where(Publication.state == "published"))
    if f.category:
        stmt = stmt.where(Publication.category == f.category)
    if f.department_id:
        stmt = stmt.where(Publication.department_id == f.department_id)
    if f.year:
        stmt = stmt.where(Publication.year == f.year)
    return stmt


@dataclass
class CatalogPage:
    items: list
    newer: int | None = None  # keyset cursors (browsing)
    older: int | None = None
    number: int | None = None  # page number (a search: ranked, bounded by the candidates)
    has_next: bool = False


MAX_SEARCH_PAGE = 50


def browse(session: Session, f: Filters, before: int | None = None, after: int | None = None,
           page: int = 1) -> CatalogPage:
    """A page of published publications. Browsing: newest first, keyset on the id, one
    statement. With words: the search's ranked ids (title matches first, then newest), those
    passing the filters, one numbered page of them: four statements, whatever the numbers."""
    from portal.core.pagination import keyset

    stmt = _browse_statement(session, f)
    if not (f.q and f.q.strip()):
        found = keyset(session, stmt, Publication.id, before=before, after=after, per_page=PER_PAGE)
        return CatalogPage(found.items, found.newer, found.older)
    page = min(max(page, 1), MAX_SEARCH_PAGE)
    hits = search.search(session, SEARCH_KIND, f.q)
    if not hits:
        return CatalogPage([], number=page)
    ids = [h.ref_id for h in hits]
    passing = set(session.scalars(stmt.with_only_columns(Publication.id).where(Publication.id.in_(ids))))
    ranked = [i for i in ids if i in passing]
    window = ranked[(page - 1) * PER_PAGE:page * PER_PAGE]
    rows = {p.id: p for p in session.scalars(
        select(Publication).options(joinedload(Publication.department))
        .where(Publication.id.in_(window or [-1])))}
    return CatalogPage([rows[i] for i in window if i in rows], number=page,
                       has_next=len(ranked) > page * PER_PAGE)


def years(session: Session) -> list[int]:
    return list(session.scalars(select(Publication.year).where(
        Publication.state == "published", Publication.year.is_not(None))
        .group_by(Publication.year).order_by(Publication.year.desc())))


def departments_with_publications(session: Session) -> list[Department]:
    ids = select(Publication.department_id).where(Publication.state == "published").distinct()
    return list(session.scalars(select(Department).where(Department.id.in_(ids)).order_by(Department.code)))


def listing(session: Session, f: Filters, limit: int = 50_000) -> list[Publication]:
    """Every published publication that passes the filters (the CSV), newest first."""
    stmt = _browse_statement(session, f)
    if f.q and f.q.strip():
        stmt = stmt.where(Publication.id.in_([h.ref_id for h in search.search(session, SEARCH_KIND, f.q)]
                                             or [-1]))
    return list(session.scalars(stmt.order_by(Publication.id.desc()).limit(limit)))


def for_departments(session: Session, department_ids, state: str | None = None, before=None, after=None):
    """Staff: their departments' publications (all states), newest first."""
    from portal.core.pagination import keyset

    stmt = (select(Publication).options(joinedload(Publication.department))
            .where(Publication.department_id.in_(list(department_ids) or [-1])))
    if state:
        stmt = stmt.where(Publication.state == state)
    return keyset(session, stmt, Publication.id, before=before, after=after, per_page=PER_PAGE)


def open_versions(session: Session, publication_ids) -> dict[int, PublicationVersion]:
    """The version being written or reviewed of each publication (one statement)."""
    ids = list(publication_ids)
    if not ids:
        return {}
    rows = session.scalars(select(PublicationVersion).where(
        PublicationVersion.publication_id.in_(ids), PublicationVersion.state.in_(("draft", "review"))))
    return {v.publication_id: v for v in rows}


# --- from a disclosure request -------------------------------------------------------------------

CATALOGUABLE = ("provided", "partly")


def from_request(session: Session, actor: User, request: DisclosureRequest) -> PublicationVersion:
    """A draft publication made from an answered request: its description and its answer's
    texts, never who asked or why. Once per request: a second time gives the same draft."""
    from portal.transparency.services import can_handle

    if not can_handle(session, request, actor):
        raise Forbidden()
    if request.state != "answered" or request.answer_type not in CATALOGUABLE:
        raise Invalid({"": [_l("Only information provided, wholly or in part, can be moved into the "
                               "catalog.")]})
    existing = session.scalar(select(Publication).where(Publication.from_request_id == request.id))
    if existing is not None:
        found = (open_version(session, existing)
                 or session.get(PublicationVersion, existing.current_version_id))
        if found is not None:
            return found
    answer = request.answer or {}
    summary = "\n\n".join(t for t in (answer.get("provided"), answer.get("note")) if t)
    if answer.get("link"):
        summary = (summary + "\n\n" + answer["link"]).strip()
    title = " ".join(request.description.split())
    if len(title) > TITLE_MAX:
        title = title[:TITLE_MAX - 1].rstrip() + "…"
    version = _new_draft(session, actor, request.department_id, PublicationData(
        category="other" if "other" in dict(categories()) else categories()[0][0], title=title,
        summary=(summary or request.description)[:SUMMARY_MAX], source_locale=request.source_locale,
        tags=""), from_request_id=request.id)
    session.add(DisclosureEvent(request_id=request.id, kind="catalogued", state=request.state,
                                role="staff", actor_id=actor.id,
                                data={"publication_id": version.publication_id}, created_at=utcnow()))
    session.commit()
    return version


def request_code(session: Session, publication: Publication) -> tuple[str, bool] | None:
    """The code of the request it was made from, and whether that request is public (only
    then is it linked). A code names nobody."""
    if not publication.from_request_id:
        return None
    row = session.execute(select(DisclosureRequest.tracking_code, DisclosureRequest.public).where(
        DisclosureRequest.id == publication.from_request_id)).first()
    return (row[0], bool(row[1])) if row else None


def catalogued(session: Session, request: DisclosureRequest) -> int | None:
    """The publication made from this request, if any."""
    return session.scalar(select(Publication.id).where(Publication.from_request_id == request.id).limit(1))


# --- search (kind 7) -----------------------------------------------------------------------------

def search_document(publication: Publication, version: PublicationVersion | None = None) -> search.Document:
    """What the public reads: the current version's titles (every language), summaries and
    tags, and the document number. Not published: indexed as not public (never found)."""
    titles = " ".join(t for t in (publication.title_i18n or {}).values() if t)
    summaries = " ".join(t for t in (publication.summary_i18n or {}).values() if t)
    tags = " ".join(version.tags) if version is not None and version.tags else ""
    return search.Document(publication.id, title=titles, body=f"{summaries} {tags}".strip(),
                           extra=publication.document_number or "", locale=publication.source_locale,
                           public=publication.state == "published")


def index_publication(session: Session, publication: Publication,
                      version: PublicationVersion | None = None) -> None:
    search.bulk_index(session, SEARCH_KIND, [search_document(publication, version)])


def _documents(session: Session):
    stmt = select(Publication).execution_options(yield_per=2000).order_by(Publication.id)
    for publication in session.scalars(stmt):
        yield search_document(publication)


search.register(SEARCH_KIND, 7, _documents)


def _site_visible(session: Session, reader, ids, scope: site_search.Scope) -> dict:
    """Published publications only, whoever reads (drafts and withdrawn ones are never found).
    They have no area: an area filter leaves them out."""
    if scope.area_ids is not None:
        return {}
    stmt = select(Publication.id, Publication.published_at).where(
        Publication.id.in_(ids), Publication.state == "published")
    if scope.start is not None:
        stmt = stmt.where(Publication.published_at >= scope.start)
    if scope.end is not None:
        stmt = stmt.where(Publication.published_at < scope.end)
    return dict(session.execute(stmt).all())


def _site_rows(session: Session, ids) -> dict:
    stmt = select(Publication).options(joinedload(Publication.department)).where(Publication.id.in_(ids))
    rows = {}
    for p in session.scalars(stmt):
        title, summary = p.title, p.summary
        rows[p.id] = site_search.Row(str(title), str(summary), title.lang, "transparency.publication",
                                     {"publication_id": p.id}, str(p.department.name), p.published_at)
    return rows


site_search.register(site_search.Source("publication", _l("Publication"), _site_visible, _site_rows, 50))
