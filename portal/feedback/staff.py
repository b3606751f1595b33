"""Staff pages for one request: the full timeline and every action on it."""

from flask import Blueprint

bp = Blueprint("feedback_staff", __name__)
