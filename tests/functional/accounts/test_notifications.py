"""The in-app notifications page, "mark all as read", and the choice of emails."""

from __future__ import annotations

import pytest
from sqlalchemy import select

import portal.feedback.services  # noqa: F401  (registers the request tracker's messages)
from portal.core import notifications
from portal.core.models import User
from portal.core.notifications import Notification
from tests.functional.support import page, title


@pytest.fixture
def notify(app, db_session):
    """``notify(user, code, kind)``: what the request tracker writes when a request changes."""

    def _notify(user, code="R-2026-000042", kind="acknowledged", key="feedback.changed",
                endpoint="feedback.detail"):
        with app.test_request_context():
            made = notifications.notify(
                db_session, [user], key, {"code": code, "event": {"key": f"feedback.event.{kind}"}},
                endpoint, {"code": code})
        db_session.commit()
        return made[0]

    return _notify


def test_the_page_needs_log_in(client):
    response = client.get("/en/account/notifications")
    assert response.status_code == 302 and "/en/account/login" in response.headers["Location"]
    response = client.post("/en/account/notifications/read")
    assert response.status_code == 302 and "/en/account/login" in response.headers["Location"]


def test_newest_first_unread_marked_in_words_and_links_in_the_readers_language(
        client, factories, login, notify, db_session):
    user = factories.user(notify_mode="none")
    other = factories.user(notify_mode="none")
    notify(user, kind="acknowledged")
    notify(user, kind="answered")
    notify(other, code="R-2026-000099")
    seen = notify(user, kind="started")
    notify(user, kind="routed")
    seen.read_at = seen.created_at
    db_session.commit()
    login(user)
    response = client.get("/en/account/notifications")
    assert response.status_code == 200
    assert title(response).startswith("Your notifications")
    doc = page(response)
    items = doc.one("ul", class_="notification-list").find_all("li")
    assert [li.one("a").text for li in items] == [
        "Your request R-2026-000042: Sent to the responsible department",
        "Your request R-2026-000042: Work started",
        "Your request R-2026-000042: Answered",
        "Your request R-2026-000042: Acknowledged by the department",
    ]
    # Unread ones say so in words, not only by colour.
    marked = [bool(li.find("strong", class_="tag")) for li in items]
    assert marked == [True, False, True, True]
    assert all(li.find("strong", class_="tag").text == "New" for li in items if li.find("strong"))
    assert "R-2026-000099" not in doc.text  # nobody else's
    assert {li.one("a").get("href") for li in items} == {"/en/requests/R-2026-000042"}
    # In Spanish: the same notifications, in Spanish, linking to the Spanish page.
    doc = page(client.get("/es/account/notifications"))
    assert doc.find("ul", class_="notification-list").find("a").get("href") == "/es/requests/R-2026-000042"
    assert all(t.get("datetime").endswith("Z") for t in doc.find_all("time"))


def test_mark_all_as_read(client, factories, login, notify, db_session):
    user = factories.user(notify_mode="none")
    first, second = notify(user), notify(user, kind="answered")
    login(user)
    doc = page(client.get("/en/account/notifications"))
    form = doc.one("form", action="/en/account/notifications/read")
    assert form.get("method") == "post" and form.one("button").text == "Mark all as read"
    response = client.post("/en/account/notifications/read")
    assert response.status_code == 303 and response.headers["Location"] == "/en/account/notifications"
    db_session.expire_all()
    assert db_session.get(Notification, first.id).read_at is not None
    assert db_session.get(Notification, second.id).read_at is not None
    doc = page(client.get("/en/account/notifications"))
    assert "All your notifications are marked as read." in doc.text
    assert doc.find("strong", class_="tag") is None
    assert doc.find("form", action="/en/account/notifications/read") is None  # nothing left to mark


