"""Reply templates: ready answers staff start from, per category, in every language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from portal.core import audit
from portal.core.errors import Forbidden, Invalid, NotFound
from portal.core.forms import at_most
from portal.core.i18n import BY_CODE, LOCALES, Localized, localize
from portal.core.models import User
from portal.core.roles import ADMIN
from portal.feedback.models import ReplyTemplate
from portal.responsibility.models import Department, ServiceCategory, staff_department

TITLE_MAX = 120
BODY_MAX = 5000

audit.register_action("feedback.reply_template_saved", _l("Reply template saved"))
audit.register_action("feedback.reply_template_deleted", _l("Reply template deleted"))


def get(session: Session, template_id: int) -> ReplyTemplate:
    template = session.get(ReplyTemplate, template_id)
    if template is None:
        raise NotFound()
    return template


def editor_departments(session: Session, actor: User) -> list[int] | None:
    """The departments whose templates ``actor`` edits; None: every department's."""
    if actor.has_role(ADMIN):
        return None
    return sorted(session.scalars(select(staff_department.c.department_id)
                                  .where(staff_department.c.user_id == actor.id)))


def may_edit(session: Session, actor: User, template: ReplyTemplate) -> bool:
    """A template is edited by its department's staff and by administrators."""
    mine = editor_departments(session, actor)
    return mine is None or (template.department_id is not None and template.department_id in mine)


def require_editor(session: Session, actor: User, template: ReplyTemplate | None) -> None:
    """Forbidden unless ``actor`` may edit ``template`` (None: write a new one)."""
    if template is None:
        if editor_departments(session, actor) == []:
            raise Forbidden()
    elif not may_edit(session, actor, template):
        raise Forbidden()


def listing(session: Session, category_id: int | None = None, before: int | None = None,
            after: int | None = None, per_page: int = 50):
    """Templates, newest first; for one category: its own and the general ones."""
    from portal.core.pagination import keyset

    stmt = select(ReplyTemplate)
    if category_id:
        stmt = stmt.where(or_(ReplyTemplate.category_id == category_id,
                              ReplyTemplate.category_id.is_(None)))
    return keyset(session, stmt, ReplyTemplate.id, before, after, per_page)


def for_category(session: Session, category_id: int) -> list[ReplyTemplate]:
    """What staff may pick when answering a request of this category."""
    return list(session.scalars(
        select(ReplyTemplate)
        .where(or_(ReplyTemplate.category_id == category_id, ReplyTemplate.category_id.is_(None)))
        .order_by(ReplyTemplate.category_id.is_(None), ReplyTemplate.id)))


def title(template: ReplyTemplate, locale: str | None = None) -> Localized:
    return localize(template.title_i18n, template.source_locale, locale)


def body(template: ReplyTemplate, locale: str | None = None) -> Localized:
    return localize(template.body_i18n, template.source_locale, locale)


def _clean(versions: dict[str, str] | None) -> dict[str, str]:
    return {code: (text or "").strip() for code, text in (versions or {}).items()
            if code in BY_CODE and (text or "").strip()}


def save(session: Session, actor: User, template: ReplyTemplate | None, category_id: int | None,
         source_locale: str, titles: dict[str, str], bodies: dict[str, str],
         department_id: int | None = None) -> ReplyTemplate:
    """Create (``template`` None) or change a template. The source language needs a title and
    a text; every other language is optional, but a title needs its text and the other way
    round. Errors are keyed ``title`` / ``body`` with the language: ``title:es``.

    Only its department's staff and administrators change a template (``Forbidden``); staff
    file it under one of their departments (by default their first, or the one it has)."""
    require_editor(session, actor, template)
    mine = editor_departments(session, actor)
    if department_id is None and template is not None:
        department_id = template.department_id
    if department_id is None and mine:
        department_id = mine[0]
    if department_id is not None and mine is not None and department_id not in mine:
        raise Forbidden()  # the page offers only one's own departments
    titles, bodies = _clean(titles), _clean(bodies)
    errors: dict[str, list] = {}
    if department_id is not None and session.get(Department, department_id) is None:
        errors["department"] = [_l("Choose a department from the list.")]
    if source_locale not in BY_CODE:
        errors["source_locale"] = [_l("Choose the language the template was written in.")]
    else:
        if not titles.get(source_locale):
            errors[f"title:{source_locale}"] = [_l("Enter a title in the language it was written in.")]
        if not bodies.get(source_locale):
            errors[f"body:{source_locale}"] = [_l("Enter the text in the language it was written in.")]
    for loc in LOCALES:
        code = loc.code
        if len(titles.get(code, "")) > TITLE_MAX:
            errors[f"title:{code}"] = [at_most(TITLE_MAX)]
        if len(bodies.get(code, "")) > BODY_MAX:
            errors[f"body:{code}"] = [at_most(BODY_MAX)]
        if titles.get(code) and not bodies.get(code):
            errors.setdefault(f"body:{code}", [_l("Enter the text for this title.")])
        if bodies.get(code) and not titles.get(code):
            errors.setdefault(f"title:{code}", [_l("Enter a title for this text.")])
    if category_id is not None and session.get(ServiceCategory, category_id) is None:
        errors["category"] = [_l("Choose a category from the list.")]
    if errors:
        raise Invalid(errors)
    if template is None:
        template = ReplyTemplate()
        session.add(template)
    template.category_id = category_id
    template.department_id = department_id
    template.source_locale = source_locale
    template.title_i18n = titles
    template.body_i18n = bodies
    session.flush()
    audit.record(session, actor, "feedback.reply_template_saved", "reply_template", template.id,
                 category_id=category_id, department_id=department_id, locales=sorted(titles))
    session.commit()
    return template


def delete(session: Session, actor: User, template: ReplyTemplate) -> None:
    require_editor(session, actor, template)
    audit.record(session, actor, "feedback.reply_template_deleted", "reply_template", template.id,
                 title=titles_in_source(template))
    session.delete(template)
    session.commit()


def titles_in_source(template: ReplyTemplate) -> str:
    return (template.title_i18n or {}).get(template.source_locale, "")
