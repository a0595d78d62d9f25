"""No personal data or link token in the logs (everything at DEBUG) or in error reports."""

import io
import logging
import sys
from collections.abc import Iterator

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory
from django.urls import reverse

from portal.error_reports import PrivacyExceptionReporter
from tests.conftest import ERIKSSON_FIELDS, consent_shown_to, login
from uploads.documents import services as document_services
from uploads.models import Order, UploadRequest
from uploads.requests import links

CUSTOMER = {
    "number": "A-777",
    "customer_name": "Ekaterina Volkonskaya",
    "email": "katya.volk@example.com",
    "phone": "+79161234567",
}
FIELDS = ERIKSSON_FIELDS
SECRETS = [
    "Ekaterina",
    "Volkonskaya",
    "katya.volk",
    "79161234567",
    "ERIKSSON",
    "Eriksson",
    "ANNA MARIA",
    "L898902C3",
    "1974-08-12",
    "740812",  # the date of birth as the MRZ writes it
]


@pytest.fixture
def everything_logged() -> Iterator[io.StringIO]:
    """Every logger at DEBUG, and every handler the settings configure writing to one buffer
    (their filters, e.g. the token redaction, still apply: this is what production would log)."""
    buffer = io.StringIO()
    manager = logging.root.manager
    loggers = [logging.root] + [
        logger for logger in manager.loggerDict.values() if isinstance(logger, logging.Logger)
    ]
    saved_levels = {logger: logger.level for logger in loggers}
    saved_streams = {}
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        for handler in logger.handlers:
            if isinstance(handler, logging.StreamHandler) and handler not in saved_streams:
                saved_streams[handler] = handler.setStream(buffer)
    # Loggers created during the test inherit DEBUG from the root.
    yield buffer
    for logger, level in saved_levels.items():
        logger.setLevel(level)
    for handler, stream in saved_streams.items():
        handler.setStream(stream or sys.stderr)


def _assert_clean(text: str, token: str) -> None:
    leaked = [value for value in [*SECRETS, token] if value in text]
    assert not leaked, f"leaked {leaked} in:\n{text[:3000]}"


def test_it_logs_nothing_personal_through_the_whole_flow(
    everything_logged, client, alice, shop, passport_jpeg
):
    staff = login(Client(), alice)
    # The seller adds the order in admin.
    response = staff.post(
        reverse("admin:uploads_order_add"),
        {**CUSTOMER, "shop": shop.pk, "language": "en", "deadline": ""},
    )
    assert response.status_code == 302
    upload_request = UploadRequest.objects.get(order__number="A-777")
    token = links.upload_link_current(upload_request=upload_request).token

    # The customer: a wrong link, then theirs, upload, a mistaken form, the confirmation.
    assert client.get("/u/" + "W" * 43 + "/").status_code == 404
    assert client.get(f"/u/{token}/").status_code == 302
    consent = consent_shown_to(client)
    bad = client.post(
        "/upload/",
        {
            "consent": "on",
            "consent_document_id": consent,
            "file": SimpleUploadedFile("x.jpg", b"x"),
        },
    )
    assert bad.status_code == 400
    upload = client.post(
        "/upload/",
        {
            "consent": "on",
            "consent_document_id": consent,
            "file": SimpleUploadedFile("Ekaterina Volkonskaya passport.jpg", passport_jpeg),
        },
    )
    assert upload.status_code == 302
    assert client.get("/upload/review/").status_code == 200
    assert (
        client.post("/upload/review/", {**FIELDS, "date_of_birth": "1974-13-40"}).status_code == 400
    )
    assert client.post("/upload/review/", FIELDS).status_code == 302
    assert client.get("/upload/done/").status_code == 200

    # The seller looks, exports, rejects; the customer comes back and withdraws consent.
    change = reverse("admin:uploads_uploadrequest_change", args=[upload_request.pk])
    assert staff.get(change).status_code == 200
    image = staff.get(reverse("admin:uploads_uploadrequest_image", args=[upload_request.pk]))
    assert image.content.startswith(b"\xff\xd8")
    staff.post(
        reverse("admin:uploads_uploadrequest_changelist"),
        {"action": "export_csv", "_selected_action": [str(upload_request.pk)]},
    )
    staff.post(
        reverse("admin:uploads_uploadrequest_reject", args=[upload_request.pk]),
        {"reason": "Ekaterina, the photo is blurred"},
    )
    assert client.get(f"/u/{token}/").status_code == 302
    assert client.post(reverse("uploads:withdraw")).status_code == 200
    assert client.get(f"/u/{token}/").status_code == 404

    logged = everything_logged.getvalue()
    assert "Not Found: /u/[redacted]/" in logged  # the capture does see the request log
    _assert_clean(logged, token)


# --- error reports ------------------------------------------------------------------------------


@pytest.fixture
def failing_confirmation(monkeypatch):  # type: ignore[no-untyped-def]
    """A bug that puts the customer's data into the exception's message."""

    def explode(*, document, fields):  # type: ignore[no-untyped-def]
        passport = dict(fields)
        raise ValueError(f"cannot confirm {passport['surname']} {passport['number']}")

    monkeypatch.setattr(document_services, "document_confirm", explode)


def test_it_emails_admins_an_error_report_without_personal_data(
    link, passport_jpeg, settings, failing_confirmation
):
    settings.ADMINS = ["ops@example.com"]
    browser = Client(raise_request_exception=False)
    browser.get(f"/u/{link.token}/")
    browser.post(
        "/upload/",
        {
            "consent": "on",
            "consent_document_id": consent_shown_to(browser),
            "file": SimpleUploadedFile("p.jpg", passport_jpeg),
        },
    )
    response = browser.post("/upload/review/", FIELDS)
    assert response.status_code == 500
    [report] = [message for message in mail.outbox if "ops@example.com" in message.to]
    text = report.subject + report.body + "".join(str(part) for part in report.alternatives)
    assert "ValueError" in text
    _assert_clean(text, link.token)


def test_its_reporter_hides_values_even_with_the_request_at_hand(link):
    request = RequestFactory().post(f"/u/{link.token}/?surname=ERIKSSON", FIELDS)
    request.COOKIES["sessionid"] = "secret-session"
    customer_name = Order.objects.get().customer_name  # noqa: F841 - a local the frame shows
    try:
        raise ValueError(f"cannot read {FIELDS['number']}")
    except ValueError:
        reporter = PrivacyExceptionReporter(request, *sys.exc_info(), is_email=True)
    text = reporter.get_traceback_text() + reporter.get_traceback_html()
    assert "ValueError" in text
    assert "customer_name" in text  # variable names help; values never appear
    _assert_clean(text, link.token)
    assert "Anna Eriksson" not in text and "secret-session" not in text
