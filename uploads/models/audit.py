"""The append-only records: audit events and destruction records."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from uploads.models.api import ApiToken
from uploads.models.base import AppendOnlyModel
from uploads.models.documents import PassportDocument
from uploads.models.requests import UploadRequest
from uploads.models.shops import Shop


class AuditEvent(AppendOnlyModel):
    """Who looked at or changed passport data, and when. Written by services, never edited."""

    class Action(models.TextChoices):
        VIEW_IMAGE = "view_image", _("Viewed passport image")
        VIEW_FIELDS = "view_fields", _("Viewed passport data")
        EXPORT = "export", _("Exported passport data")
        ACCEPT = "accept", _("Accepted")
        REJECT = "reject", _("Rejected")
        LINK_ISSUED = "link_issued", _("Issued a new link")
        DOWNLOAD = "download", _("Downloaded passport image")
        STATUS_CHANGE = "status", _("Status changed")
        PURGE = "purge", _("Erased by retention")
        ERASE = "erase", _("Erased on request")
        CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")
        KEY_ROTATION = "key_rotation", _("Keys rotated")
        DESTRUCTION_ACT = "destruction_act", _("Downloaded a destruction act")
        CARRIER_SEND = "carrier_send", _("Handed to the carrier")
        VIEW_LINK = "view_link", _("Read the customer's link")
        LINK_SENT = "link_sent", _("E-mailed the customer's link")
        NOT_OPENED = "not_opened", _("Could not open the passport")
        OWN_COPY = "own_copy", _("The customer downloaded their own copy")

    class Via(models.TextChoices):
        """Who acted when it was not a signed-in user (``actor`` is then empty)."""

        STAFF_OR_SYSTEM = "", _("staff or the system")
        LINK = "link", _("the customer's link")
        API = "api", _("an API token")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("user"),
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    via = models.CharField(_("through"), max_length=10, choices=Via.choices, blank=True, default="")
    api_token = models.ForeignKey(
        ApiToken,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("API token"),
    )
    upload_request = models.ForeignKey(
        UploadRequest,
        null=True,
        on_delete=models.SET_NULL,
        related_name="audit_events",
        verbose_name=_("upload request"),
    )
    document = models.ForeignKey(
        PassportDocument, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    ip_address = models.GenericIPAddressField(_("from address"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action}"


class DestructionRecord(AppendOnlyModel):
    """That (and why) passport data was destroyed. Holds no personal data: only internal ids."""

    class Reason(models.TextChoices):
        IMAGE_RETENTION = "image_retention", _("Image retention period ended")
        RETENTION = "retention", _("Retention period ended")
        ABANDONED = "abandoned", _("Upload never confirmed")
        REPLACED = "replaced", _("Replaced by a new upload")
        CUSTOMER_REQUEST = "customer_request", _("Customer's request")
        CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")

    class Scope(models.TextChoices):
        IMAGE = "image", _("Image (fields kept)")
        DOCUMENT = "document", _("Image, key and fields")
        REQUEST = "request", _("Everything about the order")

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    scope = models.CharField(_("what"), max_length=10, choices=Scope.choices)
    shop = models.ForeignKey(
        Shop, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("shop")
    )
    # Plain numbers, not foreign keys: the record outlives what it describes.
    upload_request_ref = models.PositiveBigIntegerField(_("upload request id"))
    # How an act identifies the data subject without naming them (order 179 allows "another way
    # to identify"): the seller's own order number.
    order_number = models.CharField(_("order number"), max_length=100, blank=True)
    document_refs = models.JSONField(_("document ids"), default=list, blank=True)
    # Those of ``document_refs`` whose details the customer typed (no image was ever stored):
    # an act must not say an image was destroyed. Kept here because a replaced document's row
    # is deleted with it.
    typed_refs = models.JSONField(_("typed document ids"), default=list, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )

    class Meta:
        verbose_name = _("destruction record")
        verbose_name_plural = _("destruction records")
        ordering = ["-at"]
        permissions = [("download_destruction_act", _("Can download destruction acts"))]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.scope} {self.reason}"
