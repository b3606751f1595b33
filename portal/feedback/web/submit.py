"""Raising a request: a form in steps that works without JavaScript.

    /new               feedback.new            what it takes; continue or discard a draft
    /new/category      feedback.new_category   1. search by words or browse by group
    /new/details       feedback.new_details    2. what, where, the category's questions, who
    /new/files         feedback.new_files      3. photos or PDFs, kept with the draft
    /new/review        feedback.new_review     4. similar open requests; check; send
    /<code>/submitted  feedback.submitted      the tracking code and what happens next
    /confirm/<token>   feedback.confirm_visitor  a visitor's emailed link

The draft lives in the database (``drafts``); the session holds only its key. Every step
saves what was typed, even with mistakes, so going back and forth loses nothing.
"""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from flask_login import current_user, user_logged_in
from markupsafe import Markup
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import SelectChoice

from portal.core import i18n, sent_mail
from portal.core.errors import Invalid, NotFound
from portal.core.forms import EmptyForm
from portal.core.views import KEEP_ON_LOGIN, apply_errors
from portal.extensions import db, htmx, limiter
from portal.feedback import attachments, services
from portal.feedback import states as st
from portal.feedback.web import drafts, forms
from portal.feedback.web.routes import bp
from portal.responsibility import services as responsibility

DRAFT_KEY = "feedback_draft"
KEEP_ON_LOGIN.add(DRAFT_KEY)  # logging in part-way through keeps what was typed


@user_logged_in.connect
def _claim_draft(app, user, **extra):
    drafts.claim(db.session, session.get(DRAFT_KEY), user)
SUBMITTED = "feedback_submitted"  # tracking codes this browser has just submitted
STEPS = 4


# --- the draft in this session -------------------------------------------------------------

def _user():
    return current_user if current_user.is_authenticated else None


def _draft(create: bool = False):
    draft = drafts.get(db.session, session.get(DRAFT_KEY), _user())
    if draft is None and create:
        draft = drafts.create(db.session, _user())
        session[DRAFT_KEY] = draft.key
    return draft


def _forget_draft(draft) -> None:
    if draft is not None:
        drafts.discard(db.session, draft)
    session.pop(DRAFT_KEY, None)


def _details(draft) -> dict:
    return dict((draft.data or {}).get("details") or {}) if draft is not None else {}


def _next_missing(draft) -> str | None:
    """The first step still to do before the review, as an endpoint; None when ready."""
    if drafts.category(db.session, draft) is None:
        return "feedback.new_category"
    if not (draft.data or {}).get("details_done"):
        return "feedback.new_details"
    return None


# --- the entry -----------------------------------------------------------------------------

@bp.get("/new")
def new():
    draft = _draft()
    started = draft is not None and bool(draft.data)
    resume = None
    if started:
        resume = _next_missing(draft) or "feedback.new_review"
    return render_template("feedback/new_start.html", started=started, resume=resume)


@bp.post("/new/discard")
def new_discard():
    if not EmptyForm().validate_on_submit():
        abort(400)
    _forget_draft(_draft())
    flash(_l("Your unsent request is deleted."), "success")
    return redirect(url_for("feedback.new"), code=303)


# --- 1. category ---------------------------------------------------------------------------

def _category_label(category) -> Markup:
    """The name, and the description beneath it, each marked with its language."""
    return Markup('{}<span class="submit-hint">{}</span>').format(category.name, category.description)


def _grouped(found) -> list[tuple]:
    """Categories by group, groups in the order of their best match (or position)."""
    groups: dict[int, tuple] = {}
    for category in found:
        groups.setdefault(category.group_id, (category.group, []))[1].append(
            (category, _category_label(category)))
    return list(groups.values())


