"""Open311 GeoReport v2 over the same services and requests."""
