"""API routes of the series app, mounted under /api/ and /api/<version>/."""

api_urlpatterns: list = []
