"""The contact log and bounced addresses."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from uploads.models.requests import UploadRequest
from uploads.models.shops import Shop


class BouncedAddress(models.Model):
    """A customer address the mail server refused, or that a shop's staff marked as bouncing: no
    more e-mails go to it from that shop, or from any shop when ``shop`` is empty (a superuser's
    mark, and the rows kept from before marks were per shop).

    Per shop, so that one shop's mark neither silences another shop's e-mails nor tells it
    whether an address bounced elsewhere.
    """

    email = models.EmailField(_("email"), db_index=True)  # stored lower-cased
    shop = models.ForeignKey(
        Shop,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("shop"),
        help_text=_("Empty: no shop e-mails this address."),
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("bounced address")
        verbose_name_plural = _("bounced addresses")
        ordering = ["-at"]
        constraints = [
            models.UniqueConstraint(
                fields=["email", "shop"],
                condition=models.Q(shop__isnull=False),
                name="bounced_once_per_shop",
            ),
            models.UniqueConstraint(
                fields=["email"],
                condition=models.Q(shop__isnull=True),
                name="bounced_once_for_all_shops",
            ),
        ]

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
