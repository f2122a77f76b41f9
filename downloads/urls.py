"""Download and web-page routes (outside /api)."""

urlpatterns: list = []
