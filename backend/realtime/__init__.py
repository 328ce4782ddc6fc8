"""Server-sent events for the dispatch map."""
