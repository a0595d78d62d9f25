"""The seller's admin for contacts: the contact log (shown on each request and order), manual
contacts, "send a reminder now", and bounced addresses."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from uploads.admin.base import ShopScopedAdmin
from uploads.messaging.services import contacts, reminders, sending
from uploads.models import BouncedAddress, ContactLogEntry, UploadRequest

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

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # Whoever may see the request may see how its customer was contacted.
        return request.user.has_perm("uploads.view_uploadrequest")


# A reminder carries the link: for staff who may change requests and see links (the request
# admin's has_send_link_permission).
@admin.action(description=gettext_lazy("Send a reminder now"), permissions=["send_link"])
def send_reminder_now(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[UploadRequest]
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
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[UploadRequest]
) -> None:
    marked = 0
    for upload_request in queryset.select_related("order"):
        # For the request's own shop only; a superuser marks for all shops under Bounced addresses.
        if sending.email_mark_bounced(
            email=upload_request.order.email,
            shop_id=upload_request.order.shop_id,
            reason=f"marked by {request.user.get_username()}",
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
class ContactLogEntryAdmin(ShopScopedAdmin):
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

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # a log is never rewritten

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
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
        return HttpResponseRedirect(
            reverse("admin:uploads_uploadrequest_change", args=[obj.upload_request_id])
        )


@admin.register(BouncedAddress)
class BouncedAddressAdmin(ShopScopedAdmin):
    """A shop's staff see and manage their shops' marks (with the model's permissions); only
    superusers see, add or delete the marks for all shops (an empty shop). Delete a row to allow
    e-mails again."""

    list_display = ["email", "shop_or_all", "reason", "at"]
    list_filter = ["shop"]
    search_fields = ["email"]
    fields = ["email", "shop", "reason"]

    @admin.display(description=gettext_lazy("shop"), ordering="shop")
    def shop_or_all(self, obj: BouncedAddress) -> str:
        return obj.shop.name if obj.shop is not None else _("All shops")

    def get_form(self, request, obj=None, change=False, **kwargs):  # type: ignore[no-untyped-def]
        form = super().get_form(request, obj, change, **kwargs)
        if not request.user.is_superuser and "shop" in form.base_fields:
            form.base_fields["shop"].required = True  # "all shops" is a superuser's decision
        return form

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        sending.email_mark_bounced(
            email=obj.email,
            shop_id=obj.shop_id,
            reason=obj.reason or f"marked by {request.user.get_username()}",
        )
        obj.pk = (
            BouncedAddress.objects.filter(email=obj.email.strip().lower(), shop_id=obj.shop_id)
            .values_list("pk", flat=True)
            .first()
        )

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # delete and add again: a mark is a fact, not a setting
