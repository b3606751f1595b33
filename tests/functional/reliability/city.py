"""The demo city in a database that commits (the production app's, or a cluster's own)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select


def seed_city(app) -> dict:
    """Seed the demo city; the ids the flows need."""
    from portal.extensions import db
    from portal.responsibility.models import Area
    from portal.seed import seed

    with app.test_request_context("/", base_url="https://portal.example"):
        seed(db.session)
        db.session.commit()
        return {"area_id": db.session.scalar(select(Area.id).where(Area.code == "old-market"))}


def add_residents(app, count: int, password: str) -> list[str]:
    """``count`` residents, confirmed, older than a day (the new-account posting limits are
    not what a load test is about), members of the city forum; their emails."""
    from portal.core.models import User, utcnow
    from portal.core.passwords import hash_password
    from portal.deliberation import services as deliberation
    from portal.deliberation.models import Hall
    from portal.extensions import db

    with app.test_request_context("/", base_url="https://portal.example"):
        hashed = hash_password(password)
        hall = db.session.scalar(select(Hall).where(Hall.slug == "riverbend-forum"))
        past = utcnow() - timedelta(days=3)
        emails = [f"load{i}@example.org" for i in range(count)]
        users = [User(email=e, display_name=f"Load {i}", password_hash=hashed, locale="en",
                      email_confirmed_at=past, created_at=past) for i, e in enumerate(emails)]
        db.session.add_all(users)
        db.session.flush()
        for user in users:
            deliberation.join(db.session, user, hall)
        db.session.commit()
    return emails


def open_proposals(app) -> list[int]:
    from portal.deliberation.models import Hall, Proposal
    from portal.extensions import db

    with app.app_context():
        ids = list(db.session.scalars(select(Proposal.id).join(Hall).where(
            Hall.slug == "riverbend-forum", Proposal.state == "published",
            Proposal.hidden.is_(False)).order_by(Proposal.id)))
        db.session.rollback()
        return ids
