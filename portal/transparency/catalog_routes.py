"""The catalog's pages, on the transparency blueprint: the public index (filters, words,
CSV, feeds), the guide, a publication's permanent page and each version's page, its files;
the staff's "publications of my department", the form, the page that manages one
publication (review, publish, files, translations, withdraw), and "move into the catalog"
from an answered disclosure request. Thin: the rules are in ``catalog``."""

from __future__ import annotations

import io

from flask import abort, flash, g, make_response, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import SelectChoice

from portal.core.cache import cached_page
from portal.core.errors import Forbidden, Invalid
from portal.core.exports import to_csv
from portal.core.forms import EmptyForm, int_arg
from portal.core.roles import ADMIN
from portal.core.urls import absolute_url
from portal.core.views import flash_errors, save_form
from portal.extensions import db
from portal.responsibility.models import Department
from portal.transparency import catalog, catalog_feeds, rules
from portal.transparency import catalog_forms as forms
from portal.transparency import services as requests_svc
from portal.transparency.models import PublicationFile, PublicationVersion
from portal.transparency.routes import bp

TOPICS = (catalog.TOPIC, "responsibility")


def _filters(form) -> catalog.Filters:
    category = form.category.data or ""
    return catalog.Filters(category=category if category in dict(catalog.categories()) else "",
                           department_id=form.department_id.data, year=form.year.data,
                           q=(form.q.data or "").strip())


def _browse_form():
    form = forms.BrowseForm(request.args)
    form.category.choices = [SelectChoice("", _l("All categories"))] + [
        SelectChoice(code, str(c.label)) for code, c in catalog.categories()]
    form.department_id.choices = [SelectChoice("", _l("All departments"))] + [
        SelectChoice(d.id, str(d.name)) for d in catalog.departments_with_publications(db.session)]
    form.year.choices = [SelectChoice("", _l("All years"))] + [
        SelectChoice(y, str(y)) for y in catalog.years(db.session)]
    form.validate_search()
    return form


def _args(f: catalog.Filters) -> dict:
    args = {"q": f.q, "category": f.category, "department_id": f.department_id, "year": f.year}
    return {k: v for k, v in args.items() if v}


@bp.get("/publications")
@cached_page(*TOPICS)
def catalog_index():
    form = _browse_form()
    f = _filters(form)
    page = catalog.browse(db.session, f, before=int_arg(request.args.get("before")),
                          after=int_arg(request.args.get("after")),
                          page=int_arg(request.args.get("page"), catalog.MAX_SEARCH_PAGE) or 1)
    return render_template("transparency/catalog/index.html", form=form, page=page, filters=f,
                           args=_args(f), labels=dict(catalog.categories()))


@bp.get("/publications.csv")
@cached_page(*TOPICS)
def catalog_csv():
    form = _browse_form()
    f = _filters(form)
    header = ["id", "link", "title", "language", "category", "category_label", "department_code",
              "department", "document_number", "first_published", "current_version_published",
              "year", "versions"]
    rows = [[p.id, absolute_url("transparency.publication", publication_id=p.id), p.title.text,
             p.title.lang, p.category, str(catalog.category_label(p.category)), p.department.code,
             str(p.department.name), p.document_number or "",
             p.first_published_at.date().isoformat() if p.first_published_at else "",
             p.published_at.date().isoformat() if p.published_at else "", p.year or "", p.version_count]
            for p in catalog.listing(db.session, f)]
    response = make_response(to_csv(header, rows))
    response.mimetype = "text/csv"
    response.charset = "utf-8"
    response.headers["Content-Disposition"] = 'attachment; filename="publications.csv"'
    return response


@bp.get("/publications/guide")
@cached_page(*TOPICS)
def catalog_guide():
    return render_template("transparency/catalog/guide.html", categories=catalog.categories(),
                           limits=rules.limits())


def _atom(body: bytes):
    response = make_response(body)
    response.mimetype = "application/atom+xml"
    response.charset = "utf-8"
    return response


@bp.get("/publications/feed.atom")
@cached_page(*TOPICS)
def catalog_feed():
    return _atom(catalog_feeds.feed(db.session, _("Publications"), "transparency.catalog_feed", {},
                                    locale=g.get("locale") or "en"))


