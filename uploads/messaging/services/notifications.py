"""Telling the shop: a customer uploaded (at once, or in an hourly digest) and the periodic summary.

Both go to the shop's contact address in its language of notifications. Digests and summaries are
claimed with a compare-and-swap on the shop's row (``digest_sent_at``, ``summary_sent_at``), so two
overlapping cron runs send each one once, on SQLite and PostgreSQL alike.
"""

from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from uploads.messaging.services import contacts, sending
from uploads.models import (
    ContactLogEntry,
    Shop,
    SummaryFrequency,
    UploadNotifications,
    UploadRequest,
)
from uploads.requests import stats

Kind = ContactLogEntry.Kind
Outcome = ContactLogEntry.Outcome

DIGEST_INTERVAL = timedelta(hours=1)
SUMMARY_INTERVALS = {
    SummaryFrequency.DAILY: timedelta(days=1),
    SummaryFrequency.WEEKLY: timedelta(days=7),
}
# Cron does not fire at the exact second: a run a little early still counts as the next period.
SLACK = timedelta(minutes=5)


def upload_notify(*, upload_request: UploadRequest) -> ContactLogEntry | None:
    """A customer has uploaded: tell the shop now, or keep it for the next hourly digest."""
    shop = upload_request.order.shop
    if not shop.contact_email or shop.upload_notifications == UploadNotifications.OFF:
        return None
    if shop.upload_notifications == UploadNotifications.IMMEDIATE:
        return contacts.email_queue(upload_request=upload_request, kind=Kind.UPLOAD_NOTIFICATION)
    # A pending row without a claim waits for ``upload_digests_send``.
    return ContactLogEntry.objects.create(
        upload_request=upload_request,
        channel=ContactLogEntry.Channel.EMAIL,
        kind=Kind.UPLOAD_NOTIFICATION,
        outcome=Outcome.PENDING,
    )


def _claim_period(*, shop: Shop, field: str, interval: timedelta, now: datetime) -> bool:
    """Mark the shop's period as done unless another run did; True for the run that did it."""
    due = Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lte": now - interval + SLACK})
    return Shop.objects.filter(due, pk=shop.pk).update(**{field: now}) == 1


def upload_digests_send(*, now: datetime | None = None) -> int:
    """Send each hourly-digest shop the uploads collected since its last digest; return how many."""
    now = now or timezone.now()
    waiting = ContactLogEntry.objects.filter(
        kind=Kind.UPLOAD_NOTIFICATION, outcome=Outcome.PENDING, claim=""
    )
    shop_ids = set(waiting.values_list("upload_request__order__shop_id", flat=True))
    sent = 0
    for shop in Shop.objects.filter(pk__in=shop_ids).exclude(contact_email=""):
        if not _claim_period(shop=shop, field="digest_sent_at", interval=DIGEST_INTERVAL, now=now):
            continue
        claim = contacts.new_claim()
        ids = list(waiting.filter(upload_request__order__shop=shop).values_list("pk", flat=True))
        ContactLogEntry.objects.filter(pk__in=ids, outcome=Outcome.PENDING, claim="").update(
            claim=claim
        )
        entries = list(
            ContactLogEntry.objects.filter(claim=claim)
            .select_related("upload_request__order")
            .order_by("upload_request__order__number")
        )
        if not entries:
            continue
        message = sending.staff_email(
            template="upload_digest",
            to=shop.contact_email,
            language=shop.notification_language,
            context={
                "shop": shop,
                "count": len(entries),
                "items": [
                    (
                        entry.upload_request.order.number,
                        sending.admin_url_of(entry.upload_request_id),
                    )
                    for entry in entries
                ],
            },
        )
        if sending.send_and_record(message=message, entries=entries):
            sent += 1
    return sent


def summaries_send(*, now: datetime | None = None) -> int:
    """Send the daily or weekly summary to every shop whose period is over; return how many."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    sent = 0
    for shop in Shop.objects.exclude(contact_email="").exclude(
        summary_frequency=SummaryFrequency.OFF
    ):
        interval = SUMMARY_INTERVALS[SummaryFrequency(shop.summary_frequency)]
        previous = shop.summary_sent_at
        if not _claim_period(shop=shop, field="summary_sent_at", interval=interval, now=now):
            continue
        overdue = list(stats.overdue_requests(shop=shop, today=today)[:100])
        message = sending.staff_email(
            template="summary",
            to=shop.contact_email,
            language=shop.notification_language,
            context={
                "shop": shop,
                "counts": stats.shop_counts(shop=shop, today=today),
                "overdue": [
                    (request.order.number, request.order.deadline, sending.admin_url_of(request))
                    for request in overdue
                ],
                "today": today,
            },
        )
        if sending.send_and_record(message=message, entries=[]):
            sent += 1
        else:
            # Give the period back so the next run tries again.
            Shop.objects.filter(pk=shop.pk, summary_sent_at=now).update(summary_sent_at=previous)
    return sent
