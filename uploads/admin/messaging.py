"""The seller's admin for reminders and contacts: the contact log on each request, manual contacts,
"send a reminder now", bounced addresses, and the per-shop dashboard.

The shop and request admins of ``uploads.admin.requests`` are extended by subclassing and registered again,
so this topic stays in its own module.
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from uploads.admin import requests as base
from uploads.messaging.services import contacts, reminders, sending
from uploads.models import BouncedAddress, ContactLogEntry, Order, Shop, UploadRequest
from uploads.requests import stats

Channel = ContactLogEntry.Channel
Outcome = ContactLogEntry.Outcome


class ContactLogInline(admin.TabularInline):
    """The request's contacts, newest first; read-only (manual ones are added on their own page)."""

    model = ContactLogEntry
    template = "admin/uploads/contactlogentry/inline.html"
    fields = ["at", "kind", "channel", "step", "outcome", "attempts", "error", "actor", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["-at", "-pk"]
    verbose_name_plural = gettext_lazy("contact log")

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:  # type: ignore[no-untyped-def]
        # Whoever may see the request may see how its customer was contacted.
        return request.user.has_perm("uploads.view_uploadrequest")


@admin.action(description=gettext_lazy("Send a reminder now"), permissions=["change"])
def send_reminder_now(
    modeladmin: base.UploadRequestAdmin, request: HttpRequest, queryset: QuerySet[UploadRequest]
) -> None:
    modeladmin._apply_to_each(
        request,
        queryset,
        lambda upload_request: reminders.reminder_send_now(
            upload_request=upload_request, actor=request.user
        ),
        done_message=lambda count: (
            ngettext("%(count)d reminder sent.", "%(count)d reminders sent.", count)
            % {"count": count}
        ),
    )


@admin.action(
    description=gettext_lazy("Mark the customers' email addresses as bounced"),
    permissions=["change"],
)
def mark_bounced_selected(
    modeladmin: base.UploadRequestAdmin, request: HttpRequest, queryset: QuerySet[UploadRequest]
) -> None:
    marked = 0
    for upload_request in queryset.select_related("order"):
        if sending.email_mark_bounced(
            email=upload_request.order.email, reason=f"marked by {request.user.get_username()}"
        ):
            marked += 1
    modeladmin.message_user(
        request,
        ngettext(
            "%(count)d address marked as bounced: no more reminders go to it.",
            "%(count)d addresses marked as bounced: no more reminders go to them.",
            marked,
        )
        % {"count": marked},
    )


class UploadRequestAdmin(base.UploadRequestAdmin):
    inlines = [*base.UploadRequestAdmin.inlines, ContactLogInline]
    actions = [*base.UploadRequestAdmin.actions, send_reminder_now, mark_bounced_selected]


admin.site.unregister(UploadRequest)
admin.site.register(UploadRequest, UploadRequestAdmin)


class ManualContactForm(forms.ModelForm):
    channel = forms.ChoiceField(
        label=gettext_lazy("channel"),
        choices=[
            (Channel.PHONE, Channel.PHONE.label),
            (Channel.CHAT, Channel.CHAT.label),
            (Channel.EMAIL, Channel.EMAIL.label),
            (Channel.OTHER, Channel.OTHER.label),
        ],
    )
    outcome = forms.ChoiceField(
        label=gettext_lazy("outcome"),
        choices=[
            (Outcome.REACHED, Outcome.REACHED.label),
            (Outcome.NOT_REACHED, Outcome.NOT_REACHED.label),
        ],
    )

    class Meta:
        model = ContactLogEntry
        fields = ["upload_request", "channel", "outcome", "note"]


@admin.register(ContactLogEntry)
class ContactLogEntryAdmin(base.ShopScopedAdmin):
    shop_path = "upload_request__order__shop"
    form = ManualContactForm
    list_display = ["at", "order_number", "kind", "channel", "step", "outcome", "attempts", "actor"]
    list_filter = ["kind", "channel", "outcome"]
    search_fields = ["upload_request__order__number"]
    list_select_related = ["upload_request__order", "actor"]
    date_hierarchy = "at"

    @admin.display(
        description=gettext_lazy("order number"), ordering="upload_request__order__number"
    )
    def order_number(self, obj: ContactLogEntry) -> str:
        return obj.upload_request.order.number

    def formfield_for_foreignkey(self, db_field, request, **kwargs):  # type: ignore[no-untyped-def]
        if db_field.name == "upload_request":
            request_admin = self.admin_site.get_model_admin(UploadRequest)
            kwargs["queryset"] = request_admin.get_queryset(request).select_related("order")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False  # a log is never rewritten

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def save_model(
        self, request: HttpRequest, obj: ContactLogEntry, form: forms.ModelForm, change: bool
    ) -> None:
        entry = contacts.contact_record(
            upload_request=form.cleaned_data["upload_request"],
            channel=form.cleaned_data["channel"],
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["note"],
            actor=request.user,
        )
        obj.pk = entry.pk

    def response_add(self, request, obj, post_url_continue=None):  # type: ignore[no-untyped-def]
        # Back to the request the contact is about, where the log is shown.
        self.message_user(request, _("Contact recorded."), messages.SUCCESS)
        return base.HttpResponseRedirect(
            reverse("admin:uploads_uploadrequest_change", args=[obj.upload_request_id])
        )


@admin.register(BouncedAddress)
class BouncedAddressAdmin(admin.ModelAdmin):
    """Superusers only: addresses are not tied to one shop. Delete a row to allow reminders again."""

    list_display = ["email", "reason", "at"]
    search_fields = ["email"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return request.user.is_superuser


class ShopAdmin(base.ShopAdmin):
    list_display = [*base.ShopAdmin.list_display, "dashboard_link"]

    @admin.display(description=gettext_lazy("dashboard"))
    def dashboard_link(self, obj: Shop) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:uploads_shop_dashboard", args=[obj.pk]), _("Open")
        )

    def get_urls(self):  # type: ignore[no-untyped-def]
        own = [
            path(
                "<int:pk>/dashboard/",
                self.admin_site.admin_view(self.dashboard_view),
                name="uploads_shop_dashboard",
            )
        ]
        return own + super().get_urls()

    def dashboard_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        # 404 for a shop the user does not belong to: its existence is not ours to confirm.
        shop = get_object_or_404(base.shops_of(request.user), pk=pk)
        now = timezone.now()
        today = timezone.localdate(now)
        counts = stats.shop_counts(shop=shop, today=today)
        activity = stats.daily_activity(shop=shop, now=now)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Dashboard: %(shop)s") % {"shop": shop.name},
            "opts": self.model._meta,
            "shop": shop,
            "status_counts": [
                (label, counts[value], _status_list_url(shop, value))
                for value, label in UploadRequest.Status.choices
            ],
            "overdue_count": counts["overdue"],
            "customs_ready_count": counts["customs_ready"],
            "customs_ready_url": (
                f"{reverse('admin:uploads_uploadrequest_changelist')}"
                f"?customs_ready=yes&shop={shop.pk}"
            ),
            "overdue": stats.overdue_requests(shop=shop, today=today)[:200],
            "chart": stats.activity_chart(activity),
            "activity": activity,
            "totals": (
                sum(day.uploads for day in activity),
                sum(day.reminders for day in activity),
            ),
        }
        return TemplateResponse(request, "admin/uploads/shop/dashboard.html", context)


def _status_list_url(shop: Shop, status: str) -> str:
    return (
        f"{reverse('admin:uploads_uploadrequest_changelist')}?status__exact={status}&shop={shop.pk}"
    )


admin.site.unregister(Shop)
admin.site.register(Shop, ShopAdmin)


class OrderAdmin(base.OrderAdmin):
    """The order's page shows its contact log too (the same rows as its request's page)."""

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "contact_log"] if obj else fields

    @admin.display(description=gettext_lazy("contact log"))
    def contact_log(self, obj: Order) -> str:
        upload_request = UploadRequest.objects.filter(order=obj).first()
        if upload_request is None:
            return "—"
        entries = list(upload_request.contacts.select_related("actor")[:50])
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    formats.localize(timezone.localtime(entry.at)),
                    entry.get_kind_display(),
                    entry.get_channel_display(),
                    entry.get_outcome_display(),
                    entry.note,
                )
                for entry in entries
            ),
        )
        return format_html(
            '<table class="contact-log">{}</table><p><a href="{}">{}</a></p>',
            rows,
            reverse("admin:uploads_uploadrequest_change", args=[upload_request.pk]),
            _("Open the upload request"),
        )


admin.site.unregister(Order)
admin.site.register(Order, OrderAdmin)
