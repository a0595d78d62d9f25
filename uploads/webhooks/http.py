"""Safe outbound HTTP for webhooks: public addresses only, the checked address connected to, no
redirects, short timeouts.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

import urllib3
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class UnsafeWebhookUrl(ValueError):
    pass


def post_checked(*, url: str, headers: dict[str, str], body: bytes) -> int:
    """POST ``body`` to ``url`` if it resolves to a public address, connecting to that very
    address (no second lookup to rebind), without redirects; return the HTTP status."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or not _has_valid_port(url):
        raise UnsafeWebhookUrl(str(_("Only http:// and https:// addresses can be used.")))
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = resolve_allowed(host=parts.hostname, port=port)
    timeout = urllib3.Timeout(connect=3.0, read=float(settings.WEBHOOK_TIMEOUT_SECONDS))
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    host_header = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
    pool_options: dict = {"timeout": timeout, "retries": False, "maxsize": 1}
    if parts.scheme == "https":
        # Connect to the checked address; verify the certificate for the name in the URL.
        pool = urllib3.HTTPSConnectionPool(
            address,
            port,
            server_hostname=parts.hostname,
            assert_hostname=parts.hostname,
            cert_reqs="CERT_REQUIRED",
            **pool_options,
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, port, **pool_options)
    with pool:
        response = pool.urlopen(
            "POST",
            path,
            body=body,
            headers={**headers, "Host": host_header},
            redirect=False,
            preload_content=False,
        )
        # Only the status matters; read a little so the connection closes cleanly.
        response.read(1024)
        response.release_conn()
        return response.status


def resolve_allowed(*, host: str, port: int) -> str:
    """The address to connect to; refuses non-public ones unless they are allowed by settings."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise UnsafeWebhookUrl(str(_("The webhook host name does not resolve."))) from None
    addresses = [info[4][0] for info in infos]
    if not settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        for address in addresses:
            if not ipaddress.ip_address(address.split("%")[0]).is_global:
                raise UnsafeWebhookUrl(
                    str(_("The webhook address is not a public internet address."))
                )
    return addresses[0]


def url_check(*, url: str) -> None:
    """Validate a webhook URL when a seller saves it (the same checks run again on every call)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or not _has_valid_port(url):
        raise UnsafeWebhookUrl(str(_("Only http:// and https:// addresses can be used.")))
    if parts.username or parts.password:
        raise UnsafeWebhookUrl(str(_("Put no user name or password in the webhook address.")))
    if not settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        resolve_allowed(host=parts.hostname, port=parts.port or 443)


def _has_valid_port(url: str) -> bool:
    try:
        urlsplit(url).port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return False
    return True
