"""Cross-border transfer (152-FZ art. 12, since 1 March 2023): where staff work from, whether a shop
lets its staff abroad open passports yet, and the register of transfers.

A staff member abroad who opens a passport receives it abroad: that is a cross-border transfer,
which needs a notice to Roskomnadzor before it happens. The register (``TransferRecord``) is written
by the audit service together with the audit event of the same act; here it is only read.
"""

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from uploads.core.errors import ServiceError
from uploads.models import RUSSIA, Shop, StaffProfile, TransferRecord

# What a look or an export by staff hands over, by audit action (a caller may say more).
IMAGE = "image"
SECOND_DOCUMENT_IMAGE = "second_document_image"


def staff_country(*, user: AbstractBaseUser | AnonymousUser | None) -> str:
    """The country the user declared they work from (ISO 3166 alpha-2), "" when none."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    try:
        # Cached on the user object (found or not) after the first look: one query per request.
        return user.staff_profile.country  # type: ignore[union-attr]
    except StaffProfile.DoesNotExist:
        return ""


def staff_is_abroad(*, user: AbstractBaseUser | None) -> bool:
    """Not declared counts as abroad: the operator must know, not assume."""
    return staff_country(user=user) != RUSSIA


def shop_refuses_staff_abroad(*, shop: Shop) -> bool:
    return shop.refuse_staff_abroad and shop.transfer_notice_date is None


def staff_access_refusal(*, user: AbstractBaseUser, shops: Iterable[Shop]) -> str | None:
    """Why ``user`` may not open or export passports of these shops now, or None.

    A shop that asks for it refuses staff whose declared country is not Russia (or who declared
    none) until its cross-border transfer notice date is recorded."""
    if not staff_is_abroad(user=user):
        return None
    refusing = sorted({shop.name for shop in shops if shop_refuses_staff_abroad(shop=shop)})
    if not refusing:
        return None
    country = staff_country(user=user)
    if country:
        reason = _("You work from %(country)s, outside Russia.") % {"country": country}
    else:
        reason = _("You have not declared the country you work from (a superuser sets it).")
    return _(
        "%(reason)s Opening or exporting passports of %(shops)s from abroad is a cross-border "
        "transfer: the shop refuses it until the date of its transfer notice to Roskomnadzor is "
        "recorded in the shop's settings."
    ) % {"reason": reason, "shops": ", ".join(refusing)}


def staff_access_require(*, user: AbstractBaseUser, shops: Iterable[Shop]) -> None:
    """Raise ``ServiceError`` with ``staff_access_refusal``'s message when there is one."""
    refusal = staff_access_refusal(user=user, shops=shops)
    if refusal is not None:
        raise ServiceError(refusal)


def transfer_register(
    *, shops: QuerySet[Shop] | Iterable[Shop], start: date | None = None, end: date | None = None
) -> QuerySet[TransferRecord]:
    """The register of these shops, oldest first, for the days ``start``..``end`` (inclusive)."""
    records = TransferRecord.objects.filter(shop__in=shops)
    zone = timezone.get_current_timezone()
    if start is not None:
        records = records.filter(at__gte=datetime.combine(start, time.min, tzinfo=zone))
    if end is not None:
        records = records.filter(
            at__lt=datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
        )
    return records.select_related("shop", "actor").order_by("at", "pk")
