"""API routes of the bundles app, mounted under /api/ and /api/<version>/."""

api_urlpatterns: list = []
