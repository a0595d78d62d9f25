"""Sending logged e-mails in batches over one connection, recording each outcome and the back-off."""

import contextlib
import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from uploads.core import crypto
from uploads.messaging import emails
from uploads.models import (
    BouncedAddress,
    ContactLogEntry,
    Shop,
    UploadRequest,
)
from uploads.requests import links

Kind = ContactLogEntry.Kind
Outcome = ContactLogEntry.Outcome

logger = logging.getLogger(__name__)


# Delay before attempt n+1 after n failures; after the last one the row is given up.
RETRY_DELAYS = (
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)


# SMTP reply codes that mean "this mailbox does not exist / will never take mail".
PERMANENT_CODES = frozenset({550, 551, 553})


@dataclass
class _Built:
    entry: ContactLogEntry
    message: EmailMultiAlternatives | None
    # Why nothing can be sent, for good (the link's sealed token does not open here).
    gave_up: str = ""


def contact_emails_send(*, entry_ids: list[int]) -> dict[str, int]:
    """Send the pending emails of these log rows over one mail connection; record each outcome."""

    entries = list(
        ContactLogEntry.objects.filter(pk__in=entry_ids, outcome=Outcome.PENDING)
        .select_related("upload_request__order")
        .order_by("pk")
    )
    # A batch is mostly one shop: each is loaded once, not joined into every row.
    shops = Shop.objects.in_bulk({entry.upload_request.order.shop_id for entry in entries})
    for entry in entries:
        entry.upload_request.order.shop = shops[entry.upload_request.order.shop_id]
    cache: dict[tuple[str, ...], object] = {}
    # (address, shop id) pairs; a shop id of None bounces for every shop.
    bounced = set(
        BouncedAddress.objects.filter(
            email__in={entry.upload_request.order.email.lower() for entry in entries}
        ).values_list("email", "shop_id")
    )
    built: list[_Built] = []
    for entry in entries:
        upload_request = entry.upload_request
        order = upload_request.order
        if entry.kind == Kind.UPLOAD_NOTIFICATION:
            built.append(_Built(entry, upload_notification_email(upload_request=upload_request)))
            continue
        if not order.email or bounced & {
            (order.email.lower(), None),
            (order.email.lower(), order.shop_id),
        }:
            built.append(_Built(entry, None))
            continue
        try:
            link = links.upload_link_current(upload_request=upload_request)
        except crypto.DecryptionError as error:
            # Sealed under a key this process lacks, or damaged: a new link is issued in admin.
            logger.warning(
                "the link of request %s does not open (%s)", upload_request.pk, type(error).__name__
            )
            built.append(_Built(entry, None, gave_up="the link does not open here"))
            continue
        message = emails.build_customer_email(
            kind=entry.kind, upload_request=upload_request, link_url=link.url, cache=cache
        )
        built.append(_Built(entry, message))
    return _deliver_batch(built)


def _deliver_batch(built: list[_Built]) -> dict[str, int]:
    now = timezone.now()
    counts = {outcome: 0 for outcome in Outcome.values}
    connection = None
    server_down: Exception | None = None
    sent_reminders: list[int] = []
    try:
        for item in built:
            entry = item.entry
            entry.attempts += 1
            entry.at = now
            if item.gave_up:
                entry.outcome, entry.error = Outcome.GAVE_UP, item.gave_up
            elif item.message is None:
                entry.outcome, entry.error = Outcome.BOUNCED, ""
            elif server_down is not None:
                # The server cannot be reached: the rest of the batch waits for its retry too.
                _record_failure(entry, server_down, now)
            else:
                if connection is None:
                    connection = mailers.default
                error = _send_one(connection, item.message)
                if error is None:
                    entry.outcome, entry.error = Outcome.SENT, ""
                    if entry.kind == Kind.REMINDER:
                        sent_reminders.append(entry.upload_request_id)
                else:
                    _record_failure(entry, error, now)
                    # The connection may be half-broken after an error: the next message opens anew.
                    _close(connection)
                    connection = None
                    if _is_connection_error(error):
                        server_down = error
            entry.next_attempt_at = (
                entry.next_attempt_at if entry.outcome == Outcome.FAILED else None
            )
            counts[entry.outcome] += 1
    finally:
        if connection is not None:
            _close(connection)
        _save_outcomes([item.entry for item in built], now=now)
        if sent_reminders:
            UploadRequest.objects.filter(pk__in=sent_reminders).update(
                reminder_count=F("reminder_count") + 1, last_reminded_at=now
            )
    return {outcome: count for outcome, count in counts.items() if count}


