"""An XML-RPC dispatcher on the standard library's marshalling, with per-method login.

``xmlrpc.server.SimpleXMLRPCDispatcher`` parses the call and writes the answer; this
subclass adds what Patchwork's endpoint does on top of it: some methods need the
caller's account (HTTP Basic credentials, checked on every call that needs them), and
every error becomes an XML-RPC fault (code 1, as Patchwork answers) rather than an HTTP
error, so that clients such as pwclient can print its message.
"""

import logging
import xmlrpc.client
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from xmlrpc.server import SimpleXMLRPCDispatcher

from xmlrpc_api.auth import authenticate_basic
from xmlrpc_api.errors import XmlRpcError

logger = logging.getLogger("patchwork.xmlrpc")

# Patchwork reports every failure with this fault code; clients only read the message.
FAULT_CODE = 1
INTERNAL_ERROR_MESSAGE = "internal error; the server logged it"


@dataclass(frozen=True)
class Method:
    function: Callable[..., Any]
    login_required: bool


class Dispatcher(SimpleXMLRPCDispatcher):
    """Maps method names to functions; a login-required function gets the user first."""

    def __init__(self) -> None:
        # Patchwork's endpoint never marshals None (allow_none=False): methods return
        # "" or 0 where a value is absent, and clients are written against that.
        super().__init__(allow_none=False, encoding="utf-8", use_builtin_types=False)
        self.methods: dict[str, Method] = {}

    def method(self, *, login_required: bool = False) -> Callable:
        """Decorator registering a function under its own name."""

        def register(function: Callable[..., Any]) -> Callable[..., Any]:
            self.methods[function.__name__] = Method(function, login_required)
            return function

        return register

    def handle(self, body: bytes, *, authorization: str | None) -> bytes:
        """The marshalled answer to one request body: the method's result or a fault.

        The credentials travel with the call rather than on the dispatcher, which is
        shared by every request a worker's threads serve.
        """
        try:
            params, method_name = xmlrpc.client.loads(body, use_builtin_types=False)
        except Exception:
            # Not XML, not a call, or a value the unmarshaller refuses: the caller's
            # mistake, told without the parser's internals.
            return self._dumps(_fault("the request is not a valid XML-RPC call"))
        try:
            result = self._call(method_name, params, authorization=authorization)
            return self._dumps((result,), methodresponse=True)
        except xmlrpc.client.Fault as fault:
            return self._dumps(fault)
        except Exception:
            # e.g. a result the marshaller cannot write; its text stays in the log.
            logger.exception("XML-RPC method %s failed", method_name)
            return self._dumps(_fault(INTERNAL_ERROR_MESSAGE))

    def _dumps(self, values: Any, *, methodresponse: bool = False) -> bytes:
        text = xmlrpc.client.dumps(
            values, methodresponse=methodresponse, allow_none=self.allow_none, encoding="utf-8"
        )
        return text.encode("utf-8", "xmlcharrefreplace")

    def _call(self, method_name: str, params: tuple, *, authorization: str | None) -> Any:
        method = self.methods.get(method_name)
        if method is None:
            raise _fault(f'method "{method_name}" is not supported')
        try:
            if method.login_required:
                params = (authenticate_basic(authorization), *params)
            return method.function(*params)
        except XmlRpcError as error:
            raise _fault(str(error)) from None
        except TypeError as error:
            if _is_signature_mismatch(error, method.function):
                raise _fault(f"{method_name}: {error}") from None
            logger.exception("XML-RPC method %s failed", method_name)
            raise _fault(INTERNAL_ERROR_MESSAGE) from None
        except Exception:
            # The exception's text can tell a caller about the database or the code:
            # it goes to the log only.
            logger.exception("XML-RPC method %s failed", method_name)
            raise _fault(INTERNAL_ERROR_MESSAGE) from None


def _fault(message: str) -> xmlrpc.client.Fault:
    return xmlrpc.client.Fault(FAULT_CODE, message)


def _is_signature_mismatch(error: TypeError, function: Callable[..., Any]) -> bool:
    """Whether a TypeError says the call's arguments did not fit the method's signature."""
    text = str(error)
    return text.startswith(f"{function.__name__}()") and "argument" in text
