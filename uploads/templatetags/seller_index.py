"""The admin index's first lines: each of the seller's shops with what needs doing, as links.

A tag rather than a change to the admin site's ``index``: the site (portal/admin_site.py) is built
before the admin modules register, so it cannot import them.
"""

from dataclasses import dataclass

from django import template
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy

from uploads.admin.base import shops_of
from uploads.models import UploadRequest
from uploads.requests import stats

register = template.Library()

# A superuser may see many shops; the index shows the first ones, the dashboard has the rest.
MAX_SHOPS = 20


@dataclass(frozen=True)
class Count:
    label: Promise
    value: int
    url: str


@dataclass(frozen=True)
class ShopCounts:
    name: str
    dashboard_url: str
    counts: list[Count]


@register.inclusion_tag("admin/uploads/index_counts.html", takes_context=True)
def shop_counts(context: template.Context) -> dict[str, object]:
    request: HttpRequest = context["request"]
    if not request.user.has_perm("uploads.view_uploadrequest"):
        return {"shops": []}
    today = timezone.localdate()
    changelist = reverse("admin:uploads_uploadrequest_changelist")

    def url(shop_pk: int, **query: str) -> str:
        return f"{changelist}?{urlencode({**query, 'shop': shop_pk})}"

    shops = []
    for shop in shops_of(request.user).order_by("name")[:MAX_SHOPS]:
        counts = stats.shop_counts(shop=shop, today=today)
        shops.append(
            ShopCounts(
                name=shop.name,
                dashboard_url=reverse("admin:uploads_shop_dashboard", args=[shop.pk]),
                counts=[
                    Count(
                        gettext_lazy("waiting for upload"),
                        counts[UploadRequest.Status.WAITING],
                        url(shop.pk, status__exact=UploadRequest.Status.WAITING),
                    ),
                    Count(
                        gettext_lazy("uploaded, to check"),
                        counts[UploadRequest.Status.UPLOADED],
                        url(shop.pk, status__exact=UploadRequest.Status.UPLOADED),
                    ),
                    Count(gettext_lazy("overdue"), counts["overdue"], url(shop.pk, overdue="yes")),
                    Count(
                        gettext_lazy("ready for customs"),
                        counts["customs_ready"],
                        url(shop.pk, customs_ready="yes"),
                    ),
                ],
            )
        )
    return {"shops": shops}
