"""Webhooks never run on a web thread: with the default immediate task backend, the seller's
Accept returns while the shop's slow receiver still holds the call, which a background thread
makes; the delivery is recorded once it ends."""

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse

from tests.conftest import login
from uploads.documents import selectors as document_selectors
from uploads.models import WebhookDelivery, WebhookEndpoint
from uploads.webhooks import tasks as webhook_tasks
from uploads.webhooks.services import outbox as webhook_outbox

# Committed rows, seen by the background thread; the consent texts come back after each test.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


class SlowReceiver:
    """Answers each call only once released (a receiver that is slow, or trickles its answer)."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.called = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers["Content-Length"]))
                receiver.called.set()
                receiver.release.wait(timeout=60)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def slow_receiver(settings) -> Iterator[SlowReceiver]:
    settings.WEBHOOK_BACKGROUND_THREADS = 2  # the default outside the tests
    settings.WEBHOOK_TIMEOUT_SECONDS = 60
    receiver = SlowReceiver()
    yield receiver
    receiver.release.set()
    webhook_tasks.background_deliveries_join()
    receiver.server.shutdown()
    receiver.server.server_close()


@pytest.fixture
def after_the_response(monkeypatch) -> Callable[[], None]:
    """Deliveries queued for the background reach it once the returned function is called. The
    tests' SQLite (one in-memory database the threads share) refuses a second writer at once
    ("database table is locked") where a file or PostgreSQL would make it wait, and the request
    still writes after the Accept's commit that queued the delivery (the session, say)."""
    background = webhook_tasks._background
    submit, held = background.submit, []
    monkeypatch.setattr(background, "submit", held.append)

    def release() -> None:
        for delivery_id in held:
            submit(delivery_id)

    return release


def test_a_slow_receiver_does_not_hold_the_sellers_accept(
    client, alice, shop, uploaded_request, slow_receiver, after_the_response
):
    WebhookEndpoint.objects.create(
        shop=shop, url=slow_receiver.url, secret=webhook_outbox.new_secret()
    )

    shown = document_selectors.document_current(upload_request=uploaded_request)
    response = login(client, alice).post(
        reverse("admin:uploads_uploadrequest_accept", args=[uploaded_request.pk]),
        {"document": shown.pk},  # the passport the seller's page showed
    )

    assert response.status_code == 302
    after_the_response()
    # The Accept came back while the receiver holds the call: had the request made the call
    # itself, it would have waited for the answer and the delivery would be delivered by now.
    assert slow_receiver.called.wait(timeout=30)
    delivery = WebhookDelivery.objects.get(event="request.accepted")
    assert delivery.state == WebhookDelivery.State.PENDING

    slow_receiver.release.set()
    webhook_tasks.background_deliveries_join()
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.DELIVERED


def test_a_full_queue_leaves_the_delivery_to_cron(settings, monkeypatch, caplog):
    settings.WEBHOOK_BACKGROUND_THREADS = 2
    full = webhook_tasks._BackgroundDeliveries()
    full._queue.maxsize = 1
    full._queue.put_nowait(-1)  # a process whose queue is full
    monkeypatch.setattr(webhook_tasks, "_background", full)

    webhook_tasks.delivery_enqueue(delivery_id=42)

    assert "Webhook delivery 42 left for send_webhooks: queue full" in caplog.text
    assert full._threads == []  # nothing started: the outbox row waits for send_webhooks
