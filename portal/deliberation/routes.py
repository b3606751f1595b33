"""The halls' pages: the list by area, a hall, joining and leaving, members, settings.

Every action is its own POST route and form and redirects (303) back to the hall's page;
anonymous readers of the list and of a hall are served from the page cache."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup

from portal.core.cache import cached_page
from portal.core.errors import Invalid
from portal.core.forms import EmptyForm
from portal.core.views import flash_errors, form_view, save_form
from portal.deliberation import forms, services
from portal.deliberation.models import TOOLS
from portal.extensions import db
from portal.responsibility.forms import fill_versions, read_versions
from portal.responsibility.services import area_order

bp = Blueprint("deliberation", __name__)


def _ip() -> str | None:
    return request.remote_addr


def _hall_url(hall) -> str:
    return url_for("deliberation.hall", slug=hall.slug)


@bp.get("/halls")
@cached_page("deliberation", "responsibility")
def index():
    return render_template(
        "deliberation/index.html", areas=services.halls_by_area(db.session),
        mine=services.my_halls(db.session, current_user),
        invited=services.invitations(db.session, current_user),
        can_open=services.can_open_halls(current_user), policy_labels=services.POLICY_LABELS)


def _hall_page(hall, join_form=None, status: int = 200):
    """The hall's page. Forms (and so a CSRF token in the session) only for the signed in:
    an anonymous reader gets no cookie, so the page can be served from the cache."""
    mine = services.membership(db.session, hall, current_user)
    signed_in = current_user.is_authenticated
    hosts = services.hosts(db.session, hall)
    return render_template(
        "deliberation/hall.html", hall=hall, mine=mine,
        host_names=[Markup("<bdi>{}</bdi>").format(u.display_name) for u in hosts],
        events=services.timeline(db.session, hall),
        sections=services.sections(db.session, hall, current_user),
        can_manage=services.can_manage(db.session, hall, current_user),
        join_form=join_form or (forms.JoinForm() if signed_in else None),
        action_form=EmptyForm() if signed_in else None,
        labels=services.EVENT_LABELS, policy_labels=services.POLICY_LABELS), status


@bp.get("/halls/<slug:slug>")
@cached_page("deliberation", "responsibility")
def hall(slug: str):
    return _hall_page(services.get_hall(db.session, slug))


@bp.post("/halls/<slug:slug>/join")
@login_required
def join(slug: str):
    hall = services.get_hall(db.session, slug)
    form = forms.JoinForm()
    answer = save_form(form, lambda form: services.join(db.session, current_user, hall,
                                                        declared_area=form.declared_area.data),
                       saved=_l("You have joined the hall."), next_url=_hall_url(hall))
    return answer or _hall_page(hall, join_form=form, status=422)


@bp.post("/halls/<slug:slug>/leave")
@login_required
def leave(slug: str):
    hall = services.get_hall(db.session, slug)
    if EmptyForm().validate_on_submit():
        try:
            services.leave(db.session, current_user, hall)
        except Invalid as exc:
            db.session.rollback()
            flash_errors(exc)
        else:
            flash(_l("You have left the hall."), "success")
    return redirect(_hall_url(hall), code=303)


# --- hosts: members and settings ---------------------------------------------------------------

def _managed(slug: str):
    hall = services.get_hall(db.session, slug)
    if not services.can_manage(db.session, hall, current_user):
        abort(403)
    return hall


def _members_page(hall, invite_form=None, status: int = 200):
    return render_template(
        "deliberation/members.html", hall=hall, members=services.members(db.session, hall),
        invite_form=invite_form or forms.InviteForm(), action_form=EmptyForm()), status


@bp.get("/halls/<slug:slug>/members")
@login_required
def members(slug: str):
    return _members_page(_managed(slug))


@bp.post("/halls/<slug:slug>/members/invite")
@login_required
def invite(slug: str):
    hall = _managed(slug)
    form = forms.InviteForm()
    if not form.validate_on_submit():
        return _members_page(hall, invite_form=form, status=422)
    services.invite(db.session, current_user, hall, form.email.data)
    flash(_l("If an account uses this address, its owner finds your invitation on the hall's "
             "page and in their notifications."), "success")
    return redirect(url_for("deliberation.members", slug=hall.slug), code=303)


def _member_action(slug: str, member_id: int, action):
    hall = _managed(slug)
    if EmptyForm().validate_on_submit():
        try:
            action(hall)
        except Invalid as exc:
            db.session.rollback()
            flash_errors(exc)
        else:
            flash(_l("Saved."), "success")
    return redirect(url_for("deliberation.members", slug=hall.slug), code=303)


@bp.post("/halls/<slug:slug>/members/<int:member_id>/remove")
@login_required
def remove_member(slug: str, member_id: int):
    return _member_action(slug, member_id, lambda hall: services.remove_member(
        db.session, current_user, hall, member_id, _ip()))


@bp.post("/halls/<slug:slug>/members/<int:member_id>/role/<any(host, member):role>")
@login_required
def set_role(slug: str, member_id: int, role: str):
    return _member_action(slug, member_id, lambda hall: services.set_role(
        db.session, current_user, hall, member_id, role, _ip()))


def _area_choices(form) -> None:
    form.area_id.choices = [("", _l("Choose an area"))] + [
        (a.id, "\u2003" * depth + str(a.name)) for a, depth in area_order(db.session)]


def _data(form, hall_tools=TOOLS) -> services.HallData:
    return services.HallData(
        slug=form.slug.data or "", area_id=form.area_id.data, source_locale=form.source_locale.data,
        names=read_versions(form, "name"), purposes=read_versions(form, "purpose"),
        rules=read_versions(form, "rules"), policy=form.policy.data or "",
        tools=list(hall_tools), support_threshold=form.support_threshold.data)


@bp.route("/halls/new", methods=["GET", "POST"])
@login_required
def new():
    if not services.can_open_halls(current_user):
        abort(403)
    return form_view(
        forms.HallForm, "deliberation/hall_form.html", setup=_area_choices,
        save=lambda form: services.create_hall(db.session, current_user, _data(form), _ip()),
        saved=lambda hall: _l("The hall is open. You are its host."), next_url=_hall_url,
        context={"hall": None})


@bp.route("/halls/<slug:slug>/settings", methods=["GET", "POST"])
@login_required
def settings(slug: str):
    hall = _managed(slug)
    data = {"slug": hall.slug, "area_id": hall.area_id, "policy": hall.policy,
            "support_threshold": hall.support_threshold,
            "source_locale": hall.source_locale,
            **fill_versions("name", hall.name_i18n), **fill_versions("purpose", hall.purpose_i18n),
            **fill_versions("rules", hall.rules_i18n)}
    return form_view(
        forms.HallForm, "deliberation/hall_form.html", setup=_area_choices, data=data,
        save=lambda form: services.update_hall(
            db.session, current_user, hall, _data(form, hall.tools), _ip()) or hall,
        saved=lambda _hall: _l("The hall's settings are saved."), next_url=lambda _hall: _hall_url(hall),
        context={"hall": hall})
