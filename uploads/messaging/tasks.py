"""The e-mail task a worker takes; arguments are contact-log ids only."""

from django.tasks import task

from uploads.messaging.services import sending


@task
def send_contact_emails(*, entry_ids: list[int]) -> dict[str, int]:
    """Send a batch of pending contact-log emails over one mail connection; return the outcomes."""
    return sending.contact_emails_send(entry_ids=entry_ids)
