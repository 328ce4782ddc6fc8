"""Points, bounding boxes, distances, point-in-polygon and reverse geocoding."""
