"""Committed Tortoise migrations."""
