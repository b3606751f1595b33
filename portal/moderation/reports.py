"""Reports of content, and what moderators decide about reported content.

Any module makes its content reportable with one ``register_reportable(Reportable(...))``
call: how to load an item by id (None when it is not public), its author, what the staff queue
and the report form show about it (title, excerpt, language, area, public page), and (by
default through its ``hidden``, ``hidden_reason`` and ``hidden_at`` columns) how to hide and
restore it. The queue never imports a module's models.

Rules, in one place:
- a signed-in person reports someone else's content once per item (spam, offensive, off
  topic or other, with an optional note); a second report of the same item by the same person
  changes nothing ("already reported"); anonymous readers, the item's author and accounts
  blocked from posting report nothing; new accounts report at most ``NEW_ACCOUNT_REPORTS`` an
  hour (``portal.deliberation.limits``);
- the first report puts the item in the staff queue (module ``report``); reports from
  ``CONTENT_REPORT_HIDE_THRESHOLD`` (config, default 3) different people hide it at once, until
  a moderator decides, and flag the queue row as priority;
- **moderators decide**: accounts with the *moderator* role and administrators, for every
  hall. Content moderation is not a department's work (the responsibility list routes
  requests and proposals, not behaviour), and hall hosts are often the authors' neighbours; so
  report rows are seen in the queue only by moderators and administrators (not by department
  staff, not by the dispatcher);
- a moderator hides the item (a reason is required), restores it (the standing reports are
  dismissed, the item shows again) or blocks its author (a reason is required: the item is
  hidden and the author can no longer post in any hall: ``is_blocked``, checked by every
  tool's "may take part" rule through ``limits.may_post``). Each decision is written to the
  audit log with its reason and told to the author in a notification that shows the reason
  (a chosen reason in the author's language, a written one as typed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from portal.core import audit, notifications
from portal.core.errors import Forbidden, Invalid, NotFound
from portal.core.forms import MAX_INT
from portal.core.models import User, utcnow
from portal.core.roles import ADMIN, MODERATOR
from portal.core.text import has_control_characters
from portal.moderation.models import (
    REPORT_REASONS,
    ContentReport,
    PostingBlock,
    ReportedItem,
)

MODULE = "report"
NOTE_MAX = 1000
DEFAULT_THRESHOLD = 3
DECISIONS = ("hide", "restore", "block")
AUTOMATIC = "reports"  # the hidden_reason of an item the threshold hid

REASON_LABELS = {
    "spam": _l("Spam or advertising"),
    "offensive": _l("Offensive, abusive or hateful"),
    "off_topic": _l("Off topic for this hall"),
    "other": _l("Something else"),
}
STATE_LABELS = {
    "reported": _l("Reported"),
    "hidden": _l("Hidden by a moderator"),
    "restored": _l("Restored"),
    "blocked": _l("Hidden, author blocked"),
}
STATE_TAGS = {"reported": "warning", "hidden": "neutral", "restored": "success", "blocked": "error"}

for _code, _label in REASON_LABELS.items():
    notifications.register_message(f"report.reason.{_code}", _label)
notifications.register_message(
    "report.reason.reports", _l("several people reported it; a moderator will decide"))
for _key, _text in {
    "report.hidden": _l("A moderator hid your %(what)s “%(title)s”. Reason: %(reason)s"),
    "report.restored": _l("A moderator restored your %(what)s “%(title)s”: it shows again."),
    "report.blocked": _l("A moderator hid your %(what)s “%(title)s” and blocked your account from "
                         "posting in the halls. Reason: %(reason)s"),
}.items():
    notifications.register_message(_key, _text)
for _action, _label in {
    "content.hidden": _l("Reported content hidden"),
    "content.restored": _l("Reported content restored"),
    "content.author_blocked": _l("Author blocked from posting"),
}.items():
    audit.register_action(_action, _label)


# --- what a module tells about its reportable content --------------------------------------------

@dataclass(frozen=True)
class ItemInfo:
    title: str
    excerpt: str
    lang: str | None
    endpoint: str  # the item's public page
    endpoint_args: dict
    anchor: str | None = None
    area_id: int | None = None


@dataclass(frozen=True)
class Reportable:
    """A kind of content people may report.

    ``load(session, id)`` returns the item, or None when there is none or it is not public;
    ``author_id(item)``; ``describe(item)`` an ``ItemInfo``; ``label`` names the kind in a
    sentence ("comment"), ``message_key`` the same as a notification message key.
    ``set_hidden(session, item, hidden, reason)`` hides or restores it: by default it sets the
    item's ``hidden``, ``hidden_reason`` and ``hidden_at``; ``after_change(session, item)``
    (for instance: reindex it for search) runs after either."""

    kind: str
    label: Any
    load: Callable[[Session, int], Any]
    author_id: Callable[[Any], int | None]
    describe: Callable[[Any], ItemInfo]
    set_hidden: Callable[[Session, Any, bool, str], None] | None = None
    after_change: Callable[[Session, Any], None] | None = None

    @property
    def message_key(self) -> str:
        return f"report.kind.{self.kind}"


REPORTABLES: dict[str, Reportable] = {}


def register_reportable(reportable: Reportable) -> None:
    REPORTABLES[reportable.kind] = reportable
    notifications.register_message(reportable.message_key, reportable.label)


def reportable(kind: str) -> Reportable:
    found = REPORTABLES.get(kind)
    if found is None:
        raise NotFound()
    return found


def load(session: Session, kind: str, item_id: int):
    """The reportable item, or NotFound (unknown kind, an id no row can have, not public)."""
    spec = reportable(kind)
    if not isinstance(item_id, int) or not 0 < item_id <= MAX_INT:
        raise NotFound()
    item = spec.load(session, item_id)
    if item is None:
        raise NotFound()
    return spec, item


def _default_set_hidden(session: Session, item, hidden: bool, reason: str) -> None:
    item.hidden = hidden
    item.hidden_reason = reason[:1000] if hidden else ""
    item.hidden_at = utcnow() if hidden else None


def _set_hidden(session: Session, spec: Reportable, item, hidden: bool, reason: str) -> None:
    (spec.set_hidden or _default_set_hidden)(session, item, hidden, reason)
    if spec.after_change:
        spec.after_change(session, item)


def reason_label(value: str | None):
    """What a hidden item's reason says: a chosen reason's label, the threshold's sentence, or
    the moderator's words as typed."""
    if not value:
        return ""
    if value in REASON_LABELS:
        return REASON_LABELS[value]
    if value == AUTOMATIC:
        return _l("Hidden after several reports, until a moderator decides.")
    return value


