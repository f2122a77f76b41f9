"""Projects: one per mailing list (or per subject filter on a shared list)."""
