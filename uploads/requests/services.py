"""Writes of orders and upload requests: creating them, their links, expiry, the seller's decisions.

Functions are keyword-only and named ``<entity>_<action>``. They check the transition they make and
raise ``ServiceError`` (with a message for the person who asked) when it is not allowed. A status
change goes on to ``uploads.events.status_changed``, which does everything that follows from it.
"""

from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from uploads import events
from uploads.audit import services as audit
from uploads.carriers import services as carrier_services
from uploads.core import crypto, not_opened
from uploads.core.errors import ServiceError
from uploads.core.tokens import hash_token, looks_like_token, new_token
from uploads.documents.selectors import document_current, document_open_error
from uploads.messaging.services import contacts
from uploads.models import (
    AuditEvent,
    ContactLogEntry,
    Order,
    PassportDocument,
    UploadRequest,
)
from uploads.papers.operator import operator_require
from uploads.requests.links import IssuedLink, link_expiry, token_seal, upload_link_current

Status = UploadRequest.Status
Reason = UploadRequest.RejectionReason

# Reasons that are about a photo: they make no sense to a customer who typed the details.
PHOTO_REASONS = frozenset({Reason.BLURRED, Reason.GLARE, Reason.WRONG_PAGE, Reason.CUT_OFF})
TYPED_PHOTO_REASON_MESSAGE = _(
    "The customer typed this passport's details, without a photo: choose a reason about the "
    "details (expired, not the buyer's, other)."
)

# The request's sealed link token does not open here (a master key not loaded, or damaged).
LINK_NOT_OPENED_MESSAGE = _(
    "This does not open here: it is damaged, or it was moved from another order."
)


def order_create(
    *,
    shop_id: int,
    number: str,
    customer_name: str,
    email: str = "",
    phone: str = "",
    language: str = "",
    deadline: date | None = None,
    send_invitation: bool = True,
    cdek_number: str = "",
) -> IssuedLink:
    """Create an order together with its upload request and return the customer's link.
    ``cdek_number``, CDEK's own number of the order (from the seller's file or their system), is
    kept on the request's carrier order: the hand-over finds the order at CDEK by it."""
    with transaction.atomic():
        order = Order.objects.create(
            shop_id=shop_id,
            number=number,
            customer_name=customer_name,
            email=email,
            phone=phone,
            language=language,
            deadline=deadline,
        )
        link = upload_request_create(order=order, send_invitation=send_invitation)
        if cdek_number.strip():
            carrier_services.carrier_order_set_number(
                upload_request=link.upload_request, cdek_number=cdek_number
            )
        return link


def upload_request_create(*, order: Order, send_invitation: bool = True) -> IssuedLink:
    """Create the order's request; the customer's invitation goes out once the transaction commits
    (when the order has an email address and ``send_invitation`` is on)."""
    operator_require(shop=order.shop)
    token = new_token()
    with transaction.atomic():
        upload_request = UploadRequest.objects.create(
            order=order,
            token_hash=hash_token(token),
            token_sealed=b"",  # sealed once the request has its id, which the seal is bound to
            expires_at=link_expiry(deadline=order.deadline),
        )
        upload_request.token_sealed = token_seal(token, upload_request=upload_request)
        upload_request.save(update_fields=["token_sealed"])
    if send_invitation and order.email:
        contacts.email_queue(
            upload_request=upload_request,
            kind=ContactLogEntry.Kind.INVITATION,
            on_commit=True,
        )
    return IssuedLink(upload_request=upload_request, token=token)


def upload_link_issue(
    *, upload_request: UploadRequest, actor: AbstractBaseUser | None = None
) -> IssuedLink:
    """Issue a fresh link (the old one stops working) valid for the configured number of days.

    An expired request opens again: it goes back to waiting, or to uploaded if a confirmed
    passport is already there.
    """
    if upload_request.status == Status.ACCEPTED:
        raise ServiceError(
            _("The passport has already been accepted; the customer needs no new link.")
        )
    if upload_request.erased_at is not None:
        raise ServiceError(_("This order's data has been erased; it cannot get a new link."))
    operator_require(shop=upload_request.order.shop)
    token = new_token()
    upload_request.token_hash = hash_token(token)
    upload_request.token_sealed = token_seal(token, upload_request=upload_request)
    upload_request.expires_at = link_expiry(deadline=upload_request.order.deadline)
    previous = upload_request.status
    if previous == Status.EXPIRED:
        upload_request.status = _reopened_status(upload_request)
    with transaction.atomic():
        upload_request.save(update_fields=["token_hash", "token_sealed", "expires_at", "status"])
        if actor is not None:
            audit.audit_record(
                actor=actor, action=AuditEvent.Action.LINK_ISSUED, upload_request=upload_request
            )
        if upload_request.status != previous:
            events.status_changed(
                upload_request=upload_request, previous=previous, actor=actor, note="new link"
            )
    return IssuedLink(upload_request=upload_request, token=token)


