"""The admin page that imports orders from a file: upload, preview with row errors, import.

Wired into ``OrderAdmin.get_urls``. The checked rows wait in the seller's session between the
preview and the "Import" button (only order data, never a passport), and are checked once more
before they are saved.
"""

import secrets

from django import forms
from django.contrib import messages
from django.contrib.admin import ModelAdmin
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from uploads.admin.base import shop_may_collect, shops_of
from uploads.core.errors import Refusal
from uploads.core.upload_handlers import TOO_LARGE_ATTRIBUTE
from uploads.models import Shop
from uploads.requests import order_import as imports

SESSION_KEY = "order_import"


class OrderImportForm(forms.Form):
    shop = forms.ModelChoiceField(queryset=Shop.objects.none(), label=gettext_lazy("shop"))
    file = forms.FileField(
        label=gettext_lazy("CSV or XLSX file"),
        help_text=format_lazy(
            "{} {}",
            gettext_lazy(
                "Columns: order number, customer name, email, phone, language, deadline. "
                "The first row names the columns (in English, Russian or Chinese)."
            ),
            gettext_lazy(
                "Optional: a column “CDEK order number” (cdek_number), by which the hand-over "
                "to CDEK finds each order."
            ),
        ),
    )

    def __init__(self, *args: object, shops: QuerySet[Shop], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["shop"].queryset = shops
        if shops.count() == 1:
            self.fields["shop"].initial = shops.first()

    def clean_shop(self) -> Shop | None:
        return shop_may_collect(self.cleaned_data.get("shop"))


def _shops_of(user: AbstractBaseUser) -> QuerySet[Shop]:

    return shops_of(user)


def import_view(model_admin: ModelAdmin, request: HttpRequest) -> HttpResponse:
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    shops = _shops_of(request.user)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("Import orders"),
    }
    if request.method == "POST" and "import_id" in request.POST:
        return _import(model_admin, request, shops)
    if request.method == "POST":
        form = OrderImportForm(request.POST, request.FILES, shops=shops)
        if getattr(request, TOO_LARGE_ATTRIBUTE, False):
            form.add_error(None, imports.too_large_message())
        elif form.is_valid():
            shop = form.cleaned_data["shop"]
            upload = form.cleaned_data["file"]
            try:
                rows = imports.orders_file_read(
                    name=upload.name, data=_read_bounded(upload.chunks())
                )
            except imports.ImportFileError as error:
                form.add_error("file", str(error.message))
            else:
                check = imports.orders_import_check(shop_id=shop.pk, rows=rows)
                import_id = secrets.token_urlsafe(16)
                request.session[SESSION_KEY] = {
                    "id": import_id,
                    "shop_id": shop.pk,
                    "rows": imports.rows_to_session(rows),
                }
                return TemplateResponse(
                    request,
                    "admin/uploads/order/import_preview.html",
                    {
                        **context,
                        "title": _("Check the orders before importing"),
                        "shop": shop,
                        "check": check,
                        "import_id": import_id,
                        "file_name": upload.name,
                    },
                )
    else:
        form = OrderImportForm(shops=shops)
    return TemplateResponse(
        request, "admin/uploads/order/import_form.html", {**context, "form": form}
    )


def _read_bounded(chunks) -> bytes:  # type: ignore[no-untyped-def]
    from django.conf import settings

    data = bytearray()
    for chunk in chunks:
        data += chunk
        if len(data) > settings.ORDER_IMPORT_MAX_BYTES:
            break  # orders_file_read reports it as too large
    return bytes(data)


def _import(model_admin: ModelAdmin, request: HttpRequest, shops: QuerySet[Shop]) -> HttpResponse:
    pending = request.session.get(SESSION_KEY)
    changelist = reverse("admin:uploads_order_changelist")
    if not pending or pending.get("id") != request.POST["import_id"]:
        messages.error(
            request, _("This preview is no longer current. Please upload the file again.")
        )
        return HttpResponseRedirect(reverse("admin:uploads_order_import"))
    # The shop is checked again: membership may have changed since the preview.
    shop = shops.filter(pk=pending["shop_id"]).first()
    if shop is None:
        raise PermissionDenied
    rows = imports.rows_from_session(pending["rows"])
    try:
        links = imports.orders_import(shop_id=shop.pk, rows=rows)
    except Refusal as error:  # a file error, or the shop may not send links any more
        messages.error(request, str(error.message))
        return HttpResponseRedirect(reverse("admin:uploads_order_import"))
    del request.session[SESSION_KEY]
    skipped = len(rows) - len(links)
    messages.success(
        request,
        ngettext(
            "%(count)d order imported into %(shop)s.",
            "%(count)d orders imported into %(shop)s.",
            len(links),
        )
        % {"count": len(links), "shop": shop.name},
    )
    if skipped:
        messages.info(
            request,
            ngettext(
                "%(count)d order was already there and was skipped.",
                "%(count)d orders were already there and were skipped.",
                skipped,
            )
            % {"count": skipped},
        )
    return HttpResponseRedirect(changelist)
