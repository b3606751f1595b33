"""Entry point for ``celery -A portal.tasks``: builds the app and exposes its Celery."""

from portal import create_app

flask_app = create_app()
celery = flask_app.extensions["celery"]
