"""Handing the customs record to a carrier by API (``uploads.carriers``): a shop's CDEK account,
which carrier order a request belongs to, and the history of each hand-over.

Nothing here holds a passport value. The account's client id and secret are sealed like passport
fields (``uploads.carriers.credentials``); the send history keeps field names, states and the
carrier's codes and messages (with any value we sent cut out of them).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

CDEK = "cdek"


class CdekAccount(models.Model):
    """A shop's CDEK API v2 account (client credentials) and how the portal uses it."""

    class Environment(models.TextChoices):
        TEST = "test", _("test (api.edu.cdek.ru)")
        PRODUCTION = "production", _("production (api.cdek.ru)")

    shop = models.OneToOneField(
        "uploads.Shop",
        on_delete=models.CASCADE,
        related_name="cdek_account",
        verbose_name=_("shop"),
    )
    # Sealed with their own data key (uploads.carriers.credentials); never shown again in clear.
    client_id_sealed = models.BinaryField(editable=False)
    client_secret_sealed = models.BinaryField(editable=False)
    environment = models.CharField(
        _("environment"), max_length=12, choices=Environment.choices, default=Environment.TEST
    )
    is_active = models.BooleanField(
        _("hand passports to CDEK"),
        default=True,
        help_text=_("Off: nothing is sent to CDEK and customers are not told about CDEK."),
    )
    auto_send = models.BooleanField(
        _("send automatically when ready for customs"),
        default=False,
        help_text=_("Otherwise staff send with the list action."),
    )
    # The last "check the connection": when and what came of it (a code, never the answer's text).
    checked_at = models.DateTimeField(_("connection checked"), null=True, blank=True)
    check_outcome = models.CharField(_("connection"), max_length=20, blank=True, editable=False)
    updated_at = models.DateTimeField(_("changed"), default=timezone.now)

    class Meta:
        verbose_name = _("CDEK account")
        verbose_name_plural = _("CDEK accounts")

    def __str__(self) -> str:
        return f"CDEK · {self.shop}"


class CarrierOrder(models.Model):
    """The carrier's order a request belongs to (one carrier per request: the one that ships it),
    and the carrier's own view of its readiness."""

    class Lookup(models.TextChoices):
        UNKNOWN = "unknown", _("not looked up yet")
        LINKED = "linked", _("found")
        NOT_FOUND = "not_found", _("unknown to the carrier")

    class Readiness(models.TextChoices):
        UNCHECKED = "", _("not asked yet")
        SATISFIED = "satisfied", _("requirements met")
        MISSING = "missing", _("still missing")
        ERROR = "error", _("error")

    upload_request = models.OneToOneField(
        "uploads.UploadRequest",
        on_delete=models.CASCADE,
        related_name="carrier_order",
        verbose_name=_("upload request"),
    )
    carrier = models.CharField(_("carrier"), max_length=20, default=CDEK)
    # CDEK's own number, typed or imported by the seller; found by the order number otherwise.
    cdek_number = models.CharField(_("CDEK order number"), max_length=20, blank=True)
    order_uuid = models.CharField(_("carrier's order id"), max_length=36, blank=True)
    lookup = models.CharField(
        _("order"), max_length=12, choices=Lookup.choices, default=Lookup.UNKNOWN
    )
    readiness = models.CharField(
        _("carrier's view"), max_length=12, choices=Readiness.choices, blank=True, db_index=True
    )
    readiness_checked_at = models.DateTimeField(_("asked"), null=True, blank=True)
    # A code from the carrier when it answered with an error (e.g. "v2_entity_not_found").
    readiness_code = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name = _("carrier order")
        verbose_name_plural = _("carrier orders")

    def __str__(self) -> str:
        return self.cdek_number or self.order_uuid or str(self.upload_request)


class CarrierSend(models.Model):
    """One hand-over of a request's customs record to a carrier: its attempts and outcome."""

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("sending")
        RETRYING = "retrying", _("waiting to try again")
        ACCEPTED = "accepted", _("accepted, being processed")
        SUCCESSFUL = "successful", _("taken by the carrier")
        REFUSED = "refused", _("refused by the carrier")
        NOT_FOUND = "not_found", _("order unknown to the carrier")
        FAILED = "failed", _("gave up")

    # States a send can still move on from by itself (claimed by the task or the cron pass).
    DUE_STATES = (State.QUEUED, State.RETRYING, State.SENDING)

    upload_request = models.ForeignKey(
        "uploads.UploadRequest",
        on_delete=models.CASCADE,
        related_name="carrier_sends",
        verbose_name=_("upload request"),
    )
    carrier = models.CharField(_("carrier"), max_length=20, default=CDEK)
    document = models.ForeignKey(
        "uploads.PassportDocument",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("sent by"),
    )
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.QUEUED, db_index=True
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Names of the fields handed over (["name", "passport_number", ...]), never their values.
    fields = models.JSONField(_("fields"), default=list, blank=True)
    request_uuid = models.CharField(max_length=36, blank=True)
    # The carrier's answers: [{"code": ..., "message": ...}] with every value we sent cut out.
    answers = models.JSONField(_("carrier's answer"), default=list, blank=True)
    http_status = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(_("queued"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("hand-over to the carrier")
        verbose_name_plural = _("hand-overs to the carrier")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.carrier} #{self.pk}"
