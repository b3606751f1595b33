"""The meetings' pages, on the halls' blueprint: a meeting (cached for anonymous readers, who
get no form), its calendar file and the hall's calendar feed, the hosts' pages (schedule,
edit, manage: agenda, cancel, attendance, minutes, decisions) and one POST route per action,
each redirecting (303) back. Registering is a plain form post; with htmx the registration box
swaps itself and a polite live region says what happened."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import get_timezone
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup

from portal.core.cache import cached_fragment, cached_page
from portal.core.errors import Invalid
from portal.core.forms import EmptyForm
from portal.core.views import apply_errors, error_status, flash_errors, save_form
from portal.deliberation import meeting_forms as forms
from portal.deliberation import meeting_ics, services
from portal.deliberation import meetings as svc
from portal.deliberation.routes import bp
from portal.extensions import db, htmx


def init_app(app) -> None:
    from portal.deliberation import meeting_tasks  # noqa: F401  (registers the Celery task)

    @app.context_processor
    def _meeting_decisions():
        # The proposal page's "decided in a meeting" block asks for it by the proposal's id.
        return {"meeting_decisions_section": decisions_section}


def decisions_section(proposal_id: int) -> Markup:
    """The "decided in a meeting" block of a proposal's page: the same for every reader, so
    rendered once per proposal, locale and time zone and kept under the "deliberation"
    version (any recorded decision replaces it) — a query and its rows on every page else."""
    key = f"meeting-decisions:{proposal_id}:{g.get('locale')}:{get_timezone()}"
    return cached_fragment(("deliberation",), key, lambda: Markup(render_template(  # noqa: S704
        "deliberation/_meeting_decisions.html",
        meeting_decisions=svc.decisions_about(db.session, proposal_id))))


def _url(hall, meeting, anchor=None) -> str:
    return url_for("deliberation.meeting", slug=hall.slug, meeting_id=meeting.id, _anchor=anchor)


def _manage_url(hall, meeting, anchor=None) -> str:
    return url_for("deliberation.manage_meeting", slug=hall.slug, meeting_id=meeting.id, _anchor=anchor)


def _hall(slug: str):
    hall = services.get_hall(db.session, slug)
    if not hall.uses("meetings"):
        abort(404)
    return hall


def _loaded(slug: str, meeting_id: int):
    hall = _hall(slug)
    return hall, svc.get_meeting(db.session, hall, meeting_id)


def _hosted(slug: str, meeting_id: int | None = None):
    hall = _hall(slug)
    if not svc.can_host(db.session, hall, current_user):
        abort(403)
    return hall, (svc.get_meeting(db.session, hall, meeting_id) if meeting_id is not None else None)


def _refused(target: str, exc: Invalid):
    flash_errors(exc)
    if htmx:
        return "", 204, {"HX-Redirect": target}
    return redirect(target, code=303)


# --- reading ------------------------------------------------------------------------------------

def _registration_context(hall, meeting, status_message=None) -> dict:
    user = current_user
    mine = services.membership(db.session, hall, user)
    registration = svc.registration_of(db.session, meeting, user)
    hosting = svc.can_host(db.session, hall, user)
    return {
        "hall": hall, "meeting": meeting, "registration": registration,
        "position": svc.waiting_position(db.session, registration) if registration else None,
        "may_register": svc.can_register(db.session, hall, user, mine),
        "registration_open": svc.registration_is_open(meeting),
        "started": svc.has_started(meeting), "past": svc.is_past(meeting),
        "hosting": hosting, "places_left": svc.places_left(meeting),
        "show_link": svc.may_see_link(meeting, registration, hosting),
        "action_form": EmptyForm() if user.is_authenticated else None,
        "registration_labels": svc.REGISTRATION_LABELS, "status_message": status_message,
    }


@bp.get("/halls/<slug:slug>/meetings/<int:meeting_id>")
@cached_page("deliberation", "responsibility")
def meeting(slug: str, meeting_id: int):
    hall, item = _loaded(slug, meeting_id)
    return render_template(
        "deliberation/meeting.html", agenda=svc.agenda(db.session, item),
        decisions=svc.decisions(db.session, item), format_labels=svc.FORMAT_LABELS,
        **_registration_context(hall, item))


def _calendar(body: bytes, filename: str):
    return body, 200, {"Content-Type": "text/calendar; charset=utf-8",
                       "Content-Disposition": f'inline; filename="{filename}"'}


@bp.get("/halls/<slug:slug>/meetings/<int:meeting_id>.ics")
@cached_page("deliberation", "responsibility")
def meeting_ics_file(slug: str, meeting_id: int):
    hall, item = _loaded(slug, meeting_id)
    return _calendar(meeting_ics.meeting_file(hall, item, svc.agenda(db.session, item)),
                     f"meeting-{item.id}.ics")


@bp.get("/halls/<slug:slug>/meetings.ics")
@cached_page("deliberation", "responsibility")
def meetings_ics_feed(slug: str):
    hall = _hall(slug)
    return _calendar(meeting_ics.hall_feed(hall, svc.feed(db.session, hall)), f"{hall.slug}-meetings.ics")


# --- scheduling and editing ---------------------------------------------------------------------

def _data(form) -> svc.MeetingData:
    tz = get_timezone()
    return svc.MeetingData(
        title=form.title.data or "", description=form.description.data or "",
        source_locale=form.source_locale.data or "",
        starts_at=svc.local_to_utc(svc.parse_local(form.starts_at.data), tz),
        ends_at=svc.local_to_utc(svc.parse_local(form.ends_at.data), tz),
        format=form.format.data or "", address=form.address.data or "",
        online_url=form.online_url.data or "", capacity=form.capacity.data,
        registration_open=bool(form.registration_open.data))


def _meeting_form_page(hall, item, save, saved):
    if item is None:
        form = forms.MeetingForm()
        if request.method == "GET":
            form.source_locale.data = g.get("locale") or "en"
    else:
        tz = get_timezone()
        form = forms.MeetingForm(data={
            "title": item.title, "description": item.description, "source_locale": item.source_locale,
            "starts_at": svc.local_input(item.starts_at, tz), "ends_at": svc.local_input(item.ends_at, tz),
            "format": item.format, "address": item.address, "online_url": item.online_url,
            "capacity": item.capacity, "registration_open": item.registration_open,
        } if request.method == "GET" else None)
    valid = form.validate_on_submit()
    answer = save_form(form, lambda form: save(_data(form)), saved=saved,
                       next_url=lambda done: _url(hall, done), valid=valid,
                       refused=None if item is None else lambda exc: _refused(_url(hall, item), exc))
    if answer is not None:
        return answer
    if request.method == "POST" and not valid:
        # every problem at once: the service's checks too, beside the fields still without one
        try:
            svc.check_meeting(_data(form), item)
        except Invalid as exc:
            apply_errors(form, Invalid({k: v for k, v in exc.errors.items()
                                        if k and k in form._fields and not form[k].errors}))
    return render_template("deliberation/meeting_form.html", form=form, hall=hall,
                           meeting=item), error_status(form)


@bp.route("/halls/<slug:slug>/meetings/new", methods=["GET", "POST"])
@login_required
def new_meeting(slug: str):
    hall, _none = _hosted(slug)
    return _meeting_form_page(hall, None, lambda data: svc.schedule(db.session, current_user, hall, data),
                              _l("The meeting is scheduled."))


@bp.route("/halls/<slug:slug>/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@login_required
def edit_meeting(slug: str, meeting_id: int):
    hall, item = _hosted(slug, meeting_id)
    return _meeting_form_page(
        hall, item, lambda data: svc.update_meeting(db.session, current_user, hall, item, data),
        _l("The meeting is saved."))


# --- the hosts' page: agenda, cancelling, attendance, minutes, decisions ------------------------

def _manage_page(hall, item, status=200, item_form=None, cancel_form=None, minutes_form=None,
                 decision_form=None):
    proposals = svc.hall_proposals(db.session, hall)
    item_form = item_form or forms.AgendaItemForm(formdata=None)
    decision_form = decision_form or forms.DecisionForm(formdata=None)
    forms.proposal_choices(item_form.proposal_id, proposals)
    forms.proposal_choices(decision_form.proposal_id, proposals)
    if minutes_form is None:
        minutes_form = forms.MinutesForm(formdata=None, data={"minutes": item.minutes})
    return render_template(
        "deliberation/meeting_manage.html", hall=hall, meeting=item,
        agenda=svc.agenda(db.session, item), decisions=svc.decisions(db.session, item),
        registrants=svc.registrants(db.session, item), started=svc.has_started(item),
        item_form=item_form, cancel_form=cancel_form or forms.CancelForm(formdata=None),
        minutes_form=minutes_form, decision_form=decision_form, action_form=EmptyForm(),
        registration_labels=svc.REGISTRATION_LABELS), status


@bp.get("/halls/<slug:slug>/meetings/<int:meeting_id>/manage")
@login_required
def manage_meeting(slug: str, meeting_id: int):
    return _manage_page(*_hosted(slug, meeting_id))


def _saved(form, hall, item, call, done, to, refused_to):
    """A host's form saved (``core.views.save_form``); a refusal outright goes back to
    ``refused_to`` with its message."""
    return save_form(form, lambda form: call(hall, item, form), saved=done, next_url=to,
                     refused=lambda exc: _refused(refused_to, exc))


def _form_action(slug, meeting_id, form_class, form_name, call, done, anchor, choices=False):
    """A host's form on the manage page: saved and back (303), or the page again with errors."""
    hall, item = _hosted(slug, meeting_id)
    form = form_class()
    if choices:
        forms.proposal_choices(form.proposal_id, svc.hall_proposals(db.session, hall))
    answer = _saved(form, hall, item, call, done, _manage_url(hall, item, anchor), _manage_url(hall, item))
    return answer or _manage_page(hall, item, status=422, **{form_name: form})


