"""Thin django.tasks wrappers over services, so a worker can take them when one is configured."""

from django.tasks import task

from uploads import services


@task
def read_document_mrz(*, document_id: int) -> None:
    services.document_read_mrz(document_id=document_id)


@task
def deliver_webhook(*, delivery_id: int) -> None:
    from uploads import webhooks

    webhooks.delivery_attempt(delivery_id=delivery_id)
