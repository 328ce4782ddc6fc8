"""Open311 GeoReport v2 over Guichet's own services and requests: no second data model."""