def _reopened_status(upload_request: UploadRequest) -> str:
    """An expired request that opens again waits for the customer, or for the seller's decision
    if a confirmed passport is already there."""
    has_document = document_current(upload_request=upload_request) is not None
    return Status.UPLOADED if has_document else Status.WAITING


def upload_link_send(
    *, upload_request: UploadRequest, actor: AbstractBaseUser | None = None
) -> IssuedLink:
    """Email the customer their link, in the order's language; a link that ran out is renewed."""
    if not upload_request.order.email:
        raise ServiceError(_("The order has no customer email address."))
    upload_request_expire_if_due(upload_request=upload_request)
    if upload_request.is_link_expired:
        link = upload_link_issue(upload_request=upload_request, actor=actor)
    else:
        try:
            link = upload_link_current(upload_request=upload_request)
        except crypto.DecryptionError:
            raise ServiceError(LINK_NOT_OPENED_MESSAGE) from None
    contacts.email_queue(
        upload_request=upload_request, kind=ContactLogEntry.Kind.INVITATION, actor=actor
    )
    if actor is not None:
        audit.audit_record(
            actor=actor, action=AuditEvent.Action.LINK_SENT, upload_request=upload_request
        )
    return link


def upload_request_by_token(*, token: str) -> UploadRequest | None:
    """The request a link points to, or None for a malformed, unknown or expired link."""
    if not looks_like_token(token):
        return None
    upload_request = (
        UploadRequest.objects.select_related("order__shop")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if upload_request is None:
        return None
    upload_request_expire_if_due(upload_request=upload_request)
    if upload_request.is_link_expired:
        return None
    return upload_request


def upload_request_expire_if_due(*, upload_request: UploadRequest) -> None:
    if (
        upload_request.status in (Status.WAITING, Status.REJECTED)
        and upload_request.expires_at <= timezone.now()
    ):
        previous = upload_request.status
        upload_request.status = Status.EXPIRED
        with transaction.atomic():
            upload_request.save(update_fields=["status"])
            events.status_changed(upload_request=upload_request, previous=previous)


def upload_request_count_file(*, upload_request_id: int, daily_limit: int) -> bool:
    """Count one file the customer sent for this request today: False, and nothing counted, once
    ``daily_limit`` files were counted today (the portal's local date). A request that no longer
    exists is not limited here: the view answers for it.

    One conditional UPDATE: the database checks the count and raises it in the same statement,
    holding the row while it does, so twenty files posted at the same moment on one link are
    counted one after the other and those beyond the limit refused (a read then a write would let
    them all through, and a counter in a per-process cache would not see the other processes).
    """
    today = timezone.localdate()
    counted_today = Q(files_counted_on=today)
    request = UploadRequest.objects.filter(pk=upload_request_id)
    counted = request.filter(
        ~counted_today | Q(files_counted_on__isnull=True) | Q(files_counted__lt=daily_limit)
    ).update(
        files_counted=Case(When(counted_today, then=F("files_counted") + 1), default=Value(1)),
        files_counted_on=today,
    )
    return counted == 1 or not request.exists()


def upload_requests_expire_due() -> int:
    """Mark every request whose link has run out while still waiting for the customer."""
    with transaction.atomic():
        due = list(
            UploadRequest.objects.select_for_update()
            .filter(status__in=(Status.WAITING, Status.REJECTED), expires_at__lte=timezone.now())
            .values_list("pk", "status")
        )
        UploadRequest.objects.filter(pk__in=[pk for pk, _status in due]).update(
            status=Status.EXPIRED
        )
        events.statuses_changed(changes=dict(due), new_status=Status.EXPIRED)
    return len(due)


def _require_seen_document(*, upload_request: UploadRequest, document_id: int | None) -> None:
    """A decision made on a page binds to the passport that page showed: if the customer sent
    another since, the seller has not seen what they would decide on, so nothing changes."""
    if document_id is None:
        return  # a list action or the API: no page showed a passport
    current = document_current(upload_request=upload_request)
    if current is None or current.pk != document_id:
        raise ServiceError(
            _(
                "The customer sent a new passport after this page was opened. Nothing was "
                "changed: look at the new one, then decide."
            )
        )


def request_accept(
    *, upload_request: UploadRequest, actor: AbstractBaseUser, document_id: int | None = None
) -> None:
    """Accept the customer's passport; ``document_id`` is the one the seller looked at (refused
    when a newer upload has replaced it)."""
    with transaction.atomic():
        locked = UploadRequest.objects.select_for_update().get(pk=upload_request.pk)
        if locked.status != Status.UPLOADED:
            raise ServiceError(_("Only an uploaded passport can be accepted."))
        _require_seen_document(upload_request=locked, document_id=document_id)
        document = document_current(upload_request=locked)
        error = document_open_error(document) if document is not None else None
        if error is not None:
            # Nobody can check, export or hand over what no longer opens: reject it instead,
            # which asks the customer to upload again.
            raise ServiceError(not_opened.seller_message(error))
        locked.status = Status.ACCEPTED
        locked.decided_at = timezone.now()
        locked.decided_by = actor
        locked.save(update_fields=["status", "decided_at", "decided_by"])
        events.status_changed(
            upload_request=locked,
            previous=Status.UPLOADED,
            actor=actor,
            action=AuditEvent.Action.ACCEPT,
            document=document,
        )
    upload_request.refresh_from_db()


def request_reject(
    *,
    upload_request: UploadRequest,
    actor: AbstractBaseUser,
    code: str = UploadRequest.RejectionReason.OTHER,
    reason: str = "",
    document_id: int | None = None,
) -> None:
    """Send the passport back to the customer; their link works again.

    ``code`` is one of ``UploadRequest.RejectionReason`` (the customer reads it translated);
    ``reason`` is the seller's note, shown as typed, required with "other". ``document_id`` as for
    ``request_accept``.
    """
    reason = reason.strip()
    if code not in UploadRequest.RejectionReason.values:
        raise ServiceError(_("Choose a reason for the customer."))
    if code == UploadRequest.RejectionReason.OTHER and not reason:
        raise ServiceError(_("Please give the customer a reason."))
    with transaction.atomic():
        locked = UploadRequest.objects.select_for_update().get(pk=upload_request.pk)
        previous = locked.status
        if previous not in (Status.UPLOADED, Status.ACCEPTED):
            raise ServiceError(_("Only an uploaded or accepted passport can be rejected."))
        _require_seen_document(upload_request=locked, document_id=document_id)
        current = document_current(upload_request=locked)
        if (
            current is not None
            and current.source == PassportDocument.Source.TYPED
            and code in PHOTO_REASONS
        ):
            raise ServiceError(TYPED_PHOTO_REASON_MESSAGE)
        locked.status = Status.REJECTED
        locked.rejection_code = code
        locked.rejection_reason = reason
        locked.decided_at = timezone.now()
        locked.decided_by = actor
        locked.expires_at = max(locked.expires_at, link_expiry())
        locked.save(
            update_fields=[
                "status",
                "rejection_code",
                "rejection_reason",
                "decided_at",
                "decided_by",
                "expires_at",
            ]
        )
        # The note stays on the request (erasable), not in the append-only log: staff may
        # write personal details into it.
        events.status_changed(
            upload_request=locked,
            previous=previous,
            actor=actor,
            action=AuditEvent.Action.REJECT,
            document=current,
        )
    upload_request.refresh_from_db()


def request_deadline_extend(
    *, upload_request: UploadRequest, actor: AbstractBaseUser, deadline: date
) -> None:
    """Move the order's deadline later; the link then works at least until the end of that day
    (a link that ran out works again)."""
    if deadline < timezone.localdate():
        raise ServiceError(_("The new deadline is in the past."))
    with transaction.atomic():
        locked = (
            UploadRequest.objects.select_for_update()
            .select_related("order")
            .get(pk=upload_request.pk)
        )
        if locked.status == Status.ACCEPTED:
            raise ServiceError(_("The passport is already accepted."))
        order = locked.order
        if order.deadline is not None and deadline <= order.deadline:
            raise ServiceError(_("The new deadline must be later than the current one."))
        order.deadline = deadline
        order.save(update_fields=["deadline"])
        end_of_day = timezone.make_aware(datetime.combine(deadline + timedelta(days=1), time.min))
        locked.expires_at = max(locked.expires_at, end_of_day)
        previous = locked.status
        if previous == Status.EXPIRED:
            locked.status = _reopened_status(locked)
        locked.save(update_fields=["expires_at", "status"])
        if locked.status != previous:
            events.status_changed(
                upload_request=locked, previous=previous, actor=actor, note="deadline extended"
            )
    upload_request.refresh_from_db()
