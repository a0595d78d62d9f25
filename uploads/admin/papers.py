"""The 152-FZ papers in admin: the consent documents customers were shown (read only), and the
incident register (superusers enter an incident, follow it up, and watch the deadlines)."""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db.models import Model, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html, linebreaks
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from uploads.admin.base import ShopScopedAdmin
from uploads.models import ConsentDocument, Incident, IncidentEntry
from uploads.papers import incidents
from uploads.papers import services as papers


def _hours(span: timedelta) -> int:
    return max(1, round(abs(span.total_seconds()) / 3600))


def _deadline_html(deadline: incidents.Deadline) -> str:
    if deadline.done_at is not None:
        sent = _("sent %(when)s") % {
            "when": f"{timezone.localtime(deadline.done_at):%Y-%m-%d %H:%M}"
        }
        if deadline.late:
            return format_html('<span class="deadline-late">{} ({})</span>', sent, _("late"))
        return format_html('<span class="deadline-done">{}</span>', sent)
    hours = _hours(deadline.left)
    if deadline.overdue:
        text = ngettext("overdue by %(hours)d hour", "overdue by %(hours)d hours", hours)
        return format_html('<strong class="deadline-overdue">{}</strong>', text % {"hours": hours})
    text = ngettext("%(hours)d hour left", "%(hours)d hours left", hours)
    return format_html(
        '<span class="deadline-open">{} ({})</span>',
        text % {"hours": hours},
        f"{timezone.localtime(deadline.due):%Y-%m-%d %H:%M}",
    )


class IncidentEntryFormSet(BaseInlineFormSet):
    def save_new(self, form: forms.ModelForm, commit: bool = True) -> IncidentEntry:
        # Entries go through the service: the register is written in one way only.
        return papers.incident_entry_add(
            incident=self.instance,
            kind=form.cleaned_data["kind"],
            text=form.cleaned_data["text"],
            at=form.cleaned_data["at"],
            recorded_by=self.request_user,
        )


class IncidentEntryInline(admin.TabularInline):
    model = IncidentEntry
    formset = IncidentEntryFormSet
    fields = ["at", "kind", "text", "recorded_by"]
    readonly_fields = ["recorded_by"]
    extra = 1
    can_delete = False

    def get_formset(self, request: HttpRequest, obj: Model | None = None, **kwargs: object):  # type: ignore[no-untyped-def]
        formset = super().get_formset(request, obj, **kwargs)
        formset.request_user = request.user
        return formset

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # entries are appended, never edited


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    """Superusers only: an incident concerns the installation, not one shop's staff."""

    list_display = ["found_at", "summary_short", "subjects_count", "notice", "results"]
    date_hierarchy = "found_at"
    inlines = [IncidentEntryInline]
    filter_horizontal = ["shops"]
    fields = [
        "found_at",
        "summary",
        "presumed_causes",
        "presumed_harm",
        "data_categories",
        "subjects_count",
        "measures",
        "contact",
        "shops",
    ]
    readonly_on_change = ["notice", "results", "notice_text", "recorded_by", "recorded_at"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # "Change" only appends entries: the incident's own fields are read-only once recorded.
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def get_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        return [*self.fields, *self.readonly_on_change] if obj else list(self.fields)

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        return [*self.fields, *self.readonly_on_change] if obj else []

    def save_model(
        self, request: HttpRequest, obj: Incident, form: forms.ModelForm, change: bool
    ) -> None:
        if change:
            return  # nothing of the incident itself changes; entries are saved by the inline
        data = form.cleaned_data
        incident = papers.incident_record(
            found_at=data["found_at"],
            summary=data["summary"],
            presumed_causes=data["presumed_causes"],
            presumed_harm=data["presumed_harm"],
            data_categories=data["data_categories"],
            subjects_count=data["subjects_count"],
            measures=data["measures"],
            contact=data["contact"],
            shops=list(data["shops"]),
            recorded_by=request.user,
        )
        obj.pk = incident.pk
        obj._state.adding = False
        obj._state.db = incident._state.db

    def save_related(
        self, request: HttpRequest, form: forms.ModelForm, formsets: list, change: bool
    ) -> None:
        # The shops were set by the service; only new entries remain to be saved.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    @admin.display(description=gettext_lazy("what happened"))
    def summary_short(self, obj: Incident) -> str:
        return obj.summary if len(obj.summary) <= 80 else obj.summary[:79] + "…"

    @admin.display(description=gettext_lazy("notice, 24 hours"))
    def notice(self, obj: Incident) -> str:
        return _deadline_html(incidents.incident_deadlines(incident=obj)[0])

    @admin.display(description=gettext_lazy("investigation results, 72 hours"))
    def results(self, obj: Incident) -> str:
        return _deadline_html(incidents.incident_deadlines(incident=obj)[1])

    @admin.display(description=gettext_lazy("the notice's fields, ready to copy"))
    def notice_text(self, obj: Incident) -> str:
        return format_html(
            '<textarea readonly rows="14" cols="100" class="incident-notice">{}</textarea>',
            incidents.incident_notice_text(incident=obj),
        )


class ConsentLanguageFilter(admin.SimpleListFilter):
    """The languages by name (in the seller's language), not by code."""

    title = gettext_lazy("language")
    parameter_name = "language"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [(code, str(name)) for code, name in settings.LANGUAGES]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(language=self.value()) if self.value() else queryset


@admin.register(ConsentDocument)
class ConsentDocumentAdmin(ShopScopedAdmin):
    """Every version of each shop's consent, as customers read it; made by the customer's page,
    never written here."""

    list_display = ["shop", "language_shown", "created_at", "version", "consents_given"]
    list_filter = ["shop", ConsentLanguageFilter]
    fields = ["shop", "language_shown", "created_at", "content_hash", "text"]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("language"), ordering="language")
    def language_shown(self, obj: ConsentDocument) -> str:
        return obj.language_name

    @admin.display(description=gettext_lazy("text"))
    def text(self, obj: ConsentDocument) -> str:
        # The customer's words, in the customer's language: marked so (screen readers, and the
        # seller's browser offering to translate it), whatever language the admin speaks.
        # linebreaks escapes the text itself (autoescape=True) before adding its <p> and <br>.
        body = mark_safe(linebreaks(obj.body, autoescape=True))
        return format_html('<div class="consent-document" lang="{}">{}</div>', obj.language, body)

    @admin.display(description=gettext_lazy("version"))
    def version(self, obj: ConsentDocument) -> str:
        return obj.content_hash[:12]

    @admin.display(description=gettext_lazy("consents given"))
    def consents_given(self, obj: ConsentDocument) -> int:
        return obj.consents.count()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
