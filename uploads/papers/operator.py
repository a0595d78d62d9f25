"""The shop as a personal-data operator: what is known of it, and what must be before links go out."""

from django.utils.translation import gettext as _

from uploads.core.errors import ServiceError
from uploads.models import CarrierMapping, Shop

# What the consent and every paper name (152-FZ art. 9 part 4, art. 22; order 179 item 3).
OPERATOR_FIELDS = (
    "operator_name",
    "operator_address",
    "operator_registration",
    "operator_rkn_number",
    "operator_contact",
)


def operator_details_missing(*, shop: Shop) -> list[str]:
    """The names of the operator details the shop has not filled in yet (empty: all there)."""
    return [
        str(Shop._meta.get_field(name).verbose_name)
        for name in OPERATOR_FIELDS
        if not str(getattr(shop, name)).strip()
    ]


def recipients_missing_country(*, shop: Shop) -> list[str]:
    """The names of the shop's column mappings (file recipients) without a country yet: the
    consent must name each recipient's country (152-FZ art. 9 part 4), so they block links too."""
    return list(
        CarrierMapping.objects.filter(shop=shop, country="")
        .order_by("name")
        .values_list("name", flat=True)
    )


def recipients_missing_country_message(*, names: list[str]) -> str:
    return _(
        "Set the recipient's country of the carrier column mappings %(mappings)s: the customer's "
        "consent names each recipient with its country."
    ) % {"mappings": ", ".join(f"“{name}”" for name in names)}


def operator_require(*, shop: Shop) -> None:
    """Refuse to collect passports for a shop whose consent could not name its operator or the
    country of each of its recipients."""
    missing = operator_details_missing(shop=shop)
    if missing:
        raise ServiceError(
            _(
                "Shop %(shop)s cannot send upload links yet: fill in its details as a personal-data "
                "operator first (%(missing)s). The customer's consent names the operator."
            )
            % {"shop": shop.name, "missing": ", ".join(missing)}
        )
    no_country = recipients_missing_country(shop=shop)
    if no_country:
        raise ServiceError(
            _("Shop %(shop)s cannot send upload links yet. %(reason)s")
            % {"shop": shop.name, "reason": recipients_missing_country_message(names=no_country)}
        )


def mapping_require_country(*, mapping: CarrierMapping) -> None:
    """An export through a mapping hands the data to its recipient: not before its country is
    known (the consent names it, the transfer register records it)."""
    if not mapping.country:
        raise ServiceError(
            _(
                "The carrier column mapping “%(mapping)s” has no recipient's country. Set it "
                "before exporting: the file is a hand-over to this recipient, and the transfer "
                "register records its country."
            )
            % {"mapping": mapping.name}
        )


# The demo shop's operator (``manage.py demo``, the benchmarks): a made-up company.
DEMO_OPERATOR = {
    "operator_name": "Demo Trading Co., Ltd. (fictional)",
    "operator_address": "1 Example Road, Shenzhen, China",
    "operator_registration": "USCC 91440300EXAMPLE000",
    "operator_rkn_number": "00-00-000000",
    "operator_contact": "Demo privacy officer, privacy@example.com",
}
