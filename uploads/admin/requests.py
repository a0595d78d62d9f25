"""The seller's admin. Every change goes through ``uploads.services``; every look at passport data is
audited; a staff user sees only the shops they belong to."""

from collections.abc import Callable
from datetime import date

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import formats, timezone, translation
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from uploads.admin import bulk as admin_bulk
from uploads.admin import carriers as carriers_admin
from uploads.admin import contacts as contacts_admin
from uploads.admin import csv_export
from uploads.admin import customs as customs_admin
from uploads.admin.base import (
    DECIDE_PERMISSION,
    EXPORT_PERMISSION,
    PURGE_PERMISSION,
    VIEW_FIELDS_PERMISSION,
    ShopFilter,
    ShopScopedAdmin,
    can_view_fields,
    can_view_image,
    can_view_link,
    can_view_passport,
    shops_of,
)
from uploads.admin.customs import CustomsExportForm, customs_record_of, problem_label
from uploads.admin.feedback import RatingFilter, feedback_rating
from uploads.audit import services as audit
from uploads.carriers import selectors as carrier_selectors
from uploads.core import crypto, not_opened
from uploads.core.errors import ServiceError
from uploads.core.passport_fields import PASSPORT_FIELDS
from uploads.customs.services import decisions as customs_decisions
from uploads.documents import selectors as document_selectors
from uploads.documents import tasks as document_tasks
from uploads.documents.forms import PassportFieldsForm, field_label
from uploads.documents.responses import passport_image_response
from uploads.models import (
    REJECTION_MESSAGES,
    TYPED_REJECTION_MESSAGES,
    AuditEvent,
    CarrierMapping,
    CustomsRecord,
    DestructionRecord,
    PassportDocument,
    UploadRequest,
)
from uploads.papers import transfers
from uploads.requests import links
from uploads.requests import services as request_services
from uploads.retention.services import erasure as retention


def not_opened_message(error: crypto.DecryptionError) -> str:
    """What the seller reads when the customer's link does not open in this process."""
    if isinstance(error, crypto.MasterKeyMissing):
        return _("Sealed under key %(key_id)s, not loaded here.") % {"key_id": error.key_id}
    return _("This does not open here: it is damaged, or it was moved from another order.")


def not_opened_response(error: crypto.DecryptionError) -> HttpResponse:
    """The image view's answer when the passport does not open: the reason, never a 500."""
    response = HttpResponse(
        not_opened.seller_message(error), content_type="text/plain; charset=utf-8", status=503
    )
    response["Cache-Control"] = "no-store, private"
    # Logged once as a warning (uploads.not_opened), not as a server error mailed to ADMINS.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


def unreadable_message(upload_requests: list[UploadRequest]) -> str:
    """An export's note about passports that no longer open (marked or left out)."""
    return _(
        "Passports that can no longer be opened (ask these customers to upload again): %(orders)s"
    ) % {"orders": ", ".join(each.order.number for each in upload_requests)}


def refused_response(message: str) -> HttpResponse:
    """The image view's answer when the staff member may not open this shop's passports from
    where they are: the reason, never a 500."""
    response = HttpResponse(message, content_type="text/plain; charset=utf-8", status=403)
    response["Cache-Control"] = "no-store, private"
    return response


def _abroad_refusal(request: HttpRequest, upload_request: UploadRequest) -> str | None:
    """Why this staff member may not open this request's passport from where they are, or None.
    The shop is read only for staff abroad: a look from Russia costs no query for it."""
    if not transfers.staff_is_abroad(user=request.user):
        return None
    return transfers.staff_access_refusal(user=request.user, shops=[upload_request.order.shop])


def status_badge(upload_request: UploadRequest) -> str:
    """The request's status as a coloured badge (the request and order lists)."""
    # Colours live in uploads/static/uploads/admin.css (no inline styles under the CSP).
    return format_html(
        '<span class="status-badge" data-status="{}">{}</span>',
        upload_request.status,
        upload_request.get_status_display(),
    )


class StatusFilterOverdue(admin.SimpleListFilter):
    title = gettext_lazy("deadline")
    parameter_name = "overdue"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", gettext_lazy("Overdue")), ("no", gettext_lazy("Not overdue"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        overdue = Q(order__deadline__lt=timezone.localdate()) & Q(
            status__in=[
                UploadRequest.Status.WAITING,
                UploadRequest.Status.REJECTED,
                UploadRequest.Status.EXPIRED,
            ]
        )
        if self.value() == "yes":
            return queryset.filter(overdue)
        if self.value() == "no":
            return queryset.exclude(overdue)
        return queryset


