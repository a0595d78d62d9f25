"""The contact log and the delivery of every automatic email about an order.

Each email is first written to the contact log as a *pending* row (a reminder's row is unique per
request and step, which is what makes overlapping runs safe), then the ``send_contact_emails`` task
sends a batch of rows over one mail connection and records each outcome:

- sent;
- the server refused the recipient (or answered 5xx for it): the address is marked bounced
  (``BouncedAddress``) and no more reminders go to it;
- any other failure: retried by the next ``send_reminders`` run after a growing delay
  (``RETRY_DELAYS``), then given up. Only the error's class name is kept, never the address."""

import uuid
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from uploads.core.errors import Refusal
from uploads.messaging import tasks as messaging_tasks
from uploads.models import (
    ContactLogEntry,
    UploadRequest,
)

Kind = ContactLogEntry.Kind


Outcome = ContactLogEntry.Outcome


Channel = ContactLogEntry.Channel


class ContactError(Refusal):
    """A manual contact the seller cannot record as it is (no channel, no outcome...)."""


def new_claim() -> str:
    return uuid.uuid4().hex


def contact_record(
    *,
    upload_request: UploadRequest,
    channel: str,
    outcome: str,
    note: str = "",
    actor: AbstractBaseUser | None = None,
) -> ContactLogEntry:
    """Staff record a contact they made themselves (a phone call, a marketplace chat...)."""
    if outcome not in (Outcome.REACHED, Outcome.NOT_REACHED, Outcome.SENT):
        raise ContactError(_("Choose whether the customer was reached."))
    return ContactLogEntry.objects.create(
        upload_request=upload_request,
        channel=channel,
        kind=Kind.MANUAL,
        outcome=outcome,
        note=note.strip(),
        actor=actor,
    )


def email_queue(
    *,
    upload_request: UploadRequest,
    kind: str,
    actor: AbstractBaseUser | None = None,
    on_commit: bool = False,
) -> ContactLogEntry:
    """Log a pending email about this request and hand it to the sending task.

    ``on_commit``: enqueue only once the surrounding transaction commits (a new request must
    exist for a worker before its invitation is sent, and no email goes out for a rolled-back one).
    """
    entry = ContactLogEntry.objects.create(
        upload_request=upload_request,
        channel=Channel.EMAIL,
        kind=kind,
        outcome=Outcome.PENDING,
        actor=actor,
        claim=new_claim(),
    )
    if on_commit:
        transaction.on_commit(lambda: _enqueue([entry.pk]))
    else:
        _enqueue([entry.pk])
    return entry


def _enqueue(entry_ids: list[int]) -> None:

    messaging_tasks.send_contact_emails.enqueue(entry_ids=entry_ids)


def contact_emails_retry_due(*, now: datetime | None = None, batch_size: int = 500) -> int:
    """Claim the failed emails whose back-off has passed and send them again; return how many."""
    now = now or timezone.now()
    total = 0
    while True:
        ids = list(
            ContactLogEntry.objects.filter(outcome=Outcome.FAILED, next_attempt_at__lte=now)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return total
        claim = new_claim()
        # The conditional UPDATE is the claim: a concurrent run finds these rows no longer failed.
        ContactLogEntry.objects.filter(
            pk__in=ids, outcome=Outcome.FAILED, next_attempt_at__lte=now
        ).update(outcome=Outcome.PENDING, claim=claim)
        claimed = list(
            ContactLogEntry.objects.filter(claim=claim, outcome=Outcome.PENDING).values_list(
                "pk", flat=True
            )
        )
        if claimed:
            _enqueue(claimed)
        total += len(claimed)
