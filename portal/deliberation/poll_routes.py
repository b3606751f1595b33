"""The votes' pages, on the halls' blueprint: a poll (its ballot for members, its results when
they are visible), the hosts' editor, casting a ballot, closing early, the results as CSV.

Every action is a plain form POST that redirects (303) back to the poll. The editor's "add
another question / option" buttons post the form back and get it again with one more row, so
it works without JavaScript. Anonymous readers get the cached page, with no form in it."""

from __future__ import annotations

import re

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import get_timezone, to_user_timezone, to_utc
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from portal.core.cache import cached_page
from portal.core.errors import Forbidden, Invalid
from portal.core.exports import to_csv
from portal.core.views import apply_errors, flash_errors
from portal.deliberation import poll_forms as forms
from portal.deliberation import polls, services
from portal.deliberation.routes import bp
from portal.deliberation.services import HallSection, register_section
from portal.extensions import db


def init_app(app) -> None:
    register_section(HallSection("votes", "deliberation/_polls_section.html", order=40,
                                 context=polls.section_context))


def _poll_url(hall, poll, anchor: str | None = None) -> str:
    return url_for("deliberation.poll", slug=hall.slug, poll_id=poll.id, _anchor=anchor)


def _hall_with_votes(slug: str):
    hall = services.get_hall(db.session, slug)
    if not hall.uses("votes"):
        abort(404)
    return hall


def _hosted(slug: str):
    hall = _hall_with_votes(slug)
    if not polls.can_host(db.session, hall, current_user):
        abort(403)
    return hall


# --- a poll's page --------------------------------------------------------------------------

def _page(hall, poll, ballot_form=None, status: int = 200):
    user = current_user
    mine = services.membership(db.session, hall, user)
    phase = polls.phase(poll)
    may_vote = polls.can_vote_in(db.session, hall, user, mine)
    ballot = polls.my_ballot(db.session, poll, user) if may_vote else None
    showing = polls.results_visible(poll)
    hosting = polls.can_host(db.session, hall, user)
    if may_vote and phase == "open" and ballot is None and ballot_form is None:
        ballot_form = forms.ballot_form(poll)
    return render_template(
        "deliberation/poll.html", hall=hall, poll=poll, phase=phase, mine=mine,
        phase_label=polls.PHASE_LABELS[phase], phase_tag=polls.PHASE_TAGS[phase],
        results_label=polls.RESULTS_LABELS.get(poll.results, ""), kind_labels=polls.KIND_LABELS,
        may_vote=may_vote, ballot=ballot,
        ballot_form=ballot_form if may_vote and phase == "open" and ballot is None else None,
        results=polls.results(poll) if showing else None,
        participation=polls.participation(poll) if showing else None,
        hosting=hosting, may_edit=hosting and polls.can_edit(poll),
        close_form=forms.CloseForm() if hosting and phase == "open" else None), status


@bp.get("/halls/<slug:slug>/polls/<int:poll_id>")
@cached_page("deliberation", "responsibility")
def poll(slug: str, poll_id: int):
    hall = _hall_with_votes(slug)
    poll = polls.get_poll(db.session, hall, poll_id)
    polls.settle(db.session, poll)
    return _page(hall, poll)


@bp.post("/halls/<slug:slug>/polls/<int:poll_id>/ballot")
@login_required
def cast_ballot(slug: str, poll_id: int):
    hall = _hall_with_votes(slug)
    poll = polls.get_poll(db.session, hall, poll_id)
    if not polls.can_vote_in(db.session, hall, current_user):
        abort(403)
    form = forms.ballot_form(poll, formdata=request.form)
    if form.validate_on_submit():
        try:
            counted = polls.cast_ballot(db.session, current_user, poll, forms.answers(form, poll))
        except Forbidden:
            db.session.rollback()
            abort(403)
        except Invalid as exc:
            db.session.rollback()
            if "" in exc.errors:  # closed meanwhile: no field to show it beside
                flash_errors(exc)
                return redirect(_poll_url(hall, poll), code=303)
            apply_errors(form, exc)
        else:
            flash(_l("Your vote is counted. Thank you.") if counted
                  else _l("You had already voted in this poll: your first ballot counts."),
                  "success" if counted else "info")
            return redirect(_poll_url(hall, poll, "your-vote"), code=303)
    poll = polls.get_poll(db.session, hall, poll_id)
    return _page(hall, poll, ballot_form=form, status=422)


@bp.post("/halls/<slug:slug>/polls/<int:poll_id>/close")
@login_required
def close_poll(slug: str, poll_id: int):
    hall = _hosted(slug)
    poll = polls.get_poll(db.session, hall, poll_id)
    if not forms.CloseForm().validate_on_submit():
        abort(400)
    try:
        polls.close_early(db.session, current_user, poll)
    except Invalid as exc:
        db.session.rollback()
        flash_errors(exc)
    else:
        flash(_l("The poll is closed: its results are published."), "success")
    return redirect(_poll_url(hall, poll), code=303)


