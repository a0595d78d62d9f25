"""API tokens, webhook endpoints, deliveries and attempts."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from uploads.models.requests import UploadRequest
from uploads.models.shops import Shop


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
    # The token's one scope beyond statuses: the customer's link in answers. A link opens the
    # customer's pending passport, so a token gets it only when staff who may see links say so.
    reads_links = models.BooleanField(
        _("may read customers' links"),
        default=False,
        help_text=_("Answers carry each open request's upload link (every read is audited)."),
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
