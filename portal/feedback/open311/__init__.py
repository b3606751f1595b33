"""Open311 GeoReport v2: the API at /open311/v2/, its documents and its keys."""
