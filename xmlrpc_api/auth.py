"""HTTP Basic authentication of XML-RPC callers (the only scheme Patchwork's endpoint takes)."""

import base64
import binascii

from django.contrib.auth import authenticate
from django.contrib.auth.models import AbstractBaseUser

from patchwork_api.validation import is_storable_text
from xmlrpc_api.errors import XmlRpcError


class AuthenticationFailed(XmlRpcError):
    """The request carries no usable credentials; the message says what was wrong."""


def authenticate_basic(authorization: str | None) -> AbstractBaseUser:
    """The active user named by an ``Authorization: Basic ...`` header value.

    Raises AuthenticationFailed with Patchwork's messages: no credentials, another
    scheme, undecodable credentials, or a wrong username or password.
    """
    header = (authorization or "").strip()
    if not header:
        raise AuthenticationFailed("No authentication credentials given")
    scheme, _space, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        raise AuthenticationFailed("Authentication scheme not supported")
    username, password = _decode_credentials(encoded.strip())
    # A NUL character can be in no account's name (and PostgreSQL refuses to compare).
    if not (is_storable_text(username) and is_storable_text(password)):
        raise AuthenticationFailed("Invalid username/password")
    user = authenticate(username=username, password=password)
    if user is None:
        raise AuthenticationFailed("Invalid username/password")
    return user


def _decode_credentials(encoded: str) -> tuple[str, str]:
    try:
        decoded = base64.b64decode(encoded, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise AuthenticationFailed("Invalid authentication credentials") from None
    username, colon, password = decoded.partition(":")
    if not colon:
        raise AuthenticationFailed("Invalid authentication credentials")
    return username, password
