"""Bundles: user-curated, ordered collections of patches."""
