"""Checks of the conv session."""
