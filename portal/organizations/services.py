"""Social organizations: the rules, in one place.

- A signed-in person registers an organization with its details: it is *pending*, in the
  staff queue (module ``organization``, no department: the dispatch centre's queue), and the
  applicant is its first member, an administrator of it.
- The dispatch centre's staff, moderators and administrators (``may_verify``) verify it or
  reject it with a reason; a verified one may later be suspended (with a reason) and verified
  again. The applicant is told in their language; every decision is in the audit log.
- At its first verification it gets its own accountable party: a ``Department`` row of kind
  ``social_organization`` or ``enterprise``, code ``org-<slug>``.
- Its members are people with a membership row; an organization's administrators invite
  them by email (the same answer whether the address has an account or not), the invited
  person accepts (and gets the role ``organization_member``) or declines, members leave.
- ``sync_links`` keeps ``staff_department`` in step: while the organization is verified, each
  active member holding the role ``organization_member`` is linked to its party, so the
  staff queue, request pages, metrics and course authoring treat them as that party's staff;
  nobody is linked while it is pending, rejected or suspended.
- The public directory lists verified organizations only.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import delete, exists, func, insert, select
from sqlalchemy.orm import Session, selectinload

from portal.core import audit, notifications, search, site_search
from portal.core.cache import touch
from portal.core.errors import Forbidden, Invalid, NotFound
from portal.core.forms import CONTROL_MESSAGE, at_most
from portal.core.i18n import BY_CODE
from portal.core.models import User, UserRole, utcnow
from portal.core.roles import ADMIN, MODERATOR, ORG_MEMBER
from portal.core.text import has_control_characters
from portal.organizations.models import (
    Organization,
    OrganizationMember,
    OrganizationService,
    organization_area,
    organization_offer,
)
from portal.responsibility.models import (
    ENTERPRISE,
    SOCIAL_ORGANIZATION,
    Area,
    Department,
    staff_department,
)

MODULE = "organization"
SEARCH_KIND, SEARCH_CODE = "organization", 10
NAME_MAX, DESCRIPTION_MAX, REASON_MAX, NOTE_MAX = 120, 3000, 1000, 1000
PHONE_MAX, WEBSITE_MAX, ADDRESS_MAX, LANGUAGES_MAX, SERVICE_TEXT_MAX = 40, 300, 300, 12, 500
PER_PAGE = 20

KINDS = {
    SOCIAL_ORGANIZATION: _l("Social organization"),
    ENTERPRISE: _l("Enterprise"),
}

STATES = {
    "pending": _l("Waiting for verification"),
    "verified": _l("Verified"),
    "rejected": lazy_pgettext("organization state", "Rejected"),  # not a proposal's "Rejected"
    "suspended": _l("Suspended"),
}
STATE_TAGS = {"pending": "warning", "verified": "success", "rejected": "error", "suspended": "neutral"}

# The kinds of service organizations offer; ``ORGANIZATION_SERVICE_KINDS`` (a list of these
# codes) chooses and orders the ones a portal offers.
SERVICE_KIND_LABELS = {
    "digital_skills": _l("Digital skills training"),
    "elderly_care": _l("Elderly care"),
    "legal_aid": _l("Legal aid"),
    "housing": _l("Housing"),
    "health": _l("Health"),
    "disability_support": _l("Disability support"),
    "youth": _l("Youth"),
    "employment": _l("Employment"),
    "language_help": _l("Language help"),
    "property_management": _l("Property management"),
}

for _key, _text in {
    "organization.verified": _l("Your organization %(name)s is verified: it is now in the directory."),
    "organization.rejected": _l("Your organization %(name)s was not verified: %(reason)s"),
    "organization.suspended": _l("Your organization %(name)s is suspended: %(reason)s"),
    "organization.invited": _l("%(person)s invites you to join the organization %(name)s."),
    "organization.request_invited": _l("Your organization %(name)s is invited to help handle "
                                       "request %(code)s."),
}.items():
    notifications.register_message(_key, _text)

for _action, _label in {
    "organization.registered": _l("Organization registered"),
    "organization.verified": _l("Organization verified"),
    "organization.rejected": _l("Organization rejected"),
    "organization.suspended": _l("Organization suspended"),
    "organization.member_invited": _l("Organization member invited"),
    "organization.member_removed": _l("Organization member removed"),
}.items():
    audit.register_action(_action, _label)


def service_kinds() -> dict[str, object]:
    """The kinds of service this portal offers, code → label, in the configured order."""
    codes = (current_app.config.get("ORGANIZATION_SERVICE_KINDS") if has_app_context() else None) \
        or list(SERVICE_KIND_LABELS)
    return {code: SERVICE_KIND_LABELS.get(code, code) for code in codes}


# --- who may do what -----------------------------------------------------------------------

def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def may_verify(session: Session, user) -> bool:
    """The dispatch centre's staff (whose queue gets the applications), moderators and
    administrators."""
    from portal.moderation.services import is_dispatcher

    if not _signed_in(user):
        return False
    return user.has_role(MODERATOR, ADMIN) or is_dispatcher(session, user)


def membership(session: Session, org: Organization, user) -> OrganizationMember | None:
    if not _signed_in(user):
        return None
    return session.scalar(select(OrganizationMember).where(
        OrganizationMember.organization_id == org.id, OrganizationMember.user_id == user.id))


def can_manage(session: Session, org: Organization, user) -> bool:
    """The organization's active administrators, and the portal's administrators."""
    if not _signed_in(user):
        return False
    if user.has_role(ADMIN):
        return True
    mine = membership(session, org, user)
    return mine is not None and mine.state == "active" and mine.role == "admin"


def party_check(session: Session, department_ids: set[int]) -> set[int]:
    """The organizations' parties among ``department_ids`` that may not be chosen now: those
    of organizations that are not verified (registered with the responsibility list)."""
    return set(session.scalars(select(Organization.party_id).where(
        Organization.party_id.in_(department_ids), Organization.state != "verified")))


# --- checking what people type -------------------------------------------------------------

def _text(errors: dict, name: str, value: str | None, limit: int, required=None,
          multiline: bool = False) -> str:
    value = (value or "").strip()
    if has_control_characters(value, multiline=multiline):
        errors[name] = [CONTROL_MESSAGE]
    elif not value and required is not None:
        errors[name] = [required]
    elif len(value) > limit:
        errors[name] = [at_most(limit)]
    return value


LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z]{4})?(-(?:[A-Za-z]{2}|[0-9]{3}))?$")


def parse_languages(errors: dict, name: str, value) -> list[str]:
    """The languages served: the portal's codes, or any BCP 47 language tag (language, an
    optional script and region: ``yue``, ``sr-Latn``, ``pt-BR``), given as a list or one
    string separated by commas or spaces."""
    parts = value if isinstance(value, list | tuple) else re.split(r"[\s,;]+", value or "")
    tags: list[str] = []
    for part in parts:
        part = (part or "").strip()
        if not part:
            continue
        if has_control_characters(part) or not LANGUAGE_TAG.match(part):
            errors[name] = [_l("Enter language tags such as en, zh-Hans or pt-BR, separated by commas.")]
            return []
        bits = part.split("-")
        tag = "-".join([bits[0].lower()] + [b.title() if len(b) == 4 else b.upper() for b in bits[1:]])
        if tag not in tags:
            tags.append(tag)
    if len(tags) > LANGUAGES_MAX:
        errors[name] = [_l("Name at most %(num)d languages.", num=LANGUAGES_MAX)]
    return tags


def language_name(tag: str) -> str:
    """A language tag's name in the reader's language (CLDR), else the tag itself."""
    from babel import Locale, UnknownLocaleError

    from portal.core.i18n import babel_locale

    try:
        return Locale.parse(tag, sep="-").get_display_name(babel_locale()) or tag
    except (UnknownLocaleError, ValueError, TypeError):
        return tag


def _email(errors: dict, name: str, value: str | None, required: bool = False) -> str | None:
    value = (value or "").strip()
    if not value:
        if required:
            errors[name] = [_l("Enter the email address.")]
        return None
    if has_control_characters(value) or len(value) > 254:
        errors[name] = [_l("Enter an email address like name@example.org.")]
        return value
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError:
        errors[name] = [_l("Enter an email address like name@example.org.")]
        return value


def _website(errors: dict, name: str, value: str | None) -> str | None:
    from urllib.parse import urlsplit

    value = (value or "").strip()
    if not value:
        return None
    message = _l("Enter a web address of at most %(num)d characters, starting with https://.",
                 num=WEBSITE_MAX)
    if len(value) > WEBSITE_MAX or has_control_characters(value) or " " in value:
        errors[name] = [message]
        return value
    try:
        parts = urlsplit(value)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname \
            or "." not in parts.hostname:
        errors[name] = [message]
    return value


def _phone(errors: dict, name: str, value: str | None) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    if has_control_characters(value) or len(value) > PHONE_MAX or not re.fullmatch(
            r"\+?[0-9][0-9 ()./-]{2,}", value):
        errors[name] = [_l("Enter a phone number of digits, spaces and dashes, such as +1 555 0100.")]
    return value


def slugify(text: str) -> str:
    """An address part from a name: Latin letters and digits, others dropped; may be empty."""
    value = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", value).strip("-")[:36].strip("-")


# --- registering and editing ---------------------------------------------------------------

@dataclass
class OrganizationData:
    name: str
    description: str = ""
    source_locale: str = "en"
    kind: str = SOCIAL_ORGANIZATION
    service_kinds: list[str] = field(default_factory=list)
    area_ids: list[int] = field(default_factory=list)
    languages: str | list[str] = ""
    email: str | None = None
    phone: str | None = None
    website: str | None = None
    address: str | None = None
    slug: str | None = None  # the demo data's own addresses; else made from the name


def _check(session: Session, data: OrganizationData) -> dict:
    errors: dict = {}
    values = {
        "name": _text(errors, "name", data.name, NAME_MAX, _l("Enter the organization's name.")),
        "description": _text(errors, "description", data.description, DESCRIPTION_MAX,
                             _l("Say what the organization does."), multiline=True),
        "email": _email(errors, "email", data.email, required=True),
        "phone": _phone(errors, "phone", data.phone),
        "website": _website(errors, "website", data.website),
        "address": _text(errors, "address", data.address, ADDRESS_MAX) or None,
        "languages": parse_languages(errors, "languages", data.languages),
    }
    if data.source_locale not in BY_CODE:
        errors["source_locale"] = [_l("Choose the language you are writing in.")]
    if data.kind not in KINDS:
        errors["kind"] = [_l("Choose the kind of organization.")]
    offered = service_kinds()
    kinds = [k for k in dict.fromkeys(data.service_kinds or []) if k]
    if not kinds:
        errors["service_kinds"] = [_l("Choose at least one kind of service.")]
    elif any(k not in offered for k in kinds):
        errors["service_kinds"] = [_l("Choose from the list.")]
    area_ids = sorted({a for a in data.area_ids or [] if a})
    if not area_ids:
        errors["area_ids"] = [_l("Choose at least one area it serves.")]
    elif len(set(session.scalars(select(Area.id).where(Area.id.in_(area_ids))))) != len(area_ids):
        errors["area_ids"] = [_l("Choose from the list.")]
    if errors:
        raise Invalid(errors)
    values["service_kinds"] = kinds
    values["area_ids"] = area_ids
    return values


def _set_links(session: Session, org: Organization, area_ids: list[int], kinds: list[str]) -> None:
    session.execute(delete(organization_area).where(organization_area.c.organization_id == org.id))
    session.execute(delete(organization_offer).where(organization_offer.c.organization_id == org.id))
    if area_ids:
        session.execute(insert(organization_area),
                        [{"organization_id": org.id, "area_id": a} for a in area_ids])
    if kinds:
        session.execute(insert(organization_offer),
                        [{"organization_id": org.id, "kind": k} for k in kinds])
    touch(session, "organizations")


RESERVED_SLUGS = {"register", "mine"}  # addresses of the directory's own pages


def _unique_slug(session: Session, name: str) -> str:
    base = slugify(name) or "organization"
    slug, n = (base, 1) if base not in RESERVED_SLUGS else (f"{base}-2", 2)
    while session.scalar(select(Organization.id).where(Organization.slug == slug)) is not None:
        n += 1
        slug = f"{base[:33]}-{n}"
    return slug


def _sync_queue(session: Session, org: Organization) -> None:
    from portal.moderation import services as queue

    queue.upsert(session, MODULE, org.id, title=org.name_i18n.get(org.source_locale, "")[:200],
                 lang=org.source_locale, reference=org.slug[:40], state=org.state,
                 department_id=None, category_id=None, area_id=None, due_at=None,
                 overdue=False, priority=False, done=org.state != "pending")


def register(session: Session, actor: User, data: OrganizationData,
             ip_address: str | None = None) -> Organization:
    if not _signed_in(actor):
        raise Forbidden()
    values = _check(session, data)
    org = Organization(
        slug=_unique_slug(session, data.slug or values["name"]),
        name_i18n={data.source_locale: values["name"]},
        description_i18n={data.source_locale: values["description"]},
        source_locale=data.source_locale, kind=data.kind, service_kinds=values["service_kinds"],
        languages=values["languages"], email=values["email"], phone=values["phone"],
        website=values["website"], address=values["address"], state="pending",
        created_by_id=actor.id)
    session.add(org)
    session.flush()
    _set_links(session, org, values["area_ids"], values["service_kinds"])
    session.add(OrganizationMember(organization_id=org.id, user_id=actor.id, role="admin",
                                   state="active"))
    _sync_queue(session, org)
    audit.record(session, actor, "organization.registered", "organization", org.id, ip_address,
                 slug=org.slug)
    session.commit()
    return org


def update(session: Session, actor: User, org: Organization, data: OrganizationData,
           ip_address: str | None = None) -> Organization:
    """Its administrators edit its details (in the language they write in)."""
    if not can_manage(session, org, actor):
        raise Forbidden()
    values = _check(session, data)
    org.name_i18n = {**org.name_i18n, data.source_locale: values["name"]}
    org.description_i18n = {**org.description_i18n, data.source_locale: values["description"]}
    for name in ("email", "phone", "website", "address", "languages", "service_kinds"):
        setattr(org, name, values[name])
    org.kind = data.kind
    org.updated_at = utcnow()
    _set_links(session, org, values["area_ids"], values["service_kinds"])
    if org.party is not None:
        org.party.name_i18n = dict(org.name_i18n)
        org.party.kind = org.kind
    _sync_queue(session, org)
    _index(session, org)
    session.commit()
    return org


# --- verification --------------------------------------------------------------------------

def _applicant(session: Session, org: Organization) -> list[User]:
    admins = list(session.scalars(select(User).join(
        OrganizationMember, OrganizationMember.user_id == User.id).where(
        OrganizationMember.organization_id == org.id, OrganizationMember.role == "admin",
        OrganizationMember.state == "active")))
    creator = session.get(User, org.created_by_id) if org.created_by_id else None
    if creator is not None and creator not in admins:
        admins.insert(0, creator)
    return admins


def _tell(session: Session, org: Organization, key: str, **params) -> None:
    people = _applicant(session, org)
    if people:
        notifications.notify(session, people, key,
                             {"name": notifications.translatable_param(org.name_i18n, org.source_locale),
                              **params},
                             "organizations.manage", {"slug": org.slug})


def _party_level(session: Session, org: Organization) -> str:
    levels = list(session.scalars(select(Area.level).join(
        organization_area, organization_area.c.area_id == Area.id).where(
        organization_area.c.organization_id == org.id)))
    return levels[0] if len(levels) == 1 else "city"


def _ensure_party(session: Session, org: Organization) -> Department:
    if org.party is None:
        code, n = f"org-{org.slug}"[:32], 1
        while session.scalar(select(Department.id).where(Department.code == code)) is not None:
            n += 1
            code = f"org-{org.slug}"[:28] + f"-{n}"
        party = Department(code=code, level=_party_level(session, org), kind=org.kind,
                           name_i18n=dict(org.name_i18n), source_locale=org.source_locale,
                           email=org.email, phone=org.phone)
        session.add(party)
        session.flush()
        org.party = party
    else:
        org.party.kind = org.kind
        org.party.name_i18n = dict(org.name_i18n)
    return org.party


def _get_for_decision(session: Session, actor, org_id: int) -> Organization:
    if not may_verify(session, actor):
        raise Forbidden()
    org = session.get(Organization, org_id)
    if org is None:
        raise NotFound()
    return org


def verify(session: Session, actor: User, org_id: int, ip_address: str | None = None) -> Organization:
    org = _get_for_decision(session, actor, org_id)
    if org.state not in ("pending", "suspended", "rejected"):
        raise Invalid({"": [_l("This organization is verified already.")]})
    org.state, org.reason = "verified", ""
    org.verified_by_id, org.verified_at = actor.id, utcnow()
    org.updated_at = org.verified_at
    _ensure_party(session, org)
    _grant_role(session, org)
    sync_links(session, org)
    _sync_queue(session, org)
    _index(session, org)
    audit.record(session, actor, "organization.verified", "organization", org.id, ip_address,
                 party=org.party.code)
    _tell(session, org, "organization.verified")
    session.commit()
    return org


def _decide_with_reason(session: Session, actor: User, org_id: int, reason: str, to: str,
                        allowed: tuple[str, ...], ip_address: str | None) -> Organization:
    org = _get_for_decision(session, actor, org_id)
    errors: dict = {}
    reason = _text(errors, "reason", reason, REASON_MAX, _l("Give the reason: the applicant reads it."),
                   multiline=True)
    if errors:
        raise Invalid(errors)
    if org.state not in allowed:
        raise Invalid({"": [_l("This cannot be done in the organization's present state.")]})
    org.state, org.reason, org.updated_at = to, reason, utcnow()
    sync_links(session, org)
    _sync_queue(session, org)
    _index(session, org)
    audit.record(session, actor, f"organization.{to}", "organization", org.id, ip_address,
                 reason=reason)
    _tell(session, org, f"organization.{to}", reason=reason)
    session.commit()
    return org


def reject(session: Session, actor: User, org_id: int, reason: str,
           ip_address: str | None = None) -> Organization:
    return _decide_with_reason(session, actor, org_id, reason, "rejected", ("pending",), ip_address)


def suspend(session: Session, actor: User, org_id: int, reason: str,
            ip_address: str | None = None) -> Organization:
    return _decide_with_reason(session, actor, org_id, reason, "suspended", ("verified",), ip_address)


def _grant_role(session: Session, org: Organization) -> None:
    """The active members (the applicant first of all) get the role ``organization_member``
    when their organization is verified."""
    for user in session.scalars(select(User).join(
            OrganizationMember, OrganizationMember.user_id == User.id).where(
            OrganizationMember.organization_id == org.id, OrganizationMember.state == "active")):
        if ORG_MEMBER not in user.role_names:
            user.roles.append(UserRole(role=ORG_MEMBER))
    session.flush()


def sync_links(session: Session, org: Organization) -> None:
    """Link exactly the right people to the organization's party in ``staff_department``:
    its active members holding the role ``organization_member``, while it is verified."""
    if org.party_id is None:
        return
    wanted: set[int] = set()
    if org.state == "verified":
        wanted = set(session.scalars(select(OrganizationMember.user_id).where(
            OrganizationMember.organization_id == org.id, OrganizationMember.state == "active",
            exists().where(UserRole.user_id == OrganizationMember.user_id,
                           UserRole.role == ORG_MEMBER))))
    current = set(session.scalars(select(staff_department.c.user_id).where(
        staff_department.c.department_id == org.party_id)))
    if current - wanted:
        session.execute(delete(staff_department).where(
            staff_department.c.department_id == org.party_id,
            staff_department.c.user_id.in_(current - wanted)))
    if wanted - current:
        session.execute(insert(staff_department), [
            {"user_id": u, "department_id": org.party_id} for u in sorted(wanted - current)])


# --- members -------------------------------------------------------------------------------

def invite(session: Session, actor: User, org: Organization, email: str,
           ip_address: str | None = None) -> OrganizationMember | None:
    """Invite the account with this address; the same answer whether there is one or not."""
    if not can_manage(session, org, actor):
        raise Forbidden()
    errors: dict = {}
    address = _email(errors, "email", email, required=True)
    if errors:
        raise Invalid(errors)
    user = session.scalar(select(User).where(func.lower(User.email) == address.lower()))
    if user is None or not user.is_active:
        return None
    mine = membership(session, org, user)
    if mine is not None:
        return mine
    mine = OrganizationMember(organization_id=org.id, user_id=user.id, role="member",
                              state="invited", invited_by_id=actor.id)
    session.add(mine)
    session.flush()
    audit.record(session, actor, "organization.member_invited", "organization", org.id,
                 ip_address, user_id=user.id)
    notifications.notify(session, [user], "organization.invited",
                         {"person": actor.display_name,
                          "name": notifications.translatable_param(org.name_i18n, org.source_locale)},
                         "organizations.manage", {"slug": org.slug})
    session.commit()
    return mine


def accept(session: Session, user: User, org: Organization) -> OrganizationMember:
    """The invited person joins: they get the role ``organization_member`` if they lacked it."""
    mine = membership(session, org, user)
    if mine is None:
        raise NotFound()
    if mine.state != "active":
        mine.state = "active"
        if ORG_MEMBER not in user.role_names:
            user.roles.append(UserRole(role=ORG_MEMBER))
            audit.record(session, user, "role.granted", "user", user.id, None, role=ORG_MEMBER,
                         organization=org.slug)
        session.flush()
        sync_links(session, org)
    session.commit()
    return mine


def _admins(session: Session, org: Organization) -> int:
    return session.scalar(select(func.count()).select_from(OrganizationMember).where(
        OrganizationMember.organization_id == org.id, OrganizationMember.role == "admin",
        OrganizationMember.state == "active")) or 0


def leave(session: Session, user: User, org: Organization) -> None:
    """A member leaves (or declines the invitation); the last administrator cannot."""
    mine = membership(session, org, user)
    if mine is None:
        raise NotFound()
    if mine.role == "admin" and mine.state == "active" and _admins(session, org) <= 1:
        raise Invalid({"": [_l("An organization needs an administrator: make someone else "
                               "administrator first.")]})
    session.delete(mine)
    session.flush()
    sync_links(session, org)
    session.commit()


def remove_member(session: Session, actor: User, org: Organization, member_id: int,
                  ip_address: str | None = None) -> None:
    if not can_manage(session, org, actor):
        raise Forbidden()
    member = session.get(OrganizationMember, member_id)
    if member is None or member.organization_id != org.id:
        raise NotFound()
    if member.role == "admin" and member.state == "active" and _admins(session, org) <= 1:
        raise Invalid({"": [_l("An organization needs an administrator: make someone else "
                               "administrator first.")]})
    session.delete(member)
    session.flush()
    sync_links(session, org)
    audit.record(session, actor, "organization.member_removed", "organization", org.id,
                 ip_address, user_id=member.user_id)
    session.commit()


def members(session: Session, org: Organization) -> list[OrganizationMember]:
    rows = session.scalars(select(OrganizationMember).where(
        OrganizationMember.organization_id == org.id).options(
        selectinload(OrganizationMember.user))).all()
    return sorted(rows, key=lambda m: (m.role != "admin", m.state != "active",
                                       (m.user.display_name or "").casefold(), m.id))


def my_organizations(session: Session, user: User) -> list[tuple[Organization, OrganizationMember]]:
    if not _signed_in(user):
        return []
    return list(session.execute(select(Organization, OrganizationMember).join(
        OrganizationMember, OrganizationMember.organization_id == Organization.id).where(
        OrganizationMember.user_id == user.id).order_by(Organization.slug)).all())


# --- services offered ----------------------------------------------------------------------

@dataclass
class ServiceData:
    kind: str
    what: str
    for_whom: str = ""
    where: str = ""
    when: str = ""
    how: str = ""
    source_locale: str = "en"
    languages: str | list[str] = ""
    area_id: int | None = None


def add_service(session: Session, actor: User, org: Organization, data: ServiceData) -> OrganizationService:
    if not can_manage(session, org, actor):
        raise Forbidden()
    errors: dict = {}
    texts = {
        "what": _text(errors, "what", data.what, SERVICE_TEXT_MAX, _l("Say what the service is."),
                      multiline=True),
        "for_whom": _text(errors, "for_whom", data.for_whom, SERVICE_TEXT_MAX, multiline=True),
        "where": _text(errors, "where", data.where, SERVICE_TEXT_MAX, multiline=True),
        "when": _text(errors, "when", data.when, SERVICE_TEXT_MAX, multiline=True),
        "how": _text(errors, "how", data.how, SERVICE_TEXT_MAX,
                     _l("Say how people reach the service."), multiline=True),
    }
    languages = parse_languages(errors, "languages", data.languages)
    if data.kind not in service_kinds():
        errors["kind"] = [_l("Choose the kind of service.")]
    if data.source_locale not in BY_CODE:
        errors["source_locale"] = [_l("Choose the language you are writing in.")]
    if data.area_id is not None and session.get(Area, data.area_id) is None:
        errors["area_id"] = [_l("Choose from the list.")]
    if errors:
        raise Invalid(errors)
    service = OrganizationService(
        organization_id=org.id, kind=data.kind, area_id=data.area_id, languages=languages,
        source_locale=data.source_locale,
        **{f"{name}_i18n": ({data.source_locale: value} if value else {})
           for name, value in texts.items()})
    session.add(service)
    if data.kind not in org.service_kinds:
        org.service_kinds = [*org.service_kinds, data.kind]
        session.execute(insert(organization_offer), [{"organization_id": org.id, "kind": data.kind}])
    org.updated_at = utcnow()
    session.flush()
    _index(session, org)
    session.commit()
    return service


def remove_service(session: Session, actor: User, org: Organization, service_id: int) -> None:
    if not can_manage(session, org, actor):
        raise Forbidden()
    service = session.get(OrganizationService, service_id)
    if service is None or service.organization_id != org.id:
        raise NotFound()
    session.delete(service)
    org.updated_at = utcnow()
    session.commit()


def services_of(session: Session, org: Organization) -> list[OrganizationService]:
    return list(session.scalars(select(OrganizationService).where(
        OrganizationService.organization_id == org.id).options(
        selectinload(OrganizationService.area)).order_by(OrganizationService.id)))


# --- reading -------------------------------------------------------------------------------

def by_slug(session: Session, slug: str, public: bool = True) -> Organization:
    org = session.scalar(select(Organization).where(Organization.slug == slug))
    if org is None or (public and org.state != "verified"):
        raise NotFound()
    return org


def areas_of(session: Session, orgs: list[Organization]) -> dict[int, list[Area]]:
    """The areas each organization serves (one query for the lot)."""
    found: dict[int, list[Area]] = {o.id: [] for o in orgs}
    if not orgs:
        return found
    for org_id, area in session.execute(select(organization_area.c.organization_id, Area).join(
            Area, Area.id == organization_area.c.area_id).where(
            organization_area.c.organization_id.in_(list(found))).order_by(Area.id)).all():
        found[org_id].append(area)
    return found


@dataclass
class DirectoryPage:
    organizations: list[Organization]
    areas: dict[int, list[Area]]
    next_after: str | None


def directory(session: Session, area_id: int | None = None, kind: str | None = None,
              q: str = "", after: str | None = None, per_page: int = PER_PAGE) -> DirectoryPage:
    """Verified organizations by slug (keyset), filtered by an area (those serving it, an
    area within it or one it belongs to), a kind of service and words."""
    from portal.responsibility.services import ancestors, area_ids_within

    stmt = select(Organization).where(Organization.state == "verified")
    if area_id:
        area = session.get(Area, area_id)
        if area is not None:
            ids = set(area_ids_within(session, area_id)) | {a.id for a in ancestors(session, area)}
            stmt = stmt.where(exists().where(
                organization_area.c.organization_id == Organization.id,
                organization_area.c.area_id.in_(sorted(ids))))
    if kind:
        stmt = stmt.where(exists().where(organization_offer.c.organization_id == Organization.id,
                                         organization_offer.c.kind == kind))
    if q.strip():
        ids = [hit.ref_id for hit in search.search(session, SEARCH_KIND, q)]
        stmt = stmt.where(Organization.id.in_(ids or [0]))
    if after:
        stmt = stmt.where(Organization.slug > after)
    rows = list(session.scalars(stmt.order_by(Organization.slug).limit(per_page + 1)))
    more = len(rows) > per_page
    rows = rows[:per_page]
    return DirectoryPage(rows, areas_of(session, rows), rows[-1].slug if more and rows else None)


# --- search --------------------------------------------------------------------------------

def _document(session: Session, org: Organization) -> search.Document:
    kinds = service_kinds()
    texts = [*org.name_i18n.values()]
    body = [*org.description_i18n.values()]
    for service in session.scalars(select(OrganizationService).where(
            OrganizationService.organization_id == org.id)):
        body += [*service.what_i18n.values(), *service.for_whom_i18n.values()]
    extra = [str(kinds.get(k, k)) for k in org.service_kinds]
    return search.Document(org.id, title=" ".join(texts), body=" ".join(body),
                           extra=" ".join(extra), locale=org.source_locale,
                           public=org.state == "verified")


def _index(session: Session, org: Organization) -> None:
    if org.state == "verified":
        doc = _document(session, org)
        search.index(session, SEARCH_KIND, org.id, title=doc.title, body=doc.body,
                     extra=doc.extra, locale=doc.locale, public=True)
    else:
        search.remove(session, SEARCH_KIND, org.id)


def _documents(session: Session):
    for org in session.scalars(select(Organization).where(Organization.state == "verified")):
        yield _document(session, org)


search.register(SEARCH_KIND, SEARCH_CODE, _documents)


def _site_visible(session: Session, reader, ids, scope: site_search.Scope) -> dict:
    """Verified organizations, whoever reads; in the scope's areas when it has some."""
    stmt = select(Organization.id, Organization.verified_at).where(
        Organization.id.in_(ids), Organization.state == "verified")
    if scope.area_ids is not None:
        stmt = stmt.where(exists().where(organization_area.c.organization_id == Organization.id,
                                         organization_area.c.area_id.in_(scope.area_ids)))
    if scope.start is not None:
        stmt = stmt.where(Organization.verified_at >= scope.start)
    if scope.end is not None:
        stmt = stmt.where(Organization.verified_at < scope.end)
    return dict(session.execute(stmt).all())