def test_mark_all_as_read_with_htmx_returns_the_list(client, factories, login, notify):
    user = factories.user(notify_mode="none")
    notify(user)
    login(user)
    response = client.post("/en/account/notifications/read", headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="notifications"') and "<html" not in body
    assert page(response).one("p", role="status").text == "All your notifications are marked as read."


def test_pages_newest_to_oldest_and_back(client, factories, login, notify):
    user = factories.user(notify_mode="none")
    made = [notify(user, code=f"R-2026-{n:06d}") for n in range(1, 36)]
    login(user)
    doc = page(client.get("/en/account/notifications"))
    first = [li.one("a").text for li in doc.find_all("li", class_="notification")]
    assert len(first) == 30 and first[0].startswith("Your request R-2026-000035")
    older = doc.one("a", rel="next").get("href")
    assert older == f"/en/account/notifications?before={made[5].id}"
    doc = page(client.get(older))
    assert [li.one("a").text[:26] for li in doc.find_all("li", class_="notification")] == [
        f"Your request R-2026-{n:06d}" for n in range(5, 0, -1)]
    newer = doc.one("a", rel="prev").get("href")
    doc = page(client.get(newer))
    assert [li.one("a").text for li in doc.find_all("li", class_="notification")] == first


def test_a_notification_whose_page_is_gone_is_shown_without_a_link(client, factories, login, notify):
    user = factories.user(notify_mode="none")
    notify(user, endpoint="feedback.detail")
    note = notify(user, kind="answered")
    note.endpoint = "retired.page"
    login(user)
    doc = page(client.get("/en/account/notifications"))
    items = doc.find_all("li", class_="notification")
    assert "Answered" in items[0].text and items[0].find("a") is None
    assert items[1].find("a") is not None


# --- the choice of emails, on the settings page -------------------------------------------

def test_the_email_choice_is_saved_from_the_settings_page(client, factories, login, db_session):
    user = login(factories.user())
    doc = page(client.get("/en/account/settings"))
    radios = doc.find_all("input", name="prefs-notify_mode")
    assert [r.get("value") for r in radios] == ["immediate", "daily", "none"]
    assert [r.get("value") for r in radios if "checked" in r.attrs] == ["immediate"]
    labels = [doc.one("label", for_=r.get("id")).text for r in radios]
    assert labels == [str(notifications.MODES[m]) for m in ("immediate", "daily", "none")]
    assert doc.one("main").one("a", href="/en/account/notifications") is not None
    data = {"prefs-display_name": user.display_name, "prefs-locale": "en"}
    response = client.post("/en/account/settings/preferences", data={**data, "prefs-notify_mode": "daily"})
    assert response.status_code == 303
    db_session.expire_all()
    assert db_session.get(User, user.id).notify_mode == "daily"
    settings = page(client.get("/en/account/settings"))
    checked = settings.find_all("input", name="prefs-notify_mode", checked=True)
    assert [r.get("value") for r in checked] == ["daily"]
    # A form without the choice keeps it; a made-up one is refused beside the field.
    client.post("/en/account/settings/preferences", data=data)
    db_session.expire_all()
    assert db_session.get(User, user.id).notify_mode == "daily"
    response = client.post("/en/account/settings/preferences", data={**data, "prefs-notify_mode": "hourly"})
    assert response.status_code == 422
    assert page(response).by_id("prefs-notify_mode-error") is not None
    db_session.expire_all()
    assert db_session.scalar(select(User.notify_mode).where(User.id == user.id)) == "daily"


def test_the_chosen_mode_decides_the_mail(app, client, factories, login, notify, db_session):
    """Immediate: a mail now; daily: held for the digest; none: only the in-app list."""
    from portal.core.models import OutboxMessage

    people = {mode: factories.user(notify_mode=mode) for mode in ("immediate", "daily", "none")}
    notes = {mode: notify(user) for mode, user in people.items()}
    mails = {m.recipient for m in db_session.scalars(select(OutboxMessage))}
    assert people["immediate"].email in mails
    assert people["daily"].email not in mails and people["none"].email not in mails
    assert notes["daily"].digest_pending and not notes["none"].digest_pending
