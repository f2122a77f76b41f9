"""Shared REST API plumbing: versions, versioning, pagination, base serializers and filters."""
