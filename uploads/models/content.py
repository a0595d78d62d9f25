"""What the seller or the installation writes for customers: consent, guidance, FAQ, e-mail templates."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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
