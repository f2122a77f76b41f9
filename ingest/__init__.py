"""Mail ingest: a pure parser, one store step, and the parsemail/parsearchive commands."""
