"""Which carriers a shop hands records to: its API carrier (CDEK, when it has an active account)
and its file-based carriers (the built-in FCS 1861 set and its column mappings).

A second API carrier adds its module and a branch in ``api_carrier_for``.
"""

from uploads.carriers.base import ApiCarrier
from uploads.carriers.cdek.carrier import CdekCarrier
from uploads.carriers.credentials import credential_unseal
from uploads.models import CdekAccount, Shop

API_CARRIER_NAMES = {CdekCarrier.key: CdekCarrier.name}


def cdek_carrier(*, account: CdekAccount) -> CdekCarrier:
    return CdekCarrier(
        environment=account.environment,
        client_id=credential_unseal(
            account.client_id_sealed, purpose="client_id", shop_id=account.shop_id
        ),
        client_secret=credential_unseal(
            account.client_secret_sealed, purpose="client_secret", shop_id=account.shop_id
        ),
    )


def cdek_account_active(*, shop_id: int) -> CdekAccount | None:
    return CdekAccount.objects.filter(shop_id=shop_id, is_active=True).first()


def api_carrier_for(*, shop: Shop | int, carrier: str = CdekCarrier.key) -> ApiCarrier | None:
    """The shop's API carrier of that key, or ``None`` when the shop has not set it up."""
    shop_id = shop if isinstance(shop, int) else shop.pk
    if carrier == CdekCarrier.key:
        account = cdek_account_active(shop_id=shop_id)
        return cdek_carrier(account=account) if account is not None else None
    return None
