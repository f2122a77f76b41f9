"""API routes of the patches app, mounted under /api/ and /api/<version>/."""

api_urlpatterns: list = []
