"""The home page's cards: each module adds its own when it lands (in its ``init_app``), so the
home page promises only what exists and links every module that does.

    from portal.core.home import HomeCard, register_home_card
    register_home_card(app, HomeCard("halls", "deliberation/_home_card.html", order=40))

A card's template is included in the home page with the page's context (``overview``: the
city, its departments and districts) and ``card_context``, what its ``context`` function
returned (called with the database session; keep it cheap: a counter, not a count()).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app
from sqlalchemy.orm import Session

EXTENSION = "portal_home_cards"


@dataclass(frozen=True)
class HomeCard:
    key: str
    template: str
    order: int = 100
    context: Callable[[Session], dict] | None = None


def register_home_card(app: Flask, card: HomeCard) -> None:
    """Add (or replace, by ``key``) a card on the home page."""
    app.extensions.setdefault(EXTENSION, {})[card.key] = card


def home_cards(session: Session) -> list[tuple[HomeCard, dict]]:
    """The registered cards in their order, each with its own context."""
    cards = sorted(current_app.extensions.get(EXTENSION, {}).values(), key=lambda c: (c.order, c.key))
    return [(card, card.context(session) if card.context else {}) for card in cards]