@bp.route("/new/category", methods=["GET", "POST"])
def new_category():
    draft = _draft()
    search = forms.CategorySearchForm(request.args)
    search.validate_search()
    q = (search.q.data or "").strip()[:100]
    every = sorted(responsibility.categories(db.session),
                   key=lambda c: (c.group.position, c.group.id, str(c.name)))
    found = responsibility.search_categories(db.session, q) if q else every
    shown = found or every  # nothing matched: browse them all instead
    chosen = (draft.data or {}).get("category") if draft is not None else None
    form = forms.category_form(_grouped(shown), None if request.method == "POST" else chosen)
    if form.validate_on_submit():
        code = form.chosen()
        if code and code in {c.service_code for c in every}:
            draft = _draft(create=True)
            changes = {"category": code}
            if code != (draft.data or {}).get("category"):
                changes["details_done"] = False  # another category asks other questions
            drafts.update(db.session, draft, **changes)
            return redirect(url_for("feedback.new_details"), code=303)
        form.missing(_("Choose the category that fits best."))
    context = {"form": form, "search": search, "q": q, "matches": len(found),
               "no_match": bool(q) and not found}
    if htmx and not htmx.history_restore_request and htmx.target == "category-choices":
        response = make_response(render_template("feedback/_submit_categories.html", oob=True,
                                                 **context))
    else:
        status = 422 if request.method == "POST" else 200
        response = make_response(render_template("feedback/new_category.html", **context), status)
    response.vary.add("HX-Request")
    return response


# --- 2. details ----------------------------------------------------------------------------

def _lang(value) -> dict:
    return {"lang": value.lang} if getattr(value, "is_fallback", False) else {}


def _area_choices() -> list[SelectChoice]:
    """The city (or "not sure") first, then each district as an <optgroup>: the whole
    district, then its communities."""
    choices = [SelectChoice("", _("Choose an area"))]
    for root in responsibility.area_tree(db.session):
        choices.append(SelectChoice(str(root.area.id),
                                    _("Anywhere in %(city)s, or not sure", city=str(root.area.name))))
        for district in root.children:
            group = str(district.area.name)
            choices.append(SelectChoice(str(district.area.id),
                                        _("%(district)s: the whole district", district=group),
                                        optgroup=group))

            def add(nodes, group=group):
                for node in nodes:
                    choices.append(SelectChoice(str(node.area.id), str(node.area.name),
                                                render_kw=_lang(node.area.name), optgroup=group))
                    add(node.children)

            add(district.children)
    return choices


def _form_data(details: dict, category) -> dict:
    """What the draft holds, as the form's data (coordinates as typed)."""
    data = {k: details.get(k) for k in ("title", "description", "location_text", "area",
                                        "show_name", "contact_email", "contact_name",
                                        "contact_phone")}
    for name in ("latitude", "longitude"):
        data[name] = drafts.number(details.get(name))
    answers = details.get("answers") or {}
    for attribute in category.attributes or []:
        data[forms.attribute_field_name(attribute["code"])] = answers.get(attribute["code"])
    return data


def _coordinate(field) -> str:
    """A coordinate read in the reader's locale (``40,4168`` in Spanish) kept as ``40.4168``;
    one that is not a number is kept as typed, so the form shows it again with its error."""
    return repr(field.data) if field.data is not None else field._value().strip()


def _typed(form: forms.DetailsForm, category) -> dict:
    """Everything typed into the details form, as typed, for the draft."""
    details = {
        "title": (form.title.data or "").strip(), "description": (form.description.data or "").strip(),
        "location_text": (form.location_text.data or "").strip(), "area": form.area.data or "",
        "latitude": _coordinate(form.latitude), "longitude": _coordinate(form.longitude),
        "show_name": bool(form.show_name.data), "locale": i18n.current().code,
    }
    for name in forms.DetailsForm.VISITOR_FIELDS:
        if name in form:
            details[name] = (form[name].data or "").strip()
    answers = {}
    for attribute in category.attributes or []:
        field = form[forms.attribute_field_name(attribute["code"])]
        value = field.data
        answers[attribute["code"]] = [str(v) for v in value] if isinstance(value, list) else (
            (value or "").strip() if isinstance(value, str) else value)
    details["answers"] = answers
    return details


def _service_errors(form: forms.DetailsForm, exc: Invalid) -> None:
    """The service's errors beside their fields, unless the form already explains them."""
    errors = {}
    for key, messages in exc.errors.items():
        name = key
        if key.startswith("attribute[") and key.endswith("]"):
            name = forms.attribute_field_name(key[len("attribute["):-1])
        if name in form and form[name].errors:
            continue
        errors[name] = messages
    apply_errors(form, Invalid(errors))


