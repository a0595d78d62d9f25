"""What a shop asks of its buyers, its carriers' column mappings, and each request's customs state.

Imported by ``uploads.models`` so that they belong to the ``uploads`` app.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from uploads.core import customs_rules as validation
from uploads.models.base import EncryptedFileModel
from uploads.models.countries import country_choices


class PhotoPolicy(models.TextChoices):
    """Whether a shop asks for a photo of the passport or lets the customer type the details
    (152-FZ art. 5, data minimisation: some buyers are told not to send passport scans)."""

    REQUIRED = "required", _("photo required")
    OPTIONAL = "optional", _("photo optional: the customer may type the details instead")
    NOT_COLLECTED = "not_collected", _("no photo: the customer types the details")


class CustomsSettings(models.Model):
    """Which buyer situations a shop accepts and what it requires on top of the basics."""

    shop = models.OneToOneField(
        "uploads.Shop",
        on_delete=models.CASCADE,
        related_name="customs_settings",
        verbose_name=_("shop"),
    )
    accept_ru_internal = models.BooleanField(
        validation.SITUATION_LABELS[validation.RU_INTERNAL], default=True
    )
    accept_ru_foreign = models.BooleanField(
        validation.SITUATION_LABELS[validation.RU_FOREIGN], default=True
    )
    accept_foreign = models.BooleanField(
        validation.SITUATION_LABELS[validation.FOREIGN], default=True
    )
    require_inn = models.BooleanField(_("INN required from citizens of Russia"), default=True)
    require_issuing_authority = models.BooleanField(
        _("issuing authority required from citizens of Russia"), default=False
    )
    require_issue_date = models.BooleanField(_("date of issue required"), default=False)
    require_adult = models.BooleanField(_("buyer must be an adult"), default=False)
    require_second_document = models.BooleanField(
        _("second document required from foreign citizens"),
        default=False,
        help_text=_("For example a residence permit, uploaded as a second photo."),
    )
    photo_policy = models.CharField(
        _("photo of the passport"),
        max_length=16,
        choices=PhotoPolicy.choices,
        default=PhotoPolicy.REQUIRED,
        help_text=_(
            "Typed details are checked by the same rules; no file is stored for them, and the "
            "seller sees that they were typed."
        ),
    )

    class Meta:
        verbose_name = _("customs settings")
        verbose_name_plural = _("customs settings")

    def __str__(self) -> str:
        return str(self.shop)

    def rules(self) -> validation.Rules:
        accepted = {
            validation.RU_INTERNAL: self.accept_ru_internal,
            validation.RU_FOREIGN: self.accept_ru_foreign,
            validation.FOREIGN: self.accept_foreign,
        }
        return validation.Rules(
            situations=tuple(name for name in validation.SITUATIONS if accepted[name]),
            require_inn=self.require_inn,
            require_issuing_authority=self.require_issuing_authority,
            require_issue_date=self.require_issue_date,
            require_adult=self.require_adult,
            require_second_document=self.require_second_document,
        )


class CarrierMapping(models.Model):
    """How one carrier wants the customs columns: which, in what order, titled how."""

    class NameOrder(models.TextChoices):
        SURNAME_FIRST = "surname_given", _("surname, given name, patronymic")
        GIVEN_FIRST = "given_surname", _("given name, patronymic, surname")

    class DateFormat(models.TextChoices):
        DOTTED = "%d.%m.%Y", "31.12.2025"
        ISO = "%Y-%m-%d", "2025-12-31"
        SLASHED = "%d/%m/%Y", "31/12/2025"
        AMERICAN = "%m/%d/%Y", "12/31/2025"

    class Delimiter(models.TextChoices):
        COMMA = ",", _("comma")
        SEMICOLON = ";", _("semicolon")
        TAB = "\t", _("tab")

    shop = models.ForeignKey(
        "uploads.Shop",
        on_delete=models.CASCADE,
        related_name="carrier_mappings",
        verbose_name=_("shop"),
    )
    name = models.CharField(_("carrier"), max_length=100)
    # [[field key, column title], ...] in column order; keys from uploads.customs.exports.FIELD_KEYS.
    columns = models.JSONField(_("columns"), default=list)
    date_format = models.CharField(
        _("date format"), max_length=10, choices=DateFormat.choices, default=DateFormat.DOTTED
    )
    name_order = models.CharField(
        _("name order"), max_length=20, choices=NameOrder.choices, default=NameOrder.SURNAME_FIRST
    )
    delimiter = models.CharField(
        _("CSV delimiter"), max_length=1, choices=Delimiter.choices, default=Delimiter.SEMICOLON
    )
    # Where the carrier or broker receives the file: the consent names it (152-FZ art. 9 part 4)
    # and the transfer register records it for each export. Empty only in rows made before the
    # field existed; such a mapping blocks the shop's links and its exports until it is set.
    country = models.CharField(
        _("recipient's country"),
        max_length=2,
        choices=country_choices,
        blank=True,
        help_text=_(
            "Where this carrier or broker receives the data. The customer's consent names it as "
            "the recipient's country, and the transfer register needs it for every export: "
            "without it the shop cannot send upload links or export through this mapping."
        ),
    )

    class Meta:
        verbose_name = _("carrier column mapping")
        verbose_name_plural = _("carrier column mappings")
        ordering = ["shop", "name"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "name"], name="carrier_mapping_unique_per_shop")
        ]

    def __str__(self) -> str:
        return self.name


class CustomsRecord(models.Model):
    """Where a request stands for customs; recomputed by ``customs.services.customs_refresh``.

    Nothing personal: the situation, whether the names matched, and the names of the fields that
    are missing or wrong.
    """

    class NameCheck(models.TextChoices):
        UNREAD = "unread", _("not compared (no MRZ)")
        # Typed without a photo (the shop's photo policy allows it): nothing to compare with.
        TYPED = "typed", _("not compared (typed, no photo)")
        MATCH = "match", _("match")
        MISMATCH = "mismatch", _("differ")

    upload_request = models.OneToOneField(
        "uploads.UploadRequest", on_delete=models.CASCADE, related_name="customs"
    )
    document = models.ForeignKey(
        "uploads.PassportDocument",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    situation = models.CharField(
        _("buyer's situation"),
        max_length=20,
        blank=True,
        choices=list(validation.SITUATION_LABELS.items()),
    )
    name_check = models.CharField(
        _("names MRZ vs typed"), max_length=10, blank=True, choices=NameCheck.choices
    )
    names_confirmed_at = models.DateTimeField(_("names confirmed by seller"), null=True, blank=True)
    names_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ready = models.BooleanField(_("ready for customs"), default=False, db_index=True)
    # The last day the document can be used: a ready record stops counting after it.
    ready_until = models.DateField(null=True, blank=True)
    problems = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("customs record")
        verbose_name_plural = _("customs records")

    def __str__(self) -> str:
        return str(self.upload_request)


class SupportingDocument(EncryptedFileModel):
    """A second document (e.g. a residence permit), encrypted like the passport."""

    upload_request = models.ForeignKey(
        "uploads.UploadRequest", on_delete=models.CASCADE, related_name="supporting_documents"
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("second document")
        verbose_name_plural = _("second documents")

    def __str__(self) -> str:
        return f"{self.upload_request} #{self.pk}"
