"""The seller's shops: settings and the dashboard (counts, overdue orders, daily activity)."""

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from uploads.admin.base import ShopScopedAdmin, shops_of
from uploads.admin.carriers import READINESS_LABELS
from uploads.carriers import selectors as carrier_selectors
from uploads.models import Shop, UploadRequest
from uploads.requests import stats


@admin.register(Shop)
class ShopAdmin(ShopScopedAdmin):
    shop_path = "id"
    list_display = [
        "name",
        "contact_email",
        "notification_language",
        "image_retention_days",
        "retention_days",
        "dashboard_link",
    ]
    search_fields = ["name"]
    filter_horizontal = ["members"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return shops_of(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        # A shop's staff may edit its contact details but not who belongs to it.
        return [] if request.user.is_superuser else ["members"]

    @admin.display(description=gettext_lazy("dashboard"))
    def dashboard_link(self, obj: Shop) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:uploads_shop_dashboard", args=[obj.pk]), _("Open")
        )

    def get_urls(self) -> list[URLPattern]:
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
        shop = get_object_or_404(shops_of(request.user), pk=pk)
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
            "carrier_counts": _carrier_counts(shop),
            "overdue": stats.overdue_requests(shop=shop, today=today)[:200],
            "chart": stats.activity_chart(activity),
            "activity": activity,
            "totals": (
                sum(day.uploads for day in activity),
                sum(day.reminders for day in activity),
            ),
        }
        return TemplateResponse(request, "admin/uploads/shop/dashboard.html", context)


def _carrier_counts(shop: Shop) -> list[tuple[str, int, str]]:
    """CDEK's view of the shop's requests (requirements met, still missing, error), with links to
    the filtered list; empty for a shop without a CDEK account."""
    if not carrier_selectors.shop_hands_to_carrier(shop_id=shop.pk):
        return []
    counts = carrier_selectors.carrier_readiness_counts(shop=shop)
    changelist = reverse("admin:uploads_uploadrequest_changelist")
    return [
        (str(label), counts[value], f"{changelist}?cdek={value}&shop={shop.pk}")
        for value, label in READINESS_LABELS.items()
    ]


def _status_list_url(shop: Shop, status: str) -> str:
    return (
        f"{reverse('admin:uploads_uploadrequest_changelist')}?status__exact={status}&shop={shop.pk}"
    )
