"""The superuser's read-only views of the append-only records: audit events, destruction records."""

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from uploads.admin.base import AuditShopFilter
from uploads.models import (
    AuditEvent,
    DestructionRecord,
)


class SuperuserReadOnlyAdmin(admin.ModelAdmin):
    """Append-only records: superusers read them; nobody adds, changes or deletes in admin."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(SuperuserReadOnlyAdmin):
    """The audit log: superusers read and filter it; nobody adds, changes or deletes here."""

    list_display = ["at", "actor", "action", "upload_request", "ip_address", "detail"]
    list_filter = ["action", ("actor", admin.RelatedOnlyFieldListFilter), AuditShopFilter]
    search_fields = ["upload_request__order__number", "actor__username", "ip_address"]
    date_hierarchy = "at"
    list_select_related = ["actor", "upload_request__order"]
    readonly_fields = [
        "at",
        "actor",
        "action",
        "upload_request",
        "document",
        "ip_address",
        "detail",
    ]


@admin.register(DestructionRecord)
class DestructionRecordAdmin(SuperuserReadOnlyAdmin):
    """What was destroyed, when and why (no personal data): superusers read it, nobody edits."""

    list_display = ["at", "scope", "reason", "shop", "upload_request_ref", "actor"]
    list_filter = ["reason", "scope", "shop"]
    date_hierarchy = "at"
    readonly_fields = [
        "at",
        "scope",
        "reason",
        "shop",
        "upload_request_ref",
        "document_refs",
        "actor",
    ]
