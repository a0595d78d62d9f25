"""Cross-border transfers (152-FZ art. 12): where each staff member declares to work from, and the
append-only register of every hand-over to a third party and every look at a passport from abroad.

The register holds categories of data (field names), never their values."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from uploads.models.audit import AuditEvent
from uploads.models.base import AppendOnlyModel
from uploads.models.countries import Country, country_choices
from uploads.models.shops import Shop

# The country the law is about: a transfer is a hand-over to anyone outside it.
RUSSIA = Country.RUSSIA.value


class StaffProfile(models.Model):
    """What the portal must know of a staff member beyond their account: the country they work
    from. Set by a superuser; none (or empty) means not declared, which counts as abroad."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_profile",
        verbose_name=_("user"),
    )
    country = models.CharField(
        _("country of work"),
        max_length=2,
        blank=True,
        choices=country_choices,  # ISO 3166 alpha-2 codes only
        help_text=_(
            "Where this person opens passports from. Empty: not declared, treated as abroad."
        ),
    )
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("staff country")
        verbose_name_plural = _("staff countries")

    def __str__(self) -> str:
        return f"{self.user} · {self.country or '—'}"


class TransferRecord(AppendOnlyModel):
    """One hand-over of passport data: to a third party (a carrier, a customs file), or to a staff
    member who is not in Russia (a look or an export). Written with the audit event of the same
    act (``uploads.audit.services.audit_record``), never edited; one event may have two rows."""

    class Kind(models.TextChoices):
        CARRIER_SEND = "carrier_send", _("Handed to the carrier")
        CUSTOMS_EXPORT = "customs_export", _("Customs file exported")
        STAFF_VIEW = "staff_view", _("Seen by staff abroad")
        STAFF_EXPORT = "staff_export", _("Exported by staff abroad")

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    shop = models.ForeignKey(
        Shop, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("shop")
    )
    # Who received it: the carrier's or the customs file's name; empty for staff (``actor``).
    recipient = models.CharField(_("recipient"), max_length=200, blank=True)
    # Where it went (ISO 3166 alpha-2); empty: the staff member has not declared a country.
    country = models.CharField(_("country"), max_length=2, blank=True)
    # Names of the data handed over ("image", "surname", "passport_series"...), never values.
    categories = models.JSONField(_("data categories"), default=list, blank=True)
    # Plain numbers, not foreign keys: the register outlives the order it describes.
    upload_request_ref = models.PositiveBigIntegerField(_("upload request id"), null=True)
    order_number = models.CharField(_("order number"), max_length=100, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    # Not one-to-one: a customs file exported by staff abroad is two transfers of one act (to the
    # staff member abroad, and to the mapping's recipient), both with the same audit event.
    audit_event = models.ForeignKey(
        AuditEvent,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="transfers",
        verbose_name=_("audit event"),
    )

    class Meta:
        verbose_name = _("cross-border or third-party transfer")
        verbose_name_plural = _("transfer register")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.country or '—'}"

    @property
    def is_staff_access(self) -> bool:
        """A look or an export by a staff member abroad (else a hand-over to a third party)."""
        return self.kind in (self.Kind.STAFF_VIEW, self.Kind.STAFF_EXPORT)
