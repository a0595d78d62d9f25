"""Orders and their upload requests: the customer's link and where it stands."""

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from uploads.core import not_opened
from uploads.models.shops import Shop

if TYPE_CHECKING:  # the documents module refers to this one
    from uploads.models.documents import PassportDocument


class Order(models.Model):
    shop = models.ForeignKey(
        Shop, on_delete=models.PROTECT, related_name="orders", verbose_name=_("shop")
    )
    number = models.CharField(
        _("order number"), max_length=64, help_text=_("The order or posting number.")
    )
    customer_name = models.CharField(_("customer name"), max_length=200)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    # Empty: the customer's browser decides (Accept-Language, then Russian).
    language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, blank=True, default=""
    )
    deadline = models.DateField(
        _("deadline"), null=True, blank=True, help_text=_("When the passport is needed by.")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "number"], name="order_number_unique_per_shop")
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def email_language(self) -> str:
        return self.language or settings.LANGUAGE_CODE


class UploadRequest(models.Model):
    """The customer's link for one order, and where the order stands."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting for upload")
        UPLOADED = "uploaded", _("Uploaded")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        EXPIRED = "expired", _("Link expired")

    class RejectionReason(models.TextChoices):
        """Why the seller sent a passport back, as the seller picks it (short labels); the
        customer reads ``REJECTION_MESSAGES`` in their own language, never the seller's words."""

        BLURRED = "blurred", _("Blurred photo")
        GLARE = "glare", _("Glare on the page")
        WRONG_PAGE = "wrong_page", _("Wrong page")
        CUT_OFF = "cut_off", _("Page cut off")
        EXPIRED = "expired", _("Expired document")
        NOT_BUYER = "not_buyer", _("Not the buyer's passport")
        # The stored passport no longer opens (its key is gone or damaged): only a new upload helps.
        UNREADABLE = "unreadable", _("Photo can no longer be opened")
        OTHER = "other", _("Other (explain in the note)")

    # States in which the customer may (re)upload through the link.
    OPEN_STATUSES = (Status.WAITING, Status.UPLOADED, Status.REJECTED)

    order = models.OneToOneField(
        Order, on_delete=models.CASCADE, related_name="upload_request", verbose_name=_("order")
    )
    # Only a SHA-256 of the link token is kept: a copy of the database does not give working links.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The token itself, encrypted, so the same link can be sent again in reminders.
    token_sealed = models.BinaryField(editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.WAITING
    )
    expires_at = models.DateTimeField(_("link expires"))
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    uploaded_at = models.DateTimeField(_("uploaded"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    rejection_code = models.CharField(
        _("reason for rejection"), max_length=16, choices=RejectionReason.choices, blank=True
    )
    # The seller's own words to the customer, shown as typed under the translated reason.
    rejection_reason = models.TextField(_("seller's note to the customer"), blank=True)
    reminder_count = models.PositiveIntegerField(_("reminders sent"), default=0)
    last_reminded_at = models.DateTimeField(_("last reminder"), null=True, blank=True)
    # Set when the passport and the customer's details were erased (retention or on request).
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True, editable=False)
    # Files the customer sent on ``files_counted_on`` (the portal's local date), counted by one
    # conditional UPDATE each (``requests.services.request_file_count``): the daily cap holds
    # however many uploads arrive at once, and in every process.
    files_counted_on = models.DateField(null=True, blank=True, editable=False)
    files_counted = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("upload request")
        verbose_name_plural = _("upload requests")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "expires_at"]),
            # The admin list's order (newest first, then id): a page is read off the index
            # instead of sorting every request of the shop.
            models.Index(fields=["-created_at", "-id"], name="uploadrequest_newest_idx"),
        ]
        permissions = [
            ("decide_uploadrequest", _("Can accept and reject passports")),
            # The link opens the customer's pending photo and fields and can erase the order:
            # seeing, copying or e-mailing it is a right of its own, not "view upload request".
            ("view_upload_link", _("Can see and send the customer's upload link")),
        ]

    def __str__(self) -> str:
        return str(self.order)

    @property
    def is_link_expired(self) -> bool:
        return self.status == self.Status.EXPIRED or self.expires_at <= timezone.now()

    @property
    def is_open_for_upload(self) -> bool:
        return self.status in self.OPEN_STATUSES and not self.is_link_expired

    @property
    def rejection_message(self) -> str:
        """What the customer reads about the rejection, in the active language: the reason's
        translated sentence, then the seller's note as typed."""
        sentence = REJECTION_MESSAGES.get(self.rejection_code)
        if self.rejection_code in TYPED_REJECTION_MESSAGES and self.current_passport_typed():
            sentence = TYPED_REJECTION_MESSAGES[self.rejection_code]
        parts = [str(sentence)] if sentence else []
        if self.rejection_reason:
            parts.append(self.rejection_reason)
        return " ".join(parts)

    def current_passport_typed(self) -> bool:
        """Whether the passport the seller works with (or decided on) was typed by the customer."""
        source = (
            self.documents.filter(confirmed_at__isnull=False, superseded_at__isnull=True)
            .order_by("-confirmed_at")
            .values_list("source", flat=True)
            .first()
        )
        return source == "typed"  # PassportDocument.Source.TYPED (documents imports this module)

    @property
    def current_document(self) -> "PassportDocument | None":
        return self.documents.filter(superseded_at__isnull=True).order_by("-created_at").first()


# What the customer reads for each reason: what is wrong and what to do (lazy: in the language of
# whoever reads it, the customer's page or the e-mail in the order's language).
REJECTION_MESSAGES = {
    UploadRequest.RejectionReason.BLURRED: _(
        "The photo is blurred. Hold the phone still and take the photo again in good light."
    ),
    UploadRequest.RejectionReason.GLARE: _(
        "Glare hides part of the page. Turn off the flash or tilt the passport away from the light."
    ),
    UploadRequest.RejectionReason.WRONG_PAGE: _(
        "This is not the page with your photo. Photograph the page with your photo and the lines "
        "of <<< at the bottom."
    ),
    UploadRequest.RejectionReason.CUT_OFF: _(
        "Part of the page is cut off. Fit the whole page, edges included, in the photo."
    ),
    UploadRequest.RejectionReason.EXPIRED: _(
        "The document has expired. Please upload a valid passport."
    ),
    UploadRequest.RejectionReason.NOT_BUYER: _(
        "This passport is not the buyer's. Upload the passport of the person the order is for."
    ),
    UploadRequest.RejectionReason.UNREADABLE: not_opened.CUSTOMER_MESSAGE,
    UploadRequest.RejectionReason.OTHER: _("The seller found a problem with the photo."),
}
# The same where the customer typed the details instead of sending a photo.
TYPED_REJECTION_MESSAGES = {
    UploadRequest.RejectionReason.UNREADABLE: not_opened.CUSTOMER_TYPED_MESSAGE,
    UploadRequest.RejectionReason.OTHER: _(
        "The seller found a problem with the passport details you sent."
    ),
}
