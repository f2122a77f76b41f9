"""The /xmlrpc/ route."""

urlpatterns: list = []