@bp.get("/halls/<slug:slug>/polls/<int:poll_id>/results.csv")
@cached_page("deliberation", "responsibility")
def poll_results_csv(slug: str, poll_id: int):
    """Totals only (the ballot is secret): a row per option, then abstentions and ballots."""
    hall = _hall_with_votes(slug)
    poll = polls.get_poll(db.session, hall, poll_id)
    if not polls.results_visible(poll):
        abort(404)
    header = [_("Question number"), _("Question"), _("Option"), _("Votes"),
              _("Percent of the ballots answering the question")]
    rows = []
    for n, result in enumerate(polls.results(poll), start=1):
        for item in result.options:
            rows.append([n, result.question.text, item.option.text, item.votes, round(item.percent, 1)])
        rows.append([n, result.question.text, _("Abstained"), result.abstained, ""])
    rows.append(["", _("Ballots"), "", poll.ballot_count, ""])
    rows.append(["", _("Members of the hall"), "", poll.hall.member_count, ""])
    response = make_response(to_csv(header, rows))
    response.mimetype = "text/csv"
    response.charset = "utf-8"
    name = re.sub(r"[^a-z0-9-]", "", hall.slug)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}-poll-{poll.id}-results.csv"'
    return response


# --- the hosts' editor ----------------------------------------------------------------------

def _moment(value):
    """A moment typed in the city's time zone, in UTC; a moment that does not exist there (a
    clock change) counts as not given."""
    if value is None:
        return None
    try:
        return to_utc(value)
    except (OverflowError, ValueError):  # pragma: no cover - pytz refuses impossible moments
        return None


def _data(form) -> polls.PollData:
    return polls.PollData(
        title=form.title.data or "", description=form.description.data or "",
        source_locale=form.source_locale.data or "", opens_at=_moment(form.opens_at.data),
        closes_at=_moment(form.closes_at.data), results=form.results.data or "",
        questions=form.data_rows())


def _apply(form, exc: Invalid) -> None:
    """A service's errors beside the fields, nested ones too (``questions-0-options-1``)."""
    fields = {f.name: f for f in forms.fields_of(form)}
    rest = {}
    for name, messages in exc.errors.items():
        if name and name in fields and name not in form._fields:
            fields[name].errors = list(fields[name].errors) + [str(m) for m in messages]
        else:
            rest[name] = messages
    apply_errors(form, Invalid(rest))


def _editor(hall, poll):
    if poll is None:
        form = forms.PollForm()
        if request.method == "GET":
            form.source_locale.data = current_user.locale or "en"
            for _n in range(forms.NEW_OPTIONS - len(form.questions[0].form.options)):
                form.questions[0].form.options.append_entry()
    elif request.method == "GET":
        form = forms.PollForm(data={
            "title": poll.title, "description": poll.description, "source_locale": poll.source_locale,
            "opens_at": to_user_timezone(poll.opens_at).replace(tzinfo=None),
            "closes_at": to_user_timezone(poll.closes_at).replace(tzinfo=None),
            "results": poll.results,
            "questions": [{"text": q.text, "kind": q.kind,
                           "max_choices": q.max_choices if q.kind == "multiple" else None,
                           "options": [o.text for o in q.options]} for q in poll.questions]})
    else:
        form = forms.PollForm()
    adding = request.form.get("add") if request.method == "POST" else None
    status = 200
    if adding:
        where = form.add_row(adding)
        if where is None:
            form.form_errors.append(str(_l("The poll has as many rows as it may have.")))
            status = 422
    elif form.validate_on_submit():
        try:
            if poll is None:
                saved = polls.create_poll(db.session, current_user, hall, _data(form))
            else:
                saved = polls.update_poll(db.session, current_user, poll, _data(form))
        except Invalid as exc:
            db.session.rollback()
            _apply(form, exc)
        else:
            flash(_l("The poll is saved.") if poll else _l("The poll is created."), "success")
            return redirect(_poll_url(hall, saved), code=303)
    if request.method == "POST" and not adding:
        status = 422
    form.label_rows(str(get_timezone()))
    return render_template("deliberation/poll_form.html", form=form, hall=hall, poll=poll,
                           summary=forms.ErrorSummary(form)), status


@bp.route("/halls/<slug:slug>/polls/new", methods=["GET", "POST"])
@login_required
def new_poll(slug: str):
    return _editor(_hosted(slug), None)


@bp.route("/halls/<slug:slug>/polls/<int:poll_id>/edit", methods=["GET", "POST"])
@login_required
def edit_poll(slug: str, poll_id: int):
    hall = _hosted(slug)
    poll = polls.get_poll(db.session, hall, poll_id)
    if not polls.can_edit(poll):
        flash(_l("The poll is open or closed: it can no longer be changed."), "error")
        return redirect(_poll_url(hall, poll), code=303)
    return _editor(hall, poll)
