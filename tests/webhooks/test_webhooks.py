"""Signed webhooks on status changes: outbox row, signature, attempts, back-off, SSRF guard."""

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.conftest import submit_and_confirm
from uploads.models import UploadRequest, WebhookDelivery, WebhookEndpoint
from uploads.requests import services as request_services
from uploads.webhooks import http as webhook_http
from uploads.webhooks import tasks as webhook_tasks
from uploads.webhooks.services import delivery as webhook_delivery
from uploads.webhooks.services import outbox as webhook_outbox

Status = UploadRequest.Status


class Receiver:
    """A local HTTP server on 127.0.0.1 (a free port) that records calls and fails on demand."""

    def __init__(self) -> None:
        self.calls: list[dict] = []
        self.fail_next = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.calls.append(
                    {"headers": dict(self.headers), "body": body, "path": self.path}
                )
                if receiver.fail_next:
                    receiver.fail_next -= 1
                    self.send_response(503)
                else:
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/portal?x=1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def endpoint(shop, receiver) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        shop=shop, url=receiver.url, secret=webhook_outbox.new_secret()
    )


def verify(call: dict, secret: str) -> bool:
    """What the README tells sellers to do: recompute the HMAC of
    "<timestamp>.<delivery id>.<event>.<body>" from the headers and the raw body."""
    headers = call["headers"]
    signed = (
        f"{headers['X-Portal-Timestamp']}.{headers['X-Portal-Delivery']}."
        f"{headers['X-Portal-Event']}.".encode()
        + call["body"]
    )
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(headers["X-Portal-Signature"], f"sha256={expected}")


def tampered(call: dict, **headers: str) -> dict:
    return {**call, "headers": {**call["headers"], **headers}}


def test_it_posts_a_signed_event_when_a_customer_uploads(
    endpoint, receiver, upload_request, passport_jpeg, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submit_and_confirm(upload_request, passport_jpeg)
    [call] = receiver.calls
    assert call["path"] == "/hooks/portal?x=1"
    assert verify(call, endpoint.secret)
    assert not verify(call, "whsec_wrong")
    body = json.loads(call["body"])
    assert body["event"] == "request.uploaded"
    assert body["data"]["id"] == upload_request.pk
    assert body["data"]["status"] == "uploaded"
    assert body["data"]["order_number"] == "A-100"
    assert call["headers"]["X-Portal-Event"] == "request.uploaded"
    assert abs(int(call["headers"]["X-Portal-Timestamp"]) - timezone.now().timestamp()) < 60
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempt_count) == (WebhookDelivery.State.DELIVERED, 1)
    assert delivery.attempts.get().response_status == 204


@pytest.mark.parametrize(
    "change",
    [
        {"X-Portal-Delivery": "999999"},  # a replay posing as a new delivery
        {"X-Portal-Event": "request.rejected"},
        {"X-Portal-Timestamp": "1"},
    ],
)
def test_the_signature_covers_the_delivery_id_and_the_event(
    endpoint, receiver, upload_request, passport_jpeg, django_capture_on_commit_callbacks, change
):
    with django_capture_on_commit_callbacks(execute=True):
        submit_and_confirm(upload_request, passport_jpeg)
    [call] = receiver.calls
    assert call["headers"]["X-Portal-Delivery"] == str(WebhookDelivery.objects.get().pk)
    assert verify(call, endpoint.secret)
    assert not verify(tampered(call, **change), endpoint.secret)


def test_the_signature_is_the_documented_string():
    signature = webhook_delivery.sign(
        secret="whsec_x", timestamp=1700000000, delivery_id=42, event="request.accepted", body=b"{}"
    )
    expected = hmac.new(
        b"whsec_x", b"1700000000.42.request.accepted.{}", hashlib.sha256
    ).hexdigest()
    assert signature == f"sha256={expected}"


