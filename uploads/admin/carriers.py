"""Handing over to the carrier in the seller's admin: the shop's CDEK account with its "check the
connection" button, and what the request admin (``uploads.admin.requests``) shows and does: the
"CDEK" column and filter, the *Send to CDEK* action, the carrier's order and the history of
hand-overs on the request's page."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from uploads.admin.base import EXPORT_PERMISSION, ShopScopedAdmin, shops_of
from uploads.carriers import selectors as carrier_selectors
from uploads.carriers import services as carrier_services
from uploads.carriers.base import ConnectionProblem
from uploads.carriers.sending import CREDENTIALS_NOT_OPENED
from uploads.core import crypto, not_opened
from uploads.core.errors import ServiceError
from uploads.models import CarrierOrder, CarrierSend, CdekAccount, UploadRequest

Readiness = CarrierOrder.Readiness

# What "check the connection" found, said so that the seller knows what to do.
CONNECTION_MESSAGES = {
    ConnectionProblem.OK: gettext_lazy(
        "CDEK accepted the client id and secret: the connection works."
    ),
    ConnectionProblem.WRONG_CREDENTIALS: gettext_lazy(
        "CDEK refused the client id or the secret. Copy them again from your CDEK account's "
        "integration settings, and check that they belong to the environment chosen here "
        "(test or production)."
    ),
    ConnectionProblem.UNREACHABLE: gettext_lazy(
        "CDEK could not be reached. Try again in a few minutes; if it goes on, the server may "
        "not be allowed to connect to CDEK."
    ),
    ConnectionProblem.TIMEOUT: gettext_lazy(
        "CDEK did not answer in time. Try again in a few minutes."
    ),
    ConnectionProblem.UNEXPECTED: gettext_lazy(
        "CDEK answered in an unexpected way. Try again in a few minutes."
    ),
}

READINESS_LABELS = {
    Readiness.SATISFIED: gettext_lazy("CDEK: requirements met"),
    Readiness.MISSING: gettext_lazy("CDEK: still missing"),
    Readiness.ERROR: gettext_lazy("CDEK: error"),
}


# --- the shop's account ---------------------------------------------------------------------


class CdekAccountForm(forms.ModelForm):
    client_id = forms.CharField(
        label=gettext_lazy("Client id (account)"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=gettext_lazy(
            "Stored encrypted and never shown again. Empty: keep the stored one."
        ),
    )
    client_secret = forms.CharField(
        label=gettext_lazy("Client secret (secure password)"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=gettext_lazy(
            "Stored encrypted and never shown again. Empty: keep the stored one."
        ),
    )

    class Meta:
        model = CdekAccount
        fields = ["shop", "environment", "is_active", "auto_send"]

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.instance.pk is None and not (
            cleaned.get("client_id", "").strip() and cleaned.get("client_secret", "").strip()
        ):
            raise forms.ValidationError(_("Enter the CDEK account's client id and secret."))
        return cleaned


@admin.register(CdekAccount)
class CdekAccountAdmin(ShopScopedAdmin):
    form = CdekAccountForm
    list_display = ["shop", "environment", "is_active", "auto_send", "connection"]
    readonly_fields = ["connection"]
    change_form_template = "admin/uploads/cdekaccount/change_form.html"

    def get_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        return [
            "shop",
            "client_id",
            "client_secret",
            "environment",
            "is_active",
            "auto_send",
            *(["connection"] if obj is not None else []),
        ]

    @admin.display(description=gettext_lazy("connection"))
    def connection(self, obj: CdekAccount) -> str:
        if obj.checked_at is None:
            return _("not checked yet")
        return format_html(
            "{} ({})",
            CONNECTION_MESSAGES.get(obj.check_outcome, obj.check_outcome),
            obj.checked_at.strftime("%Y-%m-%d %H:%M"),
        )

    def save_model(
        self, request: HttpRequest, obj: CdekAccount, form: CdekAccountForm, change: bool
    ) -> None:
        try:
            account = carrier_services.cdek_account_save(
                shop=form.cleaned_data["shop"],
                client_id=form.cleaned_data.get("client_id", ""),
                client_secret=form.cleaned_data.get("client_secret", ""),
                environment=form.cleaned_data["environment"],
                is_active=form.cleaned_data["is_active"],
                auto_send=form.cleaned_data["auto_send"],
            )
        except ServiceError as error:
            self.message_user(request, error.message, messages.ERROR)
            return
        obj.pk = account.pk
        obj._state.adding = False

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<int:pk>/check/",
                self.admin_site.admin_view(self.check_view),
                name="uploads_cdekaccount_check",
            )
        ]
        return own + super().get_urls()

    def check_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Get a token with the stored credentials now and say clearly what is wrong, if anything."""
        account = get_object_or_404(self.get_queryset(request), pk=pk)
        if request.method != "POST" or not self.has_change_permission(request, account):
            raise PermissionDenied
        try:
            problem = carrier_services.cdek_account_check(account=account)
        except ServiceError as error:
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(reverse("admin:uploads_cdekaccount_change", args=[pk]))
        self.message_user(
            request,
            CONNECTION_MESSAGES[problem],
            messages.SUCCESS if problem == ConnectionProblem.OK else messages.ERROR,
        )
        return HttpResponseRedirect(reverse("admin:uploads_cdekaccount_change", args=[pk]))


