"""Downloads outside /api: patch, cover, series and bundle mbox files, raw diffs, web pages."""