def _point(form: forms.DetailsForm) -> tuple[float | None, float | None]:
    """The coordinates typed, when both are numbers in range (else nothing to locate)."""
    if form.latitude.errors or form.longitude.errors:
        return None, None
    return form.latitude.data, form.longitude.data


def _preselect(form: forms.DetailsForm, details: dict, previous: dict) -> bool:
    """Without JavaScript: coordinates given and no area chosen (or still the one we chose
    from an earlier point) → the area whose boundary holds the point is put in the picker,
    and the page is shown again so the resident sees it and may pick another. True when the
    picker was changed."""
    found = services.locate(db.session, *_point(form))
    chosen, ours = details.get("area") or "", previous.get("area_preselected") or ""
    if found is None:
        details["area_preselected"] = ""
        return False
    if chosen and (chosen != ours or chosen == str(found.id)):  # theirs, or ours still right
        details["area_preselected"] = ours if chosen == ours else ""
        return False
    details["area"] = details["area_preselected"] = str(found.id)
    form.area.data = details["area"]
    form.area.errors = []  # the picker's "choose the area" no longer applies
    return True


@bp.route("/new/details", methods=["GET", "POST"])
def new_details():
    draft = _draft()
    category = drafts.category(db.session, draft)
    if category is None:
        return redirect(url_for("feedback.new_category"), code=303)
    visitor = _user() is None
    details = _details(draft)
    preselected = False
    if request.method == "POST":
        form = forms.details_form(category, visitor, _area_choices())
        form.validate_on_submit()
        # (form.errors is not read here: WTForms caches it, and more errors may follow)
        if not ("csrf_token" in form and form["csrf_token"].errors):
            previous = details
            details = _typed(form, category)
            preselected = _preselect(form, details, previous)
            valid = not any(f.errors for f in form)
            drafts.update(db.session, draft, details=details, details_done=False)
            try:
                services.validate_submission(
                    db.session, drafts.submission(db.session, draft, partial=True))
            except Invalid as exc:
                _service_errors(form, exc)
                valid = False
            if valid and not preselected:
                drafts.update(db.session, draft, details_done=True)
                return redirect(url_for("feedback.new_files"), code=303)
            status = 200 if valid else 422  # valid but preselected: shown once to check
        else:
            status = 422
    else:
        form = forms.details_form(category, visitor, _area_choices(),
                                  data=_form_data(details, category))
        status = 200
    area = drafts.area(db.session, draft)
    from_point = area if area is not None and str(area.id) == details.get("area") == (
        details.get("area_preselected") or None) else None
    return render_template("feedback/new_details.html", form=form, category=category,
                           visitor=visitor, from_point=from_point,
                           preselected=preselected), status


# --- 3. files ------------------------------------------------------------------------------

def _files_page(form, draft, status=200):
    files = attachments.for_draft(db.session, draft.key)
    return render_template("feedback/new_files.html", form=form, files=files,
                           limit=attachments.MAX_FILES), status


@bp.route("/new/files", methods=["GET", "POST"])
@limiter.limit("60 per hour", methods=["POST"])  # every photo is decoded and written again
def new_files():
    draft = _draft()
    missing = _next_missing(draft)
    if missing:
        return redirect(url_for(missing), code=303)
    try:
        form = forms.FilesForm()
    except RequestEntityTooLarge:
        # Too much at once for the server to read: nothing of it arrived, the files already
        # added are still here.
        form = forms.FilesForm(formdata=None)
        form.files.errors = [_("The files are too large together. Add them one or two at a time.")]
        return _files_page(form, draft, 413)
    if request.method == "GET":
        return _files_page(form, draft)
    if not form.validate_on_submit():
        return _files_page(form, draft, 422)
    added, errors = attachments.add_uploads(db.session, form.files.data or [], draft_key=draft.key)
    for attachment in added:
        attachments.make_thumbnail(attachment)  # once, at upload
    db.session.commit()
    drafts.update(db.session, draft, files_seen=True)
    if errors:
        form.files.errors = errors
        return _files_page(form, draft, 422)
    if request.form.get("action") == "continue":
        return redirect(url_for("feedback.new_review"), code=303)
    if added:
        flash(lazy_ngettext("%(num)d file added.", "%(num)d files added.", len(added)), "success")
    return redirect(url_for("feedback.new_files"), code=303)