def _site_rows(session: Session, ids) -> dict:
    from portal.core.i18n import localize

    rows = {}
    for org in session.scalars(select(Organization).where(Organization.id.in_(ids))):
        name = localize(org.name_i18n, org.source_locale)
        about = localize(org.description_i18n, org.source_locale)
        rows[org.id] = site_search.Row(name.text, about.text if about.lang == name.lang else "",
                                       name.lang, "organizations.organization", {"slug": org.slug},
                                       "", org.verified_at)
    return rows


site_search.register(site_search.Source(SEARCH_KIND, _l("Organization"), _site_visible, _site_rows, 60))


def register_queue() -> None:
    from flask import url_for

    from portal.moderation import services as queue

    queue.register_module(MODULE, queue.Module(
        link=lambda item: url_for("organizations.manage", slug=item.reference),
        link_pattern=lambda: url_for("organizations.manage", slug="SLUG").replace("SLUG", "{reference}"),
        states={code: queue.StateInfo(label, STATE_TAGS[code]) for code, label in STATES.items()},
    ))


def verified_parties(session: Session) -> list[tuple[Organization, Department]]:
    """Verified organizations with their parties, by name: the request page's invitation."""
    rows = list(session.execute(select(Organization, Department).join(
        Department, Department.id == Organization.party_id).where(
        Organization.state == "verified")).all())
    return sorted(rows, key=lambda r: str(r[0].name).casefold())