@bp.get("/publications/categories/<code>/feed.atom")
@cached_page(*TOPICS)
def catalog_category_feed(code: str):
    labels = dict(catalog.categories())
    if code not in labels:
        abort(404)
    title = _("Publications: %(category)s", category=labels[code].label)
    return _atom(catalog_feeds.feed(db.session, title, "transparency.catalog_category_feed",
                                    {"code": code}, category=code, locale=g.get("locale") or "en"))


@bp.get("/publications/departments/<int:department_id>/feed.atom")
@cached_page(*TOPICS)
def catalog_department_feed(department_id: int):
    department = db.session.get(Department, department_id)
    if department is None:
        abort(404)
    title = _("Publications: %(department)s", department=str(department.name))
    return _atom(catalog_feeds.feed(db.session, title, "transparency.catalog_department_feed",
                                    {"department_id": department.id}, department_id=department.id,
                                    locale=g.get("locale") or "en"))


# --- a publication's pages --------------------------------------------------------------------

def _render_publication(publication, version, status=200):
    history = catalog.history(db.session, publication)
    return render_template(
        "transparency/catalog/publication.html", publication=publication, version=version,
        history=history, files=catalog.files_of(db.session, version) if version else [],
        labels=dict(catalog.categories()), request_code=catalog.request_code(db.session, publication),
        manage=current_user.is_authenticated and catalog.may_review(
            db.session, publication.department_id, current_user)), status


@bp.get("/publications/<int:publication_id>")
@cached_page(*TOPICS)
def publication(publication_id: int):
    item = catalog.public(db.session, publication_id, current_user)
    version = db.session.get(PublicationVersion, item.current_version_id) if item.current_version_id else None
    if version is None:  # never published: its staff go to its management page
        return redirect(url_for("transparency.catalog_manage", publication_id=item.id))
    return _render_publication(item, version)


@bp.get("/publications/<int:publication_id>/versions/<int:number>")
@cached_page(*TOPICS)
def publication_version(publication_id: int, number: int):
    item = catalog.public(db.session, publication_id, current_user)
    return _render_publication(item, catalog.version(db.session, item, number, current_user))


@bp.get("/publications/<int:publication_id>/files/<int:file_id>")
def publication_file(publication_id: int, file_id: int):
    item = catalog.public(db.session, publication_id, current_user)
    file = db.session.get(PublicationFile, file_id)
    version = file and db.session.get(PublicationVersion, file.version_id)
    if version is None or version.publication_id != item.id:
        abort(404)
    catalog.version(db.session, item, version.number, current_user)  # may this reader see it?
    response = send_file(io.BytesIO(file.data), mimetype=file.content_type, as_attachment=True,
                         download_name=file.filename, etag=file.sha256, last_modified=file.created_at,
                         max_age=3600, conditional=True)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- staff ------------------------------------------------------------------------------------

@bp.get("/publications/mine")
@login_required
def catalog_mine():
    departments = catalog.staff_departments(db.session, current_user)
    if not departments and not current_user.has_role(ADMIN):
        abort(403)
    state = request.args.get("state", "")
    state = state if state in catalog.PUBLICATION_STATES else ""
    page = catalog.for_departments(db.session, [d.id for d in departments], state or None,
                                   before=int_arg(request.args.get("before")),
                                   after=int_arg(request.args.get("after")))
    return render_template("transparency/catalog/mine.html", page=page, departments=departments,
                           open_versions=catalog.open_versions(db.session, [p.id for p in page.items]),
                           state=state, args={"state": state} if state else {},
                           states=catalog.PUBLICATION_STATES, version_states=catalog.VERSION_STATES)


def _fill(form, departments) -> None:
    form.department_id.choices = [SelectChoice(d.id, str(d.name)) for d in departments]
    form.category.choices = [SelectChoice("", _l("Choose a category"))] + [
        SelectChoice(code, str(c.label)) for code, c in catalog.categories()]


