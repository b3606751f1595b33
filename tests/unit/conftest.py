from tests.functional.support import make_app, pseudo_catalogs  # noqa: F401 (fixtures)
