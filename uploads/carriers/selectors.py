"""Reads of the carrier room: a request's hand-overs, and the carrier's view counted per shop."""

from django.db.models import Count, Q, QuerySet

from uploads.models import CarrierOrder, CarrierSend, CdekAccount, Shop, UploadRequest


def carrier_sends_of(*, upload_request: UploadRequest) -> QuerySet[CarrierSend]:
    return CarrierSend.objects.filter(upload_request=upload_request).select_related("actor")


def carrier_readiness_q(value: str) -> Q:
    """Requests whose carrier order is in this readiness (``satisfied``, ``missing``,
    ``error``), or not handed over at all (``none``)."""
    if value == "none":
        return Q(carrier_order__isnull=True) | Q(carrier_order__readiness="")
    return Q(carrier_order__readiness=value)


def carrier_readiness_counts(*, shop: Shop) -> dict[str, int]:
    """How many of the shop's requests CDEK says are satisfied, still missing, or in error."""
    counts = CarrierOrder.objects.filter(upload_request__order__shop=shop).aggregate(
        satisfied=Count("pk", filter=Q(readiness=CarrierOrder.Readiness.SATISFIED)),
        missing=Count("pk", filter=Q(readiness=CarrierOrder.Readiness.MISSING)),
        error=Count("pk", filter=Q(readiness=CarrierOrder.Readiness.ERROR)),
    )
    return {key: value or 0 for key, value in counts.items()}


def carriers_in_use(*, shops: QuerySet[Shop]) -> bool:
    """Whether any of these shops hands passport data to a carrier by API (the admin shows the
    carrier's column and filter only then)."""
    return CdekAccount.objects.filter(shop__in=shops, is_active=True).exists()


def shop_hands_to_carrier(*, shop_id: int) -> list[str]:
    """The carriers (by name) this shop hands passport data to, for the customer's consent page."""
    if CdekAccount.objects.filter(shop_id=shop_id, is_active=True).exists():
        return ["CDEK"]
    return []
