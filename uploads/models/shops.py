"""Shops, their staff and their settings for reminders and notifications."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def validate_day_list(value: str) -> None:
    """A shop's reminder days: whole numbers of days from 1 to 365, comma-separated (may be empty)."""
    for part in filter(None, (item.strip() for item in value.split(","))):
        if not part.isdigit() or not 1 <= int(part) <= 365:
            raise ValidationError(
                _("Enter whole numbers of days from 1 to 365, separated by commas.")
            )


# "Name (Country)": what the customer's consent needs to know of each recipient (152-FZ art. 9 part 4).
# Full-width brackets count too: a Chinese keyboard types them.
_RECIPIENT_RE = re.compile(r"^\S.*[(\uff08]\s*[^()\uff08\uff09\s][^()\uff08\uff09]*[)\uff09]$")


def recipient_lines(value: str) -> list[str]:
    """The shop's other recipients, one a line, blank lines and surrounding spaces dropped."""
    return [line.strip() for line in value.splitlines() if line.strip()]


def validate_recipient_lines(value: str) -> None:
    """Each recipient names its country in brackets at the end, e.g. "Boxberry LLC (Russia)"."""
    for line in recipient_lines(value):
        if not _RECIPIENT_RE.match(line):
            raise ValidationError(
                _(
                    "Write one recipient a line with its country in brackets at the end, for "
                    "example: Boxberry LLC (Russia). This line has none: %(line)s"
                ),
                params={"line": line[:100]},
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
    # The shop as a personal-data operator under 152-FZ (art. 9, art. 22): the consent names it,
    # destruction acts carry it, and no link goes out before these are filled in.
    operator_name = models.CharField(
        _("operator's legal name"),
        max_length=300,
        blank=True,
        help_text=_("The company that collects the passports, as registered."),
    )
    operator_address = models.CharField(_("operator's address"), max_length=500, blank=True)
    operator_registration = models.CharField(
        _("registration number"),
        max_length=100,
        blank=True,
        help_text=_("OGRN and INN, or the foreign company's registration number."),
    )
    operator_rkn_number = models.CharField(
        _("Roskomnadzor registry number"),
        max_length=100,
        blank=True,
        help_text=_("The number of the operator in the register of personal-data operators."),
    )
    operator_contact = models.CharField(
        _("person responsible for personal data"),
        max_length=300,
        blank=True,
        help_text=_("Name and e-mail or phone of the person who answers customers' requests."),
    )
    # Who else gets the passport data besides a carrier connected by API (a broker, a carrier
    # whose file the shop sends by hand): the consent names each with its country.
    consent_recipients = models.TextField(
        _("other recipients of the passport data"),
        blank=True,
        validators=[validate_recipient_lines],
        help_text=_(
            "One a line, with the country in brackets: the customs broker or carrier the shop "
            "passes the passport data to, for example: Boxberry LLC (Russia). The customer's "
            "consent names each of them. CDEK (when its account is active) and the carrier "
            "column mappings are named on their own, with their countries: do not repeat them."
        ),
    )
    # Cross-border transfer (152-FZ art. 12): staff abroad opening passports is a transfer, which
    # needs a notice to Roskomnadzor first. With the switch on, staff whose declared country is not
    # Russia are refused this shop's passports until the notice's date is recorded.
    refuse_staff_abroad = models.BooleanField(
        _("refuse staff abroad until the transfer notice is recorded"),
        default=False,
        help_text=_(
            "Staff whose declared country is not Russia (or who declared none) cannot open or "
            "export this shop's passports while the notice date below is empty."
        ),
    )
    transfer_notice_date = models.DateField(
        _("cross-border transfer notice sent to Roskomnadzor"),
        null=True,
        blank=True,
        help_text=_("The date of the notice of cross-border transfer (152-FZ art. 12)."),
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
