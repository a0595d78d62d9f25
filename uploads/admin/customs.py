"""The seller's customs admin: the shop's settings and carrier mappings, and what the request
admin (uploads.admin.requests) shows and does for customs: the "ready for customs" filter, the
problems' labels, the export form."""

from django import forms
from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from uploads.admin.base import ShopScopedAdmin
from uploads.customs import selectors as customs_selectors
from uploads.customs.exports import BUILTIN_KEY, FCS_1861, FIELD_KEYS
from uploads.customs.services import readiness as customs_readiness
from uploads.documents.forms import PassportFieldsForm, field_label
from uploads.models import (
    CarrierMapping,
    CustomsRecord,
    CustomsSettings,
    PhotoPolicy,
    UploadRequest,
)

# What a stored problem code means, for the seller.
PROBLEM_LABELS = {
    customs_readiness.PROBLEM_STATUS: gettext_lazy("not uploaded, or rejected"),
    customs_readiness.PROBLEM_NO_DOCUMENT: gettext_lazy("no passport"),
    customs_readiness.PROBLEM_NAMES: gettext_lazy("names not matched or not confirmed"),
    customs_readiness.PROBLEM_SECOND_DOCUMENT: gettext_lazy("second document missing"),
    customs_readiness.PROBLEM_EXPIRED: gettext_lazy("document expired"),
    customs_readiness.PROBLEM_UNREADABLE: gettext_lazy("passport can no longer be opened"),
}


def problem_label(code: str) -> str:
    if code in PROBLEM_LABELS:
        return str(PROBLEM_LABELS[code])
    if code in PassportFieldsForm.base_fields:
        return field_label(code)
    return code


def customs_record_of(obj: UploadRequest) -> CustomsRecord | None:
    try:
        return obj.customs
    except CustomsRecord.DoesNotExist:
        return None


class CustomsReadyFilter(admin.SimpleListFilter):
    title = gettext_lazy("ready for customs")
    parameter_name = "customs_ready"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [
            ("yes", gettext_lazy("Ready")),
            ("no", gettext_lazy("Not ready")),
            ("names", gettext_lazy("Names differ")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        ready = customs_selectors.customs_ready_q()
        if self.value() == "yes":
            return queryset.filter(ready)
        if self.value() == "no":
            return queryset.exclude(ready)
        if self.value() == "names":
            return queryset.filter(
                customs__name_check=CustomsRecord.NameCheck.MISMATCH,
                customs__names_confirmed_at__isnull=True,
            )
        return queryset


class CustomsExportForm(forms.Form):
    mapping = forms.ChoiceField(label=gettext_lazy("Column mapping"))
    file_format = forms.ChoiceField(
        label=gettext_lazy("Format"), choices=[("xlsx", "XLSX"), ("csv", "CSV")]
    )

    def __init__(self, *args: object, mappings: QuerySet[CarrierMapping], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.mappings = mappings
        # The built-in set's own name is Russian (ФТС № 1861); the seller reads it in theirs.
        self.fields["mapping"].choices = [(BUILTIN_KEY, _("FCS order No. 1861 (built in)"))] + [
            (str(mapping.pk), f"{mapping.shop}: {mapping.name}") for mapping in mappings
        ]

    def chosen_mapping(self) -> CarrierMapping:
        key = self.cleaned_data["mapping"]
        return FCS_1861 if key == BUILTIN_KEY else self.mappings.get(pk=key)


@admin.register(CustomsSettings)
class CustomsSettingsAdmin(ShopScopedAdmin):
    list_display = [
        "shop",
        "accept_ru_internal",
        "accept_ru_foreign",
        "accept_foreign",
        "require_inn",
        "require_adult",
        "require_second_document",
        "photo_policy",
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        return ["shop"] if obj else []

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        super().save_model(request, obj, form, change)
        # What is required changed: every request of the shop is checked again.
        customs_readiness.customs_refresh_all(shop=obj.shop)


class CustomsSettingsForm(forms.ModelForm):
    class Meta:
        model = CustomsSettings
        fields = [
            "shop",
            "accept_ru_internal",
            "accept_ru_foreign",
            "accept_foreign",
            "require_inn",
            "require_issuing_authority",
            "require_issue_date",
            "require_adult",
            "require_second_document",
            "photo_policy",
        ]

    def clean(self) -> dict:
        cleaned = super().clean()
        if not any(
            cleaned.get(name)
            for name in ("accept_ru_internal", "accept_ru_foreign", "accept_foreign")
        ):
            raise forms.ValidationError(_("Accept at least one kind of buyer."))
        if cleaned.get("photo_policy") == PhotoPolicy.NOT_COLLECTED and cleaned.get(
            "require_second_document"
        ):
            # The second document is a photo too.
            self.add_error(
                "require_second_document",
                _("A shop that collects no photos cannot ask for a second document."),
            )
        return cleaned


CustomsSettingsAdmin.form = CustomsSettingsForm


class CarrierMappingForm(forms.ModelForm):
    columns_text = forms.CharField(
        label=gettext_lazy("columns"),
        widget=forms.Textarea(attrs={"rows": 12, "cols": 70}),
    )

    class Meta:
        model = CarrierMapping
        fields = [
            "shop",
            "name",
            "country",
            "columns_text",
            "date_format",
            "name_order",
            "delimiter",
        ]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # Blank in the database only for mappings made before the field: a saved one names it.
        self.fields["country"].required = True
        # In the seller's language of this request (a class attribute would be the language
        # the process started in).
        self.fields["columns_text"].help_text = _(
            "One column per line, in order: field key | column title. Keys: %(keys)s."
        ) % {"keys": ", ".join(FIELD_KEYS)}
        columns = self.instance.columns if self.instance.pk else FCS_1861.columns
        self.fields["columns_text"].initial = "\n".join(
            f"{key} | {title}" for key, title in columns
        )

    def clean_columns_text(self) -> list[list[str]]:
        columns = []
        for number, line in enumerate(self.cleaned_data["columns_text"].splitlines(), start=1):
            if not line.strip():
                continue
            key, _bar, title = (part.strip() for part in line.partition("|"))
            if key not in FIELD_KEYS:
                raise forms.ValidationError(
                    _("Line %(line)d: unknown field key “%(key)s”.") % {"line": number, "key": key}
                )
            columns.append([key, title or key])
        if not columns:
            raise forms.ValidationError(_("Give at least one column."))
        return columns

    def save(self, commit: bool = True) -> CarrierMapping:
        self.instance.columns = self.cleaned_data["columns_text"]
        return super().save(commit=commit)


@admin.register(CarrierMapping)
class CarrierMappingAdmin(ShopScopedAdmin):
    form = CarrierMappingForm
    list_display = ["name", "shop", "country", "date_format", "name_order", "delimiter"]
    list_filter = ["shop"]
