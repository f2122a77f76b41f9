"""Events: the feed of what happened to patches, series, covers and checks."""
