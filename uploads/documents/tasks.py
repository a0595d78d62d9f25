"""The document tasks a worker takes (inline with the immediate backend); arguments are ids only."""

from django.tasks import task

from uploads.documents import selectors, services
from uploads.models import UploadRequest


@task
def read_document_mrz(*, document_id: int) -> None:
    services.document_read_mrz(document_id=document_id)


def readings_resume(*, document_ids: list[int] | None = None) -> int:
    """Hand lost readings (``selectors.documents_reading_lost``) to the queue again; how many.

    django-tasks-db has no visibility timeout: the task of a worker killed mid-reading stays
    RUNNING and is never retried by the queue itself. Called for one document by the customer's
    "being read" page while they wait, and for all by ``manage.py resume_readings`` (cron)."""
    lost = selectors.documents_reading_lost(document_ids=document_ids)
    requeued = services.documents_reading_requeued(document_ids=lost)
    for document_id in requeued:
        read_document_mrz.enqueue(document_id=document_id)
    return len(requeued)


def reading_again(*, upload_request: UploadRequest) -> bool:
    """The seller's "read again": the customer's latest upload, not confirmed yet, whose reading
    ended "not found", is read afresh (every attempt again). False when there is none."""
    pending = selectors.document_pending(upload_request=upload_request)
    if pending is None or not services.document_read_again(document=pending):
        return False
    read_document_mrz.enqueue(document_id=pending.pk)
    return True
