"""Bulk-load N requests (with their events and queue items) for ``make bench``.

Rows are inserted in batches through SQLAlchemy Core: building 100,000 requests through the
services one by one would take far longer than the measurement itself. The shapes match what
the services write (states, deadlines, events with a hash chain, queue items).
"""

from __future__ import annotations

import hashlib
import random
from datetime import timedelta
from types import SimpleNamespace

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from portal.core import search
from portal.core.models import utcnow
from portal.feedback import services
from portal.feedback import states as st
from portal.feedback.models import Request, RequestEvent
from portal.moderation.models import QueueItem
from portal.responsibility.models import Area, Department, ServiceCategory

WORDS = ["pothole", "road", "light", "water", "leak", "bin", "litter", "noise", "bridge",
         "school", "market", "park", "bus", "stop", "pavement", "crossing", "tree", "drain",
         "路灯", "路面", "垃圾", "噪音", "漏水"]
STATES = ["routed", "acknowledged", "in_progress", "waiting", "answered", "closed_resolved",
          "closed_unconfirmed", "reopened"]


def bulk_requests(session: Session, n: int, batch: int = 5000, seed: int = 7) -> None:
    rng = random.Random(seed)
    categories = list(session.scalars(select(ServiceCategory)))
    areas = list(session.scalars(select(Area)))
    departments = list(session.scalars(select(Department)))
    # Three requests in four give a point inside the city's boundaries (the public map and
    # "near here" then have real data), routed to the area the point is in.
    import shapely

    from portal.responsibility import geometry

    finder = geometry.locator(session)
    box = (shapely.total_bounds([a.geometry for a in finder.areas]) if finder.covered()
           else None)
    start_id = (session.scalar(select(Request.id).order_by(Request.id.desc()).limit(1)) or 0) + 1
    now = utcnow()
    for offset in range(0, n, batch):
        requests, events, items = [], [], []
        for i in range(start_id + offset, start_id + min(offset + batch, n)):
            state = rng.choice(STATES)
            created = now - timedelta(minutes=rng.randint(0, 500_000))
            category, area, dept = rng.choice(categories), rng.choice(areas), rng.choice(departments)
            lat = lon = None
            if box is not None and rng.random() < 0.75:
                lon, lat = rng.uniform(box[0], box[2]), rng.uniform(box[1], box[3])
                found = finder.area_id_at(lat, lon)
                area_id = found if found is not None else area.id
            else:
                area_id = area.id
            title = " ".join(rng.choice(WORDS) for _ in range(4))
            code = f"R-{created.year}-{i:06d}"
            h1 = hashlib.sha256(f"{i}-1".encode()).hexdigest()
            h2 = hashlib.sha256(f"{i}-2".encode()).hexdigest()
            requests.append(dict(
                id=i, tracking_code=code, category_id=category.id, area_id=area_id, title=title,
                latitude=lat, longitude=lon,
                description=title + " " + " ".join(rng.choice(WORDS) for _ in range(20)),
                source_locale="en", location_text=f"{rng.randint(1, 200)} Main Street",
                answers={}, state=state, state_type=st.STATES[state].type, priority=state == "reopened",
                lead_department_id=dept.id, co_department_ids=[], created_at=created, updated_at=created,
                ack_due_at=created + timedelta(hours=24), resolve_due_at=created + timedelta(days=14),
                deadline_explanation={}, followers_count=rng.randint(0, 5), show_name=False,
                extended=False, escalation_level=0, overdue=False, source="bench", last_event_hash=h2,
            ))
            events.append(dict(request_id=i, seq=1, created_at=created, actor_role="resident",
                               kind="submitted", from_state="unconfirmed", to_state="unconfirmed",
                               data={}, prev_hash=None, hash=h1))
            events.append(dict(request_id=i, seq=2, created_at=created, actor_role="system",
                               kind="routed", from_state="unconfirmed", to_state=state,
                               data={"department": dept.code}, prev_hash=h1, hash=h2))
            active = state in st.ACTIVE and state != "waiting"
            items.append(dict(module="feedback", item_id=i, title=title, reference=code,
                              department_id=dept.id, category_id=category.id, area_id=area_id,
                              state=state, due_at=created + timedelta(days=14),
                              due_sort=created + timedelta(days=14),
                              sort_rank=0 if state == "reopened" else 1, overdue=False,
                              priority=state == "reopened", done=not active, updated_at=created))
        session.execute(insert(Request), requests)
        session.execute(insert(RequestEvent), events)
        session.execute(insert(QueueItem), items)
        # The search index, as the services keep it (the same document for each request).
        search.bulk_index(session, "request",
                          [services.search_document(SimpleNamespace(**r)) for r in requests],
                          replace=False)
        session.commit()
