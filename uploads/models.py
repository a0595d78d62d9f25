"""The portal's data: shops and their staff, orders, upload requests, passport documents, audit."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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

    class Meta:
        verbose_name = _("shop")
        verbose_name_plural = _("shops")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


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

    class Meta:
        verbose_name = _("upload request")
        verbose_name_plural = _("upload requests")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "expires_at"])]

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


class PassportDocument(models.Model):
    """One uploaded passport image, encrypted at rest, and the fields read from it (encrypted too)."""

    class MrzStatus(models.TextChoices):
        PENDING = "pending", _("Not read yet")
        FOUND = "found", _("Read")
        NOT_FOUND = "not_found", _("Not found")

    upload_request = models.ForeignKey(
        UploadRequest, on_delete=models.CASCADE, related_name="documents"
    )
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="+")
    # Name of the encrypted blob in the "passports" storage; it says nothing about its owner.
    blob_name = models.CharField(max_length=200, editable=False)
    wrapped_key = models.BinaryField(editable=False)
    original_format = models.CharField(_("uploaded as"), max_length=10)
    stored_content_type = models.CharField(max_length=40, default="image/jpeg")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    stored_bytes = models.PositiveIntegerField()
    mrz_status = models.CharField(
        _("MRZ"), max_length=16, choices=MrzStatus.choices, default=MrzStatus.PENDING
    )
    # JSON of the extracted (then confirmed) fields, sealed with the document's data key.
    fields_sealed = models.BinaryField(null=True, editable=False)
    # Which fields the reader vouched for; booleans only, nothing personal.
    field_validity = models.JSONField(default=dict, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed by customer"), null=True, blank=True)
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("passport document")
        verbose_name_plural = _("passport documents")
        permissions = [("view_passport", _("Can view passport images and data"))]

    def __str__(self) -> str:
        return f"{self.upload_request} #{self.pk}"


class AuditEvent(models.Model):
    """Who looked at or changed passport data, and when. Written by services, never edited."""

    class Action(models.TextChoices):
        VIEW_IMAGE = "view_image", _("Viewed passport image")
        VIEW_FIELDS = "view_fields", _("Viewed passport data")
        EXPORT = "export", _("Exported passport data")
        ACCEPT = "accept", _("Accepted")
        REJECT = "reject", _("Rejected")
        LINK_ISSUED = "link_issued", _("Issued a new link")

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

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action}"


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
