"""The document tasks a worker takes (inline with the immediate backend); arguments are ids only."""

from django.tasks import task

from uploads.documents import services


@task
def read_document_mrz(*, document_id: int) -> None:
    services.document_read_mrz(document_id=document_id)
