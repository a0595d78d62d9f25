"""The transfer register (152-FZ art. 12) per shop, as a list and as CSV or XLSX, and the country
each staff member works from (set by superusers)."""

import csv
import io

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from uploads.admin.base import ShopScopedAdmin
from uploads.core.cells import cell
from uploads.customs.exports import FIELD_KEYS
from uploads.documents.forms import PassportFieldsForm, field_label
from uploads.models import StaffProfile, TransferRecord
from uploads.papers import transfers

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def category_label(code: str) -> str:
    """A data category of the register in the reader's language (a carrier's own field name as
    it is)."""
    if code == transfers.IMAGE:
        return _("passport image")
    if code == transfers.SECOND_DOCUMENT_IMAGE:
        return _("second document image")
    if code in PassportFieldsForm.base_fields:
        return field_label(code)
    if code in FIELD_KEYS:
        return str(FIELD_KEYS[code])
    return code


def recipient_label(record: TransferRecord) -> str:
    """Who received the data: the carrier or the customs file's recipient, or the staff member."""
    if record.is_staff_access:
        who = record.actor.get_username() if record.actor is not None else "—"
        return _("seller's staff: %(user)s") % {"user": who}
    return record.recipient or "—"


def country_label(record: TransferRecord) -> str:
    return record.country or _("not declared")


def categories_label(record: TransferRecord) -> str:
    return ", ".join(category_label(code) for code in record.categories)


def register_table(records: QuerySet[TransferRecord]) -> list[list[str]]:
    """The register's header and rows, in the active language: no value of any passport."""
    rows = [
        [
            _("Date and time"),
            _("Shop"),
            _("Kind"),
            _("Recipient"),
            _("Country"),
            _("Data categories"),
            _("Order number"),
        ]
    ]
    for record in records:
        rows.append(
            [
                f"{timezone.localtime(record.at):%Y-%m-%d %H:%M:%S}",
                record.shop.name if record.shop is not None else "—",
                str(record.get_kind_display()),
                recipient_label(record),
                country_label(record),
                categories_label(record),
                record.order_number,
            ]
        )
    return rows


def _file_name(extension: str) -> str:
    return f"transfer-register-{timezone.localdate():%Y-%m-%d}.{extension}"


def _download(content: bytes, content_type: str, extension: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=_file_name(extension)
    )
    response["Cache-Control"] = "no-store, private"
    return response


@admin.register(TransferRecord)
class TransferRecordAdmin(ShopScopedAdmin):
    """Read-only: the register is written only with the audit events of the same acts."""

    list_display = [
        "at",
        "shop",
        "kind",
        "recipient_column",
        "country_column",
        "categories_column",
        "order_number",
    ]
    list_filter = ["shop", "kind", "country"]
    search_fields = ["order_number", "recipient"]
    date_hierarchy = "at"
    list_select_related = ["shop", "actor"]
    actions = ["download_csv", "download_xlsx"]
    fields = [
        "at",
        "shop",
        "kind",
        "recipient_column",
        "country_column",
        "categories_column",
        "order_number",
        "upload_request_ref",
    ]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    @admin.display(description=gettext_lazy("recipient"), ordering="recipient")
    def recipient_column(self, obj: TransferRecord) -> str:
        return recipient_label(obj)

    @admin.display(description=gettext_lazy("country"), ordering="country")
    def country_column(self, obj: TransferRecord) -> str:
        return country_label(obj)

    @admin.display(description=gettext_lazy("data categories"))
    def categories_column(self, obj: TransferRecord) -> str:
        return categories_label(obj)

    @admin.action(
        description=gettext_lazy("Download the selected rows as CSV"), permissions=["view"]
    )
    def download_csv(
        self, request: HttpRequest, queryset: QuerySet[TransferRecord]
    ) -> HttpResponse:
        out = io.StringIO()
        out.write("\ufeff")  # Excel reads Cyrillic and Chinese right with it
        writer = csv.writer(out)
        for row in register_table(queryset.select_related("shop", "actor").order_by("at", "pk")):
            writer.writerow([cell(value) for value in row])
        return _download(out.getvalue().encode(), "text/csv; charset=utf-8", "csv")

    @admin.action(
        description=gettext_lazy("Download the selected rows as XLSX"), permissions=["view"]
    )
    def download_xlsx(
        self, request: HttpRequest, queryset: QuerySet[TransferRecord]
    ) -> HttpResponse:
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = _("Transfer register")[:31]
        for row in register_table(queryset.select_related("shop", "actor").order_by("at", "pk")):
            sheet.append([cell(value) for value in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        return _download(buffer.getvalue(), XLSX_CONTENT_TYPE, "xlsx")


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    """Superusers say where each staff member works from: it decides what counts as a transfer."""

    list_display = ["user", "country_column", "updated_at"]
    # The countries declared, not all of ISO 3166 that the field's choices hold.
    list_filter = [("country", admin.AllValuesFieldListFilter)]
    search_fields = ["user__username", "country"]
    fields = ["user", "country"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_superuser

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        return ["user"] if obj else []

    @admin.display(description=gettext_lazy("country of work"), ordering="country")
    def country_column(self, obj: StaffProfile) -> str:
        return obj.country or _("not declared")
