from tests.functional.production import (  # noqa: F401 (fixtures)
    production_app,
    production_database,
    redis_server,
    redis_url,
)
from tests.functional.support import make_app, pseudo_catalogs  # noqa: F401 (fixtures)
from tests.functional.test_authorization_matrix import _seeded_city  # noqa: F401 (fixture)
