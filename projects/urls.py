"""API routes of the projects app, mounted under /api/ and /api/<version>/."""

api_urlpatterns: list = []
