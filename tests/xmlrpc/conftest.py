"""Calling the XML-RPC endpoint through Django's test client, as pwclient's transport does."""

import base64
import xmlrpc.client
from typing import Any

import pytest
from django.test import Client

ENDPOINT = "/xmlrpc/"


class XmlRpcCaller:
    """Posts marshalled calls to /xmlrpc/ and unmarshals the answer (raising Fault)."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.credentials: tuple[str, str] | None = None

    def login(self, username: str, password: str = "password") -> None:
        self.credentials = (username, password)

    def raw(self, body: bytes | str, **headers: str):
        if self.credentials:
            token = base64.b64encode(":".join(self.credentials).encode()).decode()
            headers.setdefault("HTTP_AUTHORIZATION", f"Basic {token}")
        return self.client.post(ENDPOINT, data=body, content_type="text/xml", **headers)

    def __call__(self, method: str, *params: Any) -> Any:
        body = xmlrpc.client.dumps(params, method, allow_none=True)
        response = self.raw(body)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/xml")
        (result,), _method = xmlrpc.client.loads(response.content)
        return result


@pytest.fixture
def rpc(client: Client) -> XmlRpcCaller:
    return XmlRpcCaller(client)
