"""No reading is lost: a reading whose worker died is taken again after MRZ_READING_RETRY_AFTER_S,
at most MRZ_READING_MAX_ATTEMPTS times, then ends "not found" with the reason; a failure of the
key or the storage is retried, a failure of the reader is not."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import consent_document_id
from uploads.core import crypto
from uploads.core.errors import StorageUnavailable
from uploads.documents import selectors as document_selectors
from uploads.documents import services as document_services
from uploads.documents import tasks as document_tasks
from uploads.models import PassportDocument
from uploads.mrz import read_mrz

pytestmark = pytest.mark.usefixtures("clock")

Failure = PassportDocument.MrzFailure


class WorkerKilled(BaseException):
    """What SIGKILL looks like from inside: the reading stops, nothing of ours runs after it."""


@pytest.fixture
def document(upload_request, passport_jpeg, settings) -> PassportDocument:
    settings.MRZ_READING_RETRY_AFTER_S = 20
    settings.MRZ_READING_MAX_ATTEMPTS = 3
    return document_services.document_submit(
        upload_request=upload_request,
        data=passport_jpeg,
        consent_document_id=consent_document_id(upload_request, "ru"),
    )


def _kill_the_reading(monkeypatch) -> None:
    def killed(data: bytes) -> None:
        raise WorkerKilled

    monkeypatch.setattr(document_services, "read_mrz", killed)


def _read_killed(document: PassportDocument) -> None:
    with pytest.raises(WorkerKilled):
        document_services.document_read_mrz(document_id=document.pk)


def test_it_reads_again_a_reading_whose_worker_died(document, monkeypatch, clock):
    _kill_the_reading(monkeypatch)
    _read_killed(document)
    document.refresh_from_db()
    assert (document.mrz_status, document.mrz_attempts) == ("pending", 1)
    # Within the retry period the claim still counts: the worker may be reading.
    clock.shift(timedelta(seconds=19))
    assert document_selectors.documents_reading_lost() == []
    assert document_tasks.readings_resume() == 0

    clock.shift(timedelta(seconds=2))
    assert document_selectors.documents_reading_lost() == [document.pk]
    monkeypatch.setattr(document_services, "read_mrz", read_mrz)
    assert document_tasks.readings_resume() == 1  # the immediate backend reads it at once

    document.refresh_from_db()
    assert (document.mrz_status, document.mrz_attempts) == ("found", 2)
    assert document.mrz_failure == Failure.NONE
    assert document_selectors.document_fields(document=document)["surname"] == "ERIKSSON"


def test_it_gives_up_after_the_last_attempt_and_says_why(document, monkeypatch, clock):
    _kill_the_reading(monkeypatch)
    _read_killed(document)
    for _attempt in range(2):
        clock.shift(timedelta(seconds=21))
        assert document_selectors.documents_reading_lost() == [document.pk]
        _read_killed(document)  # what the queued task does in a worker that dies again
    document.refresh_from_db()
    assert (document.mrz_status, document.mrz_attempts) == ("pending", 3)

    clock.shift(timedelta(seconds=21))
    assert document_tasks.readings_resume() == 1  # the fourth try only records the end

    document.refresh_from_db()
    assert document.mrz_status == PassportDocument.MrzStatus.NOT_FOUND
    assert document.mrz_failure == Failure.INTERRUPTED
    assert document.mrz_attempts == 3
    assert document_selectors.document_fields(document=document) == {}
    assert document_selectors.documents_reading_lost() == []


def test_it_leaves_a_claimed_reading_to_its_worker(document, monkeypatch):
    _kill_the_reading(monkeypatch)
    _read_killed(document)
    # A second copy of the task (queued again meanwhile) finds the claim taken and stops.
    monkeypatch.setattr(document_services, "read_mrz", read_mrz)
    document_services.document_read_mrz(document_id=document.pk)
    document.refresh_from_db()
    assert (document.mrz_status, document.mrz_attempts) == ("pending", 1)


def test_it_queues_a_lost_reading_once_per_retry_period(document, settings, clock):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    # The upload's own task never reached a worker (the queue lost it).
    clock.shift(timedelta(seconds=21))
    assert document_tasks.readings_resume() == 1
    assert document_tasks.readings_resume() == 0  # a customer's page polls every 2 s
    clock.shift(timedelta(seconds=21))
    assert document_tasks.readings_resume() == 1


def test_it_retries_a_reading_that_met_a_storage_outage(document, monkeypatch, clock):
    def storage_down(*, key: crypto.DataKey, name: str) -> bytes:
        raise StorageUnavailable

    original = document_services.storage.blob_read
    monkeypatch.setattr(document_services.storage, "blob_read", storage_down)
    document_services.document_read_mrz(document_id=document.pk)
    document.refresh_from_db()
    assert document.mrz_status == PassportDocument.MrzStatus.PENDING
    assert document.mrz_failure == Failure.STORAGE  # kept for the seller meanwhile

    monkeypatch.setattr(document_services.storage, "blob_read", original)
    clock.shift(timedelta(seconds=21))
    assert document_tasks.readings_resume() == 1
    document.refresh_from_db()
    assert document.mrz_status == PassportDocument.MrzStatus.FOUND
    assert document.mrz_failure == Failure.NONE


def test_it_ends_not_found_when_the_storage_stays_down(document, monkeypatch, clock):
    def storage_down(*, key: crypto.DataKey, name: str) -> bytes:
        raise StorageUnavailable

    monkeypatch.setattr(document_services.storage, "blob_read", storage_down)
    document_services.document_read_mrz(document_id=document.pk)
    for _attempt in range(2):
        clock.shift(timedelta(seconds=21))
        document_tasks.readings_resume()
    document.refresh_from_db()
    assert document.mrz_status == PassportDocument.MrzStatus.NOT_FOUND
    assert document.mrz_failure == Failure.STORAGE
    assert document.photo_problems == []  # the storage failed, not the photo


def test_it_handles_a_key_that_does_not_open_inside_the_reading(document, monkeypatch):
    def no_key(wrapped: bytes) -> crypto.DataKey:
        raise crypto.DecryptionError("sealed under another key")

    monkeypatch.setattr(document_services.crypto, "unwrap_data_key", no_key)
    document_services.document_read_mrz(document_id=document.pk)  # does not raise
    document.refresh_from_db()
    assert document.mrz_status == PassportDocument.MrzStatus.PENDING
    assert document.mrz_failure == Failure.KEY


def test_it_reads_again_on_the_sellers_request(document, monkeypatch):
    def broken(data: bytes) -> None:
        raise ValueError("reader bug")

    monkeypatch.setattr(document_services, "read_mrz", broken)
    document_services.document_read_mrz(document_id=document.pk)
    document.refresh_from_db()
    assert (document.mrz_status, document.mrz_failure) == ("not_found", Failure.READER)

    monkeypatch.setattr(document_services, "read_mrz", read_mrz)
    assert document_services.document_read_again(document=document) is True
    document_services.document_read_mrz(document_id=document.pk)
    document.refresh_from_db()
    assert (document.mrz_status, document.mrz_attempts) == ("found", 1)
    # Read now: nothing to read again.
    assert document_services.document_read_again(document=document) is False


def test_it_records_why_a_confirmed_upload_was_never_read(document):
    PassportDocument.objects.filter(pk=document.pk).update(confirmed_at=timezone.now())
    document_services.document_read_mrz(document_id=document.pk)
    document.refresh_from_db()
    assert document.mrz_status == PassportDocument.MrzStatus.NOT_FOUND
    assert document.mrz_failure == Failure.TYPED_FIRST