@bp.post("/halls/<slug:slug>/meetings/<int:meeting_id>/cancel")
@login_required
def cancel_meeting(slug: str, meeting_id: int):
    hall, item = _hosted(slug, meeting_id)
    form = forms.CancelForm()
    answer = _saved(form, hall, item, lambda hall, item, form: svc.cancel_meeting(
        db.session, current_user, hall, item, form.reason.data),
        _l("The meeting is cancelled; everyone registered is told."), _url(hall, item), _url(hall, item))
    return answer or _manage_page(hall, item, status=422, cancel_form=form)


@bp.post("/halls/<slug:slug>/meetings/<int:meeting_id>/agenda")
@login_required
def add_agenda_item(slug: str, meeting_id: int):
    return _form_action(
        slug, meeting_id, forms.AgendaItemForm, "item_form",
        lambda hall, item, form: svc.add_item(db.session, current_user, hall, item, form.title.data,
                                              form.duration_minutes.data, form.proposal_id.data),
        _l("The agenda item is added."), "agenda-heading", choices=True)


@bp.route("/halls/<slug:slug>/meetings/<int:meeting_id>/agenda/<int:agenda_id>/edit",
          methods=["GET", "POST"])
@login_required
def edit_agenda_item(slug: str, meeting_id: int, agenda_id: int):
    hall, item = _hosted(slug, meeting_id)
    entry = svc.get_item(db.session, item, agenda_id)
    form = forms.AgendaItemForm(data={"title": entry.title, "duration_minutes": entry.duration_minutes,
                                      "proposal_id": entry.proposal_id} if request.method == "GET" else None)
    forms.proposal_choices(form.proposal_id, svc.hall_proposals(db.session, hall))
    if request.method == "POST":
        answer = _saved(form, hall, item, lambda hall, item, form: svc.update_item(
            db.session, current_user, hall, item, entry, form.title.data,
            form.duration_minutes.data, form.proposal_id.data),
            _l("The agenda item is saved."), _manage_url(hall, item, "agenda-heading"),
            _manage_url(hall, item))
        if answer:
            return answer
    return render_template("deliberation/meeting_agenda_item.html", hall=hall, meeting=item,
                           entry=entry, form=form), error_status(form)


