"""A staff request page's unchanged action forms are rendered once per locale, choices and
values and then kept (portal.core.rendering.kept_fragment, docs/performance.md): each reader
still gets their own CSRF token and each request its own URLs, and a refused form is shown
as posted, with its errors."""

from __future__ import annotations

import contextlib
import re

import pytest
from jinja2.runtime import Macro

from tests.functional.moderation.support import build_world, clients
from tests.functional.support import page


@pytest.fixture
def world(db_session, factories):
    return build_world(db_session, factories)


@pytest.fixture
def client_for(app, db_session):
    return clients(app)


@contextlib.contextmanager
def macro_calls(monkeypatch):
    seen: list[str] = []
    call = Macro.__call__

    def recording(self, *args, **kwargs):
        seen.append(self.name)
        return call(self, *args, **kwargs)

    monkeypatch.setattr(Macro, "__call__", recording)
    yield seen
    monkeypatch.setattr(Macro, "__call__", call)


def _forms(html: str) -> dict[str, str]:
    found = re.findall(r'<form method="post" action="([^"]+)"[^>]*>\s*<input[^>]*name="[a-z]*-?csrf_token"'
                       r'[^>]*value="([^"]+)"', html)
    return {action: token for action, token in found if "/staff/requests/" in action}


def test_the_action_forms_are_kept_and_get_each_readers_token(world, client_for, app, monkeypatch):
    first, second = world.request(state="acknowledged"), world.request(state="acknowledged")
    lead, colleague = client_for(world.users["lead_staff"]), client_for(world.users["colleague"])
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    lead.get(f"/en/staff/requests/{first.tracking_code}")
    with macro_calls(monkeypatch) as seen:
        html = colleague.get(f"/en/staff/requests/{second.tracking_code}").get_data(as_text=True)
    # the answer form (being written) is rendered; the others come from memory, no field macro
    assert seen.count("textarea") <= 1 and "select" not in seen and "radios" not in seen, seen
    forms = _forms(html)
    assert f"/en/staff/requests/{second.tracking_code}/note" in forms
    assert not any(first.tracking_code in action for action in forms)
    own = re.search(r'name="csrf-token" content="([^"]+)"', html)[1]
    assert set(forms.values()) == {own}
    assert "\x02" not in html and "\x03" not in html
    lead_html = lead.get(f"/en/staff/requests/{second.tracking_code}").get_data(as_text=True)
    lead_token = re.search(r'name="csrf-token" content="([^"]+)"', lead_html)[1]
    assert set(_forms(lead_html).values()) == {lead_token} != {own}
    response = colleague.post(f"/en/staff/requests/{second.tracking_code}/note",
                              data={"note-csrf_token": own, "note-text": "Checked the site."})
    assert response.status_code in (302, 303)
    shown = colleague.get(f"/en/staff/requests/{second.tracking_code}").get_data(as_text=True)
    assert "Checked the site." in shown


def test_a_refused_form_is_shown_as_posted_then_the_kept_one_again(world, client_for):
    item = world.request(state="acknowledged")
    client = client_for(world.users["lead_staff"])
    path = f"/en/staff/requests/{item.tracking_code}"
    client.get(path)
    refused = client.post(f"{path}/extend", data={"extend-days": "99", "extend-reason": "Kept text"})
    assert refused.status_code == 422
    form = page(refused).one("details", id="action-extend")
    assert "Kept text" in form.text and "open" in form.attrs
    assert form.find("input", id="extend-days").get("value") == "99"
    assert form.find(class_="error-message") is not None
    again = page(client.get(path)).one("details", id="action-extend")
    assert "Kept text" not in again.text and again.find(class_="error-message") is None
    assert again.find("input", id="extend-days").get("value") == ""


@pytest.mark.parametrize("locale", ["ar", "es"])
def test_the_kept_forms_are_per_locale(world, client_for, locale):
    item = world.request(state="acknowledged")
    client = client_for(world.users["lead_staff"])
    english = client.get(f"/en/staff/requests/{item.tracking_code}").get_data(as_text=True)
    other = client.get(f"/{locale}/staff/requests/{item.tracking_code}").get_data(as_text=True)
    assert f'action="/{locale}/staff/requests/{item.tracking_code}/note"' in other
    assert 'for="note-text">Internal note<' in english and 'for="note-text">Internal note<' not in other
