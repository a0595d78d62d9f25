"""Writes of the carrier room: a shop's CDEK account, a request's carrier order, queueing a
hand-over (by staff, or automatically when a request becomes ready for customs), the cron pass.

Sending itself is ``uploads.carriers.sending`` (run by the task in ``uploads.carriers.tasks``).
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from uploads.carriers import registry, sending
from uploads.carriers import tasks as carrier_tasks
from uploads.carriers.base import ConnectionProblem, Outcome
from uploads.carriers.cdek.carrier import CdekCarrier
from uploads.carriers.cdek.client import tokens_forget
from uploads.carriers.credentials import credential_seal
from uploads.core import crypto
from uploads.core.errors import ServiceError
from uploads.customs import selectors as customs_selectors
from uploads.documents import selectors as document_selectors
from uploads.models import CarrierOrder, CarrierSend, CdekAccount, Shop, UploadRequest

# The shop's CDEK credentials are sealed under a master key this process lacks (or damaged).
CREDENTIALS_NOT_OPENED_MESSAGE = _(
    "The shop's CDEK credentials can no longer be opened here: enter them again."
)

State = CarrierSend.State

# Sends that are still on their way: a new one for the same request waits for them.
PENDING_STATES = (State.QUEUED, State.SENDING, State.RETRYING, State.ACCEPTED)


def cdek_account_save(
    *,
    shop: Shop,
    client_id: str = "",
    client_secret: str = "",
    environment: str = CdekAccount.Environment.TEST,
    is_active: bool = True,
    auto_send: bool = False,
) -> CdekAccount:
    """Create or change a shop's CDEK account. An empty client id or secret keeps the stored one
    (the admin never shows them again); a new account needs both."""
    account = CdekAccount.objects.filter(shop=shop).first() or CdekAccount(shop=shop)
    if account.pk is None and not (client_id.strip() and client_secret.strip()):
        raise ServiceError(_("Enter the CDEK account's client id and secret."))
    if client_id.strip():
        account.client_id_sealed = credential_seal(
            client_id.strip(), purpose="client_id", shop_id=shop.pk
        )
    if client_secret.strip():
        account.client_secret_sealed = credential_seal(
            client_secret.strip(), purpose="client_secret", shop_id=shop.pk
        )
    if client_id.strip() or client_secret.strip():
        account.checked_at, account.check_outcome = None, ""
        tokens_forget()
    account.environment = environment
    account.is_active = is_active
    account.auto_send = auto_send
    account.updated_at = timezone.now()
    account.save()
    return account


def cdek_account_check(*, account: CdekAccount) -> ConnectionProblem:
    """Get a token with the account's credentials now; keep and return what was found."""
    try:
        carrier = registry.cdek_carrier(account=account)
    except crypto.DecryptionError:
        raise ServiceError(CREDENTIALS_NOT_OPENED_MESSAGE) from None
    problem = carrier.check_connection()
    account.checked_at = timezone.now()
    account.check_outcome = problem.value
    account.save(update_fields=["checked_at", "check_outcome"])
    return problem


# CDEK's own order number (``cdek_number``): CDEK documents it as a string and gives digits
# (10 today, e.g. 1106321645); we take 1 to 20 ASCII digits, what CarrierOrder keeps.
CDEK_NUMBER_MAX_DIGITS = 20
CDEK_NUMBER_MESSAGE = _("A CDEK order number is digits only, at most 20.")


def cdek_number_valid(cdek_number: str) -> bool:
    """Whether a typed or imported CDEK order number can be looked up (empty: none given)."""
    cdek_number = cdek_number.strip()
    return not cdek_number or (
        cdek_number.isascii()
        and cdek_number.isdigit()
        and len(cdek_number) <= CDEK_NUMBER_MAX_DIGITS
    )


def carrier_order_set_number(
    *, upload_request: UploadRequest, cdek_number: str, carrier: str = CdekCarrier.key
) -> CarrierOrder:
    """The seller typed (or imported) CDEK's own order number for a request."""
    cdek_number = cdek_number.strip()
    if not cdek_number_valid(cdek_number):
        raise ServiceError(CDEK_NUMBER_MESSAGE)
    link, _created = CarrierOrder.objects.get_or_create(
        upload_request=upload_request, defaults={"carrier": carrier}
    )
    if link.cdek_number != cdek_number:
        link.cdek_number = cdek_number
        # Found again (by this number) at the next send or look-up.
        link.order_uuid, link.lookup = "", CarrierOrder.Lookup.UNKNOWN
        link.readiness, link.readiness_code = CarrierOrder.Readiness.UNCHECKED, ""
        link.save()
    return link


