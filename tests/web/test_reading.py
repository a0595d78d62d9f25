"""The passport is read in the background: the upload returns at once, the "being read" page
updates itself, and the customer types the fields when reading fails or takes too long."""

import logging
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.tasks import default_task_backend
from django.utils import timezone
from PIL import Image

from tests.conftest import consent_shown_to
from uploads.documents import selectors as document_selectors
from uploads.documents import services as document_services
from uploads.models import PassportDocument
from uploads.mrz.result import MrzResult

WORKER_BACKEND = "django.tasks.backends.dummy.DummyBackend"  # stores tasks, runs none


@pytest.fixture
def queued(settings, customer, passport_jpeg, upload_request):
    """The customer uploaded with a worker backend configured: the task waits in the queue."""
    settings.TASKS = {"default": {"BACKEND": WORKER_BACKEND}}
    default_task_backend.clear()
    response = customer.post(
        "/upload/",
        {
            "consent": "on",
            "consent_document_id": consent_shown_to(customer),
            "file": SimpleUploadedFile("p.jpg", passport_jpeg),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/upload/review/"
    return PassportDocument.objects.get(upload_request=upload_request)


def _run_queued_tasks() -> int:
    """Do what a worker does with each queued task."""
    results = list(default_task_backend.results)
    for result in results:
        result.task.call(*result.args, **result.kwargs)
    return len(results)


def test_it_returns_the_upload_before_the_passport_is_read(queued):
    assert queued.mrz_status == PassportDocument.MrzStatus.PENDING
    [result] = default_task_backend.results
    assert result.task.name == "read_document_mrz"
    assert result.kwargs == {"document_id": queued.pk}  # an id only: nothing personal in the queue


def test_it_shows_the_reading_page_that_refreshes_itself(customer, queued):
    response = customer.get("/upload/review/")
    page = response.content.decode()
    assert response.status_code == 200
    assert '<meta http-equiv="refresh"' in page
    assert 'name="surname"' not in page
    # No inline script (the CSP forbids them): only the site's own static files.
    assert "<script>" not in page
    assert all('src="/static/' in tag for tag in page.split("<script")[1:])
    assert "no-cache" in response["Cache-Control"]


def test_it_shows_the_read_fields_once_the_worker_is_done(customer, queued):
    assert _run_queued_tasks() == 1

    page = customer.get("/upload/review/?situation=foreign").content.decode()

    assert 'http-equiv="refresh"' not in page
    assert 'value="ERIKSSON"' in page
    assert 'value="L898902C3"' in page


def test_it_asks_for_the_fields_when_reading_takes_too_long(customer, queued, settings):
    settings.MRZ_READING_TIMEOUT_S = 60
    PassportDocument.objects.filter(pk=queued.pk).update(
        created_at=timezone.now() - timedelta(seconds=61)
    )

    page = customer.get("/upload/review/?situation=foreign").content.decode()

    assert 'http-equiv="refresh"' not in page
    assert 'name="surname"' in page
    assert 'value="ERIKSSON"' not in page
    # Not read yet is not "unreadable": no hints about the photo, and the web process does not
    # decode it to guess them.
    assert 'class="hints"' not in page


def test_it_accepts_typed_fields_after_the_timeout_and_keeps_them(customer, queued, settings):
    PassportDocument.objects.filter(pk=queued.pk).update(
        created_at=timezone.now() - timedelta(seconds=settings.MRZ_READING_TIMEOUT_S + 1)
    )
    typed = {
        "surname": "ERIKSSON",
        "given_names": "ANNA",
        "number": "L898902C3",
        "nationality": "UTO",
        "date_of_birth": "1974-08-12",
        "sex": "F",
        "expiry_date": "2034-04-15",
    }
    response = customer.post("/upload/review/", typed)
    assert response.status_code == 302, response.content.decode()[:2000]

    # The worker gets to it only now: what the customer confirmed stays.
    _run_queued_tasks()

    queued.refresh_from_db()
    assert queued.confirmed_at is not None
    # The seller sees why there is no reading, not "not read yet" for good.
    assert queued.mrz_status == PassportDocument.MrzStatus.NOT_FOUND
    assert queued.mrz_failure == PassportDocument.MrzFailure.TYPED_FIRST
    assert document_selectors.document_fields(document=queued)["given_names"] == "ANNA"


def test_it_falls_back_to_typing_when_reading_fails(customer, queued, monkeypatch, caplog):
    def broken_reader(data: bytes) -> None:
        raise ValueError("P<UTOERIKSSON<<ANNA<MARIA")  # a message that quotes the passport

    monkeypatch.setattr(document_services, "read_mrz", broken_reader)
    caplog.set_level(logging.INFO)

    _run_queued_tasks()

    queued.refresh_from_db()
    assert queued.mrz_status == PassportDocument.MrzStatus.NOT_FOUND
    page = customer.get("/upload/review/?situation=foreign").content.decode()
    assert 'http-equiv="refresh"' not in page
    assert 'name="surname"' in page
    assert 'class="hints"' not in page  # the reader broke, not the photo
    assert "ValueError" in caplog.text
    assert "ERIKSSON" not in caplog.text


def test_it_gives_no_photo_hints_when_the_reader_reports_its_own_failure(
    customer, queued, monkeypatch, caplog
):
    """The reader no longer raises: a failure comes back as "not found" with a reason (the
    exception's type, never the text read), and it says nothing about the photo."""
    failed = MrzResult(found=False, error="the reader failed: KeyError in passporteye.mrz.image")
    monkeypatch.setattr(document_services, "read_mrz", lambda data: failed)
    caplog.set_level(logging.INFO)
    _run_queued_tasks()
    queued.refresh_from_db()
    assert queued.mrz_status == PassportDocument.MrzStatus.NOT_FOUND
    assert queued.photo_problems == []
    assert "KeyError" in caplog.text
    page = customer.get("/upload/review/?situation=foreign").content.decode()
    assert 'name="surname"' in page and 'class="hints"' not in page


def test_it_measures_why_a_photo_was_unreadable_in_the_worker(customer, queued, monkeypatch):
    monkeypatch.setattr(document_services, "read_mrz", lambda data: MrzResult(found=False))
    _run_queued_tasks()
    queued.refresh_from_db()
    assert queued.photo_problems == ["wrong_page"]  # a sound photo: the page must be another

    def no_decoding(*args: object, **kwargs: object) -> None:
        raise AssertionError("the review page decoded the photo")

    monkeypatch.setattr(Image, "open", no_decoding)
    page = customer.get("/upload/review/?situation=foreign").content.decode()
    assert "hint-wrong_page" in page


def test_it_reads_inline_with_the_default_backend(customer, passport_jpeg, upload_request):
    response = customer.post(
        "/upload/",
        {
            "consent": "on",
            "consent_document_id": consent_shown_to(customer),
            "file": SimpleUploadedFile("p.jpg", passport_jpeg),
        },
    )
    assert response.status_code == 302
    document = PassportDocument.objects.get(upload_request=upload_request)
    assert document.mrz_status == PassportDocument.MrzStatus.FOUND


def test_it_queues_a_lost_reading_again_while_the_customer_waits(customer, queued, settings):
    """The worker that took the task died (django-tasks-db leaves it RUNNING for good): past
    MRZ_READING_RETRY_AFTER_S the waiting page hands the reading to the queue again."""
    settings.MRZ_READING_RETRY_AFTER_S = 20
    PassportDocument.objects.filter(pk=queued.pk).update(
        mrz_attempts=1,
        mrz_started_at=timezone.now() - timedelta(seconds=21),
        created_at=timezone.now() - timedelta(seconds=22),
    )
    default_task_backend.clear()  # the upload's own task, taken by the worker that died

    page = customer.get("/upload/review/").content.decode()

    assert 'http-equiv="refresh"' in page
    [requeued] = default_task_backend.results
    assert requeued.kwargs == {"document_id": queued.pk}
    default_task_backend.clear()
    customer.get("/upload/review/")  # the next poll: already queued again, once is enough
    assert default_task_backend.results == []


def test_it_agrees_with_the_status_page_on_when_to_type(customer, queued, settings):
    settings.MRZ_READING_TIMEOUT_S = 60
    customer.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    PassportDocument.objects.filter(pk=queued.pk).update(
        created_at=timezone.now() - timedelta(seconds=59)
    )
    assert 'http-equiv="refresh"' in customer.get("/upload/review/").content.decode()
    assert "status-reading" in customer.get("/upload/status/").content.decode()

    PassportDocument.objects.filter(pk=queued.pk).update(
        created_at=timezone.now() - timedelta(seconds=61)
    )
    # Typing now: nothing was read, so the page first asks which document the customer has.
    review = customer.get("/upload/review/").content.decode()
    assert 'http-equiv="refresh"' not in review
    assert 'href="?situation=foreign"' in review
    status = customer.get("/upload/status/").content.decode()
    assert "status-reading" not in status
    assert 'href="/upload/review/"' in status  # continue with the photo: type the fields
