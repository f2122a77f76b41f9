"""Tests of the ingest app: parser and store."""
