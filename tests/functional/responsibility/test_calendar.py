"""The working-day calendar pages: the year's exceptions, adding, changing and removing a
day, and the "count working days" checker with its explanation."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal.core.calendar import CalendarDay
from portal.core.models import AuditEvent
from tests.functional.support import page, title

PREFIX = "/en/admin/responsibility/calendar"
NAMES = {"name_en": "", "name_zh_Hans": "", "name_zh_Hant": "", "name_es": "", "name_ar": "",
         "name_bo": "", "name_ug": ""}


def audit(db_session, action):
    db_session.expire_all()
    return list(db_session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_the_year_lists_its_exceptions(client, factories, login, world):
    login(factories.admin())
    response = client.get(f"{PREFIX}/2026")
    assert response.status_code == 200
    assert title(response).startswith("Working-day calendar 2026")
    doc = page(response)
    row = doc.by_id("exceptions").parent.find("table").find("tbody").find("tr")
    assert row.find("time", datetime="2026-10-01").text == "Thursday, October 1, 2026"
    assert "City Day" in row.text and "Holiday" in row.text
    assert row.find("a", href=f"{PREFIX}/days/2026-10-01") is not None
    assert row.find("form", action=f"{PREFIX}/days/2026-10-01/remove") is not None
    years = doc.one("nav", aria_label="Other years").find_all("a")
    this_year = date.today().year
    assert [a.text for a in years] == [f"Calendar {y}" for y in sorted(
        {2026, *range(this_year - 1, this_year + 3)})]
    assert doc.find("a", href=f"{PREFIX}/2026", aria_current="page") is not None
    far = page(client.get(f"{PREFIX}/2000"))
    assert "No exceptions in 2000" in far.text
    assert far.find("a", href=f"{PREFIX}/1999") is None  # the links do not run on without end
    assert client.get(f"{PREFIX}/12026").status_code == 404


def test_the_year_page_in_spanish_shows_names_in_spanish(client, factories, login, world):
    login(factories.admin())
    doc = page(client.get("/es/admin/responsibility/calendar/2026"))
    assert "Día de la Ciudad" in doc.find("table").text


def test_add_a_holiday(client, factories, login, world, db_session):
    admin = login(factories.admin())
    response = client.post(f"{PREFIX}/2026", data={
        "day": "2026-05-01", "is_working_day": "0", "source_locale": "es", **NAMES,
        "name_es": "Día del Trabajo", "name_en": "Labour Day"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{PREFIX}/2026")
    row = db_session.get(CalendarDay, date(2026, 5, 1))
    assert row.is_working_day is False and row.source_locale == "es"
    assert row.name_i18n == {"es": "Día del Trabajo", "en": "Labour Day"}
    [entry] = audit(db_session, "calendar.day_set")
    assert entry.actor_id == admin.id and entry.details["day"] == "2026-05-01"


def test_a_holiday_on_a_weekend_is_refused_beside_the_field(client, factories, login, world, db_session):
    login(factories.admin())
    response = client.post(f"{PREFIX}/2026", data={
        "day": "2026-05-02", "is_working_day": "0", "source_locale": "en", **NAMES,
        "name_en": "Saturday off"})
    assert response.status_code == 422
    doc = page(response)
    assert "already a day off" in doc.by_id("is_working_day-field").find(class_="error-message").text
    assert doc.by_id("name_en").get("value") == "Saturday off"
    assert doc.by_id("day").get("value") == "2026-05-02"
    response = client.post(f"{PREFIX}/2026", data={
        "day": "2026-02-30", "is_working_day": "", "source_locale": "en", **NAMES})
    doc = page(response)
    assert "real date" in doc.by_id("day-error").text
    assert doc.by_id("is_working_day-error") is not None
    assert db_session.get(CalendarDay, date(2026, 5, 2)) is None


def test_change_and_remove_a_day(client, factories, login, world, db_session):
    login(factories.admin())
    url = f"{PREFIX}/days/2026-10-01"
    doc = page(client.get(url))
    assert doc.by_id("day") is None  # the date itself is fixed
    assert doc.by_id("name_es").get("value") == "Día de la Ciudad"
    response = client.post(url, data={"is_working_day": "0", "source_locale": "en", **NAMES,
                                      "name_en": "Riverbend Day"})
    assert response.status_code == 303
    db_session.expire_all()
    assert db_session.get(CalendarDay, date(2026, 10, 1)).name_i18n == {"en": "Riverbend Day"}
    response = client.post(url, data={"is_working_day": "1", "source_locale": "en", **NAMES,
                                      "name_en": "Riverbend Day"})
    assert response.status_code == 422  # a Thursday is a working day already
    response = client.post(f"{url}/remove")
    assert response.status_code == 303
    db_session.expire_all()
    assert db_session.get(CalendarDay, date(2026, 10, 1)) is None
    assert [e.details["day"] for e in audit(db_session, "calendar.day_removed")] == ["2026-10-01"]
    assert client.get(url).status_code == 404
    assert client.post(f"{url}/remove").status_code == 404
    assert client.get(f"{PREFIX}/days/not-a-date").status_code == 404


def test_count_working_days_explains_the_deadline(client, factories, login, world):
    login(factories.admin())
    response = client.get(f"{PREFIX}/2026?start=2026-09-30&days=3")
    assert response.status_code == 200
    doc = page(response)
    result = doc.by_id("count").parent
    # Thursday is City Day, then the weekend: Friday, Monday and Tuesday count.
    due = [t for t in result.find_all("time") if t.get("datetime", "").startswith("2026-10-06T17:00")]
    assert due, result.text
    text = result.text
    assert "Thursday, October 1, 2026" in text and "City Day" in text
    assert "Saturday, October 3, 2026" in text and "weekend" in text
    assert doc.by_id("start").get("value") == "2026-09-30"


def test_count_working_days_errors(client, factories, login, world):
    login(factories.admin())
    response = client.get(f"{PREFIX}/2026?start=&days=0")
    assert response.status_code == 422
    doc = page(response)
    assert doc.by_id("start-error") is not None
    assert "from 1 to 365" in doc.by_id("days-error").text
