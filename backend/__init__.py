"""Guichet: a municipality's digital counter."""
