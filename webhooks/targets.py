"""Where a webhook may post: http(s) URLs whose every address is public, unless an
administrator allows a network (``WEBHOOK_ALLOWED_NETWORKS``, e.g. ``10.1.0.0/16``).

Checked when a hook is saved and again, after resolving the name, at each delivery,
whose connection then goes to the address that was checked (a name that resolved to a
public address when the hook was saved cannot later send the server to an internal one).
"""

import ipaddress
import socket
from urllib.parse import SplitResult, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
DEFAULT_PORTS = {"http": 80, "https": 443}


class TargetRefused(ValueError):
    """The target may not be posted to (the reason is the message)."""


def split_target(url: str) -> SplitResult:
    """The parts of a target URL; refuses other schemes, credentials and odd ports."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise TargetRefused(f"invalid URL: {error}") from None
    if parts.scheme not in DEFAULT_PORTS:
        raise TargetRefused("the target must be an http:// or https:// URL")
    if not parts.hostname:
        raise TargetRefused("the target URL names no host")
    if parts.username is not None or parts.password is not None:
        raise TargetRefused("the target URL may not carry credentials")
    if port == 0:
        raise TargetRefused("the target URL has an invalid port")
    return parts


def port_of(parts: SplitResult) -> int:
    return parts.port or DEFAULT_PORTS[parts.scheme]


def allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(text, strict=False) for text in settings.WEBHOOK_ALLOWED_NETWORKS]


def is_public(address: IPAddress) -> bool:
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:
        address = mapped
    return address.is_global and not address.is_multicast


def check_address(address: IPAddress) -> None:
    if is_public(address):
        return
    if any(address in network for network in allowed_networks()):
        return
    raise TargetRefused(
        f"{address} is a loopback, private, link-local or reserved address"
        " (an administrator may allow its network: WEBHOOK_ALLOWED_NETWORKS)"
    )


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address of ``host`` (an IP literal is itself), each checked."""
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as error:
            raise TargetRefused(f"cannot resolve {host}: {error}") from None
        addresses = list(
            dict.fromkeys(ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos)
        )
    if not addresses:
        raise TargetRefused(f"{host} has no address")
    for address in addresses:
        check_address(address)
    return addresses


def validate_target(url: str) -> str:
    """The URL, or a ValidationError on ``target`` saying why it is refused."""
    try:
        parts = split_target(url)
        resolve(parts.hostname, port_of(parts))
    except TargetRefused as error:
        raise ValidationError({"target": [str(error)]}) from None
    return url
