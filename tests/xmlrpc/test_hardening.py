"""XML-RPC under hostile input (issue 12): faults never carry internal exception text,
odd numbers and ids match nothing, and what went wrong is logged."""

import xmlrpc.client

import pytest

from tests.factories import PatchFactory, UserFactory
from xmlrpc_api import methods
from xmlrpc_api.dispatcher import INTERNAL_ERROR_MESSAGE

pytestmark = pytest.mark.django_db


def test_internal_errors_are_logged_not_told(rpc, monkeypatch, caplog):
    """Regression (item 8): a fault carried ``<ExceptionType>: <database message>``; the
    caller now reads a fixed message and the traceback goes to the log."""

    def broken(*args, **kwargs):
        raise RuntimeError("relation patches_patch does not exist at host db.internal")

    monkeypatch.setattr(methods, "_patches", broken)
    with pytest.raises(xmlrpc.client.Fault) as fault:
        rpc("patch_list", {})
    assert fault.value.faultString == INTERNAL_ERROR_MESSAGE
    assert "db.internal" not in fault.value.faultString
    logged = [record for record in caplog.records if record.name == "patchwork.xmlrpc"]
    assert logged
    assert "db.internal" in str(logged[0].exc_info[1])


def test_unmarshallable_result_is_a_plain_fault(rpc, monkeypatch, caplog):
    """A result the marshaller refuses (an integer beyond XML-RPC's 32 bits) is the
    fixed fault, not the marshaller's message."""
    monkeypatch.setattr(methods, "RPC_VERSION", (2**40, 0, 0))
    with pytest.raises(xmlrpc.client.Fault) as fault:
        rpc("pw_rpc_version")
    assert fault.value.faultString == INTERNAL_ERROR_MESSAGE


@pytest.mark.parametrize(
    "body",
    [
        b"not xml",
        b"<methodCall><methodName>x</methodName><params><param><value>"
        b"<int>1.5</int></value></param></params></methodCall>",
    ],
)
def test_unparseable_calls_do_not_tell_the_parser(rpc, body):
    """A body that is not a call is a fault without the parser's exception type."""
    response = rpc.raw(body)
    with pytest.raises(xmlrpc.client.Fault) as fault:
        xmlrpc.client.loads(response.content)
    assert "class" not in fault.value.faultString
    assert "Error" not in fault.value.faultString


@pytest.mark.parametrize("value", ["²", "①", "9" * 5000, 1e300, "nan", -5])
def test_odd_ids_match_nothing(rpc, value):
    """Regression (item 2): unconvertible digits and ids no column holds match nothing
    rather than failing."""
    PatchFactory()
    assert rpc("patch_get", value) == {}
    assert rpc("project_get", value) == {}
    assert rpc("patch_list", {"id": value}) == []
    assert rpc("check_list", {"user": value}) == []


def call_with_big_int(rpc, method: str, value: str, *, struct_key: str | None = None):
    """A call whose argument is an ``<int>`` too big for Python's marshaller to send."""
    number = f"<int>{value}</int>"
    argument = (
        f"<struct><member><name>{struct_key}</name><value>{number}</value></member></struct>"
        if struct_key
        else number
    )
    body = (
        f"<?xml version='1.0'?><methodCall><methodName>{method}</methodName><params>"
        f"<param><value>{argument}</value></param></params></methodCall>"
    )
    (result,), _method = xmlrpc.client.loads(rpc.raw(body).content)
    return result


@pytest.mark.parametrize("value", ["99999999999999999999999", "-99999999999999999999999"])
def test_counts_and_ids_beyond_any_column(rpc, value):
    """An id or ``max_count`` beyond 64 bits matched nothing on PostgreSQL but overflowed
    SQLite's driver (a fault with its message): ids match nothing, counts mean all."""
    PatchFactory()
    assert call_with_big_int(rpc, "patch_get", value) == {}
    assert call_with_big_int(rpc, "patch_list", value, struct_key="id") == []
    assert len(call_with_big_int(rpc, "patch_list", value, struct_key="max_count")) == 1


def test_lists_are_capped(rpc, monkeypatch):
    """Bounded cost: a list answers at most MAX_XMLRPC_RESULTS rows, the first ones or,
    with a negative max_count, the last ones."""
    from patchwork_api import limits

    patches = sorted(PatchFactory.create_batch(4), key=lambda patch: (patch.date, patch.id))
    monkeypatch.setattr(limits, "MAX_XMLRPC_RESULTS", 2)
    first_two = [patch.id for patch in patches[:2]]
    assert [patch["id"] for patch in rpc("patch_list", {})] == first_two
    assert [patch["id"] for patch in rpc("patch_list", {"max_count": 3})] == first_two
    last_two = [patch["id"] for patch in rpc("patch_list", {"max_count": -9})]
    assert last_two == [patch.id for patch in patches[2:]]
    assert len(rpc("person_list", "", 0)) == 2


def test_nul_in_basic_credentials_is_a_login_fault(rpc):
    """Regression (item 3): a NUL byte in the user name reached the database."""
    UserFactory(username="alice")
    rpc.login("ali\x00ce", "password")
    with pytest.raises(xmlrpc.client.Fault, match="Invalid username/password"):
        rpc("patch_set", 1, {"state": "accepted"})
