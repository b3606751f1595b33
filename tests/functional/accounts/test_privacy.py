"""A resident's own data: the download's content, deleting the account, the refusals, the
routes' permissions and CSRF (portal/accounts/privacy.py, portal/core/privacy.py)."""

from __future__ import annotations

import io
import json
import zipfile

from sqlalchemy import func, select

from portal.accounts import privacy
from portal.accounts.models import DataExport
from portal.core import privacy as registry
from portal.core.models import AuditEvent, OutboxMessage, User
from portal.extensions import db
from tests.conftest import csrf_token_from

PASSWORD = "correct horse battery"
FILE_BYTES = b"\x89PNG\r\n\x1a\n-the-resident's-photo-"


def test_every_user_foreign_key_is_covered_by_a_part(app):
    assert registry.user_foreign_keys(db.metadata), "the schema has foreign keys to accounts"
    assert registry.uncovered(db.metadata) == set(), (
        "a table points at user_account.id and no privacy part (portal/<module>/privacy.py) "
        "says what the download and the deletion do with it")


def _city(factories):
    department = factories.department()
    area = factories.area()
    category = factories.service_category()
    factories.responsibility_rule(category, area, department)
    return department, area, category


def _resident_with_data(db_session, factories, resident):
    """A resident with something in each module: a request with a photo, a follow, a debate
    comment, a proposal and a support, a disclosure request, course progress, a notification."""
    from portal.core.notifications import Notification
    from portal.deliberation.models import Debate, DebateComment, Hall, Proposal, ProposalSupport
    from portal.feedback.models import Attachment, Follower
    from portal.literacy.models import CourseProgress
    from portal.transparency.models import DisclosureRequest

    department, area, category = _city(factories)
    request, = factories.feedback_requests(
        1, category, area, department, resident=resident, contact_phone="555-0199",
        latitude=31.23456, longitude=121.47654)
    request.location_text = "12 Elm Street"
    db_session.add(Attachment(request_id=request.id, filename="photo.png",
                              content_type="image/png", size=len(FILE_BYTES),
                              sha256="0" * 64, data=FILE_BYTES))
    db_session.add(Follower(request_id=request.id, user_id=resident.id))
    request.followers_count = 1
    hall = Hall(slug="riverside", area_id=area.id, name_i18n={"en": "Riverside"})
    db_session.add(hall)
    db_session.flush()
    debate = Debate(hall_id=hall.id, title="Benches")
    db_session.add(debate)
    db_session.flush()
    db_session.add(DebateComment(debate_id=debate.id, author_id=resident.id, body="More benches"))
    proposal = Proposal(hall_id=hall.id, author_id=resident.id, area_id=area.id,
                        title="Shade trees", published=True, support_count=1)
    db_session.add(proposal)
    db_session.flush()
    db_session.add(ProposalSupport(proposal_id=proposal.id, user_id=resident.id))
    db_session.add(DisclosureRequest(requester_id=resident.id, department_id=department.id,
                                     description="Road budget", purpose="my own reasons",
                                     delivery="email", state="received"))
    course = factories.course()
    db_session.add(CourseProgress(user_id=resident.id, course_id=course.id, steps_done=2))
    db_session.add(Notification(user_id=resident.id, key="request.answered", endpoint="core.home"))
    db_session.commit()
    return request, proposal


def _zip(db_session, user) -> zipfile.ZipFile:
    export = privacy.request_export(db_session, user, PASSWORD)
    assert privacy.build_export(db_session, export.id)
    export = db_session.get(DataExport, export.id)
    assert export.state == "ready" and export.size == len(export.data)
    return zipfile.ZipFile(io.BytesIO(export.data))


def test_the_zip_holds_the_residents_data_in_every_module_and_no_one_elses(db_session, factories):
    resident = factories.user(display_name="Jane Resident", locale="es")
    other = factories.user(display_name="Otto Other")
    request, proposal = _resident_with_data(db_session, factories, resident)
    factories.feedback_requests(1, request.category, request.area, request.lead_department,
                                resident=other)
    archive = _zip(db_session, resident)
    names = set(archive.namelist())
    for key in ("profile", "requests", "followed_requests", "debate_comments", "proposals",
                "proposal_supports", "disclosure_requests", "course_progress", "notifications",
                "sessions", "audit_log"):
        assert f"{key}.json" in names, key
    photo = [n for n in names if n.startswith(f"files/requests/{request.id}/")]
    assert len(photo) == 1 and archive.read(photo[0]) == FILE_BYTES
    profile, = json.loads(archive.read("profile.json"))
    assert profile["email"] == resident.email and "password_hash" not in profile
    requests = json.loads(archive.read("requests.json"))
    assert [r["id"] for r in requests] == [request.id]
    assert requests[0]["contact_phone"] == "555-0199"
    assert [e["kind"] for e in requests[0]["timeline"]][:1] == ["submitted"]
    assert all("internal_note" not in e for e in requests[0]["timeline"])
    assert [p["id"] for p in json.loads(archive.read("proposals.json"))] == [proposal.id]
    assert json.loads(archive.read("disclosure_requests.json"))[0]["purpose"] == "my own reasons"
    everything = b"".join(archive.read(n) for n in names)
    assert b"Otto Other" not in everything and other.email.encode() not in everything
    assert b'"key"' not in archive.read("sessions.json")  # no session keys
    readme = archive.read("README.txt").decode()
    assert "requests.json" in readme and "proposals.json" in readme


