"""The organizations' pages: the public directory and each organization's page (cached for
anonymous readers), registering one, its administrators' page (details, members, services),
verification for the dispatch centre, moderators and administrators, and invitations.

Every action is its own POST route and form and redirects (303) to a page."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import SelectChoice

from portal.core.cache import cached_page
from portal.core.errors import Forbidden, Invalid
from portal.core.forms import EmptyForm, int_arg
from portal.core.text import has_control_characters
from portal.core.views import error_status, flash_errors, save_form
from portal.extensions import db
from portal.organizations import forms
from portal.organizations import services as svc
from portal.responsibility.services import area_order

bp = Blueprint("organizations", __name__)


def _ip() -> str | None:
    return request.remote_addr


def _area_choices(none_label: str) -> list[SelectChoice]:
    return [SelectChoice("", none_label)] + [
        SelectChoice(str(a.id), ("— " * depth) + str(a.name)) for a, depth in area_order(db.session)]


def _kind_choices(none_label: str) -> list[SelectChoice]:
    return [SelectChoice("", none_label)] + [
        SelectChoice(code, str(label)) for code, label in svc.service_kinds().items()]


# --- the public directory ------------------------------------------------------------------

@bp.get("/organizations")
@cached_page("organizations", "responsibility")
def index():
    form = forms.DirectoryForm(request.args)
    form.area.choices = _area_choices(_("Any area"))
    form.kind.choices = _kind_choices(_("Any kind of service"))
    form.validate_search()
    kind = form.kind.data if form.kind.data in svc.service_kinds() else None
    q = (form.q.data or "").strip()
    after = request.args.get("after") or None
    if after and (len(after) > 80 or has_control_characters(after)):
        after = None
    page = svc.directory(db.session, area_id=int_arg(form.area.data), kind=kind, q=q, after=after)
    args = {k: v for k, v in {"q": q, "area": form.area.data, "kind": kind}.items() if v}
    return render_template("organizations/index.html", search=form, page=page, args=args,
                           kinds=svc.service_kinds(), filtered=bool(args))


@bp.get("/organizations/<slug:slug>")
@cached_page("organizations", "responsibility")
def organization(slug: str):
    org = svc.by_slug(db.session, slug)
    return render_template(
        "organizations/organization.html", org=org, services=svc.services_of(db.session, org),
        areas=svc.areas_of(db.session, [org])[org.id], kinds=svc.service_kinds(),
        org_kinds=svc.KINDS)


# --- registering ---------------------------------------------------------------------------

def _fill(form) -> None:
    form.service_kinds.choices = [SelectChoice(code, str(label))
                                  for code, label in svc.service_kinds().items()]
    form.area_ids.choices = [SelectChoice(a.id, ("— " * depth) + str(a.name))
                             for a, depth in area_order(db.session)]


def _data(form) -> svc.OrganizationData:
    return svc.OrganizationData(
        name=form.name.data or "", description=form.description.data or "",
        source_locale=form.source_locale.data or "", kind=form.kind.data or "",
        service_kinds=[k for k in (form.service_kinds.data or []) if isinstance(k, str)],
        area_ids=[a for a in (form.area_ids.data or []) if a], languages=form.languages.data or "",
        email=form.email.data, phone=form.phone.data, website=form.website.data,
        address=form.address.data)


@bp.route("/organizations/register", methods=["GET", "POST"])
@login_required
def register():
    form = forms.OrganizationForm()
    _fill(form)
    answer = save_form(
        form, lambda form: svc.register(db.session, current_user, _data(form), _ip()),
        saved=lambda org: _l("Thank you: %(name)s is registered and waits for verification. We "
                             "will tell you the decision.", name=org.name_i18n.get(org.source_locale, "")),
        next_url=_manage_url)
    if answer is not None:
        return answer
    return render_template("organizations/register.html", form=form), error_status(form)


@bp.get("/organizations/mine")
@login_required
def mine():
    return render_template("organizations/mine.html",
                           rows=svc.my_organizations(db.session, current_user), states=svc.STATES,
                           tags=svc.STATE_TAGS, button=EmptyForm())


# --- an organization's own page: details, members, services --------------------------------

def _manage_url(org) -> str:
    return url_for(".manage", slug=org.slug)


def _manageable(slug: str):
    org = svc.by_slug(db.session, slug, public=False)
    mine = svc.membership(db.session, org, current_user)
    manager = svc.can_manage(db.session, org, current_user)
    verifier = svc.may_verify(db.session, current_user)
    if not (manager or verifier or mine is not None):
        abort(403)
    return org, mine, manager, verifier


def _manage_page(org, mine, manager, verifier, status=200, **given):
    details = given.get("details")
    if details is None and manager:
        details = forms.OrganizationForm(formdata=None, data={
            "name": org.name_i18n.get(org.source_locale, ""),
            "description": org.description_i18n.get(org.source_locale, ""),
            "source_locale": org.source_locale, "kind": org.kind,
            "service_kinds": list(org.service_kinds), "languages": ", ".join(org.languages),
            "email": org.email, "phone": org.phone, "website": org.website, "address": org.address,
            "area_ids": [a.id for a in svc.areas_of(db.session, [org])[org.id]]})
    if details is not None:
        _fill(details)
    service_form = given.get("service_form")
    if service_form is None and manager:
        service_form = forms.ServiceForm(formdata=None, prefix="service")
    if service_form is not None:
        service_form.kind.choices = _kind_choices(_("Choose the kind of service"))
        service_form.area_id.choices = _area_choices(_("Everywhere it serves"))
    return render_template(
        "organizations/manage.html", org=org, mine=mine, manager=manager, verifier=verifier,
        details=details,
        invite=given.get("invite") or (forms.InviteForm(formdata=None, prefix="invite") if manager else None),
        service_form=service_form, decision=given.get("decision") or forms.DecisionForm(formdata=None),
        members=svc.members(db.session, org) if manager or verifier else [],
        services=svc.services_of(db.session, org), areas=svc.areas_of(db.session, [org])[org.id],
        states=svc.STATES, tags=svc.STATE_TAGS, kinds=svc.service_kinds(), org_kinds=svc.KINDS,
        button=EmptyForm()), status


@bp.get("/organizations/<slug:slug>/manage")
@login_required
def manage(slug: str):
    return _manage_page(*_manageable(slug))


@bp.post("/organizations/<slug:slug>/details")
@login_required
def details(slug: str):
    org, mine, manager, verifier = _manageable(slug)
    if not manager:
        abort(403)
    form = forms.OrganizationForm()
    _fill(form)
    answer = save_form(form, lambda form: svc.update(db.session, current_user, org, _data(form), _ip()),
                       saved=_l("The organization's details are saved."), next_url=_manage_url(org))
    return answer or _manage_page(org, mine, manager, verifier, 422, details=form)


@bp.post("/organizations/<slug:slug>/members/invite")
@login_required
def invite(slug: str):
    org, mine, manager, verifier = _manageable(slug)
    if not manager:
        abort(403)
    form = forms.InviteForm(prefix="invite")
    answer = save_form(
        form, lambda form: svc.invite(db.session, current_user, org, form.email.data or "", _ip()),
        saved=lambda _none: _l("If %(email)s has an account, they are invited: they join when they "
                               "accept.", email=form.email.data), next_url=_manage_url(org))
    return answer or _manage_page(org, mine, manager, verifier, 422, invite=form)


@bp.post("/organizations/<slug:slug>/members/<int:member_id>/remove")
@login_required
def remove_member(slug: str, member_id: int):
    org = svc.by_slug(db.session, slug, public=False)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        svc.remove_member(db.session, current_user, org, member_id, _ip())
    except Invalid as exc:
        db.session.rollback()
        flash_errors(exc)
    else:
        flash(_l("The member is removed."), "success")
    return redirect(url_for(".manage", slug=org.slug), code=303)


@bp.post("/organizations/<slug:slug>/join")
@login_required
def join(slug: str):
    org = svc.by_slug(db.session, slug, public=False)
    if not EmptyForm().validate_on_submit():
        abort(400)
    svc.accept(db.session, current_user, org)
    flash(_l("You are a member of %(name)s.", name=org.name_i18n.get(org.source_locale, "")), "success")
    return redirect(url_for(".manage", slug=org.slug), code=303)


@bp.post("/organizations/<slug:slug>/leave")
@login_required
def leave(slug: str):
    org = svc.by_slug(db.session, slug, public=False)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        svc.leave(db.session, current_user, org)
    except Invalid as exc:
        db.session.rollback()
        flash_errors(exc)
        return redirect(url_for(".manage", slug=org.slug), code=303)
    flash(_l("You are no longer a member of %(name)s.", name=org.name_i18n.get(org.source_locale, "")),
          "success")
    return redirect(url_for(".mine"), code=303)


@bp.post("/organizations/<slug:slug>/services")
@login_required
def add_service(slug: str):
    org, mine, manager, verifier = _manageable(slug)
    if not manager:
        abort(403)
    form = forms.ServiceForm(prefix="service")
    form.kind.choices = _kind_choices(_("Choose the kind of service"))
    form.area_id.choices = _area_choices(_("Everywhere it serves"))
    answer = save_form(form, lambda form: svc.add_service(db.session, current_user, org, svc.ServiceData(
        kind=form.kind.data or "", what=form.what.data or "", for_whom=form.for_whom.data or "",
        where=form.where.data or "", when=form.when.data or "", how=form.how.data or "",
        source_locale=form.source_locale.data or "", languages=form.languages.data or "",
        area_id=form.area_id.data)), saved=_l("The service is added."), next_url=_manage_url(org))
    return answer or _manage_page(org, mine, manager, verifier, 422, service_form=form)


@bp.post("/organizations/<slug:slug>/services/<int:service_id>/remove")
@login_required
def remove_service(slug: str, service_id: int):
    org = svc.by_slug(db.session, slug, public=False)
    if not EmptyForm().validate_on_submit():
        abort(400)
    svc.remove_service(db.session, current_user, org, service_id)
    flash(_l("The service is removed."), "success")
    return redirect(url_for(".manage", slug=org.slug), code=303)


# --- verification --------------------------------------------------------------------------

@bp.post("/organizations/<slug:slug>/<any(verify, reject, suspend):decision>")
@login_required
def decide(slug: str, decision: str):
    org = svc.by_slug(db.session, slug, public=False)
    if not svc.may_verify(db.session, current_user):
        raise Forbidden()
    form = forms.DecisionForm()

    def save(form):
        if decision == "verify":
            return svc.verify(db.session, current_user, org.id, _ip())
        if decision == "reject":
            return svc.reject(db.session, current_user, org.id, form.reason.data or "", _ip())
        return svc.suspend(db.session, current_user, org.id, form.reason.data or "", _ip())

    answer = save_form(form, save, next_url=_manage_url(org), saved={
        "verify": _l("The organization is verified."),
        "reject": _l("The organization is rejected; the applicant is told why."),
        "suspend": _l("The organization is suspended; its members are told why.")}[decision])
    if answer is not None:
        return answer
    org, mine, manager, verifier = _manageable(slug)
    return _manage_page(org, mine, manager, verifier, 422, decision=form)
