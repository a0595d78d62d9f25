"""The incident register (152-FZ art. 21 part 3.1): what leaked or may have, and the notices sent."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from uploads.models.base import AppendOnlyModel
from uploads.models.shops import Shop

# Roskomnadzor must hear of an incident within 24 hours of its discovery, and the results of the
# operator's investigation within 72 hours (art. 21 part 3.1 items 1 and 2).
NOTICE_WITHIN = timedelta(hours=24)
RESULTS_WITHIN = timedelta(hours=72)


class Incident(AppendOnlyModel):
    """An incident as first recorded. Never edited: what follows is added as entries."""

    found_at = models.DateTimeField(
        _("found at"),
        help_text=_(
            "When the incident was discovered: the 24 and 72 hour deadlines count from here."
        ),
    )
    summary = models.TextField(_("what happened"))
    presumed_causes = models.TextField(_("presumed causes"), blank=True)
    presumed_harm = models.TextField(_("presumed harm to the data subjects"), blank=True)
    data_categories = models.CharField(
        _("data affected"),
        max_length=300,
        help_text=_("For example: passport images, passport fields, names and contacts."),
    )
    subjects_count = models.PositiveIntegerField(_("number of data subjects affected"))
    measures = models.TextField(_("measures taken"), blank=True)
    contact = models.CharField(
        _("person who deals with Roskomnadzor"),
        max_length=300,
        help_text=_("Name, position and contacts of the person authorised by the operator."),
    )
    shops = models.ManyToManyField(
        Shop,
        blank=True,
        related_name="+",
        verbose_name=_("shops affected"),
        help_text=_("Empty: the whole installation."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incident register")
        ordering = ["-found_at"]

    def __str__(self) -> str:
        return f"{self.found_at:%Y-%m-%d %H:%M} {self.summary[:60]}"

    @property
    def notice_due(self) -> datetime:
        return self.found_at + NOTICE_WITHIN

    @property
    def results_due(self) -> datetime:
        return self.found_at + RESULTS_WITHIN


class IncidentEntry(AppendOnlyModel):
    """Something done about an incident: a notice sent, a measure taken, a finding."""

    class Kind(models.TextChoices):
        NOTICE_SENT = "notice_sent", _("Notice sent to Roskomnadzor (24 hours)")
        RESULTS_SENT = "results_sent", _("Investigation results sent to Roskomnadzor (72 hours)")
        MEASURE = "measure", _("Measure taken")
        FINDING = "finding", _("Finding of the investigation")

    incident = models.ForeignKey(
        Incident, on_delete=models.PROTECT, related_name="entries", verbose_name=_("incident")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    at = models.DateTimeField(_("time"), default=timezone.now)
    text = models.TextField(_("details"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("incident entry")
        verbose_name_plural = _("incident entries")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}"
