"""Photo pipeline: validate, orient, strip metadata, resize, store."""
