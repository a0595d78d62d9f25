"""What every admin of the seller's data builds on: the shop scope and the passport permissions."""

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from uploads.models import Shop

VIEW_IMAGE_PERMISSION = "uploads.view_passport_image"


VIEW_FIELDS_PERMISSION = "uploads.view_passport_fields"


EXPORT_PERMISSION = "uploads.export_passport"


DECIDE_PERMISSION = "uploads.decide_uploadrequest"


PURGE_PERMISSION = "uploads.purge_passport"


# The customer's link opens their pending photo and fields and can erase the order: seeing it,
# copying it or having it e-mailed is a right of its own.
VIEW_LINK_PERMISSION = "uploads.view_upload_link"

admin.site.site_header = gettext_lazy("Passport uploads")
admin.site.site_title = gettext_lazy("Passport uploads")
admin.site.index_title = gettext_lazy("Orders and passports")


def shops_of(user: AbstractBaseUser) -> QuerySet[Shop]:
    if user.is_superuser:
        return Shop.objects.all()
    return Shop.objects.filter(members=user)


def can_view_image(request: HttpRequest) -> bool:
    return request.user.has_perm(VIEW_IMAGE_PERMISSION)


def can_view_fields(request: HttpRequest) -> bool:
    return request.user.has_perm(VIEW_FIELDS_PERMISSION)


def can_view_link(request: HttpRequest) -> bool:
    return request.user.has_perm(VIEW_LINK_PERMISSION)


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


class ShopFilter(admin.SimpleListFilter):
    title = gettext_lazy("shop")
    parameter_name = "shop"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [(str(shop.pk), shop.name) for shop in shops_of(request.user)]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if not self.value():
            return queryset
        if not self.value().isdigit():
            raise IncorrectLookupParameters  # the admin's "?e=1" page, not a server error
        return queryset.filter(order__shop_id=self.value())


class AuditShopFilter(ShopFilter):
    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if not self.value():
            return queryset
        if not self.value().isdigit():
            raise IncorrectLookupParameters
        return queryset.filter(upload_request__order__shop_id=self.value())
