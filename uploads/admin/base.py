"""What every admin of the seller's data builds on: the shop scope and the passport permissions."""

from django.contrib import admin
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.http import HttpRequest

from uploads.models import (
    Shop,
)

VIEW_IMAGE_PERMISSION = "uploads.view_passport_image"


VIEW_FIELDS_PERMISSION = "uploads.view_passport_fields"


EXPORT_PERMISSION = "uploads.export_passport"


DECIDE_PERMISSION = "uploads.decide_uploadrequest"


PURGE_PERMISSION = "uploads.purge_passport"


def shops_of(user: AbstractBaseUser) -> QuerySet[Shop]:
    if user.is_superuser:
        return Shop.objects.all()
    return Shop.objects.filter(members=user)


def can_view_image(request: HttpRequest) -> bool:
    return request.user.has_perm(VIEW_IMAGE_PERMISSION)


def can_view_fields(request: HttpRequest) -> bool:
    return request.user.has_perm(VIEW_FIELDS_PERMISSION)


def can_view_passport(request: HttpRequest) -> bool:
    """Either part of the passport; each part is still checked on its own."""
    return can_view_image(request) or can_view_fields(request)


class ShopScopedAdmin(admin.ModelAdmin):
    """Limits lists, pages and choices to the shops the staff user belongs to."""

    shop_path = "shop"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        # A subquery rather than a join on the members: no duplicate rows, so no DISTINCT, which
        # would make PostgreSQL sort every row of a large list before showing one page.
        return queryset.filter(**{f"{self.shop_path}__in": shops_of(request.user)})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):  # type: ignore[no-untyped-def]
        if db_field.related_model is Shop:
            kwargs["queryset"] = shops_of(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
