"""The carrier task a worker takes (arguments are ids only), and how a send is handed to it."""

from datetime import datetime

from django.tasks import task

from uploads.carriers import sending
from uploads.models import CarrierSend


@task
def send_to_carrier(*, send_id: int) -> None:
    """One attempt; a failed one comes back at its back-off time where the backend can defer
    (otherwise ``poll_carriers``, from cron, picks it up when due)."""
    attempted = sending.send_attempt(send_id=send_id)
    if attempted is not None and attempted.state == CarrierSend.State.RETRYING:
        send_enqueue(send_id=attempted.pk, run_after=attempted.next_attempt_at)


def send_enqueue(*, send_id: int, run_after: datetime | None = None) -> None:
    deliver = send_to_carrier
    if run_after is not None:
        if not deliver.get_backend().supports_defer:
            return
        deliver = deliver.using(run_after=run_after)
    deliver.enqueue(send_id=send_id)