def test_only_the_owner_downloads_until_it_expires(client, login, db_session, factories):
    from datetime import timedelta

    from portal.core.models import utcnow

    owner = factories.user()
    export = privacy.request_export(db_session, owner, PASSWORD)
    privacy.build_export(db_session, export.id)
    url = f"/en/account/privacy/export/{export.id}"
    assert client.get(url).status_code == 302  # anonymous: to the login page
    login(factories.user())
    assert client.get(url).status_code == 404  # another resident: no such export
    client.post("/en/account/logout", data={"csrf_token": csrf_token_from(
        client.get("/en/account/settings").get_data(as_text=True))})
    login(owner)
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "no-store" in response.headers["Cache-Control"]
    zipfile.ZipFile(io.BytesIO(response.data)).testzip()
    db_session.get(DataExport, export.id).expires_at = utcnow() - timedelta(minutes=1)
    db_session.commit()
    assert client.get(url).status_code == 404
    assert privacy.prune_exports(db_session) == 1


def test_asking_for_the_download_needs_the_password_and_csrf(client, login, db_session, factories):
    user = login(factories.user())
    page = client.get("/en/account/privacy")
    assert page.status_code == 200
    token = csrf_token_from(page.get_data(as_text=True))
    wrong = client.post("/en/account/privacy/export",
                        data={"csrf_token": token, "ex-password": "not it"})
    assert wrong.status_code == 422 and "Your password is not right." in wrong.get_data(as_text=True)
    ok = client.post("/en/account/privacy/export", data={"csrf_token": token, "ex-password": PASSWORD})
    assert ok.status_code == 303
    assert db_session.scalar(select(func.count()).select_from(DataExport)
                             .where(DataExport.user_id == user.id)) == 1
    fragment = client.get("/en/account/privacy", headers={"HX-Request": "true"})
    assert 'hx-trigger="every 3s"' in fragment.get_data(as_text=True)


def test_deleting_keeps_public_contributions_anonymised_and_counts(client, login, db_session,
                                                                  factories):
    from portal.deliberation.models import DebateComment, Proposal, ProposalSupport
    from portal.feedback.models import Follower, Request
    from portal.literacy.models import CourseProgress

    resident = factories.user(display_name="Jane Resident")
    email = resident.email
    request, proposal = _resident_with_data(db_session, factories, resident)
    login(resident)
    token = csrf_token_from(client.get("/en/account/privacy").get_data(as_text=True))
    mistyped = client.post("/en/account/privacy/delete", data={
        "csrf_token": token, "del-password": PASSWORD, "del-confirmation": "someone@else.org"})
    assert mistyped.status_code == 422
    response = client.post("/en/account/privacy/delete", data={
        "csrf_token": token, "del-password": PASSWORD, "del-confirmation": email})
    assert response.status_code == 303
    db_session.expire_all()
    tomb = db_session.get(User, resident.id)
    assert tomb.deleted_at is not None and not tomb.is_active
    assert str(tomb.display_name) == "Former participant" and email not in tomb.email
    request = db_session.get(Request, request.id)
    assert request.resident_id == tomb.id and request.state_type != "closed"
    assert request.contact_name is None and request.contact_phone is None
    assert "12" not in request.location_text and request.latitude == 31.235
    assert request.followers_count == 0
    assert db_session.scalar(select(func.count()).select_from(Follower)) == 0
    assert db_session.scalar(select(func.count()).select_from(CourseProgress)) == 0
    assert db_session.scalar(select(func.count()).select_from(DebateComment)) == 1
    assert db_session.get(Proposal, proposal.id).support_count == 1
    assert db_session.scalar(select(func.count()).select_from(ProposalSupport)) == 1
    mail = db_session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == email)).all()
    assert [m.subject for m in mail] == ["Your account has been deleted"]
    assert db_session.scalar(select(AuditEvent.action).where(
        AuditEvent.subject_id == tomb.id, AuditEvent.action == "personal.erased"))
    # signed out, and the old address and password no longer open anything
    assert client.get("/en/account/settings").status_code == 302
    again = client.post("/en/account/login", data={"email": email, "password": PASSWORD})
    assert again.status_code == 422
    # the proposal's page names a former participant
    assert db_session.get(User, tomb.id).display_name == "Former participant"


def test_staff_and_administrators_cannot_delete_themselves(client, login, db_session, factories):
    for roles in (("staff",), ("administrator",), ("moderator",)):
        user = factories.user(roles=roles)
        login(user)
        page = client.get("/en/account/privacy").get_data(as_text=True)
        assert "Ask an administrator to take your roles away first." in page
        token = csrf_token_from(page)
        response = client.post("/en/account/privacy/delete", data={
            "csrf_token": token, "del-password": PASSWORD, "del-confirmation": user.email})
        assert response.status_code == 403
        db_session.expire_all()
        assert db_session.get(User, user.id).deleted_at is None
        client.post("/en/account/logout", data={"csrf_token": token})


def test_new_routes_send_anonymous_readers_to_log_in(client):
    assert client.get("/en/account/privacy").status_code == 302
    assert client.post("/en/account/privacy/export").status_code in (302, 400)
    assert client.post("/en/account/privacy/delete").status_code in (302, 400)


def test_the_posts_need_the_csrf_token(client, app, db_session, factories, monkeypatch):
    user = factories.user()
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    token = csrf_token_from(client.get("/en/account/login").get_data(as_text=True))
    assert client.post("/en/account/login", data={
        "email": user.email, "password": PASSWORD, "csrf_token": token}).status_code == 303
    assert client.post("/en/account/privacy/export",
                       data={"ex-password": PASSWORD}).status_code == 400
    assert client.post("/en/account/privacy/delete", data={
        "del-password": PASSWORD, "del-confirmation": user.email}).status_code == 400
    db_session.expire_all()
    assert db_session.get(User, user.id).deleted_at is None
    assert db_session.scalar(select(func.count()).select_from(DataExport)) == 0
