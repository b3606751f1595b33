"""The staff queue's rows are written from compiled copies of their template
(portal.core.rendering.compiled_rows, docs/performance.md): rendered once per shape of row
and locale in the process, then filled per row, with the same HTML and the same escaping."""

from __future__ import annotations

import contextlib

from jinja2 import Environment

from tests.functional.support import page

ROW = "moderation/_queue_row.html"


@contextlib.contextmanager
def templates_loaded(monkeypatch):
    seen: list[str] = []
    get = Environment.get_template

    def recording(self, name, *args, **kwargs):
        seen.append(name if isinstance(name, str) else getattr(name, "name", "?"))
        return get(self, name, *args, **kwargs)

    monkeypatch.setattr(Environment, "get_template", recording)
    yield seen
    monkeypatch.setattr(Environment, "get_template", get)


def test_the_rows_template_is_not_rendered_again_for_each_row(world, client_for, monkeypatch):
    client = client_for(world.users["lead_staff"])
    world.requests(6)
    world.requests(6, assigned_user_id=world.users["colleague"].id, priority=True)
    client.get("/en/staff/queue/")
    with templates_loaded(monkeypatch) as seen:
        response = client.get("/en/staff/queue/")
    assert response.get_data(as_text=True).count('<tr id="queue-row-') == 12
    assert ROW not in seen, seen  # every shape was compiled by the first visit


def test_each_row_has_its_own_values_escaped(world, client_for, db_session):
    from sqlalchemy import select

    from portal.moderation.models import QueueItem

    plain = world.request(title="Loose kerb")
    odd = world.request(title='<b>"Bold" & bad</b>', assigned_user_id=world.users["colleague"].id)
    client = client_for(world.users["lead_staff"])
    for locale in ("en", "ar", "en"):
        response = client.get(f"/{locale}/staff/queue/")
        html = response.get_data(as_text=True)
        assert "<b>" not in html and "&lt;b&gt;&#34;Bold&#34; &amp; bad&lt;/b&gt;" in html
        assert "\x02" not in html and "\x03" not in html
        doc = page(response)
        ids = dict(db_session.execute(select(QueueItem.item_id, QueueItem.id)).all())
        for item in (plain, odd):
            row = doc.one("tr", id=f"queue-row-{ids[item.id]}")
            assert item.tracking_code in row.text and item.title in row.text
            assert row.one("a").get("href") == f"/{locale}/staff/requests/{item.tracking_code}"
            box = row.one("input", type="checkbox")
            assert box.get("value") == str(ids[item.id]) and row.one("label").get("for") == box.get("id")
            for button in row.find_all("button"):
                assert f"/{locale}/staff/queue/{ids[item.id]}/" in button.get("formaction")
        assert ("Colleague" in doc.one("tr", id=f"queue-row-{ids[odd.id]}").text) is True
        assert "Colleague" not in doc.one("tr", id=f"queue-row-{ids[plain.id]}").text


def test_the_filters_and_bulk_actions_are_kept_per_filter_values(world, client_for, monkeypatch):
    from jinja2.runtime import Macro

    client = client_for(world.users["lead_staff"])
    world.requests(2)
    roads = world.departments["roads"].id
    for _ in range(2):
        chosen = page(client.get(f"/en/staff/queue/?department={roads}&sort=updated"))
        assert "selected" in chosen.one("select", id="department").find("option", value=str(roads)).attrs
        assert "selected" in chosen.one("select", id="sort").find("option", value="updated").attrs
        plain = page(client.get("/en/staff/queue/"))
        assert "selected" not in plain.one("select", id="department").find("option", value=str(roads)).attrs
        assert "selected" in plain.one("select", id="department").find("option", value="").attrs
    seen: list[str] = []
    call = Macro.__call__
    monkeypatch.setattr(Macro, "__call__",
                        lambda self, *a, **k: seen.append(self.name) or call(self, *a, **k))
    assert client.get("/en/staff/queue/").status_code == 200
    assert "select" not in seen and "radios" not in seen, seen
