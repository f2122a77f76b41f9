"""API routes of the events app, mounted under /api/ and /api/<version>/."""

api_urlpatterns: list = []
