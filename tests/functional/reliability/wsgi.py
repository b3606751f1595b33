"""What gunicorn serves in the reliability tests: the production profile as configured by the
environment (tests/functional/production.py), with cheap password hashes (speed only)."""

from __future__ import annotations

from portal import create_app
from portal.config import ProductionConfig

config = ProductionConfig()
config.PASSWORD_HASH_CHEAP = True
app = create_app(config)
