"""Safe outbound HTTP for webhooks: public addresses only, the checked address connected to, no
redirects, one deadline for the whole call, and only the beginning of the answer read.

- **Public addresses only** (unless ``WEBHOOK_ALLOW_PRIVATE_ADDRESSES``): every address the host
  name resolves to must be globally reachable and not multicast; an IPv6 address that carries an
  IPv4 one (IPv4-mapped, IPv4-compatible, IPv4-translated, 6to4, Teredo, NAT64 ``64:ff9b::/96``)
  is refused when the IPv4 address inside is not public either.
- **One deadline** (``WEBHOOK_TIMEOUT_SECONDS``) for the name lookup, connecting (at most
  ``CONNECT_TIMEOUT_SECONDS`` of it), sending and reading the answer's head. Socket timeouts count
  each read on its own, so a receiver trickling a byte every few seconds would never trip them: at
  the deadline a timer shuts the connection down, which ends any read or write in progress.
- **At most** ``MAX_RESPONSE_BYTES`` of the answer (status line and headers) is read; only the
  status is used, the body is never read.
"""

import contextlib
import http.client
import ipaddress
import socket
import threading
import time
from typing import Any
from urllib.parse import SplitResult, urlsplit

import urllib3
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from urllib3.connection import HTTPConnection, HTTPSConnection

# Connecting may take at most this long, within the call's deadline.
CONNECT_TIMEOUT_SECONDS = 3.0

# Only the status matters: at most this much of the answer is read (status line and headers).
MAX_RESPONSE_BYTES = 64 * 1024

_IPv4 = ipaddress.IPv4Address
_IPv6 = ipaddress.IPv6Address
_Address = _IPv4 | _IPv6

# IPv6 ranges whose last 32 bits are an IPv4 address the packet ends up at (the IPv4-mapped range
# ::ffff:0:0/96 and 6to4 and Teredo have ``ipaddress`` properties of their own).
_CARRY_IPV4 = (
    ipaddress.IPv6Network("64:ff9b::/96"),  # NAT64, well-known prefix (RFC 6052)
    ipaddress.IPv6Network("::/96"),  # IPv4-compatible (deprecated, RFC 4291)
    ipaddress.IPv6Network("::ffff:0:0:0/96"),  # IPv4-translated (SIIT, RFC 2765)
)
# Not globally reachable by the IANA registries, although the ``ipaddress`` of some Python
# versions still counts them as global.
_NOT_GLOBAL = (
    ipaddress.IPv6Network("64:ff9b:1::/48"),  # NAT64 for local use (RFC 8215)
    ipaddress.IPv6Network("3fff::/20"),  # documentation (RFC 9637)
    ipaddress.IPv6Network("5f00::/16"),  # segment routing SIDs (RFC 9602)
    ipaddress.IPv6Network("fec0::/10"),  # site-local (deprecated, RFC 3879)
)


class UnsafeWebhookUrl(ValueError):
    pass


class WebhookTimeout(urllib3.exceptions.TimeoutError):
    """The call did not end within its deadline (``WEBHOOK_TIMEOUT_SECONDS``)."""


class ResponseTooLarge(urllib3.exceptions.HTTPError):
    """The answer's status line and headers went on beyond ``MAX_RESPONSE_BYTES``."""


