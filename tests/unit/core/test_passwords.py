"""Argon2id password hashing."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.profiles import CHEAPEST

from portal.core import passwords


def test_hash_and_verify(app):
    with app.app_context():
        stored = passwords.hash_password("correct horse battery")
        assert stored.startswith("$argon2id$")
        assert "correct horse" not in stored
        assert passwords.verify_password(stored, "correct horse battery")
        assert not passwords.verify_password(stored, "wrong")
        assert not passwords.verify_password("not a hash", "x")
        assert passwords.hash_password("same") != passwords.hash_password("same")  # salted


def test_tests_use_the_cheap_profile_and_production_the_recommended_one(app):
    with app.app_context():
        assert passwords.hasher().memory_cost == CHEAPEST.memory_cost
    # outside an app (and wherever PASSWORD_HASH_CHEAP is off): the library's defaults
    assert passwords.hasher().memory_cost == PasswordHasher().memory_cost


def test_needs_rehash_when_parameters_change(app):
    with app.app_context():
        cheap = passwords.hash_password("x")
        assert not passwords.needs_rehash(cheap)
    assert passwords.needs_rehash(cheap)


def test_dummy_verify_runs(app):
    with app.app_context():
        passwords.dummy_verify("anything")
