"""Outages are named, not 500s: the storage or the database not answering gives the customer a
page in their language that says nothing was stored (503, Retry-After), and the seller's image
view says the storage is unavailable, with no view audited."""

from botocore.exceptions import EndpointConnectionError
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from tests.conftest import consent_shown_to, login
from uploads.documents import services as document_services
from uploads.models import AuditEvent, PassportDocument


def _s3_down(*args: object, **kwargs: object) -> None:
    raise EndpointConnectionError(endpoint_url="http://s3.internal:8333/passports")


def _upload(customer: Client, passport_jpeg: bytes):  # type: ignore[no-untyped-def]
    return customer.post(
        "/upload/",
        {
            "consent": "on",
            "consent_document_id": consent_shown_to(customer),
            "file": SimpleUploadedFile("p.jpg", passport_jpeg),
        },
    )


def test_it_tells_the_customer_nothing_was_stored_when_the_storage_is_down(
    customer, passport_jpeg, upload_request, monkeypatch, tmp_path, caplog
):
    monkeypatch.setattr(FileSystemStorage, "_save", _s3_down)

    response = _upload(customer, passport_jpeg)

    assert response.status_code == 503
    assert response["Retry-After"] == "120"
    page = response.content.decode()
    assert 'lang="ru"' in page  # the order's language
    assert "Ничего не сохранено." in page
    assert "Хранилище паспортов сейчас недоступно." in page
    assert "s3.internal" not in page
    assert not PassportDocument.objects.filter(upload_request=upload_request).exists()
    assert not list((tmp_path / "passports").rglob("*.enc"))
    # One warning naming the outage and the cause's type, not a 500 with a traceback.
    assert "StorageUnavailable: answered 503 (EndpointConnectionError)" in caplog.text
    assert "s3.internal" not in caplog.text


def test_it_answers_503_when_the_database_is_gone_mid_request(
    customer, passport_jpeg, monkeypatch, settings
):
    customer.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    def database_gone(**kwargs: object) -> None:
        raise OperationalError("connection to server at 10.0.0.5 failed: timeout expired")

    monkeypatch.setattr(document_services, "document_submit", database_gone)

    response = _upload(customer, passport_jpeg)

    assert response.status_code == 503
    assert response["Retry-After"] == "120"
    page = response.content.decode()
    assert "The service&#x27;s database cannot be reached right now." in page
    assert "Nothing was stored." in page
    assert "10.0.0.5" not in page


def test_it_answers_503_when_the_database_fails_outside_the_view(link, monkeypatch, settings):
    """The session saved on the way out, by a middleware: the 500 handler maps it the same way."""
    settings.DEBUG = False
    browser = Client(raise_request_exception=False)
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    def database_gone(self, must_create: bool = False) -> None:
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(SessionStore, "save", database_gone)

    response = browser.get(f"/u/{link.token}/")

    assert response.status_code == 503
    assert response["Retry-After"] == "120"
    assert "Temporarily unavailable" in response.content.decode()


def test_it_tells_the_seller_the_storage_is_down_and_audits_no_view(
    client, alice, uploaded_request, monkeypatch
):
    seller = login(client, alice)
    monkeypatch.setattr(FileSystemStorage, "open", _s3_down)

    response = seller.get(reverse("admin:uploads_uploadrequest_image", args=[uploaded_request.pk]))

    assert response.status_code == 503
    assert "The passport storage cannot be reached right now." in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.VIEW_IMAGE).exists()


def test_it_audits_the_view_once_the_image_was_read(client, alice, uploaded_request):
    seller = login(client, alice)
    response = seller.get(reverse("admin:uploads_uploadrequest_image", args=[uploaded_request.pk]))
    assert response.status_code == 200
    assert response.content.startswith(b"\xff\xd8")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VIEW_IMAGE).count() == 1


def test_it_reads_the_whole_image_before_auditing(client, alice, uploaded_request, monkeypatch):
    """A storage that fails half-way through the file: no response was begun, no view audited."""
    seller = login(client, alice)
    real_open = FileSystemStorage.open

    class HalfFile:
        def __init__(self, handle) -> None:  # type: ignore[no-untyped-def]
            self.handle, self.calls = handle, 0

        def read(self, size: int = -1) -> bytes:
            self.calls += 1
            if self.calls > 1:
                raise ConnectionResetError("connection reset by peer")
            return self.handle.read(size)

        def __enter__(self):  # type: ignore[no-untyped-def]
            return self

        def __exit__(self, *exc: object) -> None:
            self.handle.close()

    monkeypatch.setattr(
        FileSystemStorage,
        "open",
        lambda self, name, mode="rb": HalfFile(real_open(self, name, mode)),
    )
    response = seller.get(reverse("admin:uploads_uploadrequest_image", args=[uploaded_request.pk]))
    assert response.status_code == 503
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.VIEW_IMAGE).exists()
