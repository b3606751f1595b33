"""Requests being written in steps. The draft lives here, on the server (a description can be
long, and nothing typed may be lost); the browser keeps only its random key in the session.

The data is what the person typed, as typed (a latitude that is not a number stays as it was
written, so the form can show it again). ``submission`` turns it into what ``submit`` takes.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.core.errors import Invalid
from portal.core.models import User, utcnow
from portal.feedback.models import Attachment, FeedbackDraft
from portal.feedback.services import Submission
from portal.responsibility.models import Area, ServiceCategory

KEEP_DAYS = 7


def _user_id(user: User | None) -> int | None:
    return user.id if user is not None and user.is_authenticated else None


def create(session: Session, user: User | None) -> FeedbackDraft:
    draft = FeedbackDraft(key=secrets.token_urlsafe(32), user_id=_user_id(user), data={})
    session.add(draft)
    session.commit()
    return draft


def get(session: Session, key: str | None, user: User | None) -> FeedbackDraft | None:
    """The draft with this key, if it is this person's: a signed-in resident's draft is never
    handed to anyone else, whatever the session says."""
    if not key:
        return None
    draft = session.scalar(select(FeedbackDraft).where(FeedbackDraft.key == key))
    if draft is None or (draft.user_id is not None and draft.user_id != _user_id(user)):
        return None
    return draft


def claim(session: Session, key: str | None, user: User) -> FeedbackDraft | None:
    """A visitor's draft becomes theirs when they log in part-way through."""
    draft = get(session, key, user)
    if draft is not None and draft.user_id is None:
        draft.user_id = user.id
        session.commit()
    return draft


def update(session: Session, draft: FeedbackDraft, **changes) -> FeedbackDraft:
    """Merge ``changes`` into the draft's data (a new dict, so the JSON column is saved)."""
    draft.data = {**(draft.data or {}), **changes}
    draft.updated_at = utcnow()
    session.commit()
    return draft


def discard(session: Session, draft: FeedbackDraft) -> None:
    """Delete the draft and any file still waiting with it."""
    session.execute(delete(Attachment).where(Attachment.draft_key == draft.key,
                                             Attachment.request_id.is_(None)))
    session.delete(draft)
    session.commit()


def discard_stale(session: Session, now: datetime | None = None, days: int = KEEP_DAYS) -> int:
    """Forget drafts untouched for ``days`` and their files (and files whose draft is gone).
    Returns how many drafts went. Meant for Celery beat, once a day."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    keys = list(session.scalars(select(FeedbackDraft.key).where(FeedbackDraft.updated_at < cutoff)))
    if keys:
        session.execute(delete(Attachment).where(Attachment.draft_key.in_(keys),
                                                 Attachment.request_id.is_(None)))
        session.execute(delete(FeedbackDraft).where(FeedbackDraft.key.in_(keys)))
    live = select(FeedbackDraft.key)
    session.execute(delete(Attachment).where(
        Attachment.request_id.is_(None), Attachment.draft_key.is_not(None),
        Attachment.created_at < cutoff, Attachment.draft_key.not_in(live)))
    session.commit()
    return len(keys)


# --- reading a draft -----------------------------------------------------------------------

def category(session: Session, draft: FeedbackDraft | None) -> ServiceCategory | None:
    """The draft's category, if one is chosen and it still takes requests."""
    code = (draft.data or {}).get("category") if draft is not None else None
    if not code:
        return None
    return session.scalar(select(ServiceCategory).where(ServiceCategory.service_code == code,
                                                        ServiceCategory.active.is_(True)))


def area(session: Session, draft: FeedbackDraft | None) -> Area | None:
    value = str(((draft.data or {}).get("details") or {}).get("area") or "") if draft else ""
    return session.get(Area, int(value)) if value.isdigit() else None


def number(value) -> float | None:
    """A coordinate as typed, or None when empty or not a number."""
    try:
        return float(str(value).strip()) if value not in (None, "") else None
    except ValueError:
        return None


def submission(session: Session, draft: FeedbackDraft, partial: bool = False) -> Submission:
    """What ``services.submit`` takes, from the draft. Invalid if the category or the area is
    missing (the steps ask for them first); with ``partial``, the area may be None, so the
    rest can still be checked."""
    data = draft.data or {}
    details = data.get("details") or {}
    chosen, where = category(session, draft), area(session, draft)
    if chosen is None:
        raise Invalid({"category": [_l("Choose a category.")]})
    if where is None and not partial:
        raise Invalid({"area": [_l("Choose the area.")]})
    codes = {a["code"] for a in chosen.attributes or []}
    return Submission(
        category=chosen, area=where, title=details.get("title") or "",
        description=details.get("description") or "",
        location_text=details.get("location_text") or "",
        latitude=number(details.get("latitude")), longitude=number(details.get("longitude")),
        answers={k: v for k, v in (details.get("answers") or {}).items() if k in codes},
        show_name=bool(details.get("show_name")),
        contact_name=details.get("contact_name") or None,
        contact_email=details.get("contact_email") or None,
        contact_phone=details.get("contact_phone") or None,
        locale=details.get("locale") or "en", draft_key=draft.key,
    )
