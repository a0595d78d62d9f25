"""The seller's customs tools in admin: the shop's settings and carrier mappings, the "ready for
customs" column and filter, confirming differing names, and the customs export."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from uploads.admin.base import shops_of
from uploads.audit import services as audit
from uploads.core.errors import ServiceError
from uploads.customs import selectors as customs_selectors
from uploads.customs.exports import BUILTIN_KEY, FCS_1861, FIELD_KEYS
from uploads.customs.services import decisions as customs_decisions
from uploads.customs.services import readiness as customs_readiness
from uploads.documents.forms import PassportFieldsForm
from uploads.documents.responses import passport_image_response
from uploads.models import AuditEvent, CarrierMapping, CustomsRecord, CustomsSettings, UploadRequest

# The separate rights of uploads/admin.py (viewing images, viewing fields, exporting).
VIEW_IMAGE_PERMISSION = "uploads.view_passport_image"
VIEW_FIELDS_PERMISSION = "uploads.view_passport_fields"
EXPORT_PERMISSION = "uploads.export_passport"

# What a stored problem code means, for the seller.
PROBLEM_LABELS = {
    customs_readiness.PROBLEM_STATUS: gettext_lazy("not uploaded, or rejected"),
    customs_readiness.PROBLEM_NO_DOCUMENT: gettext_lazy("no passport"),
    customs_readiness.PROBLEM_NAMES: gettext_lazy("names not matched or not confirmed"),
    customs_readiness.PROBLEM_SECOND_DOCUMENT: gettext_lazy("second document missing"),
    customs_readiness.PROBLEM_EXPIRED: gettext_lazy("document expired"),
}


def _problem_label(code: str) -> str:
    if code in PROBLEM_LABELS:
        return str(PROBLEM_LABELS[code])
    if code in PassportFieldsForm.base_fields:
        return str(PassportFieldsForm.base_fields[code].label)
    return code


def _record(obj: UploadRequest) -> CustomsRecord | None:
    try:
        return obj.customs
    except CustomsRecord.DoesNotExist:
        return None


class CustomsReadyFilter(admin.SimpleListFilter):
    title = gettext_lazy("ready for customs")
    parameter_name = "customs_ready"

    def lookups(self, request, model_admin):  # type: ignore[no-untyped-def]
        return [
            ("yes", gettext_lazy("Ready")),
            ("no", gettext_lazy("Not ready")),
            ("names", gettext_lazy("Names differ")),
        ]

    def queryset(self, request, queryset):  # type: ignore[no-untyped-def]
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
        self.fields["mapping"].choices = [(BUILTIN_KEY, FCS_1861.name)] + [
            (str(mapping.pk), f"{mapping.shop}: {mapping.name}") for mapping in mappings
        ]

    def chosen_mapping(self) -> CarrierMapping:
        key = self.cleaned_data["mapping"]
        return FCS_1861 if key == BUILTIN_KEY else self.mappings.get(pk=key)


class CustomsRequestAdminMixin:
    """Mixed into ``UploadRequestAdmin``."""

    def has_view_passport_image_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(VIEW_IMAGE_PERMISSION)

    def has_view_passport_fields_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(VIEW_FIELDS_PERMISSION)

    def has_export_passport_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(EXPORT_PERMISSION)

    def get_urls(self):  # type: ignore[no-untyped-def]
        own = [
            path(
                "<int:pk>/second-document/",
                self.admin_site.admin_view(self.second_document_view),  # type: ignore[attr-defined]
                name="uploads_uploadrequest_second_document",
            )
        ]
        return own + super().get_urls()  # type: ignore[misc]

    def second_document_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The second document's image, for staff who may view passports; audited."""
        upload_request = get_object_or_404(self.get_queryset(request), pk=pk)  # type: ignore[attr-defined]
        if not self.has_view_passport_image_permission(request):
            raise PermissionDenied
        supporting = (
            upload_request.supporting_documents.filter(erased_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        if supporting is None:
            return HttpResponse(status=404)
        audit.audit_record(
            actor=request.user,
            action=AuditEvent.Action.VIEW_IMAGE,
            upload_request=upload_request,
            detail="second document",
        )
        return passport_image_response(supporting)  # type: ignore[arg-type]

    @admin.display(description=gettext_lazy("customs"), ordering="customs__ready")
    def customs_ready_column(self, obj: UploadRequest) -> str:
        record = _record(obj)
        if record is None:
            return "—"
        flag = (
            _("Names differ")
            if record.name_check == CustomsRecord.NameCheck.MISMATCH
            and record.names_confirmed_at is None
            else ""
        )
        # From the row's own record (selected with the list): no query per row.
        ready = record.ready and (
            record.ready_until is None or record.ready_until >= timezone.localdate()
        )
        return format_html(
            '<span class="customs-{}">{}</span>{}',
            "ready" if ready else "not-ready",
            _("Ready") if ready else _("Not ready"),
            format_html(' <strong class="customs-flag">⚠ {}</strong>', flag) if flag else "",
        )

    @admin.display(description=gettext_lazy("customs"))
    def customs_summary(self, obj: UploadRequest) -> str:
        record = _record(obj)
        if record is None:
            return _("Not uploaded yet.")
        problems = [_problem_label(code) for code in record.problems]
        summary = format_html(
            "{} · {}: {} · {}",
            record.get_situation_display() or "—",
            _("names"),
            record.get_name_check_display() or "—",
            _("ready for customs")
            if not problems
            else _("to fix: %(problems)s") % {"problems": ", ".join(problems)},
        )
        if obj.supporting_documents.filter(erased_at__isnull=True).exists():
            summary = format_html(
                '{} · <a href="{}">{}</a>',
                summary,
                reverse("admin:uploads_uploadrequest_second_document", args=[obj.pk]),
                _("second document"),
            )
        return summary

    @admin.action(
        description=gettext_lazy(
            "Confirm the names of the selected passports (checked against the photo)"
        ),
        permissions=["change", "view_passport_fields"],
    )
    def confirm_names_selected(
        self, request: HttpRequest, queryset: QuerySet[UploadRequest]
    ) -> None:
        self._apply_to_each(  # type: ignore[attr-defined]
            request,
            queryset,
            lambda upload_request: customs_decisions.customs_names_confirm(
                upload_request=upload_request, actor=request.user
            ),
            done_message=lambda count: (
                ngettext("%(count)d name confirmed.", "%(count)d names confirmed.", count)
                % {"count": count}
            ),
        )

    @admin.action(
        description=gettext_lazy("Export the customs field set of the selected requests"),
        permissions=["export_passport"],
    )
    def export_customs(
        self, request: HttpRequest, queryset: QuerySet[UploadRequest]
    ) -> HttpResponse | None:
        mappings = CarrierMapping.objects.filter(
            shop__in=services_shops_of(request)
        ).select_related("shop")
        if "apply" in request.POST:
            form = CustomsExportForm(request.POST, mappings=mappings)
            if form.is_valid():
                return self._export_customs(request, queryset, form)
        else:
            form = CustomsExportForm(mappings=mappings)
        return self._action_form_page(  # type: ignore[attr-defined]
            request,
            queryset,
            title=_("Export the customs field set"),
            form=form,
            template="admin/uploads/uploadrequest/export_customs.html",
        )

    def _export_customs(
        self, request: HttpRequest, queryset: QuerySet[UploadRequest], form: CustomsExportForm
    ) -> HttpResponse | None:
        try:
            result = customs_decisions.customs_export(
                upload_requests=queryset,
                mapping=form.chosen_mapping(),
                file_format=form.cleaned_data["file_format"],
                actor=request.user,
            )
        except ServiceError as error:
            self.message_user(request, error.message, messages.ERROR)  # type: ignore[attr-defined]
            return None
        if result.skipped:
            self.message_user(  # type: ignore[attr-defined]
                request,
                _("Not ready for customs, left out: %(orders)s")
                % {"orders": ", ".join(each.order.number for each in result.skipped)},
                messages.WARNING,
            )
        if not result.exported:
            return None
        response = HttpResponse(result.content, content_type=result.content_type)
        response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
        response["Cache-Control"] = "no-store, private"
        return response


def services_shops_of(request: HttpRequest) -> QuerySet:

    return shops_of(request.user)


class CustomsSettingsAdmin(admin.ModelAdmin):
    list_display = [
        "shop",
        "accept_ru_internal",
        "accept_ru_foreign",
        "accept_foreign",
        "require_inn",
        "require_adult",
        "require_second_document",
    ]

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
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
        ]

    def clean(self) -> dict:
        cleaned = super().clean()
        if not any(
            cleaned.get(name)
            for name in ("accept_ru_internal", "accept_ru_foreign", "accept_foreign")
        ):
            raise forms.ValidationError(_("Accept at least one kind of buyer."))
        return cleaned


CustomsSettingsAdmin.form = CustomsSettingsForm


class CarrierMappingForm(forms.ModelForm):
    columns_text = forms.CharField(
        label=gettext_lazy("columns"),
        widget=forms.Textarea(attrs={"rows": 12, "cols": 70}),
        help_text=gettext_lazy(
            "One column per line, in order: field key | column title. Keys: %(keys)s."
        )
        % {"keys": ", ".join(FIELD_KEYS)},
    )

    class Meta:
        model = CarrierMapping
        fields = ["shop", "name", "columns_text", "date_format", "name_order", "delimiter"]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
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


class CarrierMappingAdmin(admin.ModelAdmin):
    form = CarrierMappingForm
    list_display = ["name", "shop", "date_format", "name_order", "delimiter"]
    list_filter = ["shop"]


def register(site: admin.AdminSite, *, shop_scoped: type[admin.ModelAdmin]) -> None:
    """Register the customs models, limited to the staff user's shops like the others
    (``shop_scoped`` is ``uploads.admin.requests.ShopScopedAdmin``, passed in to avoid a circular import)."""
    for model, model_admin in (
        (CustomsSettings, CustomsSettingsAdmin),
        (CarrierMapping, CarrierMappingAdmin),
    ):
        site.register(model, type(model_admin.__name__, (model_admin, shop_scoped), {}))
