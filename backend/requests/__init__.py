"""The request ("demande"): the service catalogue, statuses, timeline, assignment."""
