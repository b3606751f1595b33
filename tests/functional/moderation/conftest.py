from tests.functional.moderation.support import client_for, world  # noqa: F401 (fixtures)
