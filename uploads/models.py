"""The portal's data: shops and their staff, orders, upload requests, passport documents, audit."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Someone tried to change or delete an audit or destruction record."""


class AppendOnlyQuerySet(models.QuerySet):
    """Records that are written once: bulk updates and deletes are refused too."""

    def update(self, **kwargs: object) -> int:
        # The one update allowed: Django's on_delete=SET_NULL when the user, request or document
        # referred to is deleted. The event itself stays.
        if kwargs and all(
            value is None and self.model._meta.get_field(name).is_relation
            for name, value in kwargs.items()
        ):
            return super().update(**kwargs)
        raise AppendOnlyError(f"{self.model.__name__} records cannot be changed.")

    def delete(self):  # type: ignore[no-untyped-def]
        raise AppendOnlyError(f"{self.model.__name__} records cannot be deleted.")


class AppendOnlyModel(models.Model):
    """A record written once: saving it again or deleting it is refused (a guard, not logic)."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} records cannot be changed.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        raise AppendOnlyError(f"{type(self).__name__} records cannot be deleted.")


class EncryptedFileModel(models.Model):
    """A customer's file as stored: the encrypted blob, its data key (wrapped by the master key)
    and what normalising it found. Rows are made by ``services.encrypted_file_stored``."""

    # Name of the encrypted blob in the "passports" storage; it says nothing about its owner.
    blob_name = models.CharField(max_length=200, editable=False)
    wrapped_key = models.BinaryField(editable=False)
    original_format = models.CharField(_("uploaded as"), max_length=10)
    stored_content_type = models.CharField(max_length=40, default="image/jpeg")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    stored_bytes = models.PositiveIntegerField()

    class Meta:
        abstract = True


def validate_day_list(value: str) -> None:
    """A shop's reminder days: whole numbers of days from 1 to 365, comma-separated (may be empty)."""
    for part in filter(None, (item.strip() for item in value.split(","))):
        if not part.isdigit() or not 1 <= int(part) <= 365:
            raise ValidationError(
                _("Enter whole numbers of days from 1 to 365, separated by commas.")
            )


class UploadNotifications(models.TextChoices):
    IMMEDIATE = "immediate", _("At once")
    HOURLY = "hourly", _("Hourly digest")
    OFF = "off", _("Off")


class SummaryFrequency(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    OFF = "off", _("Off")


class Shop(models.Model):
    """A seller. Staff users see and change only the orders of the shops they belong to."""

    name = models.CharField(_("shop name"), max_length=200)
    contact_email = models.EmailField(
        _("contact email"), blank=True, help_text=_("Where notifications about new uploads go.")
    )
    notification_language = models.CharField(
        _("language of notifications"),
        max_length=10,
        choices=settings.SELLER_LANGUAGES,
        default="zh-hans",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="shops", verbose_name=_("staff members")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    # Retention (see services.retention_purge_due); empty means the site-wide default setting.
    image_retention_days = models.PositiveIntegerField(
        _("keep the image after acceptance (days)"),
        null=True,
        blank=True,
        help_text=_("Empty: the site default. The extracted fields stay for customs."),
    )
    retention_days = models.PositiveIntegerField(
        _("keep everything after the deadline (days)"),
        null=True,
        blank=True,
        help_text=_(
            "Empty: the site default. Without a deadline, counted from the last decision or upload."
        ),
    )
    # Reminders, staff notifications and summaries (uploads/reminders.py, uploads/notifications.py).
    reminder_days = models.CharField(
        _("reminder days"),
        max_length=100,
        default="1,3,7",
        validators=[validate_day_list],
        help_text=_("Days after the invitation to remind the customer, comma-separated."),
    )
    reminder_hours_before_deadline = models.PositiveIntegerField(
        _("last reminder, hours before the deadline"),
        default=24,
        help_text=_("0: no last reminder before the deadline."),
    )
    upload_notifications = models.CharField(
        _("upload notifications"),
        max_length=10,
        choices=UploadNotifications.choices,
        default=UploadNotifications.IMMEDIATE,
    )
    summary_frequency = models.CharField(
        _("summary"),
        max_length=10,
        choices=SummaryFrequency.choices,
        default=SummaryFrequency.WEEKLY,
    )
    # Compare-and-swap marks: two overlapping cron runs send each digest and summary once.
    digest_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    summary_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("shop")
        verbose_name_plural = _("shops")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def effective_image_retention_days(self) -> int:
        if self.image_retention_days is not None:
            return self.image_retention_days
        return settings.PASSPORT_IMAGE_RETENTION_DAYS

    @property
    def effective_retention_days(self) -> int:
        if self.retention_days is not None:
            return self.retention_days
        return settings.PASSPORT_RETENTION_DAYS


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
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    reminder_count = models.PositiveIntegerField(_("reminders sent"), default=0)
    last_reminded_at = models.DateTimeField(_("last reminder"), null=True, blank=True)
    # Set when the passport and the customer's details were erased (retention or on request).
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True, editable=False)

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
        permissions = [("decide_uploadrequest", _("Can accept and reject passports"))]

    def __str__(self) -> str:
        return str(self.order)

    @property
    def is_link_expired(self) -> bool:
        return self.status == self.Status.EXPIRED or self.expires_at <= timezone.now()

    @property
    def is_open_for_upload(self) -> bool:
        return self.status in self.OPEN_STATUSES and not self.is_link_expired

    @property
    def current_document(self) -> "PassportDocument | None":
        return self.documents.filter(superseded_at__isnull=True).order_by("-created_at").first()


class ConsentText(models.Model):
    """A version of the consent the customer agrees to. Published versions are never edited."""

    version = models.CharField(_("version"), max_length=20, unique=True)
    body = models.TextField(_("text"))
    published_at = models.DateTimeField(_("published"), default=timezone.now)

    class Meta:
        verbose_name = _("consent text")
        verbose_name_plural = _("consent texts")
        ordering = ["-published_at"]

    def __str__(self) -> str:
        return self.version


class GuidanceStep(models.Model):
    """One step of the photo guidance shown on the upload page, in every customer language."""

    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.CharField(_("text"), max_length=300)

    class Meta:
        verbose_name = _("guidance step")
        verbose_name_plural = _("guidance steps")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text


class FaqEntry(models.Model):
    """A question customers ask (formats, size limits, what is stored, how long, who sees it)."""

    position = models.PositiveSmallIntegerField(_("position"), default=0)
    question = models.CharField(_("question"), max_length=300)
    answer = models.TextField(_("answer"))

    class Meta:
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ entries")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.question


class EmailTemplate(models.Model):
    """The wording of an email to customers, in every customer language.

    Subject and body may use the placeholders in ``PLACEHOLDERS``; they are filled in with plain
    ``str.format_map`` (no template language: staff-written text cannot reach any object).
    """

    class Kind(models.TextChoices):
        INVITATION = "invitation", _("Invitation")
        REMINDER = "reminder", _("Reminder")
        REJECTION = "rejection", _("Rejection")

    PLACEHOLDERS = ("customer_name", "shop", "order_number", "link", "expires", "reason")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, unique=True)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(
        _("body"),
        help_text=_(
            "Placeholders: {customer_name}, {shop}, {order_number}, {link}, {expires}, {reason}."
        ),
    )

    class Meta:
        verbose_name = _("email template")
        verbose_name_plural = _("email templates")

    def __str__(self) -> str:
        return self.get_kind_display()