def carrier_order_look_up(
    *, upload_request: UploadRequest, carrier: str = CdekCarrier.key
) -> CarrierOrder:
    """Find the request's order at the carrier now; an order it does not know is a status
    (``not_found``), not an error."""
    try:
        api_carrier = registry.api_carrier_for(shop=upload_request.order.shop_id, carrier=carrier)
    except crypto.DecryptionError:
        raise ServiceError(CREDENTIALS_NOT_OPENED_MESSAGE) from None
    if api_carrier is None:
        raise ServiceError(_("The shop has no CDEK account set up."))
    link, _created = CarrierOrder.objects.get_or_create(
        upload_request=upload_request, defaults={"carrier": carrier}
    )
    found = sending.order_find(carrier=api_carrier, link=link)
    if found.outcome not in (Outcome.SUCCESSFUL, Outcome.NOT_FOUND):
        raise ServiceError(_("CDEK did not answer; try again later."))
    return link


def carrier_send_queue(
    *,
    upload_request: UploadRequest,
    actor: AbstractBaseUser | None = None,
    carrier: str = CdekCarrier.key,
) -> CarrierSend:
    """Queue a hand-over of a ready request's customs record; the task sends it once the
    transaction commits. A hand-over still on its way is returned instead of a second one."""
    if registry.cdek_account_active(shop_id=upload_request.order.shop_id) is None:
        raise ServiceError(_("The shop has no CDEK account set up."))
    if not customs_selectors.customs_is_ready(upload_request=upload_request):
        raise ServiceError(_("Not ready for customs."))
    pending = CarrierSend.objects.filter(
        upload_request=upload_request, carrier=carrier, state__in=PENDING_STATES
    ).first()
    if pending is not None:
        return pending
    send = CarrierSend.objects.create(
        upload_request=upload_request,
        carrier=carrier,
        actor=actor,
        document=document_selectors.document_current(upload_request=upload_request),
        next_attempt_at=timezone.now(),
    )
    transaction.on_commit(lambda: carrier_tasks.send_enqueue(send_id=send.pk))
    return send


def carrier_sends_after_customs_change(*, upload_request_id: int) -> CarrierSend | None:
    """Called by ``uploads.events`` after readiness was recomputed: a shop that sends
    automatically hands over a request that is ready and whose current passport was not handed
    over yet."""
    upload_request = (
        UploadRequest.objects.select_related("order").filter(pk=upload_request_id).first()
    )
    if upload_request is None:
        return None
    account = registry.cdek_account_active(shop_id=upload_request.order.shop_id)
    if account is None or not account.auto_send:
        return None
    if not customs_selectors.customs_is_ready(upload_request=upload_request):
        return None
    document = document_selectors.document_current(upload_request=upload_request)
    already = CarrierSend.objects.filter(
        upload_request=upload_request,
        carrier=CdekCarrier.key,
        document=document,
        state__in=(*PENDING_STATES, State.SUCCESSFUL),
    ).exists()
    if already:
        return None
    return carrier_send_queue(upload_request=upload_request)


def carrier_sends_retry_due(*, limit: int = 500) -> int:
    """Attempt every send whose time has come (the cron path); return how many were attempted."""
    return sum(
        1
        for send_id in sending.sends_due(limit=limit)
        if sending.send_attempt(send_id=send_id) is not None
    )


def carriers_read_back(*, limit: int = 500) -> sending.PollSummary:
    """Follow accepted updates and ask the carrier's readiness of what was handed over."""
    return sending.carriers_poll(limit=limit)


def carrier_sends_catch_up(*, limit: int = 500) -> int:
    """Queue what automatic sending missed: ready requests of shops that send automatically whose
    current passport was never handed over (readiness recomputed outside ``uploads.events``, by
    ``refresh_customs`` or a change of the shop's customs settings). Returns how many."""
    shop_ids = CdekAccount.objects.filter(is_active=True, auto_send=True).values("shop_id")
    handed_over = CarrierSend.objects.filter(
        upload_request=OuterRef("pk"),
        document=OuterRef("customs__document"),
        state__in=(*PENDING_STATES, State.SUCCESSFUL),
    )
    missed = (
        UploadRequest.objects.filter(order__shop_id__in=shop_ids)
        .filter(customs_selectors.customs_ready_q())
        .exclude(Exists(handed_over))
        .select_related("order")[:limit]
    )
    queued = 0
    for upload_request in missed:
        if carrier_sends_after_customs_change(upload_request_id=upload_request.pk) is not None:
            queued += 1
    return queued