def _button(slug, meeting_id, call, done, anchor):
    hall, item = _hosted(slug, meeting_id)
    if EmptyForm().validate_on_submit():
        try:
            call(hall, item)
        except Invalid as exc:
            db.session.rollback()
            flash_errors(exc)
        else:
            flash(done, "success")
    return redirect(_manage_url(hall, item, anchor), code=303)


@bp.post("/halls/<slug:slug>/meetings/<int:meeting_id>/agenda/<int:agenda_id>/move/<any(up, down):direction>")
@login_required
def move_agenda_item(slug: str, meeting_id: int, agenda_id: int, direction: str):
    return _button(slug, meeting_id, lambda hall, item: svc.move_item(
        db.session, current_user, hall, item, svc.get_item(db.session, item, agenda_id), direction),
        _l("The agenda's order is saved."), "agenda-heading")


@bp.post("/halls/<slug:slug>/meetings/<int:meeting_id>/agenda/<int:agenda_id>/remove")
@login_required
def remove_agenda_item(slug: str, meeting_id: int, agenda_id: int):
    return _button(slug, meeting_id, lambda hall, item: svc.remove_item(
        db.session, current_user, hall, item, svc.get_item(db.session, item, agenda_id)),
        _l("The agenda item is removed."), "agenda-heading")


