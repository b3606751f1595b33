"""Demo data: the city of Riverbend; running it twice keeps what exists."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from portal.core.models import User
from portal.responsibility.models import Area, Department
from portal.seed import AREAS, DEMO_PASSWORD, DEMO_USERS, DEPARTMENTS, seed


def _counts(session):
    return {model.__name__: session.scalar(select(func.count()).select_from(model))
            for model in (User, Area, Department)}


def test_seed_twice_creates_nothing_the_second_time(app, db_session):
    with app.test_request_context("/"):
        first = seed(db_session)
        counts = _counts(db_session)
        assert first >= len(AREAS) + len(DEPARTMENTS) + len(DEMO_USERS)
        assert seed(db_session) == 0
    assert _counts(db_session) == counts


def test_seed_keeps_what_exists(app, db_session, factories):
    email = next(row[0] for row in DEMO_USERS if not row[2])  # a plain resident
    factories.user(email=email, display_name="Already here")
    with app.test_request_context("/"):
        seed(db_session)
    user = db_session.scalar(select(User).where(User.email == email))
    assert user.display_name == "Already here"


def test_demo_accounts_have_their_roles_and_languages(app, db_session):
    from portal.core.passwords import verify_password

    with app.test_request_context("/"):
        seed(db_session)
    for email, name, roles, _departments, locale in DEMO_USERS:
        user = db_session.scalar(select(User).where(User.email == email))
        assert user.display_name == name and user.locale == locale
        assert set(roles) <= user.role_names
        assert user.email_confirmed_at is not None
        assert verify_password(user.password_hash, DEMO_PASSWORD)


def test_demo_names_in_every_language(app, db_session):
    from portal.core.i18n import LOCALES

    with app.test_request_context("/"):
        seed(db_session)
    city = db_session.scalar(select(Area).where(Area.code == "riverbend"))
    assert set(city.name_i18n) == {loc.code for loc in LOCALES}
    # every place has a name in every language (no Chinese-only name on English pages)
    for area in db_session.scalars(select(Area)):
        assert set(area.name_i18n) == {loc.code for loc in LOCALES}, area.code
        assert all(area.name_i18n.values()), area.code
    from portal.feedback.models import Request

    chinese = select(Request).where(Request.source_locale.in_(["zh-Hans", "zh-Hant"]))
    items = list(db_session.scalars(chinese))
    assert items  # the demo has requests written in Chinese
    for item in items:
        assert not re.search(r"[\u4e00-\u9fff]", item.location_text or ""), item.location_text
    fish = db_session.scalar(select(Area).where(Area.code == "harbour-fish"))
    assert fish.name_i18n["zh-Hant"] == "漁人新村" and fish.source_locale == "zh-Hans"