def post_checked(*, url: str, headers: dict[str, str], body: bytes) -> int:
    """POST ``body`` to ``url`` if it resolves to a public address, connecting to that very
    address (no second lookup to rebind), without redirects, within one deadline; return the HTTP
    status. Raises ``WebhookTimeout`` at the deadline, ``ResponseTooLarge`` for an answer whose
    head is too large, ``UnsafeWebhookUrl``, or urllib3's and the socket's own errors."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or not _has_valid_port(url):
        raise UnsafeWebhookUrl(str(_("Only http:// and https:// addresses can be used.")))
    port = parts.port or (443 if parts.scheme == "https" else 80)
    with _Deadline(float(settings.WEBHOOK_TIMEOUT_SECONDS)) as deadline:
        try:
            address = resolve_allowed(host=parts.hostname, port=port, deadline=deadline)
            return _post(
                parts=parts,
                address=address,
                port=port,
                headers=headers,
                body=body,
                deadline=deadline,
            )
        except (urllib3.exceptions.HTTPError, OSError) as error:
            if deadline.passed and not isinstance(error, WebhookTimeout | ResponseTooLarge):
                raise WebhookTimeout(
                    f"no answer within {settings.WEBHOOK_TIMEOUT_SECONDS} s"
                ) from error
            raise


def _post(
    *,
    parts: SplitResult,
    address: str,
    port: int,
    headers: dict[str, str],
    body: bytes,
    deadline: "_Deadline",
) -> int:
    remaining = deadline.remaining()
    if remaining <= 0:
        raise WebhookTimeout(f"no answer within {settings.WEBHOOK_TIMEOUT_SECONDS} s")
    # Each socket operation gets at most what is left; the deadline's timer ends the call anyway.
    timeout = urllib3.Timeout(connect=min(CONNECT_TIMEOUT_SECONDS, remaining), read=remaining)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    host_header = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
    pool_options: dict = {"timeout": timeout, "retries": False, "maxsize": 1, "deadline": deadline}
    if parts.scheme == "https":
        # Connect to the checked address; verify the certificate for the name in the URL.
        pool: urllib3.HTTPConnectionPool = _HTTPSPool(
            address,
            port,
            server_hostname=parts.hostname,
            assert_hostname=parts.hostname,
            cert_reqs="CERT_REQUIRED",
            **pool_options,
        )
    else:
        pool = _HTTPPool(address, port, **pool_options)
    with pool:
        response = pool.urlopen(
            "POST",
            path,
            body=body,
            headers={**headers, "Host": host_header},
            redirect=False,
            preload_content=False,
        )
        # Only the status matters: the body is not read, the connection is closed with the pool.
        status = response.status
        response.close()
    if deadline.passed:
        # Cut off at the deadline: what was read may have ended early (http.client takes the
        # shut-down connection for the end of the headers).
        raise WebhookTimeout(f"no answer within {settings.WEBHOOK_TIMEOUT_SECONDS} s")
    return status


def address_is_public(address: str) -> bool:
    """Whether ``address`` (an IP address as text) is a public internet address: globally
    reachable, not multicast, and not an IPv6 form of a non-public IPv4 address."""
    try:
        parsed = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return False
    return all(_is_public(each) for each in (parsed, *_embedded_ipv4(parsed)))


def _is_public(address: _Address) -> bool:
    if not address.is_global or address.is_multicast:
        return False
    return not any(
        address in network for network in _NOT_GLOBAL if network.version == address.version
    )


def _embedded_ipv4(address: _Address) -> list[_IPv4]:
    """The IPv4 addresses an IPv6 address carries (and would reach through a translator)."""
    if not isinstance(address, _IPv6):
        return []
    embedded: list[_IPv4] = []
    if address.ipv4_mapped is not None:
        embedded.append(address.ipv4_mapped)
    if address.sixtofour is not None:
        embedded.append(address.sixtofour)
    if address.teredo is not None:
        embedded.extend(address.teredo)
    if any(address in network for network in _CARRY_IPV4):
        embedded.append(_IPv4(int(address) & 0xFFFF_FFFF))
    return embedded


def resolve_allowed(*, host: str, port: int, deadline: "_Deadline | None" = None) -> str:
    """The address to connect to; refuses non-public ones unless they are allowed by settings."""
    try:
        infos = _getaddrinfo(host, port, deadline)
    except (socket.gaierror, UnicodeError):
        raise UnsafeWebhookUrl(str(_("The webhook host name does not resolve."))) from None
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise UnsafeWebhookUrl(str(_("The webhook host name does not resolve.")))
    if not settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        for address in addresses:
            if not address_is_public(address):
                raise UnsafeWebhookUrl(
                    str(_("The webhook address is not a public internet address."))
                )
    return addresses[0]


def _getaddrinfo(host: str, port: int, deadline: "_Deadline | None") -> list:
    """``socket.getaddrinfo``, given up on at the deadline (the system's resolver cannot be
    interrupted: the lookup finishes in a thread of its own, and its answer is dropped)."""
    if deadline is None:
        return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    outcome: dict[str, Any] = {}

    def lookup() -> None:
        try:
            outcome["infos"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except BaseException as error:  # handed to the caller below
            outcome["error"] = error

    thread = threading.Thread(target=lookup, name="webhook-dns", daemon=True)
    thread.start()
    thread.join(deadline.remaining())
    if thread.is_alive():
        raise WebhookTimeout(f"no answer within {settings.WEBHOOK_TIMEOUT_SECONDS} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["infos"]


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


# --- the deadline and the cap ---------------------------------------------------------------------


class _Deadline:
    """The moment a call must be over. A timer shuts down the call's sockets then: a read or write
    blocked on a slow receiver ends at once, whatever the socket timeouts say."""

    def __init__(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._expired = False
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def remaining(self) -> float:
        return max(self.at - time.monotonic(), 0.0)

    @property
    def passed(self) -> bool:
        return self._expired or time.monotonic() >= self.at

    def watch(self, sock: socket.socket) -> None:
        """Shut ``sock`` down at the deadline (at once if it has passed). A duplicate of its
        descriptor is kept, which stays valid when TLS takes the socket over."""
        duplicate = sock.dup()
        with self._lock:
            self._sockets.append(duplicate)
            if self._expired:
                _shut_down(duplicate)

    def _expire(self) -> None:
        with self._lock:
            self._expired = True
            for sock in self._sockets:
                _shut_down(sock)

    def __enter__(self) -> "_Deadline":
        self._timer.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._timer.cancel()
        with self._lock:
            for sock in self._sockets:
                sock.close()
            self._sockets.clear()


def _shut_down(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed by the other end
        sock.shutdown(socket.SHUT_RDWR)


class _CappedReader:
    """The response's file with a budget: reading beyond ``limit`` bytes raises
    ``ResponseTooLarge`` (http.client reads the status line and headers through it)."""

    def __init__(self, raw: Any, limit: int) -> None:
        self._raw = raw
        self._left = limit

    def _allowance(self, size: int | None) -> int:
        if self._left <= 0:
            raise ResponseTooLarge(f"the answer went on beyond {MAX_RESPONSE_BYTES} bytes")
        return self._left if size is None or size < 0 else min(size, self._left)

    def _spent(self, data: bytes) -> bytes:
        self._left -= len(data)
        return data

    def readline(self, size: int | None = -1) -> bytes:
        return self._spent(self._raw.readline(self._allowance(size)))

    def read(self, size: int | None = -1) -> bytes:
        return self._spent(self._raw.read(self._allowance(size)))

    def read1(self, size: int | None = -1) -> bytes:
        return self._spent(self._raw.read1(self._allowance(size)))

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        count = self._raw.readinto(view[: self._allowance(len(view))])
        self._left -= count or 0
        return count

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)


class _CappedResponse(http.client.HTTPResponse):
    def __init__(self, sock: socket.socket, *args: Any, **kwargs: Any) -> None:
        super().__init__(sock, *args, **kwargs)
        self.fp = _CappedReader(self.fp, MAX_RESPONSE_BYTES)  # type: ignore[assignment]


class _HTTPConnection(HTTPConnection):
    response_class = _CappedResponse

    def __init__(self, *args: Any, deadline: _Deadline, **kwargs: Any) -> None:
        self._deadline = deadline
        super().__init__(*args, **kwargs)

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        self._deadline.watch(sock)
        return sock


class _HTTPSConnection(HTTPSConnection):
    response_class = _CappedResponse

    def __init__(self, *args: Any, deadline: _Deadline, **kwargs: Any) -> None:
        self._deadline = deadline
        super().__init__(*args, **kwargs)

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        self._deadline.watch(sock)  # before TLS: the handshake is under the deadline too
        return sock


class _HTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection
