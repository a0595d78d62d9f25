"""The customer's consent and passport documents (encrypted files and sealed fields)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from uploads.models.base import AppendOnlyModel, EncryptedFileModel
from uploads.models.content import ConsentText
from uploads.models.requests import UploadRequest
from uploads.models.shops import Shop


class ConsentDocument(AppendOnlyModel):
    """The exact consent text a shop's customers were shown, in one language: a version.

    Made (by ``uploads.papers.services.consent_document_shown``) the first time a text is shown and
    never changed: a new operator detail, recipient or term makes a new text, hence a new row.
    """

    shop = models.ForeignKey(
        Shop, on_delete=models.CASCADE, related_name="consent_documents", verbose_name=_("shop")
    )
    language = models.CharField(_("language"), max_length=10)
    # SHA-256 of the body: the version's identity within the shop and language.
    content_hash = models.CharField(_("SHA-256 of the text"), max_length=64, editable=False)
    body = models.TextField(_("text"), editable=False)
    created_at = models.DateTimeField(_("first shown"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("consent document")
        verbose_name_plural = _("consent documents")
        ordering = ["shop", "language", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "language", "content_hash"], name="consent_document_version"
            )
        ]

    @property
    def language_name(self) -> str:
        """The language's name in the reader's language (the code where it is not one of ours)."""
        return str(dict(settings.LANGUAGES).get(self.language, self.language))

    def __str__(self) -> str:
        return f"{self.shop} · {self.language_name} · {self.content_hash[:12]}"


class Consent(models.Model):
    upload_request = models.ForeignKey(
        UploadRequest, on_delete=models.CASCADE, related_name="consents"
    )
    # The exact document the customer agreed to. Consents given before documents per shop
    # existed point at the installation's global text instead (``consent_text``).
    document = models.ForeignKey(
        ConsentDocument,
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="consents",
        verbose_name=_("consent document"),
    )
    consent_text = models.ForeignKey(
        ConsentText, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("consent text")
    )
    language = models.CharField(_("language"), max_length=10)
    given_at = models.DateTimeField(_("given"), default=timezone.now)
    # Proof of who consented from where (152-FZ art. 9 part 3), cleared when the order is erased.
    client_ip = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            # Every consent names the text agreed to: a shop's document, or (before them) the
            # installation's global text.
            models.CheckConstraint(
                condition=models.Q(document__isnull=False) | models.Q(consent_text__isnull=False),
                name="consent_names_its_text",
            )
        ]

    def __str__(self) -> str:
        version = self.document or self.consent_text
        return f"{version} {self.given_at:%Y-%m-%d %H:%M}"


class PassportDocument(EncryptedFileModel):
    """One uploaded passport image, encrypted at rest, and the fields read from it (encrypted too).

    A typed document (``source`` TYPED) has no file at all: an empty ``blob_name``, no size, and
    a data key only to seal its fields. Whatever opens the file checks ``blob_name`` first."""

    class MrzStatus(models.TextChoices):
        PENDING = "pending", _("Not read yet")
        FOUND = "found", _("Read")
        NOT_FOUND = "not_found", _("Not found")
        NO_PHOTO = "no_photo", _("No photo to read")

    class Source(models.TextChoices):
        """How the fields came: read from a photo (and checked by the customer), or typed by
        the customer without any photo (the shop's photo policy allows it; no file is stored)."""

        PHOTO = "photo", _("read from a photo")
        TYPED = "typed", _("typed by the customer")

    upload_request = models.ForeignKey(
        UploadRequest, on_delete=models.CASCADE, related_name="documents"
    )
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(
        _("passport data"), max_length=8, choices=Source.choices, default=Source.PHOTO
    )

    class MrzFailure(models.TextChoices):
        """Why a reading ended "not found" other than by finding no MRZ on the photo."""

        NONE = "", _("none")
        READER = "reader", _("the reader failed")
        STORAGE = "storage", _("the passport storage could not be reached")
        KEY = "key", _("the document's key could not be opened")
        INTERRUPTED = "interrupted", _("the reading was interrupted (its worker stopped)")
        TYPED_FIRST = "typed_first", _("the customer typed the fields before it was read")

    mrz_status = models.CharField(
        _("MRZ"), max_length=16, choices=MrzStatus.choices, default=MrzStatus.PENDING
    )
    # A reading is claimed by setting mrz_started_at; a claim older than MRZ_READING_RETRY_AFTER_S
    # belongs to a worker that died (or hangs) and is taken again, at most MRZ_READING_MAX_ATTEMPTS
    # times in all (uploads.documents.services.document_read_mrz).
    mrz_attempts = models.PositiveSmallIntegerField(_("reading attempts"), default=0)
    mrz_started_at = models.DateTimeField(_("reading started"), null=True, blank=True)
    # When a lost reading was last handed to the task queue again: once per retry period at most.
    mrz_queued_at = models.DateTimeField(null=True, blank=True, editable=False)
    mrz_failure = models.CharField(
        _("reading failed because"),
        max_length=16,
        choices=MrzFailure.choices,
        default=MrzFailure.NONE,
        blank=True,
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