# --- who may do what -----------------------------------------------------------------------------

def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def can_moderate(user) -> bool:
    return _signed_in(user) and user.has_role(MODERATOR, ADMIN)


def is_blocked(session: Session, user) -> bool:
    """Blocked from posting in halls by a moderator (one statement)."""
    if not _signed_in(user):
        return False
    return bool(session.scalar(select(blocked_clause(user.id))))


def blocked_clause(user_id: int):
    """``is_blocked`` as an SQL condition, for a page that reads the reader's own facts in one
    statement (``deliberation.proposals.reader_facts``)."""
    return exists().where(PostingBlock.user_id == user_id)


def may_report(user, author_id: int | None) -> bool:
    """Whether a "Report" link is worth showing (no query): signed in, not one's own."""
    return _signed_in(user) and author_id != user.id


def sees_hidden(user, author_id: int | None) -> bool:
    """The author (with the moderator's reason) and moderators still read a hidden item."""
    return _signed_in(user) and (user.id == author_id or can_moderate(user))


def threshold_from_config() -> int:
    from flask import current_app, has_app_context

    if not has_app_context():
        return DEFAULT_THRESHOLD
    value = current_app.config.get("CONTENT_REPORT_HIDE_THRESHOLD", DEFAULT_THRESHOLD)
    return value if isinstance(value, int) and value > 0 else DEFAULT_THRESHOLD


# --- reporting -------------------------------------------------------------------------------------

@dataclass
class ReportResult:
    reported: ReportedItem
    created: bool  # False: this person had reported it already
    hidden_now: bool = False


def already_reported(session: Session, user, kind: str, item_id: int) -> bool:
    if not _signed_in(user):
        return False
    return session.scalar(select(ContentReport.id).where(
        ContentReport.kind == kind, ContentReport.item_id == item_id,
        ContentReport.reporter_id == user.id)) is not None


