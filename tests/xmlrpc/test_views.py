"""The /xmlrpc/ view: POST only, CSRF-exempt, every failure answered as a fault."""

import xmlrpc.client

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_get_is_refused_with_405():
    response = Client().get("/xmlrpc/")

    assert response.status_code == 405
    assert response["Allow"] == "POST"


def test_post_needs_no_csrf_token(rpc):
    rpc.client = Client(enforce_csrf_checks=True)

    assert rpc("pw_rpc_version") == [1, 3, 0]


@pytest.mark.parametrize(
    "body",
    [b"", b"not xml at all", b"<?xml version='1.0'?><methodCall><params></methodCall>"],
    ids=["empty", "not-xml", "truncated"],
)
def test_malformed_body_is_a_fault_not_a_500(rpc, body):
    """Bad input gives a fault document with HTTP 200, never a server error."""
    response = rpc.raw(body)

    assert response.status_code == 200
    with pytest.raises(xmlrpc.client.Fault) as fault:
        xmlrpc.client.loads(response.content)
    assert fault.value.faultCode == 1


def test_unknown_method_is_a_fault(rpc):
    with pytest.raises(xmlrpc.client.Fault, match='method "patch_delete" is not supported'):
        rpc("patch_delete", 1)


def test_wrong_number_of_arguments_is_a_fault(rpc):
    with pytest.raises(xmlrpc.client.Fault, match="project_get"):
        rpc("project_get", 1, 2, 3)
