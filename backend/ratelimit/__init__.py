"""Counters kept in the database so that every worker shares the same limits."""
