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


@task
def send_contact_emails(*, entry_ids: list[int]) -> dict[str, int]:
    """Send a batch of pending contact-log emails over one mail connection; return the outcomes."""
    from uploads import messaging

    return messaging.contact_emails_send(entry_ids=entry_ids)