def test_it_sends_no_passport_data(
    endpoint, receiver, upload_request, passport_jpeg, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submit_and_confirm(upload_request, passport_jpeg)
    assert b"ERIKSSON" not in receiver.calls[0]["body"].upper()
    assert b"/u/" not in receiver.calls[0]["body"]  # nor the customer's link


@pytest.mark.parametrize("decision", ["accept", "reject"])
def test_it_posts_the_sellers_decision(
    endpoint, receiver, uploaded_request, alice, decision, django_capture_on_commit_callbacks
):
    receiver.calls.clear()
    with django_capture_on_commit_callbacks(execute=True):
        if decision == "accept":
            request_services.request_accept(upload_request=uploaded_request, actor=alice)
        else:
            request_services.request_reject(
                upload_request=uploaded_request, actor=alice, reason="Glare"
            )
    events = [json.loads(call["body"])["event"] for call in receiver.calls]
    assert events == [f"request.{decision}ed"]
    if decision == "reject":
        assert json.loads(receiver.calls[0]["body"])["data"]["rejection_reason"] == "Glare"


def test_it_posts_expiry_in_bulk_and_one_by_one(
    endpoint, receiver, shop, upload_request, django_capture_on_commit_callbacks
):
    other = request_services.order_create(
        shop_id=shop.pk, number="A-2", customer_name="B", email="b@example.com"
    )
    past = timezone.now() - timedelta(minutes=1)
    UploadRequest.objects.update(expires_at=past)
    with django_capture_on_commit_callbacks(execute=True):
        assert request_services.upload_requests_expire_due() == 2
    assert sorted(json.loads(c["body"])["data"]["id"] for c in receiver.calls) == sorted(
        [upload_request.pk, other.upload_request.pk]
    )
    assert {json.loads(c["body"])["event"] for c in receiver.calls} == {"request.expired"}


def test_it_posts_nothing_for_a_shop_without_a_webhook(
    receiver, upload_request, passport_jpeg, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submit_and_confirm(upload_request, passport_jpeg)
    assert receiver.calls == []
    assert WebhookDelivery.objects.count() == 0


def test_it_posts_nothing_when_the_change_rolls_back(endpoint, receiver, uploaded_request, alice):
    # Without a commit (the test's transaction never commits) nothing is sent.
    request_services.request_accept(upload_request=uploaded_request, actor=alice)
    assert receiver.calls == []


def test_it_retries_with_back_off_and_records_each_attempt(
    endpoint, receiver, uploaded_request, alice, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 60
    receiver.calls.clear()
    WebhookDelivery.objects.all().delete()
    receiver.fail_next = 2
    with django_capture_on_commit_callbacks(execute=True):
        request_services.request_accept(upload_request=uploaded_request, actor=alice)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempt_count) == (WebhookDelivery.State.PENDING, 1)
    first_wait = delivery.next_attempt_at - timezone.now()
    assert timedelta(seconds=50) < first_wait <= timedelta(seconds=60)
    # Not due yet: the cron command does nothing.
    call_command("send_webhooks", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(receiver.calls) == 1
    # Time passes: second attempt fails, the wait doubles.
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    assert webhook_delivery.deliveries_retry_due() == 1
    delivery.refresh_from_db()
    assert delivery.attempt_count == 2
    assert (
        timedelta(seconds=110) < delivery.next_attempt_at - timezone.now() <= timedelta(seconds=120)
    )
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    webhook_delivery.deliveries_retry_due()
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempt_count) == (WebhookDelivery.State.DELIVERED, 3)
    assert [a.response_status for a in delivery.attempts.all()] == [503, 503, 204]
    assert all(verify(call, endpoint.secret) for call in receiver.calls)
    assert len({call["body"] for call in receiver.calls}) == 1  # the same event every time


def test_it_gives_up_after_the_last_attempt(
    endpoint, receiver, uploaded_request, alice, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    WebhookDelivery.objects.all().delete()
    receiver.fail_next = 10
    with django_capture_on_commit_callbacks(execute=True):
        request_services.request_accept(upload_request=uploaded_request, actor=alice)
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    webhook_delivery.deliveries_retry_due()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempt_count, delivery.next_attempt_at) == (
        WebhookDelivery.State.FAILED,
        2,
        None,
    )


def test_it_records_a_connection_failure(
    shop, uploaded_request, alice, django_capture_on_commit_callbacks
):
    # A port nobody listens on: bind one, note it, close it.
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    WebhookEndpoint.objects.create(shop=shop, url=f"http://127.0.0.1:{port}/", secret="s")
    with django_capture_on_commit_callbacks(execute=True):
        request_services.request_accept(upload_request=uploaded_request, actor=alice)
    attempt = WebhookDelivery.objects.get().attempts.get()
    assert attempt.response_status is None
    assert attempt.error


def test_it_never_sends_the_same_attempt_twice(endpoint, receiver, uploaded_request, alice):
    receiver.calls.clear()
    request_services.request_accept(upload_request=uploaded_request, actor=alice)
    delivery = WebhookDelivery.objects.get(event="request.accepted")
    assert webhook_delivery.delivery_attempt(delivery_id=delivery.pk) is not None
    assert webhook_delivery.delivery_attempt(delivery_id=delivery.pk) is None  # delivered already
    assert len(receiver.calls) == 1


def test_it_re_enqueues_with_run_after_on_a_backend_that_defers(
    endpoint, receiver, uploaded_request, alice, settings
):
    from django.tasks import task_backends

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    request_services.request_accept(upload_request=uploaded_request, actor=alice)
    delivery = WebhookDelivery.objects.get(event="request.accepted")
    receiver.fail_next = 1
    webhook_tasks.deliver_webhook.call(delivery_id=delivery.pk)
    [queued] = task_backends["default"].results
    delivery.refresh_from_db()
    assert queued.task.name == "deliver_webhook"
    assert queued.kwargs == {"delivery_id": delivery.pk}
    assert queued.task.run_after == delivery.next_attempt_at


# --- refusing unsafe addresses ----------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://localhost:8000/",
        "http://10.0.0.5/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://0.0.0.0/",
    ],
)
def test_it_refuses_private_addresses_in_production(settings, url):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    with pytest.raises(webhook_http.UnsafeWebhookUrl):
        webhook_http.url_check(url=url)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/",
        "file:///etc/passwd",
        "gopher://x/",
        "http://u:p@example.com/",
        "http://example.com:99999/",
    ],
)
def test_it_refuses_other_schemes_and_credentials(url):
    with pytest.raises(webhook_http.UnsafeWebhookUrl):
        webhook_http.url_check(url=url)


def test_it_checks_the_address_again_on_every_call(
    endpoint, receiver, uploaded_request, alice, settings, django_capture_on_commit_callbacks
):
    receiver.calls.clear()
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    with django_capture_on_commit_callbacks(execute=True):
        request_services.request_accept(upload_request=uploaded_request, actor=alice)
    assert receiver.calls == []
    attempt = WebhookDelivery.objects.get(event="request.accepted").attempts.get()
    assert "not a public internet address" in attempt.error


def test_it_allows_loopback_in_development_and_tests(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    webhook_http.url_check(url="http://127.0.0.1:9/")


def test_it_sends_nothing_once_the_webhook_is_switched_off(
    endpoint, receiver, uploaded_request, alice
):
    receiver.calls.clear()
    request_services.request_accept(upload_request=uploaded_request, actor=alice)
    WebhookEndpoint.objects.update(is_active=False)
    delivery = webhook_delivery.delivery_attempt(
        delivery_id=WebhookDelivery.objects.get(event="request.accepted").pk
    )
    assert delivery.state == WebhookDelivery.State.FAILED
    assert receiver.calls == []