@bp.post("/new/files/<int:attachment_id>/remove")
def new_file_remove(attachment_id: int):
    draft = _draft()
    if draft is None:
        return redirect(url_for("feedback.new_category"), code=303)
    if not EmptyForm().validate_on_submit():
        abort(400)
    attachments.remove_from_draft(db.session, draft.key, attachment_id)
    db.session.commit()
    flash(_l("The file is removed."), "success")
    return redirect(url_for("feedback.new_files"), code=303)


# --- 4. review and send --------------------------------------------------------------------

def _answers(category, answers: dict) -> list[tuple]:
    """(question, answer) pairs in the category's order, answers in the reader's language."""
    rows = []
    for attribute in sorted(category.attributes or [], key=lambda a: a.get("order", 0)):
        value = answers.get(attribute["code"])
        if value in (None, "", []):
            continue
        names = {str(v["key"]): i18n.localize(v.get("name_i18n"), category.source_locale)
                 for v in attribute.get("values") or []}
        values = value if isinstance(value, list) else [value]
        shown = [names.get(str(v), v) for v in values]
        question = i18n.localize(attribute.get("description_i18n"), category.source_locale)
        rows.append((question if question.text else attribute["code"], shown))
    return rows


@bp.route("/new/review", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def new_review():
    draft = _draft()
    missing = _next_missing(draft)
    if missing:
        return redirect(url_for(missing), code=303)
    sub = drafts.submission(db.session, draft)
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            item = services.submit(db.session, _user(), sub)
        except Invalid as exc:
            apply_errors(form, exc)
        else:
            _forget_draft(draft)
            session[SUBMITTED] = [*session.get(SUBMITTED, [])[-9:], item.tracking_code]
            sent_mail.keep(item.contact_email)  # embedded profile: "open your message"
            return redirect(url_for("feedback.submitted", code=item.tracking_code), code=303)
    details = _details(draft)
    similar = services.similar_open(db.session, sub.category, sub.area,
                                    f"{sub.title} {sub.description}")
    # with a point: the open requests near it too (any category), nearest first
    shown = {r.id for r in similar}
    near = [n for n in services.near_open(db.session, sub.latitude, sub.longitude)
            if n.request.id not in shown]
    context = {
        "form": form, "sub": sub, "title": services.title_of(sub), "details": details,
        "visitor": _user() is None,
        "answers": _answers(sub.category, sub.answers or {}),
        "files": attachments.for_draft(db.session, draft.key), "similar": similar,
        "near": near,
        "candidates": [(r, None) for r in similar] + [(n.request, n.metres) for n in near],
        "states": st.STATES,
    }
    status = 422 if (form.errors or form.form_errors) else 200
    return render_template("feedback/new_review.html", **context), status


@bp.post("/new/follow/<code>")
def new_follow(code: str):
    """"Is it one of these?" — yes: follow that one instead of sending a duplicate."""
    item = services.by_code(db.session, code)
    if _user() is None:
        flash(_l("Log in to follow a request."), "info")
        return redirect(url_for("accounts.login",
                                next=url_for("feedback.detail", code=item.tracking_code)), code=303)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.follow(db.session, current_user, item)
    _forget_draft(_draft())
    flash(_l("You are following %(code)s instead of sending a new request. We will tell you "
            "about every change.", code=item.tracking_code), "success")
    return redirect(url_for("feedback.detail", code=item.tracking_code), code=303)


# --- after sending -------------------------------------------------------------------------

@bp.get("/<code>/submitted")
def submitted(code: str):
    """Only for the browser that sent it: the code is in its session."""
    if code not in session.get(SUBMITTED, []):
        raise NotFound()
    item = services.by_code(db.session, code, public=False)
    return render_template("feedback/confirmation.html", item=item, confirmed=False)


@bp.get("/confirm/<token>")
def confirm_visitor(token: str):
    """The link in a visitor's email: the request is theirs, so it is routed now."""
    try:
        item = services.confirm_visitor(db.session, token)
    except NotFound:
        return render_template("feedback/confirmation.html", item=None, confirmed=False), 404
    return render_template("feedback/confirmation.html", item=item, confirmed=True)
