"""Social organizations and enterprises: registration, verification through the staff queue,
members, the services they offer, the public directory, and their part as accountable parties
(see docs/organizations.md)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.core.home import HomeCard, register_home_card
    from portal.organizations import (
        privacy,  # noqa: F401  (its parts: portal.core.privacy)
        services,
    )
    from portal.organizations.routes import bp
    from portal.responsibility.services import register_party_check

    services.register_queue()
    register_party_check(services.party_check)
    app.register_blueprint(bp, url_prefix="/<lc:locale>")
    app.jinja_env.globals["language_name"] = services.language_name
    register_home_card(app, HomeCard("organizations", "organizations/_home_card.html", order=36))
