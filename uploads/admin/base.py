"""What every admin of the seller's data builds on: the shop scope and the passport permissions."""

from collections.abc import Sequence

from django import forms
from django.contrib import admin
from django.contrib.admin.filters import RelatedFieldListFilter
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from uploads.core.errors import ServiceError
from uploads.models import Shop
from uploads.papers.operator import operator_require

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


def shop_may_collect(shop: Shop | None) -> Shop | None:
    """A form's check of the shop an order goes to: no link before its operator details are in."""
    if shop is not None:
        try:
            operator_require(shop=shop)
        except ServiceError as error:
            raise forms.ValidationError(str(error.message)) from None
    return shop


def can_view_image(request: HttpRequest) -> bool:
    return request.user.has_perm(VIEW_IMAGE_PERMISSION)


def can_view_fields(request: HttpRequest) -> bool:
    return request.user.has_perm(VIEW_FIELDS_PERMISSION)


def can_view_link(request: HttpRequest) -> bool:
    return request.user.has_perm(VIEW_LINK_PERMISSION)


def can_view_passport(request: HttpRequest) -> bool:
    """Either part of the passport; each part is still checked on its own."""
    return can_view_image(request) or can_view_fields(request)


class ScopedRelatedFilter(admin.RelatedOnlyFieldListFilter):
    """A list filter on a relation (a shop, an endpoint, a user...) that offers only what appears
    in the rows the user may see, and for shops only the user's own: another shop's name or id
    never shows up as a choice."""

    def field_choices(self, field, request, model_admin):  # type: ignore[no-untyped-def]
        scoped = scoped_choices(field.related_model, request, model_admin.admin_site)
        if scoped is None:  # anything else (a user...): only what the user's own rows refer to
            return super().field_choices(field, request, model_admin)
        # The user's shops (or rows of a shop-scoped model) as they are: no scan of the list.
        ordering = self.field_admin_ordering(field, request, model_admin)
        return field.get_choices(
            include_blank=False, ordering=ordering, limit_choices_to={"pk__in": scoped}
        )


def scoped_choices(
    related_model: type[Model], request: HttpRequest, admin_site: admin.AdminSite
) -> QuerySet | None:
    """What a user may pick of a related model: their shops, or the rows a shop-scoped admin
    shows them; None when the model is not tied to shops by an admin here."""
    if related_model is Shop:
        return shops_of(request.user)
    if admin_site.is_registered(related_model):
        related_admin = admin_site.get_model_admin(related_model)
        if isinstance(related_admin, ShopScopedAdmin):
            return related_admin.get_queryset(request)
    return None


def scoped_list_filter(model: type[Model], list_filter: Sequence) -> list:
    """``list_filter`` with every filter on a relation (``"shop"``, ``"endpoint__shop"``,
    ``("actor", RelatedOnlyFieldListFilter)``) made a ``ScopedRelatedFilter``; Django's own
    would list every row of the related table."""
    scoped: list = []
    for entry in list_filter:
        if isinstance(entry, str):
            field_path = entry
        elif (
            isinstance(entry, tuple)
            and isinstance(entry[0], str)
            and isinstance(entry[1], type)
            and issubclass(entry[1], RelatedFieldListFilter)
        ):
            field_path = entry[0]
        else:  # a SimpleListFilter: scoped by its own lookups (see ShopFilter)
            scoped.append(entry)
            continue
        field = get_fields_from_path(model, field_path)[-1]
        scoped.append((field_path, ScopedRelatedFilter) if field.is_relation else entry)
    return scoped


class ShopScopedAdmin(admin.ModelAdmin):
    """Limits lists, pages, list filters and form choices to the shops the staff user belongs to.

    Every relation is scoped the same way, whatever the model: a list filter offers only related
    rows seen in the user's list (``scoped_list_filter``); a form's choice of a shop offers the
    user's shops, and a choice of another model with a shop-scoped admin (an upload request, a
    webhook...) that admin's rows for the user."""

    shop_path = "shop"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        # A subquery rather than a join on the members: no duplicate rows, so no DISTINCT, which
        # would make PostgreSQL sort every row of a large list before showing one page.
        return queryset.filter(**{f"{self.shop_path}__in": shops_of(request.user)})

    def get_list_filter(self, request: HttpRequest) -> list:
        return scoped_list_filter(self.model, super().get_list_filter(request))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):  # type: ignore[no-untyped-def]
        if "queryset" not in kwargs:
            queryset = scoped_choices(db_field.related_model, request, self.admin_site)
            if queryset is not None:
                kwargs["queryset"] = queryset
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):  # type: ignore[no-untyped-def]
        if "queryset" not in kwargs:
            queryset = scoped_choices(db_field.related_model, request, self.admin_site)
            if queryset is not None:
                kwargs["queryset"] = queryset
        return super().formfield_for_manytomany(db_field, request, **kwargs)


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
