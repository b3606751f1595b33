"""What residents and staff do, through the real pages and forms (CSRF included), for the
Flask test client and for real HTTP clients alike: a *browser* has ``get(path)`` and
``post(path, data)``, both answering ``(status, location, text)``."""

from __future__ import annotations

import http.client
import re
import urllib.parse
from dataclasses import dataclass, field

from tests.functional.support import parse

NEW = "/en/requests/new"
HOST = "portal.example"  # production's trusted host (PORTAL_BASE_URL in the tests)
ORIGIN = f"https://{HOST}"


class Refused(AssertionError):
    """A page or a post answered something else than the flow expects."""


def form_fields(html: str, action_suffix: str) -> dict[str, str]:
    """The hidden fields (the CSRF token among them) of the form posting to ``…suffix``."""
    for form in parse(html).find_all("form"):
        if ((form.get("action") or "").endswith(action_suffix)
                and (form.get("method") or "").lower() == "post"):
            return {i.get("name"): i.get("value") or "" for i in form.iter()
                    if i.tag == "input" and i.get("type") == "hidden" and i.get("name")}
    raise Refused(f"no form posting to {action_suffix}")


def _expect(answer, *statuses: int, what: str):
    status, location, text = answer
    if status not in statuses:
        raise Refused(f"{what}: {status} {location or ''} {text[:300]!r}")
    return answer


def _page(browser, path: str) -> str:
    return _expect(browser.get(path), 200, what=f"GET {path}")[2]


def _post(browser, page_path: str, action: str, data: dict, what: str, statuses=(303,)):
    fields = form_fields(_page(browser, page_path), action)
    return _expect(browser.post(action, {**fields, **data}), *statuses, what=what)


def login(browser, email: str, password: str) -> None:
    _post(browser, "/en/account/login", "/en/account/login",
          {"email": email, "password": password}, what=f"login {email}")


def submit_request(browser, area_id: int, title: str) -> str:
    """The four steps (the files step left out); the tracking code the portal acknowledged."""
    _post(browser, f"{NEW}/category", f"{NEW}/category", {"category": "pothole"}, what="category")
    _post(browser, f"{NEW}/details", f"{NEW}/details", {
        "title": title, "description": f"{title}: a deep hole, cyclists swerve into traffic.",
        "location_text": "8 Market Street", "area": str(area_id), "attr_size": "large",
        "attr_since": "last week"}, what="details")
    _, location, _ = _post(browser, f"{NEW}/review", f"{NEW}/review", {}, what="send")
    match = re.search(r"/requests/(R-\d{4}-\d{6})/submitted", location or "")
    if not match:
        raise Refused(f"send: redirected to {location}")
    return match.group(1)


def comment(browser, proposal_id: int, body: str) -> int:
    path = proposal_path(proposal_id)
    _, location, _ = _post(browser, path, f"{path}/comments", {"comment-body": body},
                           what="comment")
    match = re.search(r"#comment-(\d+)$", location or "")
    if not match:
        raise Refused(f"comment: redirected to {location}")
    return int(match.group(1))


def support(browser, proposal_id: int) -> None:
    path = proposal_path(proposal_id)
    _post(browser, path, f"{path}/support", {}, what="support")


def answer(browser, code: str, text: str) -> None:
    path = f"/en/staff/requests/{code}"
    _post(browser, path, f"{path}/answer", {"answer-text": text}, what=f"answer {code}")


def proposal_path(proposal_id: int) -> str:
    return f"/en/proposals/{proposal_id}"


# --- browsers --------------------------------------------------------------------------------

class TestClientBrowser:
    """The Flask test client as a browser on production's HTTPS address."""

    def __init__(self, client) -> None:
        self.client = client

    def _answer(self, response):
        return response.status_code, response.headers.get("Location"), response.get_data(as_text=True)

    def get(self, path: str):
        return self._answer(self.client.get(path, base_url=ORIGIN))

    def post(self, path: str, data: dict):
        return self._answer(self.client.post(path, data=data, base_url=ORIGIN,
                                             headers={"Referer": f"{ORIGIN}/en/"}))


@dataclass
class HttpBrowser:
    """A browser over real HTTP to a server behind the reverse proxy production expects
    (``PROXY_COUNT=1``): it says it came over HTTPS for ``HOST`` from its own address. Cookies
    are kept by hand (the session cookie is ``Secure``: a cookie jar would not send it over
    the plain connection to the proxy's side). One connection, kept alive."""

    port: int
    address: str
    cookies: dict[str, str] = field(default_factory=dict)
    timeout: float = 60
    _connection: http.client.HTTPConnection | None = None

    def _request(self, method: str, path: str, body: bytes | None = None, extra=None):
        headers = {"Host": HOST, "X-Forwarded-For": self.address, "X-Forwarded-Proto": "https",
                   "User-Agent": "reliability-test", "Accept-Language": "en"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        headers.update(extra or {})
        for attempt in (1, 2):  # a kept-alive connection the server closed: once more
            if self._connection is None:
                self._connection = http.client.HTTPConnection("127.0.0.1", self.port,
                                                              timeout=self.timeout)
            try:
                self._connection.request(method, path, body=body, headers=headers)
                response = self._connection.getresponse()
                text = response.read().decode("utf-8", "replace")
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if attempt == 2 or method == "POST":
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                cookie_value = rest.split(";", 1)[0]
                if "expires=Thu, 01 Jan 1970" in value or "Max-Age=0" in value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = cookie_value
        self.last_headers = dict(response.getheaders())
        return response.status, response.getheader("Location"), text

    def get(self, path: str):
        return self._request("GET", path)

    def post(self, path: str, data: dict):
        body = urllib.parse.urlencode(data).encode()
        return self._request("POST", path, body, {
            "Content-Type": "application/x-www-form-urlencoded", "Referer": f"{ORIGIN}/en/"})

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
