"""Open311 GeoReport v2 at /open311/v2/ (JSON and XML), with servicerequestupdates."""

from flask import Blueprint

bp = Blueprint("open311", __name__)
