"""What gunicorn serves in ``make bench``: the portal on the bench database (set by
tests/bench/run.py through the environment), with the rate limit and CSRF off so the load
generator can sign in and hammer one page."""

from __future__ import annotations

import json
import os

from portal import create_app

app = create_app({
    "SQLALCHEMY_DATABASE_URI": os.environ["BENCH_DATABASE_URL"],
    "RATELIMIT_ENABLED": False,
    "CELERY_DISPATCH": False,
    "WTF_CSRF_ENABLED": False,
    **json.loads(os.environ.get("BENCH_CONFIG", "{}")),
})