def report(session: Session, reporter: User, kind: str, item_id: int, reason: str, note: str = "",
           threshold: int | None = None) -> ReportResult:
    from portal.deliberation import limits  # the one rule for new accounts' pace

    spec, item = load(session, kind, item_id)
    if not _signed_in(reporter) or is_blocked(session, reporter):
        raise Forbidden()
    author_id = spec.author_id(item)
    if author_id == reporter.id:
        raise Forbidden()
    errors: dict[str, list] = {}
    if reason not in REPORT_REASONS:
        errors["reason"] = [_l("Choose why you report it.")]
    note = (note or "").strip()
    if has_control_characters(note, multiline=True):
        errors["note"] = [_l("Remove the invisible control characters from this text: they cannot "
                             "be saved. Copying from another program can add them.")]
    elif len(note) > NOTE_MAX:
        errors["note"] = [lazy_ngettext("Enter at most %(num)d character.",
                                        "Enter at most %(num)d characters.", NOTE_MAX)]
    if errors:
        raise Invalid(errors)
    reported = _reported_item(session, spec, item, item_id, author_id)
    if already_reported(session, reporter, kind, item_id):
        return ReportResult(reported, created=False)
    limits.check_new_account(
        session, reporter, ContentReport.reporter_id, ContentReport.created_at,
        limits.NEW_ACCOUNT_REPORTS, "reason", message=lazy_ngettext(
            "New accounts can send %(num)d report an hour during their first day. Please wait "
            "a little: what you wrote is kept.",
            "New accounts can send %(num)d reports an hour during their first day. Please wait "
            "a little: what you wrote is kept.", limits.NEW_ACCOUNT_REPORTS))
    try:
        with session.begin_nested():
            session.add(ContentReport(reported_item_id=reported.id, kind=kind, item_id=item_id,
                                      reporter_id=reporter.id, reason=reason, note=note))
    except IntegrityError:  # the same person's other click got there first
        session.commit()
        return ReportResult(reported, created=False)
    session.execute(update(ReportedItem).where(ReportedItem.id == reported.id).values(
        report_count=ReportedItem.report_count + 1))
    session.refresh(reported, ["report_count"])
    reasons = dict(reported.reasons or {})
    reasons[reason] = reasons.get(reason, 0) + 1
    reported.reasons = reasons
    hidden_now = False
    limit = threshold if threshold is not None else threshold_from_config()
    if reported.state in ("reported", "restored"):
        reported.state = "reported"
        if reported.report_count >= limit and not getattr(item, "hidden", False):
            _set_hidden(session, spec, item, True, AUTOMATIC)
            reported.auto_hidden = hidden_now = True
    _sync_queue(session, spec, item, reported)
    session.commit()
    return ReportResult(reported, created=True, hidden_now=hidden_now)


def _reported_item(session: Session, spec: Reportable, item, item_id: int,
                   author_id: int | None) -> ReportedItem:
    found = session.scalar(select(ReportedItem).where(
        ReportedItem.kind == spec.kind, ReportedItem.item_id == item_id))
    if found is not None:
        return found
    try:
        with session.begin_nested():
            found = ReportedItem(kind=spec.kind, item_id=item_id, author_id=author_id, reasons={})
            session.add(found)
    except IntegrityError:  # someone else's first report, a moment ago
        found = session.scalar(select(ReportedItem).where(
            ReportedItem.kind == spec.kind, ReportedItem.item_id == item_id))
    return found


def _sync_queue(session: Session, spec: Reportable, item, reported: ReportedItem) -> None:
    from portal.moderation import services as queue

    info = spec.describe(item)
    queue.upsert(session, MODULE, reported.id, title=(info.title or "")[:200], lang=info.lang,
                 reference=f"R-{reported.id}", state=reported.state, department_id=None,
                 category_id=None, area_id=info.area_id, due_at=None, overdue=False,
                 priority=reported.state == "reported" and reported.auto_hidden,
                 done=reported.state != "reported")


# --- what moderators see and decide ------------------------------------------------------------------

@dataclass
class ReportedView:
    reported: ReportedItem
    spec: Reportable
    item: Any  # None when the item is gone
    info: ItemInfo | None
    author: User | None
    reports: list[ContentReport]
    blocked: bool


