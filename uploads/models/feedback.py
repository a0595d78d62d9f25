"""The customer's rating."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from uploads.models.requests import UploadRequest


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
    language = models.CharField(
        _("language"), max_length=10, blank=True, choices=settings.LANGUAGES
    )
    created_at = models.DateTimeField(_("rated"), default=timezone.now)

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
