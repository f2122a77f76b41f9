"""Adopting an existing Patchwork instance: ``manage.py import-patchwork``."""
