"""Admin for the seller's own systems: API tokens (plaintext shown once), the webhook of a shop,
and the webhook delivery log. Imported at the end of ``uploads/admin.py``."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from uploads.admin.base import ShopScopedAdmin, can_view_link
from uploads.api import services as api_tokens
from uploads.models import ApiToken, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from uploads.webhooks import http as webhook_http
from uploads.webhooks.services import delivery as webhook_delivery
from uploads.webhooks.services import outbox as webhook_outbox


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["shop", "name", "reads_links"]


@admin.register(ApiToken)
class ApiTokenAdmin(ShopScopedAdmin):
    form = ApiTokenForm
    list_display = [
        "name",
        "shop",
        "prefix",
        "reads_links",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["shop"]
    readonly_fields = ["prefix", "created_at", "created_by", "last_used_at", "revoked_at"]
    actions = ["revoke_selected"]

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        readonly = list(self.readonly_fields)
        if obj:
            readonly.append("shop")  # a token's shop never changes: make a new token instead
        if not can_view_link(request):
            # A token that reads links is a way to the links: only for staff who may see them.
            readonly.append("reads_links")
        return readonly

    def save_model(self, request: HttpRequest, obj: ApiToken, form, change: bool) -> None:  # type: ignore[no-untyped-def]
        if change:
            super().save_model(request, obj, form, change)
            return
        created, token = api_tokens.api_token_create(
            shop_id=obj.shop_id,
            name=obj.name,
            actor=request.user,
            reads_links=obj.reads_links and can_view_link(request),
        )
        obj.pk = created.pk
        obj.refresh_from_db()
        messages.warning(
            request,
            _("The new API token is %(token)s — copy it now: it is not shown again.")
            % {"token": token},
        )

    @admin.action(description=gettext_lazy("Revoke the selected tokens"), permissions=["change"])
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = 0
        for api_token in queryset.filter(revoked_at__isnull=True):
            api_tokens.api_token_revoke(api_token=api_token)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count)
            % {"count": count},
        )


class WebhookEndpointForm(forms.ModelForm):
    new_secret = forms.BooleanField(
        label=gettext_lazy("Make a new signing secret"),
        required=False,
        help_text=gettext_lazy("The old secret stops working at once."),
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["shop", "url", "is_active"]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        try:
            webhook_http.url_check(url=url)
        except webhook_http.UnsafeWebhookUrl as error:
            raise forms.ValidationError(str(error)) from None
        return url


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ShopScopedAdmin):
    form = WebhookEndpointForm
    list_display = ["shop", "url", "is_active", "created_at"]
    readonly_fields = ["secret", "created_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        return [*self.readonly_fields, "shop"] if obj else self.readonly_fields

    def get_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        fields = ["shop", "url", "is_active"]
        return [*fields, "secret", "new_secret", "created_at"] if obj else fields

    def save_model(self, request: HttpRequest, obj: WebhookEndpoint, form, change: bool) -> None:  # type: ignore[no-untyped-def]
        if not change or form.cleaned_data.get("new_secret"):
            obj.secret = webhook_outbox.new_secret()
            messages.info(
                request,
                _("Check incoming calls with this signing secret: %(secret)s")
                % {"secret": obj.secret},
            )
        super().save_model(request, obj, form, change)


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = ["number", "at", "response_status", "error", "duration_ms"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ShopScopedAdmin):
    shop_path = "endpoint__shop"
    list_display = [
        "created_at",
        "event",
        "upload_request",
        "state",
        "attempt_count",
        "next_attempt_at",
        "delivered_at",
    ]
    list_filter = ["state", "event"]
    search_fields = ["upload_request__order__number"]
    fields = [
        "endpoint",
        "event",
        "upload_request",
        "state",
        "attempt_count",
        "next_attempt_at",
        "delivered_at",
        "created_at",
        "body",
    ]
    readonly_fields = fields
    inlines = [WebhookAttemptInline]
    actions = ["retry_selected"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    @admin.action(description=gettext_lazy("Send the selected deliveries again now"))
    def retry_selected(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        ids = list(
            queryset.exclude(state=WebhookDelivery.State.DELIVERED).values_list("pk", flat=True)
        )
        delivered = webhook_delivery.deliveries_retry_now(delivery_ids=ids)
        self.message_user(
            request,
            _("%(delivered)d of %(count)d deliveries succeeded.")
            % {"delivered": delivered, "count": len(ids)},
        )