def _save_outcomes(entries: list[ContactLogEntry], *, now: datetime) -> None:
    """One UPDATE per distinct outcome (nearly always one: "sent") rather than a row-by-row CASE."""
    groups: dict[tuple[str, str, datetime | None], list[int]] = {}
    for entry in entries:
        groups.setdefault((entry.outcome, entry.error, entry.next_attempt_at), []).append(entry.pk)
    for (outcome, error, next_attempt_at), pks in groups.items():
        ContactLogEntry.objects.filter(pk__in=pks).update(
            outcome=outcome,
            error=error,
            next_attempt_at=next_attempt_at,
            at=now,
            attempts=F("attempts") + 1,
        )


def _send_one(connection, message: EmailMultiAlternatives) -> Exception | None:  # type: ignore[no-untyped-def]
    try:
        connection.open()  # once per batch: a no-op while the connection is open
        connection.send_messages([message])
    except (smtplib.SMTPException, OSError) as error:
        return error
    return None


def _close(connection) -> None:  # type: ignore[no-untyped-def]
    # Closing a connection that already broke may fail too; there is nothing left to do then.
    with contextlib.suppress(smtplib.SMTPException, OSError):
        connection.close()


def _is_connection_error(error: Exception) -> bool:
    return isinstance(
        error,
        (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, ConnectionError, TimeoutError),
    )


def _is_permanent(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return True
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code in PERMANENT_CODES


def _record_failure(entry: ContactLogEntry, error: Exception, now: datetime) -> None:
    entry.error = type(error).__name__
    logger.warning(
        "could not send the %s email of log row %s: %s", entry.kind, entry.pk, entry.error
    )
    if _is_permanent(error) and entry.kind != Kind.UPLOAD_NOTIFICATION:
        entry.outcome = Outcome.BOUNCED
        # For the shop whose e-mail bounced: another shop learns it from its own e-mail.
        email_mark_bounced(
            email=entry.upload_request.order.email,
            shop_id=entry.upload_request.order.shop_id,
            reason=entry.error,
        )
    elif entry.attempts <= len(RETRY_DELAYS):
        entry.outcome = Outcome.FAILED
        entry.next_attempt_at = now + RETRY_DELAYS[entry.attempts - 1]
    else:
        entry.outcome = Outcome.GAVE_UP


def admin_url_of(upload_request: UploadRequest | int) -> str:
    pk = upload_request if isinstance(upload_request, int) else upload_request.pk
    return settings.SITE_URL + reverse("admin:uploads_uploadrequest_change", args=[pk])


def upload_notification_email(*, upload_request: UploadRequest) -> EmailMultiAlternatives | None:
    shop = upload_request.order.shop
    if not shop.contact_email:
        return None
    context = {
        "order": upload_request.order,
        "shop": shop,
        "admin_url": admin_url_of(upload_request),
    }
    return staff_email(
        template="upload_notification",
        to=shop.contact_email,
        language=shop.notification_language,
        context=context,
    )


def staff_email(
    *, template: str, to: str, language: str, context: dict[str, object]
) -> EmailMultiAlternatives:
    with translation.override(language):
        subject = " ".join(render_to_string(f"emails/{template}/subject.txt", context).split())
        text = render_to_string(f"emails/{template}/body.txt", context)
        html = render_to_string(f"emails/{template}/body.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    message.attach_alternative(html, "text/html")
    return message


def send_and_record(*, message: EmailMultiAlternatives, entries: list[ContactLogEntry]) -> bool:
    """Send one staff email (a digest, a summary) and record its outcome on the rows it covers."""
    now = timezone.now()
    connection = mailers.default
    error = _send_one(connection, message)
    _close(connection)
    for entry in entries:
        entry.attempts += 1
        entry.at = now
        if error is None:
            entry.outcome, entry.error, entry.next_attempt_at = Outcome.SENT, "", None
        else:
            _record_failure(entry, error, now)
    _save_outcomes(entries, now=now)
    if error is not None:
        logger.warning("could not send a staff email: %s", type(error).__name__)
    return error is None


# --- bounced addresses ---


def email_mark_bounced(*, email: str, shop_id: int | None, reason: str = "") -> bool:
    """Mark a customer's address as bouncing for one shop's e-mails, or for every shop's with
    ``shop_id=None`` (a superuser's decision; an operator can call this from a shell).

    Returns False when the shop (or every shop) had already marked it; another shop's mark
    counts for nothing here, so the answer tells a shop nothing about other shops.
    """
    email = email.strip().lower()
    if not email:
        return False
    _entry, created = BouncedAddress.objects.get_or_create(
        email=email, shop_id=shop_id, defaults={"reason": reason[:200]}
    )
    return created


def bounced_for_shop_q(*, shop_id: int | None) -> Q:
    """The bounced-address rows that stop a shop's e-mails: its own and the all-shops ones."""
    return Q(shop__isnull=True) | Q(shop_id=shop_id)


def email_is_bounced(*, email: str, shop_id: int) -> bool:
    """Whether the shop's e-mails to this address are stopped."""
    return (
        BouncedAddress.objects.filter(email=email.strip().lower())
        .filter(bounced_for_shop_q(shop_id=shop_id))
        .exists()
    )
