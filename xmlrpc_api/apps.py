"""App configuration for the XML-RPC API."""

from django.apps import AppConfig


class XmlrpcApiConfig(AppConfig):
    name = "xmlrpc_api"
