"""The seller's shops: settings and the dashboard (counts, overdue orders, daily activity)."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from uploads.admin.base import ShopScopedAdmin, shops_of
from uploads.admin.carriers import READINESS_LABELS
from uploads.carriers import selectors as carrier_selectors
from uploads.core.errors import ServiceError
from uploads.models import Shop, UploadRequest
from uploads.papers import consent as consent_papers
from uploads.papers import services as papers
from uploads.papers.operator import (
    OPERATOR_FIELDS,
    operator_details_missing,
    recipients_missing_country,
    recipients_missing_country_message,
)
from uploads.requests import stats

# Staff who may take a destruction act for their shops (a compliance paper: order numbers and who
# destroyed what, never a passport value).
DESTRUCTION_ACT_PERMISSION = "uploads.download_destruction_act"


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
    fieldsets = [
        (None, {"fields": ["name", "contact_email", "notification_language", "members"]}),
        (
            gettext_lazy("Personal-data operator (152-FZ)"),
            {
                "fields": list(OPERATOR_FIELDS),
                "description": gettext_lazy(
                    "The company that collects the passports. The customer's consent and the "
                    "destruction acts name it; no upload link goes out until every field is "
                    "filled in."
                ),
            },
        ),
        (
            gettext_lazy("The customer's consent"),
            {
                "fields": ["consent_recipients", "consent_document_preview"],
                "description": gettext_lazy(
                    "The consent customers agree to is built from the operator details above, "
                    "the customs settings, the recipients and the retention periods; each text "
                    "shown is kept as a version (Consent documents)."
                ),
            },
        ),
        (
            gettext_lazy("Cross-border transfer (152-FZ art. 12)"),
            {
                "fields": ["refuse_staff_abroad", "transfer_notice_date"],
                "description": gettext_lazy(
                    "Staff who open passports from outside Russia receive them abroad: a "
                    "cross-border transfer, which needs a notice to Roskomnadzor first. Every such "
                    "look, and every hand-over to a carrier or a customs file, is listed in the "
                    "transfer register."
                ),
            },
        ),
        (
            gettext_lazy("Retention"),
            {"fields": ["image_retention_days", "retention_days"]},
        ),
        (
            gettext_lazy("Reminders and notifications"),
            {
                "fields": [
                    "reminder_days",
                    "reminder_hours_before_deadline",
                    "upload_notifications",
                    "summary_frequency",
                ]
            },
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return shops_of(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        # A shop's staff may edit its contact details but not who belongs to it.
        preview = ["consent_document_preview"]
        return preview if request.user.is_superuser else ["members", *preview]

    @admin.display(description=gettext_lazy("consent as customers read it now"))
    def consent_document_preview(self, obj: Shop) -> str:
        if obj.pk is None:
            return "—"
        # In the admin's language; customers read it in theirs. Nothing is kept by looking.
        text = consent_papers.consent_document_text(
            facts=consent_papers.consent_facts(shop=obj),
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )
        return format_html('<pre style="white-space: pre-wrap">{}</pre>', text)

    @admin.display(description=gettext_lazy("dashboard"))
    def dashboard_link(self, obj: Shop) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:uploads_shop_dashboard", args=[obj.pk]), _("Open")
        )

    @admin.display(description=gettext_lazy("destruction acts"))
    def destruction_act_link(self, obj: Shop) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:uploads_shop_destruction_act", args=[obj.pk]),
            _("Make an act"),
        )

    def get_list_display(self, request: HttpRequest) -> list[str]:
        shown = list(super().get_list_display(request))
        if request.user.has_perm(DESTRUCTION_ACT_PERMISSION):
            shown.append("destruction_act_link")
        return shown

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        shop = shops_of(request.user).filter(pk=object_id).first() if object_id.isdigit() else None
        if shop is not None and request.method == "GET":
            missing = operator_details_missing(shop=shop)
            if missing:
                messages.warning(
                    request,
                    _(
                        "This shop cannot send upload links until its operator details are filled "
                        "in: %(missing)s."
                    )
                    % {"missing": ", ".join(missing)},
                )
            no_country = recipients_missing_country(shop=shop)
            if no_country:
                messages.warning(
                    request,
                    _("This shop cannot send upload links yet. %(reason)s")
                    % {"reason": recipients_missing_country_message(names=no_country)},
                )
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<int:pk>/dashboard/",
                self.admin_site.admin_view(self.dashboard_view),
                name="uploads_shop_dashboard",
            ),
            path(
                "<int:pk>/destruction-act/",
                self.admin_site.admin_view(self.destruction_act_view),
                name="uploads_shop_destruction_act",
            ),
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

    def destruction_act_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not request.user.has_perm(DESTRUCTION_ACT_PERMISSION):
            raise PermissionDenied
        shop = get_object_or_404(shops_of(request.user), pk=pk)
        form = DestructionActForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                act = papers.destruction_act_download(
                    shop=shop,
                    start=form.cleaned_data["start"],
                    end=form.cleaned_data["end"],
                    file_format=form.cleaned_data["file_format"],
                    actor=request.user,
                )
            except ServiceError as error:
                form.add_error(None, str(error.message))
            else:
                response = HttpResponse(act.data, content_type=act.content_type)
                response["Content-Disposition"] = content_disposition_header(
                    as_attachment=True, filename=act.name
                )
                response["Cache-Control"] = "no-store, private"
                return response
        context = {
            **self.admin_site.each_context(request),
            "title": _("Destruction act: %(shop)s") % {"shop": shop.name},
            "opts": self.model._meta,
            "shop": shop,
            "form": form,
            "missing": operator_details_missing(shop=shop),
        }
        return TemplateResponse(request, "admin/uploads/shop/destruction_act.html", context)


class DestructionActForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(label=gettext_lazy("to"), widget=forms.DateInput(attrs={"type": "date"}))
    file_format = forms.ChoiceField(
        label=gettext_lazy("format"), choices=[("pdf", "PDF"), ("xlsx", "XLSX")], initial="pdf"
    )


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
