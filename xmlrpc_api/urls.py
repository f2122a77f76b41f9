"""The /xmlrpc/ route."""

from django.urls import path

from xmlrpc_api.views import xmlrpc

urlpatterns = [
    path("", xmlrpc, name="xmlrpc"),
]
