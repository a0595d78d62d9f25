"""Staff's second-factor devices, for superusers: see who enrolled, delete a lost phone's device
(the user enrols again). Seeds and codes are never shown (sealed, hashed)."""

from django.contrib import admin
from django.http import HttpRequest

from uploads.models import BackupCodeDevice, StaffTOTPDevice


class _DeviceAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "confirmed"]
    list_filter = ["confirmed"]
    search_fields = ["user__username"]
    fields = ["user", "name", "confirmed"]
    readonly_fields = ["user", "name", "confirmed"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # enrolling is the user's own, through the sign-in page

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return request.user.is_superuser


@admin.register(StaffTOTPDevice)
class StaffTOTPDeviceAdmin(_DeviceAdmin):
    pass


@admin.register(BackupCodeDevice)
class BackupCodeDeviceAdmin(_DeviceAdmin):
    pass
