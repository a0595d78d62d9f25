"""The webhook task a worker takes (arguments are ids only), and how a delivery is handed to it."""

from datetime import datetime

from django.tasks import task

from uploads.models import WebhookDelivery
from uploads.webhooks.services import delivery


@task
def deliver_webhook(*, delivery_id: int) -> None:
    """One attempt; a failed one comes back at its back-off time where the backend can defer."""
    attempted = delivery.delivery_attempt(delivery_id=delivery_id)
    if attempted is not None and attempted.state == WebhookDelivery.State.PENDING:
        delivery_enqueue(delivery_id=attempted.pk, run_after=attempted.next_attempt_at)


def delivery_enqueue(*, delivery_id: int, run_after: datetime | None = None) -> None:
    """Hand a delivery to the task backend; without deferral a later attempt waits for the
    ``send_webhooks`` command (cron), which picks up what is due."""
    deliver = deliver_webhook
    if run_after is not None:
        if not deliver.get_backend().supports_defer:
            return
        deliver = deliver.using(run_after=run_after)
    deliver.enqueue(delivery_id=delivery_id)
