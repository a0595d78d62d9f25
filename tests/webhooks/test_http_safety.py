"""The webhook's outbound HTTP against hostile receivers and addresses: a total deadline for each
call, a cap on what is read of the answer, and no non-public address in any of its disguises.

The receivers here are raw sockets on 127.0.0.1 started by the tests (private addresses are
allowed in tests, as in development); each stops by itself within a few seconds.
"""

import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from uploads.models import WebhookDelivery, WebhookEndpoint
from uploads.requests import services as request_services
from uploads.webhooks import http as webhook_http
from uploads.webhooks.services import delivery as webhook_delivery

# However a receiver misbehaves, it gives up after this long: the tests stop by themselves.
RECEIVER_GIVES_UP_AFTER = 6.0


class RawReceiver:
    """A TCP server on 127.0.0.1 that reads the request and answers with ``answer(connection)``."""

    def __init__(self, answer: Callable[[socket.socket], None]) -> None:
        self.answer = answer
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/hook"
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                connection, _address = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._handle, args=(connection,), daemon=True).start()

    def _handle(self, connection: socket.socket) -> None:
        with connection:
            connection.settimeout(RECEIVER_GIVES_UP_AFTER)
            try:
                _read_request(connection)
                self.answer(connection)
            except OSError:
                pass  # the portal hung up on us: what it should do

    def close(self) -> None:
        self.stopping.set()
        self.listener.close()
        self.thread.join(timeout=5)


def _read_request(connection: socket.socket) -> None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(4096)
        if not chunk:
            return
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        (
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        ),
        0,
    )
    while len(body) < length:
        chunk = connection.recv(4096)
        if not chunk:
            return
        body += chunk


def trickle(connection: socket.socket) -> None:
    """A status line, then one byte of a header every 0.3 s: each read gets something in time,
    so only a deadline for the whole call ends it."""
    connection.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
    started = time.monotonic()
    while time.monotonic() - started < RECEIVER_GIVES_UP_AFTER:
        connection.sendall(b"a")
        time.sleep(0.3)


def huge_headers(connection: socket.socket) -> None:
    """200, but with 180 KB of headers (within http.client's own limits of lines and headers)."""
    header = b"X-Filler: " + b"f" * 2000 + b"\r\n"
    connection.sendall(b"HTTP/1.1 200 OK\r\n" + header * 90 + b"Content-Length: 0\r\n\r\n")


def endless_body(connection: socket.socket) -> None:
    """200 at once, then a body that never ends (as fast as the socket takes it)."""
    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\n\r\n")
    started = time.monotonic()
    chunk = b"x" * 65536
    while time.monotonic() - started < RECEIVER_GIVES_UP_AFTER:
        connection.sendall(chunk)


@pytest.fixture
def raw_receiver() -> Iterator[Callable[[Callable[[socket.socket], None]], RawReceiver]]:
    started: list[RawReceiver] = []

    def start(answer: Callable[[socket.socket], None]) -> RawReceiver:
        receiver = RawReceiver(answer)
        started.append(receiver)
        return receiver

    yield start
    for receiver in started:
        receiver.close()


def _attempt_against(url: str, shop, uploaded_request, alice):  # type: ignore[no-untyped-def]
    WebhookEndpoint.objects.create(shop=shop, url=url, secret="whsec_test")
    request_services.request_accept(upload_request=uploaded_request, actor=alice)
    delivery = WebhookDelivery.objects.get(event="request.accepted")
    started = time.monotonic()
    webhook_delivery.delivery_attempt(delivery_id=delivery.pk)
    elapsed = time.monotonic() - started
    delivery.refresh_from_db()
    return delivery, delivery.attempts.get(), elapsed


# --- a deadline for the whole call ------------------------------------------------------------


