"""Administrators' pages for the responsibility list, departments, areas, categories and
the working-day calendar."""

from flask import Blueprint

bp = Blueprint("responsibility_admin", __name__)
