"""The proposals' pages, on the halls' blueprint: the list (all halls, filters), a hall's new
proposal, a proposal's page with the forms its reader may use, and one POST route per action
(each redirects, 303, back to the proposal). Anonymous readers get no form and a cached page."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import get_timezone
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select
from wtforms import SelectChoice

from portal.core.cache import cached_fragment, cached_page
from portal.core.errors import Forbidden, Invalid
from portal.core.forms import EmptyForm
from portal.core.views import flash_errors, save_form
from portal.deliberation import proposal_comment_routes as discussion
from portal.deliberation import proposal_forms as forms
from portal.deliberation import proposal_states as st
from portal.deliberation import proposals as services
from portal.deliberation.models import Hall
from portal.deliberation.routes import bp
from portal.deliberation.services import HallSection, get_hall, register_section
from portal.extensions import db
from portal.responsibility.services import area_ids_within, area_order, categories


def init_app(app) -> None:
    register_section(HallSection("proposals", "deliberation/_proposals_section.html", order=20,
                                 context=services.section_context))
    services.register_queue()


def _url(proposal) -> str:
    return url_for("deliberation.proposal", proposal_id=proposal.id)


# --- the list -----------------------------------------------------------------------------------

@bp.get("/proposals")
@cached_page("deliberation", "responsibility")
def proposals():
    # The filters and rows are the same for every reader of this URL: kept once rendered, so a
    # signed-in reader pays for the page around them only.
    key = f"proposals:{g.get('locale')}:{get_timezone()}:{sorted(request.args.items(multi=True))}"
    content = cached_fragment(("deliberation", "responsibility"), key, _list_content)
    return render_template("deliberation/proposals.html", content=content)


def _list_content() -> Markup:
    form = forms.ProposalSearchForm(request.args)
    halls = list(db.session.scalars(select(Hall).where(Hall.archived.is_(False)).order_by(Hall.slug)))
    form.state.choices = [SelectChoice("", _l("Any state"))] + [
        SelectChoice(c, st.STATES[c].label) for c in st.PUBLIC]
    form.area_id.choices = [SelectChoice("", _l("Any area"))] + [
        SelectChoice(a.id, "\u2003" * depth + str(a.name)) for a, depth in area_order(db.session)]
    form.hall_id.choices = [SelectChoice("", _l("Any hall"))] + [
        SelectChoice(h.id, str(h.name)) for h in halls]
    form.validate_search()
    f = services.ProposalFilter(
        state=form.state.data or None, area_id=form.area_id.data, hall_id=form.hall_id.data,
        sort=form.sort.data or "newest", q=form.q.data or "", after=request.args.get("after"))
    page = services.proposal_page(db.session, f)
    args = {k: v for k, v in request.args.items() if k in ("q", "state", "area_id", "hall_id", "sort") and v}
    return Markup(render_template(  # noqa: S704 (an autoescaped template's output)
        "deliberation/_proposals_list.html", form=form, page=page, args=args, states=st.STATES))


# --- drafting -----------------------------------------------------------------------------------

def _choices(form, hall) -> None:
    within = set(area_ids_within(db.session, hall.area_id))
    form.area_id.choices = [SelectChoice(a.id, "\u2003" * depth + str(a.name))
                            for a, depth in area_order(db.session) if a.id in within]
    form.category_id.choices = [SelectChoice("", _l("Not sure"))] + [
        SelectChoice(c.id, str(c.name)) for c in categories(db.session)]


def _data(form) -> services.ProposalData:
    return services.ProposalData(title=form.title.data or "", body=form.body.data or "",
                                 area_id=form.area_id.data, category_id=form.category_id.data,
                                 source_locale=form.source_locale.data or "")


def _form_page(form, hall, proposal, status=200):
    return render_template("deliberation/proposal_form.html", form=form, hall=hall, proposal=proposal), status


@bp.route("/halls/<slug:slug>/proposals/new", methods=["GET", "POST"])
@login_required
def new_proposal(slug: str):
    hall = get_hall(db.session, slug)
    if not services.can_propose(db.session, hall, current_user):
        abort(403)
    form = forms.ProposalForm()
    _choices(form, hall)
    if request.method == "GET":
        form.area_id.data = hall.area_id
        form.source_locale.data = current_user.locale or "en"
    answer = save_form(
        form, lambda form: services.create_proposal(db.session, current_user, hall, _data(form),
                                                    publish=request.form.get("action") == "publish"),
        saved=lambda proposal: _l("Your proposal is published.") if proposal.published else
        _l("Your draft is saved. Only you can see it until you publish it."), next_url=_url)
    if answer is not None:
        return answer
    return _form_page(form, hall, None, 422 if request.method == "POST" else 200)


@bp.route("/proposals/<int:proposal_id>/edit", methods=["GET", "POST"])
@login_required
def edit_proposal(proposal_id: int):
    proposal = services.get_proposal(db.session, proposal_id, current_user)
    if not services.can_edit(proposal, current_user):
        abort(403)
    form = forms.ProposalForm(data={
        "title": proposal.title, "body": proposal.body, "area_id": proposal.area_id,
        "category_id": proposal.category_id, "source_locale": proposal.source_locale,
    } if request.method == "GET" else None)
    _choices(form, proposal.hall)
    answer = save_form(form, lambda form: services.update_proposal(db.session, current_user, proposal,
                                                                   _data(form)),
                       saved=_l("Your proposal is saved."), next_url=_url(proposal))
    if answer is not None:
        return answer
    return _form_page(form, proposal.hall, proposal, 422 if request.method == "POST" else 200)


# --- a proposal's page --------------------------------------------------------------------------

def _page(proposal, status=200, withdraw_form=None, answer_form=None, milestone_form=None,
          amendment_form=None, comment_form=None):
    user = current_user
    signed_in = user.is_authenticated
    may_answer = services.can_answer(db.session, proposal, user)
    # the reader's own facts in one statement, for the rules below and the follow block
    facts = services.reader_facts(db.session, proposal, user)
    mine = facts.mine if facts else None
    may_amend = services.can_amend(db.session, proposal, user, mine)
    may_withdraw = services.can_withdraw(proposal, user)
    # a form is made only where the page shows it (a posted one, with its errors, is kept);
    # milestones are shown on an accepted proposal only
    return render_template(
        "deliberation/proposal.html", proposal=proposal, hall=proposal.hall, state=st.STATES[proposal.state],
        history_section=_history_section(proposal),
        milestones=services.milestones(db.session, proposal) if proposal.state == "accepted" else [],
        is_author=signed_in and user.id == proposal.author_id,
        may_edit=services.can_edit(proposal, user), may_withdraw=may_withdraw,
        is_member=services.is_member(db.session, proposal.hall, user, mine),
        supported=bool(facts and facts.supported), follow_known=facts and facts.follow,
        may_answer=may_answer and proposal.state == "evaluation",
        may_record=may_answer and proposal.state == "accepted",
        action_form=EmptyForm() if signed_in else None,
        amendments=services.amendments(db.session, proposal),
        may_amend=may_amend,
        amendment_form=amendment_form or (forms.AmendmentForm() if may_amend else None),
        withdraw_form=withdraw_form or (forms.WithdrawForm() if may_withdraw else None),
        answer_form=answer_form or (forms.AnswerForm() if may_answer and proposal.state == "evaluation"
                                    else None),
        milestone_form=milestone_form or (forms.MilestoneForm() if may_answer and proposal.state == "accepted"
                                          else None),
        **discussion.context(proposal, comment_form, mine=mine,
                             blocked=facts.blocked if facts else None)), status


def _history_section(proposal) -> Markup:
    """The page's "What happened", the same for every reader who may see the proposal: kept
    per proposal, locale and time zone under the "deliberation" version (each event replaces
    it), so the page runs no history query once it is kept."""
    key = f"proposal-history:{proposal.id}:{g.get('locale')}:{get_timezone()}"
    return cached_fragment(("deliberation",), key, lambda: Markup(render_template(  # noqa: S704
        "deliberation/_proposal_history.html", history=services.history(db.session, proposal),
        event_labels=st.EVENT_LABELS)))


@bp.get("/proposals/<int:proposal_id>")
@cached_page("deliberation", "responsibility")
def proposal(proposal_id: int):
    return _page(services.get_proposal(db.session, proposal_id, current_user))


def _action(proposal_id: int, action, done):
    proposal = services.get_proposal(db.session, proposal_id, current_user)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        action(proposal)
    except Forbidden:
        db.session.rollback()
        abort(403)
    except Invalid as exc:
        db.session.rollback()
        flash_errors(exc)
    else:
        flash(done, "success")
    return redirect(_url(proposal), code=303)


@bp.post("/proposals/<int:proposal_id>/publish")
@login_required
def publish_proposal(proposal_id: int):
    return _action(proposal_id, lambda p: services.publish(db.session, current_user, p),
                   _l("Your proposal is published."))


@bp.post("/proposals/<int:proposal_id>/support")
@login_required
def support_proposal(proposal_id: int):
    return _action(proposal_id, lambda p: services.support(db.session, current_user, p),
                   _l("You support this proposal."))


@bp.post("/proposals/<int:proposal_id>/unsupport")
@login_required
def unsupport_proposal(proposal_id: int):
    return _action(proposal_id, lambda p: services.unsupport(db.session, current_user, p),
                   _l("You no longer support this proposal."))


def _form_action(proposal_id: int, form_class, allowed, action, done, form_arg: str):
    proposal = services.get_proposal(db.session, proposal_id, current_user)
    if not allowed(proposal):
        abort(403)
    form = form_class()
    answer = save_form(form, lambda form: action(proposal, form), saved=done, next_url=_url(proposal))
    return answer or _page(proposal, 422, **{form_arg: form})


@bp.post("/proposals/<int:proposal_id>/withdraw")
@login_required
def withdraw_proposal(proposal_id: int):
    return _form_action(
        proposal_id, forms.WithdrawForm, lambda p: services.can_withdraw(p, current_user),
        lambda p, form: services.withdraw(db.session, current_user, p, form.reason.data),
        _l("Your proposal is withdrawn."), "withdraw_form")


@bp.post("/proposals/<int:proposal_id>/answer")
@login_required
def answer_proposal(proposal_id: int):
    return _form_action(
        proposal_id, forms.AnswerForm,
        lambda p: services.can_answer(db.session, p, current_user) and p.state == "evaluation",
        lambda p, form: services.answer(db.session, current_user, p, form.decision.data, form.note.data),
        _l("The official answer is published."), "answer_form")


@bp.post("/proposals/<int:proposal_id>/milestones")
@login_required
def add_milestone(proposal_id: int):
    return _form_action(
        proposal_id, forms.MilestoneForm,
        lambda p: services.can_answer(db.session, p, current_user) and p.state == "accepted",
        lambda p, form: services.add_milestone(db.session, current_user, p, form.title.data, form.on.data,
                                               form.percent.data, form.note.data or ""),
        _l("The milestone is recorded."), "milestone_form")


@bp.post("/proposals/<int:proposal_id>/amendments")
@login_required
def propose_amendment(proposal_id: int):
    return _form_action(
        proposal_id, forms.AmendmentForm, lambda p: services.can_amend(db.session, p, current_user),
        lambda p, form: services.propose_amendment(db.session, current_user, p, form.body.data),
        _l("Your amendment is sent to the author."), "amendment_form")


@bp.post("/proposals/<int:proposal_id>/amendments/<int:amendment_id>/<any(accept, reject):decision>")
@login_required
def decide_amendment(proposal_id: int, amendment_id: int, decision: str):
    return _action(proposal_id, lambda p: services.decide_amendment(
        db.session, current_user, p, amendment_id, decision == "accept"),
        _l("The amendment is accepted: it is the proposal's text now.") if decision == "accept"
        else _l("The amendment is rejected."))
