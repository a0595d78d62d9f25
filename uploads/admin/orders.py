"""Orders: adding one (with its upload request and link), importing a file of them, and the order's contact log."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.urls import URLPattern, path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from uploads.admin import order_import as admin_import
from uploads.admin.base import ShopScopedAdmin, can_view_link, shop_may_collect
from uploads.admin.requests import status_badge
from uploads.audit import services as audit
from uploads.models import (
    Order,
    Shop,
    UploadRequest,
)
from uploads.requests import services as request_services


class OrderAdminForm(forms.ModelForm):
    class Meta:
        model = Order
        fields = ["shop", "number", "customer_name", "email", "phone", "language", "deadline"]

    def clean_shop(self) -> Shop | None:
        shop = self.cleaned_data.get("shop")
        # A new order sends a link at once; an existing order's shop cannot change.
        return shop if self.instance.pk else shop_may_collect(shop)


class UploadStatusFilter(admin.SimpleListFilter):
    """Orders by where their passport stands (the upload request's status)."""

    title = gettext_lazy("upload status")
    parameter_name = "upload_status"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return list(UploadRequest.Status.choices)

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in UploadRequest.Status.values:
            return queryset.filter(upload_request__status=self.value())
        return queryset


@admin.register(Order)
class OrderAdmin(ShopScopedAdmin):
    form = OrderAdminForm
    list_display = [
        "number",
        "customer_name",
        "upload_status",
        "shop",
        "language",
        "deadline",
        "created_at",
    ]
    list_filter = [UploadStatusFilter, "shop", "language"]
    list_select_related = ["shop", "upload_request"]
    search_fields = ["number", "customer_name", "email", "phone"]
    date_hierarchy = "created_at"

    class Media:
        css = {"all": ["uploads/admin.css"]}

    @admin.display(description=gettext_lazy("upload status"), ordering="upload_request__status")
    def upload_status(self, obj: Order) -> str:
        try:
            upload_request = obj.upload_request
        except UploadRequest.DoesNotExist:
            return "—"
        # The badge links to the request, where the passport is looked at and decided on.
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:uploads_uploadrequest_change", args=[upload_request.pk]),
            status_badge(upload_request),
        )

    def get_urls(self) -> list[URLPattern]:
        import_url = path(
            "import/",
            self.admin_site.admin_view(lambda request: admin_import.import_view(self, request)),
            name="uploads_order_import",
        )
        return [import_url, *super().get_urls()]

    def save_model(
        self, request: HttpRequest, obj: Order, form: forms.ModelForm, change: bool
    ) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        link = request_services.order_create(
            shop_id=obj.shop_id,
            number=obj.number,
            customer_name=obj.customer_name,
            email=obj.email,
            phone=obj.phone,
            language=obj.language,
            deadline=obj.deadline,
        )
        obj.pk = link.upload_request.order_id
        obj.refresh_from_db()
        if not can_view_link(request):
            return
        audit.links_read_record(upload_requests=[link.upload_request], actor=request.user)
        messages.success(
            request,
            _("Upload link for order %(number)s: %(url)s")
            % {"number": obj.number, "url": link.url},
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        # The order's page shows its contact log too (the same rows as its request's page).
        readonly = ["shop", "number", "contact_log"] if obj else []
        if obj and not can_view_link(request):
            # Invitations and reminders carry the link: without the link right, an address
            # changed to one's own would have it sent there.
            readonly.append("email")
        return readonly

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