class Consent(models.Model):
    upload_request = models.ForeignKey(
        UploadRequest, on_delete=models.CASCADE, related_name="consents"
    )
    consent_text = models.ForeignKey(
        ConsentText, on_delete=models.PROTECT, verbose_name=_("consent text")
    )
    language = models.CharField(_("language"), max_length=10)
    given_at = models.DateTimeField(_("given"), default=timezone.now)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"{self.consent_text} {self.given_at:%Y-%m-%d %H:%M}"


class PassportDocument(EncryptedFileModel):
    """One uploaded passport image, encrypted at rest, and the fields read from it (encrypted too)."""

    class MrzStatus(models.TextChoices):
        PENDING = "pending", _("Not read yet")
        FOUND = "found", _("Read")
        NOT_FOUND = "not_found", _("Not found")

    upload_request = models.ForeignKey(
        UploadRequest, on_delete=models.CASCADE, related_name="documents"
    )
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="+")
    mrz_status = models.CharField(
        _("MRZ"), max_length=16, choices=MrzStatus.choices, default=MrzStatus.PENDING
    )
    # JSON of the extracted (then confirmed) fields, sealed with the document's data key.
    fields_sealed = models.BinaryField(null=True, editable=False)
    # Which fields the reader vouched for; booleans only, nothing personal.
    field_validity = models.JSONField(default=dict, blank=True)
    # Why the MRZ could not be read (uploads.photo_quality.PhotoProblem values: "too_dark", ...),
    # measured by whoever read it, so the review page need not decode the photo again.
    photo_problems = models.JSONField(default=list, blank=True, editable=False)
    confirmed_at = models.DateTimeField(_("confirmed by customer"), null=True, blank=True)
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("passport document")
        verbose_name_plural = _("passport documents")
        # Separate rights: seeing the photo, seeing the fields, exporting, erasing.
        permissions = [
            ("view_passport_image", _("Can view passport images")),
            ("view_passport_fields", _("Can view passport data")),
            ("export_passport", _("Can export passport data")),
            ("purge_passport", _("Can erase passports")),
        ]

    def __str__(self) -> str:
        return f"{self.upload_request} #{self.pk}"


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

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("user"),
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
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
    document_refs = models.JSONField(_("document ids"), default=list, blank=True)
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

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.scope} {self.reason}"


# --- the seller's own systems: API tokens and webhooks (uploads/api.py, uploads/webhooks.py) ----


