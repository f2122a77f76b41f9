"""API routes of the covers app, mounted under /api/ and /api/<version>/."""

api_urlpatterns: list = []
