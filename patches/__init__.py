"""Patches, their states, tags, comments, relations and CI checks."""
