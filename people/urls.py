"""API routes of the people app, mounted under /api/ and /api/<version>/."""

api_urlpatterns: list = []
