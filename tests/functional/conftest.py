from tests.functional.support import make_app, pseudo_catalogs  # noqa: F401 (fixtures)
from tests.functional.test_authorization_matrix import _seeded_city  # noqa: F401 (fixture)