class PassportSourceFilter(admin.SimpleListFilter):
    """How the current passport's details came: read from a photo, or typed without one."""

    title = gettext_lazy("passport data")
    parameter_name = "passport_source"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return list(PassportDocument.Source.choices)

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in PassportDocument.Source.values:
            return queryset.filter(passport_source=self.value())
        return queryset


def _reading_outcome(document: PassportDocument) -> str:
    """ "Read", "Not read yet", or "Not found" with why when the reading itself failed."""
    if document.mrz_failure:
        return f"{document.get_mrz_status_display()} ({document.get_mrz_failure_display()})"
    return str(document.get_mrz_status_display())


Reason = UploadRequest.RejectionReason


class RejectForm(forms.Form):
    """The reason (translated for the customer) and the seller's optional note."""

    code = forms.ChoiceField(
        label=gettext_lazy("Reason for the customer"),
        choices=Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose a reason for the customer.")},
        help_text=gettext_lazy(
            "The customer reads it in their language, with what to do, and is asked to upload again."
        ),
    )
    reason = forms.CharField(
        label=gettext_lazy("Note for the customer (optional)"),
        widget=forms.Textarea(attrs={"rows": 2, "cols": 50}),
        max_length=1000,
        required=False,
        help_text=gettext_lazy("Shown exactly as you type it, under the translated reason."),
    )

    def __init__(
        self, *args: object, form_id: str = "", typed: bool = False, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if typed:
            # A passport typed by the customer has no photo to be blurred or cut off
            # (request_reject refuses those reasons for it too).
            code = self.fields["code"]
            assert isinstance(code, forms.ChoiceField)
            code.choices = [
                (value, label)
                for value, label in Reason.choices
                if value not in request_services.PHOTO_REASONS
            ]
        if form_id:
            # The fields sit inside the change page's own form and belong to the reject form.
            for field in self.fields.values():
                field.widget.attrs["form"] = form_id

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if cleaned.get("code") == Reason.OTHER and not str(cleaned.get("reason", "")).strip():
            self.add_error("reason", _("Please give the customer a reason."))
        return cleaned


def customer_reads_in(upload_request: UploadRequest) -> str:
    """Which language the customer reads the rejection in, for the reject form."""
    order = upload_request.order
    if order.language:
        return _("The customer reads the reason in %(language)s (the order's language).") % {
            "language": order.get_language_display()
        }
    return _(
        "The order names no language: the customer's page follows their browser, the e-mail "
        "goes in %(language)s."
    ) % {"language": dict(settings.LANGUAGES)[settings.LANGUAGE_CODE]}


def reasons_as_read_by(upload_request: UploadRequest) -> list[tuple[str, str]]:
    """Each reason's label (the seller's language) and what the customer reads for it."""
    labels = [(code, str(label)) for code, label in Reason.choices]
    # Typed details (no photo) read their own sentence where the photo's would not fit.
    messages = dict(REJECTION_MESSAGES)
    if upload_request.current_passport_typed():
        messages.update(TYPED_REJECTION_MESSAGES)
    with translation.override(upload_request.order.email_language):
        return [(label, str(messages[code])) for code, label in labels]


def _seen_document_id(request: HttpRequest) -> int:
    """The passport the decision page showed (its hidden field). A page that showed none sends
    none: 0, which matches no passport, so the service refuses a decision on one that came since."""
    value = request.POST.get("document", "")
    return int(value) if value.isdigit() else 0


@admin.register(UploadRequest)
class UploadRequestAdmin(ShopScopedAdmin):
    shop_path = "order__shop"
    list_display = [
        "order_number",
        "customer",
        "status_badge",
        "uploaded_short",
        "deadline",
        "reminder_count",
        "customs_ready_column",
        carriers_admin.carrier_readiness_column,
        feedback_rating,
    ]
    list_filter = [
        "status",
        ShopFilter,
        StatusFilterOverdue,
        customs_admin.CustomsReadyFilter,
        PassportSourceFilter,
        carriers_admin.CarrierReadinessFilter,
        RatingFilter,
    ]
    search_fields = ["order__number", "order__customer_name", "order__email", "order__phone"]
    list_select_related = ["order__shop", "customs", "feedback", "carrier_order"]
    ordering = ["-created_at"]
    actions = [
        "accept_selected",
        "reject_selected",
        "export_csv",
        "send_link_selected",
        admin_bulk.extend_deadline_selected,
        contacts_admin.send_reminder_now,
        contacts_admin.mark_bounced_selected,
    ]
    # The "(N total)" link costs a second COUNT(*) over every request of the shop on each page.
    show_full_result_count = False
    actions += [
        "export_customs",
        "confirm_names_selected",
        "read_again_selected",
        carriers_admin.send_to_cdek_selected,
    ]
    change_form_template = "admin/uploads/uploadrequest/change_form.html"
    inlines = [contacts_admin.ContactLogInline, carriers_admin.CarrierSendInline]

    class Media:
        css = {"all": ["uploads/admin.css"]}
        js = ["uploads/admin.js"]

    fieldsets = [
        (
            gettext_lazy("Customer"),
            {
                "fields": [
                    "order_number",
                    "shop_name",
                    "customer",
                    "email",
                    "phone",
                    "language",
                    "deadline",
                ]
            },
        ),
        (
            gettext_lazy("Status"),
            {
                "fields": [
                    "status_badge",
                    "expires_at",
                    "uploaded_at",
                    "decided_at",
                    "decided_by",
                    "rejection",
                    "reminder_count",
                ]
            },
        ),
        (gettext_lazy("Passport"), {"fields": ["passport_summary", "customs_summary"]}),
    ]

    # -- columns and read-only fields --

    @admin.display(description=gettext_lazy("order number"), ordering="order__number")
    def order_number(self, obj: UploadRequest) -> str:
        return obj.order.number

    @admin.display(description=gettext_lazy("customer"), ordering="order__customer_name")
    def customer(self, obj: UploadRequest) -> str:
        return obj.order.customer_name

    @admin.display(description=gettext_lazy("shop"))
    def shop_name(self, obj: UploadRequest) -> str:
        return obj.order.shop.name

    @admin.display(description=gettext_lazy("email"))
    def email(self, obj: UploadRequest) -> str:
        return obj.order.email

    @admin.display(description=gettext_lazy("phone"))
    def phone(self, obj: UploadRequest) -> str:
        return obj.order.phone

    @admin.display(description=gettext_lazy("uploaded"), ordering="uploaded_at")
    def uploaded_short(self, obj: UploadRequest) -> str:
        # The short form ("03.12.2026 22:21") keeps the list inside a 1366 px screen.
        if obj.uploaded_at is None:
            return "—"
        uploaded = formats.date_format(timezone.localtime(obj.uploaded_at), "SHORT_DATETIME_FORMAT")
        if getattr(obj, "passport_source", None) == PassportDocument.Source.TYPED:
            # Under the time, not beside it: the column stays as narrow as the time.
            return format_html(
                '{}<br><span class="passport-source">{}</span>',
                uploaded,
                PassportDocument.Source.TYPED.label,
            )
        return uploaded

    @admin.display(description=gettext_lazy("preferred language"))
    def language(self, obj: UploadRequest) -> str:
        return obj.order.get_language_display()

    @admin.display(description=gettext_lazy("deadline"), ordering="order__deadline")
    def deadline(self, obj: UploadRequest) -> date | str:
        return obj.order.deadline or "—"  # not "None" on the request's page

    @admin.display(description=gettext_lazy("status"), ordering="status")
    def status_badge(self, obj: UploadRequest) -> str:
        return status_badge(obj)

    @admin.display(description=gettext_lazy("reason for rejection"))
    def rejection(self, obj: UploadRequest) -> str:
        if not obj.rejection_code:
            return "—"
        label = obj.get_rejection_code_display()
        return f"{label}: {obj.rejection_reason}" if obj.rejection_reason else label

    @admin.display(description=gettext_lazy("passport"))
    def passport_summary(self, obj: UploadRequest) -> str:
        document = document_selectors.document_current(upload_request=obj)
        if document is None:
            return _("Not uploaded yet.")
        if document.source == PassportDocument.Source.TYPED:
            return capfirst(_("typed by the customer, without a photo"))
        return format_html(
            "{} · {} · {} × {} · {}",  # noqa: RUF001 - a real multiplication sign
            capfirst(document.get_source_display()),
            document.original_format,
            document.width,
            document.height,
            _reading_outcome(document),
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        return [field for fieldset in self.fieldsets for field in fieldset[1]["fields"]]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # requests are created with their order

    # -- the detail page --

    def change_view(self, request, object_id, form_url="", extra_context=None):  # type: ignore[no-untyped-def]
        upload_request = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if upload_request is not None and self.has_view_permission(request, upload_request):
            document = document_selectors.document_current(upload_request=upload_request)
            extra_context["document"] = document
            refusal = _abroad_refusal(request, upload_request)
            # Always in the context: a variable the template misses is logged with the context.
            extra_context["passport_refusal"] = ""
            if refusal is not None and document is not None and can_view_passport(request):
                # Said in the passport's place: these staff may see passports, just not from there.
                extra_context["passport_refusal"] = refusal
            extra_context["may_view_passport"] = refusal is None and can_view_passport(request)
            extra_context["may_view_image"] = refusal is None and can_view_image(request)
            extra_context["may_decide"] = self.has_decide_permission(request)
            extra_context["may_erase"] = (
                request.user.has_perm(PURGE_PERMISSION) and upload_request.erased_at is None
            )
            typed = document is not None and document.source == PassportDocument.Source.TYPED
            extra_context["reject_form"] = RejectForm(form_id="reject-form", typed=typed)
            extra_context["customer_reads_in"] = customer_reads_in(upload_request)
            extra_context["reasons_as_read"] = reasons_as_read_by(upload_request)
            if upload_request.is_open_for_upload and can_view_link(request):
                try:
                    extra_context["link_url"] = links.upload_link_current(
                        upload_request=upload_request
                    ).url
                except crypto.DecryptionError as error:
                    self.message_user(request, not_opened_message(error), messages.ERROR)
                else:
                    audit.links_read_record(upload_requests=[upload_request], actor=request.user)
            fields = None
            # Always in the context: a variable the template misses is logged with the context.
            extra_context["document_not_opened"] = ""
            # The sealed fields are opened only for staff who may read them.
            # Staff refused from abroad open nothing, so nothing fails to open for them either.
            error = (
                document_selectors.document_open_error(document, fields=can_view_fields(request))
                if document is not None and refusal is None
                else None
            )
            if error is not None:
                # The passport can no longer be opened: said once, at the top and in the side
                # panel; rejecting it asks the customer to upload again.
                extra_context["document_not_opened"] = not_opened.seller_message(error)
                self.message_user(request, not_opened.seller_message(error), messages.ERROR)
                extra_context["reject_form"] = RejectForm(
                    form_id="reject-form",
                    typed=typed,
                    initial={"code": UploadRequest.RejectionReason.UNREADABLE},
                )
                audit.document_not_opened_record(
                    error=error,
                    where="request page",
                    upload_request=upload_request,
                    document=document,
                    actor=request.user,
                )
            elif document is not None and refusal is None and can_view_fields(request):
                fields = document_selectors.document_fields(document=document)
            if fields is not None:
                labels = {name: field_label(name) for name in PASSPORT_FIELDS}
                extra_context["passport_fields"] = [
                    (labels[name], _field_display(name, fields.get(name, "")))
                    for name in PASSPORT_FIELDS
                ]
                audit.audit_record(
                    actor=request.user,
                    action=AuditEvent.Action.VIEW_FIELDS,
                    upload_request=upload_request,
                    document=document,
                )
        return super().change_view(request, object_id, form_url, extra_context)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # How each row's current passport came (photo or typed), for the list's "uploaded".
        return (
            super()
            .get_queryset(request)
            .annotate(passport_source=document_selectors.document_current_source())
        )

    def get_list_display(self, request: HttpRequest) -> list:
        shown = list(super().get_list_display(request))
        if not carrier_selectors.carriers_in_use(shops=shops_of(request.user)):
            # A shop without a carrier account would see an empty column (and the list must fit
            # 1,366 px).
            shown.remove(carriers_admin.carrier_readiness_column)
        return shown

    def get_list_filter(self, request: HttpRequest) -> list:
        shown = list(super().get_list_filter(request))
        if not carrier_selectors.carriers_in_use(shops=shops_of(request.user)):
            shown.remove(carriers_admin.CarrierReadinessFilter)
        return shown

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<int:pk>/image/",
                self.admin_site.admin_view(self.image_view),
                name="uploads_uploadrequest_image",
            ),
            path(
                "<int:pk>/accept/",
                self.admin_site.admin_view(self.accept_view),
                name="uploads_uploadrequest_accept",
            ),
            path(
                "<int:pk>/reject/",
                self.admin_site.admin_view(self.reject_view),
                name="uploads_uploadrequest_reject",
            ),
            path(
                "<int:pk>/erase/",
                self.admin_site.admin_view(self.erase_view),
                name="uploads_uploadrequest_erase",
            ),
            path(
                "<int:pk>/second-document/",
                self.admin_site.admin_view(self.second_document_view),
                name="uploads_uploadrequest_second_document",
            ),
        ]
        return own + super().get_urls()

    def _get_scoped(self, request: HttpRequest, pk: int) -> UploadRequest:
        # 404 rather than 403 for another shop's request: its existence is not ours to confirm.
        return get_object_or_404(self.get_queryset(request), pk=pk)

    def image_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        upload_request = self._get_scoped(request, pk)
        if not can_view_image(request):
            raise PermissionDenied
        refusal = _abroad_refusal(request, upload_request)
        if refusal is not None:
            return refused_response(refusal)
        document = document_selectors.document_current(upload_request=upload_request)
        if document is None or not document.blob_name:
            return HttpResponse(status=404)
        download = request.GET.get("download") == "1"
        # A neutral file name: the order number, not the customer's name. The response is built
        # first, so a look is audited only once there is an image to send.
        try:
            response = passport_image_response(
                document,
                download_name=f"passport-{upload_request.order.number}.jpg" if download else None,
            )
        except crypto.DecryptionError as error:
            audit.document_not_opened_record(
                error=error,
                where="image",
                upload_request=upload_request,
                document=document,
                actor=request.user,
            )
            return not_opened_response(error)
        audit.audit_record(
            actor=request.user,
            action=AuditEvent.Action.DOWNLOAD if download else AuditEvent.Action.VIEW_IMAGE,
            upload_request=upload_request,
            document=document,
        )
        return response

    def accept_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        upload_request = self._get_scoped(request, pk)
        if request.method != "POST" or not self.has_decide_permission(request):
            raise PermissionDenied
        try:
            request_services.request_accept(
                upload_request=upload_request,
                actor=request.user,
                document_id=_seen_document_id(request),
            )
        except ServiceError as error:
            self.message_user(request, error.message, messages.ERROR)
        else:
            self.message_user(
                request,
                _("Passport for order %(number)s accepted.")
                % {"number": upload_request.order.number},
            )
        return self._back_to(pk)

    def reject_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        upload_request = self._get_scoped(request, pk)
        if request.method != "POST" or not self.has_decide_permission(request):
            raise PermissionDenied
        form = RejectForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    self.message_user(request, error, messages.ERROR)
        else:
            try:
                request_services.request_reject(
                    upload_request=upload_request,
                    actor=request.user,
                    code=form.cleaned_data["code"],
                    reason=form.cleaned_data["reason"],
                    document_id=_seen_document_id(request),
                )
            except ServiceError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                self.message_user(
                    request,
                    _(
                        "Passport for order %(number)s rejected; the customer is asked to "
                        "upload again."
                    )
                    % {"number": upload_request.order.number},
                )
        return self._back_to(pk)

    @staticmethod
    def _back_to(pk: int) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:uploads_uploadrequest_change", args=[pk]))

    def erase_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Erase everything about the order at the customer's request (a confirmed POST)."""
        upload_request = self._get_scoped(request, pk)
        if request.method != "POST" or not request.user.has_perm(PURGE_PERMISSION):
            raise PermissionDenied
        if request.POST.get("confirm") != "yes":
            self.message_user(request, _("Tick the box to confirm the erasure."), messages.ERROR)
        elif upload_request.erased_at is not None:
            self.message_user(request, _("This order's data was already erased."), messages.INFO)
        else:
            retention.request_erase(
                upload_request=upload_request,
                reason=DestructionRecord.Reason.CUSTOMER_REQUEST,
                actor=request.user,
            )
            self.message_user(
                request,
                _("The passport and the customer's details for order %(number)s were erased.")
                % {"number": upload_request.order.number},
            )
        return HttpResponseRedirect(reverse("admin:uploads_uploadrequest_change", args=[pk]))

    # -- actions on the list --

    def _apply_to_each(
        self,
        request: HttpRequest,
        queryset: QuerySet[UploadRequest],
        operation: Callable[[UploadRequest], object],
        *,
        done_message: Callable[[int], str] | None = None,
    ) -> int:
        """Run a service on each selected request; report the ones it refuses; count the rest,
        and say how many it did with ``done_message(count)`` when there were any."""
        done = 0
        for upload_request in queryset.select_related("order__shop"):
            try:
                operation(upload_request)
            except ServiceError as error:
                self.message_user(
                    request, f"{upload_request.order.number}: {error.message}", messages.WARNING
                )
            else:
                done += 1
        if done and done_message is not None:
            self.message_user(request, done_message(done))
        return done

    def _action_form_page(
        self,
        request: HttpRequest,
        queryset: QuerySet[UploadRequest],
        *,
        title: str,
        form: forms.Form,
        template: str,
    ) -> TemplateResponse:
        """The intermediate page of a list action that asks for more (a reason, a date...)."""
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "queryset": queryset.select_related("order"),
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, template, context)

    def has_decide_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(DECIDE_PERMISSION)

    @admin.action(description=gettext_lazy("Accept the selected passports"), permissions=["decide"])
    def accept_selected(self, request: HttpRequest, queryset: QuerySet[UploadRequest]) -> None:
        self._apply_to_each(
            request,
            queryset,
            lambda upload_request: request_services.request_accept(
                upload_request=upload_request, actor=request.user
            ),
            done_message=lambda count: (
                ngettext("%(count)d passport accepted.", "%(count)d passports accepted.", count)
                % {"count": count}
            ),
        )

    @admin.action(
        description=gettext_lazy("Reject the selected passports with a reason"),
        permissions=["decide"],
    )
    def reject_selected(
        self, request: HttpRequest, queryset: QuerySet[UploadRequest]
    ) -> HttpResponse | None:
        if "apply" in request.POST:
            form = RejectForm(request.POST)
            if form.is_valid():
                code, reason = form.cleaned_data["code"], form.cleaned_data["reason"]
                self._apply_to_each(
                    request,
                    queryset,
                    lambda upload_request: request_services.request_reject(
                        upload_request=upload_request, actor=request.user, code=code, reason=reason
                    ),
                    done_message=lambda count: (
                        ngettext(
                            "%(count)d passport rejected.", "%(count)d passports rejected.", count
                        )
                        % {"count": count}
                    ),
                )
                return None
        else:
            form = RejectForm()
        return self._action_form_page(
            request,
            queryset,
            title=_("Reject the selected passports"),
            form=form,
            template="admin/uploads/uploadrequest/reject_selected.html",
        )

    @admin.action(
        description=gettext_lazy("Export the selected requests as CSV"), permissions=["view"]
    )
    def export_csv(
        self, request: HttpRequest, queryset: QuerySet[UploadRequest]
    ) -> HttpResponse | None:
        include_passport = request.user.has_perm(EXPORT_PERMISSION)
        upload_requests = list(queryset.select_related("order__shop"))
        if include_passport:
            refusal = transfers.staff_access_refusal(
                user=request.user, shops={each.order.shop for each in upload_requests}
            )
            if refusal is not None:
                self.message_user(request, refusal, messages.ERROR)
                return None
        exported = csv_export.requests_csv(
            upload_requests=upload_requests, include_passport=include_passport
        )
        unreadable = {each.pk for each, _document, _error in exported.unreadable}
        if include_passport:
            for upload_request in upload_requests:
                if upload_request.pk in unreadable:
                    continue
                audit.audit_record(
                    actor=request.user,
                    action=AuditEvent.Action.EXPORT,
                    upload_request=upload_request,
                )
        for upload_request, document, error in exported.unreadable:
            audit.document_not_opened_record(
                error=error,
                where="CSV export",
                upload_request=upload_request,
                document=document,
                actor=request.user,
            )
        if exported.unreadable:
            self.message_user(
                request,
                unreadable_message([each for each, _document, _error in exported.unreadable]),
                messages.ERROR,
            )
        response = HttpResponse(exported.text, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=f"passports-{timezone.localdate():%Y-%m-%d}.csv"
        )
        response["Cache-Control"] = "no-store, private"
        return response

    @admin.action(
        description=gettext_lazy("Email the upload link to the selected customers"),
        permissions=["send_link"],
    )
    def send_link_selected(self, request: HttpRequest, queryset: QuerySet[UploadRequest]) -> None:
        self._apply_to_each(
            request,
            queryset,
            lambda upload_request: request_services.upload_link_send(
                upload_request=upload_request, actor=request.user
            ),
            done_message=lambda count: (
                ngettext("%(count)d link sent.", "%(count)d links sent.", count) % {"count": count}
            ),
        )

    @admin.action(
        description=gettext_lazy("Read the passport of the selected requests again"),
        permissions=["change"],
    )
    def read_again_selected(self, request: HttpRequest, queryset: QuerySet[UploadRequest]) -> None:
        """For an upload whose reading failed (the worker died each time, the storage was down)
        while the customer has not confirmed it yet: the customer's page shows the fields once
        read."""
        started = 0
        for upload_request in queryset.select_related("order"):
            if document_tasks.reading_again(upload_request=upload_request):
                started += 1
            else:
                self.message_user(
                    request,
                    _("%(order)s: no unconfirmed upload whose reading failed.")
                    % {"order": upload_request.order.number},
                    messages.WARNING,
                )
        if started:
            self.message_user(request, _("Readings started again: %(count)d.") % {"count": started})

    # --- customs: permissions, the second document, readiness, names, the export -----------

    def has_send_link_permission(self, request: HttpRequest) -> bool:
        # E-mailing the link needs the link right too: whoever may change the order's address
        # could have the link sent to themselves. (An action's permissions are alternatives.)
        return self.has_change_permission(request) and can_view_link(request)

    def has_view_passport_image_permission(self, request: HttpRequest) -> bool:
        return can_view_image(request)

    def has_view_passport_fields_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(VIEW_FIELDS_PERMISSION)

    def has_export_passport_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(EXPORT_PERMISSION)

    def second_document_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The second document's image, for staff who may view passports; audited."""
        upload_request = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_view_passport_image_permission(request):
            raise PermissionDenied
        refusal = _abroad_refusal(request, upload_request)
        if refusal is not None:
            return refused_response(refusal)
        supporting = (
            upload_request.supporting_documents.filter(erased_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        if supporting is None:
            return HttpResponse(status=404)
        try:
            response = passport_image_response(supporting)
        except crypto.DecryptionError as error:
            audit.document_not_opened_record(
                error=error,
                where="second document",
                upload_request=upload_request,
                actor=request.user,
            )
            return not_opened_response(error)
        audit.audit_record(
            actor=request.user,
            action=AuditEvent.Action.VIEW_IMAGE,
            upload_request=upload_request,
            detail="second document",
            categories=[transfers.SECOND_DOCUMENT_IMAGE],
        )
        return response

    @admin.display(description=gettext_lazy("customs"), ordering="customs__ready")
    def customs_ready_column(self, obj: UploadRequest) -> str:
        record = customs_record_of(obj)
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
        record = customs_record_of(obj)
        if record is None:
            return _("Not uploaded yet.")
        problems = [problem_label(code) for code in record.problems]
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
        self._apply_to_each(
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
        mappings = CarrierMapping.objects.filter(shop__in=shops_of(request.user)).select_related(
            "shop"
        )
        if "apply" in request.POST:
            form = CustomsExportForm(request.POST, mappings=mappings)
            if form.is_valid():
                return self._export_customs(request, queryset, form)
        else:
            form = CustomsExportForm(mappings=mappings)
        return self._action_form_page(
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
            self.message_user(request, error.message, messages.ERROR)
            return None
        if result.skipped:
            self.message_user(
                request,
                _("Not ready for customs, left out: %(orders)s")
                % {"orders": ", ".join(each.order.number for each in result.skipped)},
                messages.WARNING,
            )
        if result.unreadable:
            self.message_user(
                request,
                unreadable_message(result.unreadable),
                messages.ERROR,
            )
        if not result.exported:
            return None
        response = HttpResponse(result.content, content_type=result.content_type)
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=result.filename
        )
        response["Cache-Control"] = "no-store, private"
        return response


def _field_display(name: str, value: str) -> str:
    """A passport field as the seller reads it: a coded value (sex) as its word."""
    field = PassportFieldsForm.base_fields.get(name)
    if isinstance(field, forms.ChoiceField) and value:
        return str(dict(field.choices).get(value, value))
    return value
