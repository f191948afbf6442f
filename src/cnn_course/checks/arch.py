"""Checks of the arch session."""
