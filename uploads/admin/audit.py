"""The superuser's read-only views of the append-only records: audit events, destruction records."""

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

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

    list_display = ["at", "who", "action", "upload_request", "ip_address", "detail"]
    list_filter = [
        "action",
        "via",
        ("actor", admin.RelatedOnlyFieldListFilter),
        AuditShopFilter,
    ]
    search_fields = ["upload_request__order__number", "actor__username", "ip_address"]
    date_hierarchy = "at"
    list_select_related = ["actor", "api_token", "upload_request__order"]

    @admin.display(description=gettext_lazy("who"), ordering="actor")
    def who(self, obj: AuditEvent) -> str:
        """The user, else what acted for them: the customer's link, an API token, the system."""
        if obj.actor is not None:
            return str(obj.actor)
        if obj.api_token is not None:
            return f"{obj.get_via_display()}: {obj.api_token}"
        return obj.get_via_display() if obj.via else "—"

    readonly_fields = [
        "at",
        "actor",
        "via",
        "api_token",
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
        "typed_refs",
        "actor",
    ]