def test_a_trickling_receiver_is_cut_off_at_the_deadline(
    raw_receiver, shop, uploaded_request, alice, settings
):
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    receiver = raw_receiver(trickle)

    delivery, attempt, elapsed = _attempt_against(receiver.url, shop, uploaded_request, alice)

    assert elapsed < 2.5, f"the call took {elapsed:.1f} s with a 1 s deadline"
    assert attempt.response_status is None
    assert "Timeout" in attempt.error
    assert attempt.duration_ms < 2500
    assert (delivery.state, delivery.attempt_count) == (WebhookDelivery.State.PENDING, 1)
    assert delivery.next_attempt_at is not None  # tried again later, like any failure


def test_the_deadline_holds_for_a_direct_call(raw_receiver, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    receiver = raw_receiver(trickle)
    started = time.monotonic()
    with pytest.raises(webhook_http.WebhookTimeout):
        webhook_http.post_checked(url=receiver.url, headers={}, body=b"{}")
    assert time.monotonic() - started < 2.5


# --- a cap on what is read ----------------------------------------------------------------------


def test_an_answer_larger_than_the_cap_counts_as_failed(
    raw_receiver, shop, uploaded_request, alice, settings
):
    settings.WEBHOOK_TIMEOUT_SECONDS = 3
    receiver = raw_receiver(huge_headers)

    delivery, attempt, _elapsed = _attempt_against(receiver.url, shop, uploaded_request, alice)

    assert attempt.response_status is None
    assert "ResponseTooLarge" in attempt.error
    assert delivery.state == WebhookDelivery.State.PENDING


def test_an_endless_body_is_not_read(raw_receiver, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 3
    receiver = raw_receiver(endless_body)
    # Reading the body would run into the deadline (a WebhookTimeout): the status is enough.
    assert webhook_http.post_checked(url=receiver.url, headers={}, body=b"{}") == 200


def test_the_cap_is_64_kib():
    assert webhook_http.MAX_RESPONSE_BYTES == 64 * 1024


# --- public addresses only, whatever their disguise ---------------------------------------------

REFUSED = [
    "127.0.0.1",
    "10.0.0.5",
    "169.254.169.254",
    "100.64.0.1",  # carrier-grade NAT
    "0.0.0.0",  # noqa: S104 - an address refused, not bound
    "255.255.255.255",
    "224.0.0.1",  # IPv4 multicast
    "239.255.255.250",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "fec0::1",  # site-local (deprecated)
    "ff02::1",  # IPv6 multicast, link scope
    "ff0e::1",  # IPv6 multicast, global scope
    "::127.0.0.1",  # IPv4-compatible loopback
    "::169.254.169.254",
    "::ffff:127.0.0.1",  # IPv4-mapped
    "::ffff:10.1.2.3",
    "::ffff:0:7f00:1",  # IPv4-translated (SIIT)
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "64:ff9b:1::a00:1",  # local-use NAT64
    "2002:7f00:1::",  # 6to4 of 127.0.0.1
    "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
    "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo
    "2001:db8::1",  # documentation
    "3fff::1",  # documentation (2024)
]

PUBLIC = [
    "8.8.8.8",
    "93.184.216.34",
    "2001:4860:4860::8888",
    "2620:fe::fe",
    "64:ff9b::808:808",  # NAT64 of 8.8.8.8
    "2002:808:808::1",  # 6to4 of 8.8.8.8
]


@pytest.mark.parametrize("address", REFUSED)
def test_it_refuses_every_non_public_address(address):
    assert not webhook_http.address_is_public(address)


@pytest.mark.parametrize("address", REFUSED)
def test_it_refuses_a_url_with_a_non_public_address(settings, address):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    host = f"[{address}]" if ":" in address else address
    with pytest.raises(webhook_http.UnsafeWebhookUrl):
        webhook_http.url_check(url=f"https://{host}/hook")


@pytest.mark.parametrize("address", PUBLIC)
def test_it_allows_public_addresses(settings, address):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    assert webhook_http.address_is_public(address)
    host = f"[{address}]" if ":" in address else address
    webhook_http.url_check(url=f"https://{host}/hook")  # a numeric host: no DNS lookup


def test_it_refuses_what_is_not_an_address():
    assert not webhook_http.address_is_public("not-an-address")