def _data(form) -> catalog.PublicationData:
    return catalog.PublicationData(
        category=form.category.data or "", title=form.title.data or "", summary=form.summary.data or "",
        source_locale=form.source_locale.data or "", document_number=form.document_number.data or "",
        made_on=form.made_on.data or "", valid_until=form.valid_until.data or "",
        tags=form.tags.data or "", change_note=form.change_note.data or "")


def _editable_departments():
    departments = [d for d in catalog.staff_departments(db.session, current_user)
                   if catalog.can_edit(db.session, d.id, current_user)]
    if not departments and not current_user.has_role(ADMIN):
        abort(403)
    return departments


@bp.route("/publications/new", methods=["GET", "POST"])
@login_required
def catalog_new():
    departments = _editable_departments()
    form = forms.PublicationForm()
    _fill(form, departments)
    if request.method == "GET":
        form.source_locale.data = g.get("locale") or "en"
        if len(departments) == 1:
            form.department_id.data = departments[0].id
    answer = save_form(
        form, lambda form: catalog.create_draft(db.session, current_user, form.department_id.data,
                                                _data(form)),
        saved=_l("The draft is saved. Add files or send it for review."),
        next_url=lambda version: _manage_url(version.publication_id))
    if answer is not None:
        return answer
    status = 422 if request.method == "POST" else 200
    return render_template("transparency/catalog/form.html", form=form, publication=None,
                           first=True), status


def _staff_item(publication_id: int):
    item = catalog.get(db.session, publication_id)
    if not catalog.may_review(db.session, item.department_id, current_user):
        if item.state == "draft":
            abort(404)
        abort(403)
    return item


@bp.route("/publications/<int:publication_id>/edit", methods=["GET", "POST"])
@login_required
def catalog_edit(publication_id: int):
    item = _staff_item(publication_id)
    if not catalog.can_edit(db.session, item.department_id, current_user):
        abort(403)
    department = db.session.get(Department, item.department_id)
    form = forms.PublicationForm()
    _fill(form, [department])
    del form.department_id  # a publication stays in its department
    if request.method == "GET":
        source = catalog.open_version(db.session, item) or db.session.get(
            PublicationVersion, item.current_version_id)
        form.category.data = source.category
        form.source_locale.data = source.source_locale
        form.title.data = (source.title_i18n or {}).get(source.source_locale, "")
        form.summary.data = (source.summary_i18n or {}).get(source.source_locale, "")
        form.document_number.data = source.document_number or ""
        form.made_on.data = source.made_on.isoformat() if source.made_on else ""
        form.valid_until.data = source.valid_until.isoformat() if source.valid_until else ""
        form.tags.data = ", ".join(source.tags or [])
        form.change_note.data = source.change_note if source.state in ("draft", "review") else ""
    answer = save_form(form, lambda form: catalog.save(db.session, current_user, item, _data(form)),
                       saved=_l("The draft is saved."), next_url=_manage_url(item.id))
    if answer is not None:
        return answer
    status = 422 if request.method == "POST" else 200
    return render_template("transparency/catalog/form.html", form=form, publication=item,
                           first=item.version_count == 0), status


def _manage_page(item, status=200, **bound):
    open_version = catalog.open_version(db.session, item)
    editor = catalog.can_edit(db.session, item.department_id, current_user)
    return render_template(
        "transparency/catalog/manage.html", publication=item, open_version=open_version,
        versions=catalog.all_versions(db.session, item), editor=editor,
        files=catalog.files_of(db.session, open_version) if open_version else [],
        can_publish=open_version is not None and catalog.can_publish(db.session, open_version, current_user),
        action_form=EmptyForm(), file_form=bound.get("file_form") or forms.FileForm(formdata=None),
        translation_form=bound.get("translation_form") or forms.TranslationForm(formdata=None),
        withdraw_form=bound.get("withdraw_form") or forms.WithdrawForm(formdata=None),
        labels=dict(catalog.categories()), request_code=catalog.request_code(db.session, item),
        states=catalog.PUBLICATION_STATES, version_states=catalog.VERSION_STATES), status


@bp.get("/publications/<int:publication_id>/manage")
@login_required
def catalog_manage(publication_id: int):
    return _manage_page(_staff_item(publication_id))


def _manage_url(publication_id: int) -> str:
    return url_for("transparency.catalog_manage", publication_id=publication_id)


def _done(item, message):
    flash(message, "success")
    return redirect(_manage_url(item.id), code=303)


def _button(publication_id: int, action, message):
    item = _staff_item(publication_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    version = catalog.open_version(db.session, item)
    if version is None:
        flash(_l("There is no version being written."), "error")
        return redirect(url_for("transparency.catalog_manage", publication_id=item.id), code=303)
    try:
        action(version)
    except Forbidden:
        db.session.rollback()
        abort(403)
    except Invalid as exc:
        db.session.rollback()
        flash_errors(exc)
        return redirect(url_for("transparency.catalog_manage", publication_id=item.id), code=303)
    return _done(item, message)


@bp.post("/publications/<int:publication_id>/submit")
@login_required
def catalog_submit(publication_id: int):
    return _button(publication_id, lambda v: catalog.send_for_review(db.session, current_user, v),
                   _l("Sent for review: another member of the department publishes it."))


@bp.post("/publications/<int:publication_id>/publish")
@login_required
def catalog_publish(publication_id: int):
    return _button(publication_id,
                   lambda v: catalog.publish(db.session, current_user, v, request.remote_addr),
                   _l("Published."))


def _form_step(publication_id: int, form_class, form_arg: str, action, message):
    item = _staff_item(publication_id)
    form = form_class()
    answer = save_form(form, lambda form: action(item, form), saved=message,
                       next_url=_manage_url(item.id))
    return answer or _manage_page(item, 422, **{form_arg: form})


@bp.post("/publications/<int:publication_id>/withdraw")
@login_required
def catalog_withdraw(publication_id: int):
    return _form_step(publication_id, forms.WithdrawForm, "withdraw_form",
                      lambda item, f: catalog.withdraw(db.session, current_user, item, f.note.data,
                                                       request.remote_addr),
                      _l("Withdrawn: its page says so, and it is no longer listed."))


def _version_or_refuse(item):
    version = catalog.open_version(db.session, item)
    if version is None:
        raise Invalid({"": [_l("There is no version being written.")]})
    version.publication = item
    return version


def _add_file(item, f):
    upload = f.file.data
    version = _version_or_refuse(item)
    if not catalog.can_edit(db.session, item.department_id, current_user):
        raise Forbidden()
    data = catalog.read_upload(upload)
    catalog.add_file(db.session, current_user, version, upload.filename or "", data)


@bp.post("/publications/<int:publication_id>/files")
@login_required
def catalog_add_file(publication_id: int):
    return _form_step(publication_id, forms.FileForm, "file_form", _add_file, _l("The file is added."))


@bp.post("/publications/<int:publication_id>/files/<int:file_id>/remove")
@login_required
def catalog_remove_file(publication_id: int, file_id: int):
    return _button(publication_id, lambda v: catalog.remove_file(db.session, current_user, v, file_id),
                   _l("The file is removed."))


@bp.post("/publications/<int:publication_id>/translation")
@login_required
def catalog_translate(publication_id: int):
    return _form_step(publication_id, forms.TranslationForm, "translation_form",
                      lambda item, f: catalog.translate(db.session, current_user, _version_or_refuse(item),
                                                        f.locale.data or "", f.title.data or "",
                                                        f.summary.data or ""),
                      _l("The translation is saved."))


@bp.post("/disclosure/requests/<code>/catalog")
@login_required
def catalog_from_request(code: str):
    req = requests_svc.by_code(db.session, code, current_user)
    if not requests_svc.can_handle(db.session, req, current_user):
        abort(403)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        version = catalog.from_request(db.session, current_user, req)
    except Forbidden:
        db.session.rollback()
        abort(403)
    except Invalid as exc:
        db.session.rollback()
        flash_errors(exc)
        return redirect(url_for("transparency.detail", code=req.tracking_code), code=303)
    flash(_l("A draft publication is made from the request: check it, then send it for review."), "success")
    return redirect(url_for("transparency.catalog_manage", publication_id=version.publication_id), code=303)

