"""Response headers every page carries: CSP without inline scripts, framing and referrer."""

from urllib.parse import urlsplit

from flask import Flask, request

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; object-src 'none'"
)


def tile_source(url: str) -> str | None:
    """The CSP source of a map tile server's URL template (``MAP_TILE_URL``):
    ``https://{s}.tile.example.org/{z}/{x}/{y}.png`` → ``https://*.tile.example.org``. None
    for an empty or unusable template (no scheme or host, or not http(s))."""
    try:
        parts = urlsplit((url or "").strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    host = parts.netloc.rsplit("@", 1)[-1]
    labels = ["*" if "{" in label else label for label in host.split(".")]
    if any(not label or any(c in label for c in "{}'; \"") for label in labels):
        return None
    if "*" in labels[1:] or (len(labels) < 2 and labels[0] == "*"):
        return None  # a wildcard only as the first label, as CSP allows
    return f"{parts.scheme}://{'.'.join(labels)}"


def content_security_policy(app: Flask) -> str:
    """The portal's CSP, with the configured tile server allowed as an image source."""
    source = tile_source(app.config.get("MAP_TILE_URL", ""))
    if source is None:
        return CSP
    return CSP.replace("img-src 'self' data:;", f"img-src 'self' data: {source};")


def init_security(app: Flask) -> None:
    policy = content_security_policy(app)

    @app.after_request
    def headers(response):
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Permissions-Policy", "geolocation=(self), camera=()")
        if app.config.get("HSTS") and request.is_secure:
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=63072000; includeSubDomains"
            )
        return response