# --- on the upload requests' list and page -------------------------------------------------------


def carrier_order_of(obj: UploadRequest) -> CarrierOrder | None:
    try:
        return obj.carrier_order
    except CarrierOrder.DoesNotExist:
        return None


@admin.display(description=gettext_lazy("CDEK"), ordering="carrier_order__readiness")
def carrier_readiness_column(obj: UploadRequest) -> str:
    """The request list's column (needs ``carrier_order`` in list_select_related)."""
    link = carrier_order_of(obj)
    if link is None:
        return "—"
    if link.lookup == CarrierOrder.Lookup.NOT_FOUND:
        return _("CDEK: order unknown")
    if link.readiness in READINESS_LABELS:
        return format_html(
            '<span class="carrier-{}">{}</span>', link.readiness, READINESS_LABELS[link.readiness]
        )
    return _("CDEK: not asked yet")


class CarrierReadinessFilter(admin.SimpleListFilter):
    title = gettext_lazy("CDEK")
    parameter_name = "cdek"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [
            *((str(value), label) for value, label in READINESS_LABELS.items()),
            ("none", gettext_lazy("not handed over")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in {*READINESS_LABELS, "none"}:
            return queryset.filter(carrier_selectors.carrier_readiness_q(self.value()))
        return queryset


@admin.action(
    description=gettext_lazy("Send the passport data of the selected requests to CDEK"),
    permissions=["export_passport"],
)
def send_to_cdek_selected(
    model_admin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[UploadRequest]
) -> None:
    """Queue a hand-over of each selected ready request; the task sends it (ids only)."""
    model_admin._apply_to_each(
        request,
        queryset,
        lambda upload_request: carrier_services.carrier_send_queue(
            upload_request=upload_request, actor=request.user
        ),
        done_message=lambda count: (
            ngettext(
                "%(count)d request queued for CDEK; see its page for CDEK's answer.",
                "%(count)d requests queued for CDEK; see their pages for CDEK's answers.",
                count,
            )
            % {"count": count}
        ),
    )


class CarrierNumberForm(forms.Form):
    cdek_number = forms.CharField(
        label=gettext_lazy("CDEK order number"),
        required=False,
        max_length=20,
        help_text=gettext_lazy("Empty: CDEK's order is found by the order number."),
    )


def answer_text(send: CarrierSend) -> str:
    """A send's outcome for the seller: our words in their language, then CDEK's own."""
    explanation = {
        CarrierSend.State.REFUSED: _("CDEK refused the data; correct it and send again."),
        CarrierSend.State.NOT_FOUND: _(
            "CDEK does not know this order: type its CDEK number on this page, or check the "
            "order number."
        ),
        CarrierSend.State.FAILED: _("Not sent; see CDEK's answer, then send again."),
        CarrierSend.State.RETRYING: _("CDEK is busy or unreachable; it is tried again later."),
    }.get(send.state, "")
    codes = {
        "no_account": _("The shop has no CDEK account set up."),
        "not_ready": _("Not ready for customs."),
        "auth_failed": CONNECTION_MESSAGES[ConnectionProblem.WRONG_CREDENTIALS],
        not_opened.UNREADABLE: not_opened.seller_message(crypto.DecryptionError()),
        CREDENTIALS_NOT_OPENED: carrier_services.CREDENTIALS_NOT_OPENED_MESSAGE,
    }
    details = format_html_join(
        "",
        "<br><code>{}</code> {}",
        (
            (answer.get("code", ""), codes.get(answer.get("code", ""), answer.get("message", "")))
            for answer in send.answers
        ),
    )
    return format_html("{}{}", explanation, details)


class CarrierSendInline(admin.TabularInline):
    """The history of hand-overs on the request's page: read only."""

    model = CarrierSend
    extra = 0
    can_delete = False
    fields = ["created_at", "carrier", "actor", "state", "attempts", "field_names", "answer"]
    readonly_fields = fields
    verbose_name = gettext_lazy("hand-over to the carrier")
    verbose_name_plural = gettext_lazy("hand-overs to the carrier")

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # Whoever may see the request sees its hand-overs (they hold no passport value).
        return request.user.has_perm("uploads.view_uploadrequest")

    @admin.display(description=gettext_lazy("fields"))
    def field_names(self, obj: CarrierSend) -> str:
        return ", ".join(obj.fields)

    @admin.display(description=gettext_lazy("carrier's answer"))
    def answer(self, obj: CarrierSend) -> str:
        return answer_text(obj)


@admin.register(CarrierOrder)
class CarrierOrderAdmin(ShopScopedAdmin):
    """CDEK's orders as the portal knows them (read only; the number is set on a request's
    page). Also the home of the request page's small carrier views."""

    shop_path = "upload_request__order__shop"
    list_display = [
        "upload_request",
        "carrier",
        "cdek_number",
        "lookup",
        "readiness",
        "readiness_checked_at",
    ]
    list_filter = ["readiness", "lookup"]
    search_fields = ["upload_request__order__number", "cdek_number"]
    list_select_related = ["upload_request__order"]
    readonly_fields = list_display

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "request/<int:pk>/number/",
                self.admin_site.admin_view(self.number_view),
                name="uploads_carrierorder_number",
            ),
            path(
                "request/<int:pk>/send/",
                self.admin_site.admin_view(self.send_view),
                name="uploads_carrierorder_send",
            ),
        ]
        return own + super().get_urls()

    def _request(self, request: HttpRequest, pk: int) -> UploadRequest:
        # 404 for another shop's request: its existence is not ours to confirm.
        scoped = UploadRequest.objects.select_related("order")
        if not request.user.is_superuser:
            scoped = scoped.filter(order__shop__in=shops_of(request.user))
        if request.method != "POST" or not request.user.has_perm("uploads.change_uploadrequest"):
            raise PermissionDenied
        return get_object_or_404(scoped, pk=pk)

    def number_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The seller types CDEK's order number of a request (then it is looked up)."""
        upload_request = self._request(request, pk)
        form = CarrierNumberForm(request.POST)
        if form.is_valid():
            try:
                carrier_services.carrier_order_set_number(
                    upload_request=upload_request, cdek_number=form.cleaned_data["cdek_number"]
                )
                link = carrier_services.carrier_order_look_up(upload_request=upload_request)
            except ServiceError as error:
                self.message_user(request, error.message, messages.WARNING)
            else:
                if link.lookup == CarrierOrder.Lookup.NOT_FOUND:
                    self.message_user(
                        request, _("CDEK does not know this order."), messages.WARNING
                    )
                else:
                    self.message_user(request, _("CDEK's order found."))
        return HttpResponseRedirect(reverse("admin:uploads_uploadrequest_change", args=[pk]))

    def send_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        upload_request = self._request(request, pk)
        if not request.user.has_perm(EXPORT_PERMISSION):
            raise PermissionDenied
        try:
            carrier_services.carrier_send_queue(upload_request=upload_request, actor=request.user)
        except ServiceError as error:
            self.message_user(request, error.message, messages.WARNING)
        else:
            self.message_user(request, _("Queued for CDEK; CDEK's answer appears below."))
        return HttpResponseRedirect(reverse("admin:uploads_uploadrequest_change", args=[pk]))
