"""The personal-data log: views of personal data are recorded (one row a view, none for
anonymous or htmx fragments), and administrators read them filtered and paginated."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.core.models import AuditEvent


def _views(db_session, **where):
    stmt = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "personal.viewed")
    for name, value in where.items():
        stmt = stmt.where(getattr(AuditEvent, name) == value)
    return db_session.scalar(stmt)


def test_opening_a_users_page_is_recorded_once_and_listed(client, login, db_session, factories):
    admin = login(factories.admin())
    resident = factories.user(display_name="Jane Resident")
    other = factories.user()
    assert client.get(f"/en/admin/users/{resident.id}").status_code == 200
    assert client.get(f"/en/admin/users/{other.id}").status_code == 200
    assert _views(db_session, subject_id=resident.id, actor_id=admin.id) == 1
    page = client.get(f"/en/admin/audit/personal-data?person={resident.email}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Jane Resident" in body and "Personal data viewed" in body
    assert other.display_name not in body
    by_staff = client.get(f"/en/admin/audit/personal-data?staff={other.id}").get_data(as_text=True)
    assert "Jane Resident" not in by_staff
    dated = client.get("/en/admin/audit/personal-data?start=2001-01-01&end=2001-01-02")
    assert "Jane Resident" not in dated.get_data(as_text=True)


def test_bad_filters_are_no_500(client, login, factories):
    login(factories.admin())
    for query in ("start=9999-12-31&end=9999-12-31", "start=nonsense", "person=" + "x" * 300,
                  "staff=99999999999999999999", "before=99999999999999999999", "end=0001-01-01"):
        assert client.get(f"/en/admin/audit/personal-data?{query}").status_code in (200, 404), query


def test_only_administrators_read_the_log(client, login, factories):
    assert client.get("/en/admin/audit/personal-data").status_code == 302
    login(factories.user(roles=("staff",)))
    assert client.get("/en/admin/audit/personal-data").status_code == 403


def test_a_staff_request_page_records_a_view_of_its_residents_data(client, login, db_session,
                                                                  factories):
    department = factories.department()
    area = factories.area()
    category = factories.service_category()
    resident = factories.user()
    request, = factories.feedback_requests(1, category, area, department, resident=resident)
    staff = login(factories.user(roles=("staff",), departments=(department,)))
    assert client.get(f"/en/staff/requests/{request.tracking_code}").status_code == 200
    assert _views(db_session, subject_id=resident.id, actor_id=staff.id) == 1
    # the public page, read anonymously, writes nothing
    client.post("/en/account/logout")
    before = db_session.scalar(select(func.count()).select_from(AuditEvent))
    client.get(f"/en/requests/{request.tracking_code}")
    assert db_session.scalar(select(func.count()).select_from(AuditEvent)) == before