class ApiToken(models.Model):
    """A bearer token for a shop's own order system. Only its SHA-256 is kept; the token itself is
    shown once, when it is created."""

    shop = models.ForeignKey(
        Shop, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("shop")
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What uses this token, e.g. “ERP production”.")
    )
    # The first characters of the token, so staff can tell tokens apart without the secret.
    prefix = models.CharField(_("starts with"), max_length=12, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
        editable=False,
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class WebhookEndpoint(models.Model):
    """Where a shop wants to hear about status changes, and the secret the calls are signed with."""

    shop = models.OneToOneField(
        Shop, on_delete=models.CASCADE, related_name="webhook", verbose_name=_("shop")
    )
    url = models.URLField(
        _("webhook URL"), max_length=500, help_text=_("An http:// or https:// address.")
    )
    secret = models.CharField(_("signing secret"), max_length=100, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event for one webhook, delivered in one or more attempts."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(
        WebhookEndpoint,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("webhook"),
    )
    upload_request = models.ForeignKey(
        UploadRequest,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("upload request"),
    )
    event = models.CharField(_("event"), max_length=40)
    # The exact JSON sent, so every attempt signs and sends the same bytes.
    body = models.TextField(_("body"))
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.PENDING
    )
    attempt_count = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event} #{self.pk}"


class WebhookAttempt(models.Model):
    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveSmallIntegerField(_("attempt"))
    at = models.DateTimeField(_("time"), default=timezone.now)
    response_status = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"#{self.number}"


# Customs data (issue 9) lives in its own module; importing it here registers it with the app.
from uploads.customs.models import (  # noqa: E402, F401
    CarrierMapping,
    CustomsRecord,
    CustomsSettings,
    SupportingDocument,
)

# --- reminders, notifications and the contact log (uploads/reminders.py, uploads/messaging.py) ---


class BouncedAddress(models.Model):
    """A customer address the mail server refused or that bounced: no more reminders go to it."""

    email = models.EmailField(_("email"), unique=True)  # stored lower-cased
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("bounced address")
        verbose_name_plural = _("bounced addresses")
        ordering = ["-at"]

    def __str__(self) -> str:
        return self.email


class ContactLogEntry(models.Model):
    """One contact with the customer or the shop about an order: automatic emails and manual notes.

    A reminder's row is claimed (inserted, unique per request and step) before its email goes
    out, so overlapping runs never send the same step twice.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        PHONE = "phone", _("Phone call")
        CHAT = "chat", _("Marketplace chat")
        OTHER = "other", _("Other")

    class Kind(models.TextChoices):
        INVITATION = "invitation", _("Invitation")
        REMINDER = "reminder", _("Reminder")
        REJECTION = "rejection", _("Rejection")
        UPLOAD_NOTIFICATION = "upload_notification", _("Upload notification to the shop")
        MANUAL = "manual", _("Manual contact")

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed, will retry")
        GAVE_UP = "gave_up", _("Failed")
        BOUNCED = "bounced", _("Address bounced")
        REACHED = "reached", _("Reached")
        NOT_REACHED = "not_reached", _("Not reached")

    upload_request = models.ForeignKey(
        UploadRequest,
        on_delete=models.CASCADE,
        related_name="contacts",
        verbose_name=_("upload request"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # Reminders only: "day-3", "deadline"...; unique per request.
    step = models.CharField(_("step"), max_length=20, blank=True, default="")
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The error's class name only: never the address or the message's text.
    error = models.CharField(_("error"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("user"),
    )
    # Which run claimed the row (to find its own claims after a bulk insert that skips conflicts).
    claim = models.CharField(max_length=32, blank=True, default="", editable=False)
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contact log")
        ordering = ["-at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["upload_request", "step"],
                condition=~models.Q(step=""),
                name="contact_reminder_step_once",
            )
        ]
        indexes = [
            models.Index(fields=["outcome", "next_attempt_at"]),
            models.Index(fields=["claim"], condition=~models.Q(claim=""), name="contact_claim"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}"


class Feedback(models.Model):
    """How easy the customer found the upload (1-5) and what they want to tell the seller.

    One per upload request: rating again replaces it. Nothing here is passport data, but the
    comment is the customer's free text, so it is shown only to the shop's staff.
    """

    class Rating(models.IntegerChoices):
        VERY_HARD = 1, _("1 - very hard")
        HARD = 2, _("2 - hard")
        OKAY = 3, _("3 - okay")
        EASY = 4, _("4 - easy")
        VERY_EASY = 5, _("5 - very easy")

    upload_request = models.OneToOneField(
        UploadRequest,
        on_delete=models.CASCADE,
        related_name="feedback",
        verbose_name=_("upload request"),
    )
    rating = models.PositiveSmallIntegerField(_("rating"), choices=Rating.choices)
    comment = models.TextField(_("comment"), blank=True, max_length=1000)
    language = models.CharField(_("language"), max_length=10, blank=True)
    created_at = models.DateTimeField(_("given"), default=timezone.now)

    class Meta:
        verbose_name = _("customer feedback")
        verbose_name_plural = _("customer feedback")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_to_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.upload_request} {self.rating}/5"