def get_reported(session: Session, moderator, reported_id: int) -> ReportedView:
    if not can_moderate(moderator):
        raise Forbidden()
    reported = session.get(ReportedItem, reported_id) if 0 < reported_id <= MAX_INT else None
    if reported is None or reported.kind not in REPORTABLES:
        raise NotFound()
    spec = REPORTABLES[reported.kind]
    item = spec.load(session, reported.item_id)
    reports = list(session.scalars(
        select(ContentReport).options(joinedload(ContentReport.reporter))
        .where(ContentReport.reported_item_id == reported.id).order_by(ContentReport.id)))
    author = session.get(User, reported.author_id) if reported.author_id else None
    return ReportedView(reported, spec, item, spec.describe(item) if item is not None else None,
                        author, reports, author is not None and is_blocked(session, author))


def decide(session: Session, moderator: User, reported_id: int, decision: str, reason_code: str = "",
           reason_text: str = "", ip_address: str | None = None) -> ReportedItem:
    """Hide, restore or block the author, with the reason in the audit log and the author's
    notification."""
    view = get_reported(session, moderator, reported_id)
    reported, spec, item = view.reported, view.spec, view.item
    errors: dict[str, list] = {}
    if decision not in DECISIONS:
        errors["decision"] = [_l("Choose what to do.")]
    reason_code = reason_code or ""
    if reason_code and reason_code not in REPORT_REASONS:
        errors["reason_code"] = [_l("Choose a reason from the list.")]
    text = (reason_text or "").strip()
    if has_control_characters(text, multiline=True):
        errors["reason_text"] = [_l("Remove the invisible control characters from this text: they "
                                    "cannot be saved. Copying from another program can add them.")]
    elif len(text) > NOTE_MAX:
        errors["reason_text"] = [lazy_ngettext("Enter at most %(num)d character.",
                                               "Enter at most %(num)d characters.", NOTE_MAX)]
    if decision in ("hide", "block") and "reason_code" not in errors:
        if not reason_code:
            errors["reason_code"] = [_l("Choose the reason: the author will read it.")]
        elif reason_code == "other" and not text and "reason_text" not in errors:
            errors["reason_text"] = [_l("Write the reason: the author will read it.")]
    if item is None and not errors:
        errors[""] = [_l("This content no longer exists: there is nothing to decide.")]
    if errors:
        raise Invalid(errors)
    # What the item and the author read: the written reason when there is one, else the code.
    shown = text or reason_code
    if decision == "restore":
        _set_hidden(session, spec, item, False, "")
        session.execute(update(ContentReport).where(
            ContentReport.reported_item_id == reported.id).values(dismissed=True))
        reported.report_count = 0
        reported.reasons = {}
        reported.state = "restored"
        action = "content.restored"
    else:
        _set_hidden(session, spec, item, True, shown)
        reported.state = "hidden" if decision == "hide" else "blocked"
        action = "content.hidden"
        if decision == "block" and view.author is not None:
            if session.get(PostingBlock, view.author.id) is None:
                session.add(PostingBlock(user_id=view.author.id, reason=shown, blocked_by_id=moderator.id))
            action = "content.author_blocked"
    reported.auto_hidden = False
    reported.decided_by_id = moderator.id
    reported.decided_at = utcnow()
    reported.reason_code = reason_code
    reported.reason_text = text
    audit.record(session, moderator, action, spec.kind, reported.item_id, ip_address,
                 reported_item_id=reported.id, reason_code=reason_code, reason=text,
                 author_id=reported.author_id)
    _sync_queue(session, spec, item, reported)
    if view.author is not None:
        info = view.info
        key = {"restore": "report.restored", "hide": "report.hidden", "block": "report.blocked"}[decision]
        reason = text if text else {"key": f"report.reason.{reason_code}"}
        notifications.notify(session, [view.author], key,
                             {"what": {"key": spec.message_key}, "title": info.title, "reason": reason},
                             info.endpoint, info.endpoint_args)
    session.commit()
    return reported


# --- the staff queue --------------------------------------------------------------------------------

def register_queue() -> None:
    from flask import url_for

    from portal.moderation import services as queue

    queue.register_module(MODULE, queue.Module(
        link=lambda item: url_for("moderation.reported", reported_id=item.item_id),
        states={code: queue.StateInfo(label, STATE_TAGS[code]) for code, label in STATE_LABELS.items()},
        moderators_only=True,
    ))