@bp.post("/halls/<slug:slug>/meetings/<int:meeting_id>/attendance")
@login_required
def record_attendance(slug: str, meeting_id: int):
    present = {int(v) for v in request.form.getlist("attended")
               if v.isascii() and v.isdigit() and len(v) < 10}
    return _button(slug, meeting_id, lambda hall, item: svc.record_attendance(
        db.session, current_user, hall, item, present), _l("Attendance is saved."), "attendance-heading")


@bp.post("/halls/<slug:slug>/meetings/<int:meeting_id>/minutes")
@login_required
def publish_minutes(slug: str, meeting_id: int):
    return _form_action(
        slug, meeting_id, forms.MinutesForm, "minutes_form",
        lambda hall, item, form: svc.publish_minutes(db.session, current_user, hall, item,
                                                     form.minutes.data, g.get("locale") or "en"),
        _l("The minutes are published."), "minutes-heading")


@bp.post("/halls/<slug:slug>/meetings/<int:meeting_id>/decisions")
@login_required
def add_decision(slug: str, meeting_id: int):
    return _form_action(
        slug, meeting_id, forms.DecisionForm, "decision_form",
        lambda hall, item, form: svc.add_decision(db.session, current_user, hall, item, form.text.data,
                                                  form.proposal_id.data, g.get("locale") or "en"),
        _l("The decision is recorded."), "decisions-heading", choices=True)


@bp.post("/halls/<slug:slug>/meetings/<int:meeting_id>/decisions/<int:decision_id>/remove")
@login_required
def remove_decision(slug: str, meeting_id: int, decision_id: int):
    return _button(slug, meeting_id, lambda hall, item: svc.remove_decision(
        db.session, current_user, hall, item, decision_id), _l("The decision is removed."),
        "decisions-heading")


# --- registering --------------------------------------------------------------------------------

def _registration_answer(hall, item, message):
    if htmx:
        db.session.expire_all()
        item = svc.get_meeting(db.session, hall, item.id)
        return render_template("deliberation/_meeting_registration.html",
                               **_registration_context(hall, item, status_message=message))
    flash(message, "success")
    return redirect(_url(hall, item, "registration-heading"), code=303)


@bp.post("/halls/<slug:slug>/meetings/<int:meeting_id>/register")
@login_required
def register(slug: str, meeting_id: int):
    hall, item = _loaded(slug, meeting_id)
    if not svc.can_register(db.session, hall, current_user):
        abort(403)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        mine = svc.register(db.session, current_user, hall, item)
    except Invalid as exc:
        db.session.rollback()
        return _refused(_url(hall, item), exc)
    message = (_l("You are registered. Your registration code is %(code)s.", code=mine.code)
               if mine.state == "registered" else
               _l("The meeting is full: you are on the waiting list. You get a place, and a "
                  "notification, when one comes free."))
    return _registration_answer(hall, item, message)


@bp.post("/halls/<slug:slug>/meetings/<int:meeting_id>/unregister")
@login_required
def unregister(slug: str, meeting_id: int):
    hall, item = _loaded(slug, meeting_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        svc.unregister(db.session, current_user, hall, item)
    except Invalid as exc:
        db.session.rollback()
        return _refused(_url(hall, item), exc)
    return _registration_answer(hall, item, _l("Your registration is cancelled."))
