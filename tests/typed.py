"""Helpers for the passport typed without a photo (a shop's photo policy "optional" or "not
collected"), shared by the rooms' tests."""

from tests.conftest import consent_document_id
from uploads.core import customs_rules
from uploads.customs.services import decisions as customs_decisions
from uploads.documents import selectors as document_selectors
from uploads.documents import services as document_services
from uploads.models import CustomsSettings, PassportDocument, PhotoPolicy, Shop, UploadRequest

# The ERIKSSON specimen's details as a customer types them, for a shop's "foreign" situation.
TYPED_FIELDS = {
    "surname": "ERIKSSON",
    "given_names": "ANNA MARIA",
    "number": "L898902C3",
    "nationality": "UTO",
    "date_of_birth": "1974-08-12",
    "sex": "F",
    "expiry_date": "2034-04-15",
}


def photo_policy_set(shop: Shop, policy: str) -> CustomsSettings:
    customs_settings, _created = CustomsSettings.objects.update_or_create(
        shop=shop, defaults={"photo_policy": policy}
    )
    return customs_settings


def typed_start(upload_request: UploadRequest) -> PassportDocument:
    return document_services.document_typed_start(
        upload_request=upload_request,
        consent_document_id=consent_document_id(upload_request),
    )


def type_and_confirm(
    upload_request: UploadRequest,
    *,
    fields: dict[str, str] | None = None,
    situation: str = customs_rules.FOREIGN,
) -> PassportDocument:
    """Take a request through "type the details instead" and the customer's confirmation, the
    shop's photo policy allowing it (set to "optional" unless it already takes typed details)."""
    if document_selectors.photo_policy_of(shop_id=upload_request.order.shop_id) == (
        PhotoPolicy.REQUIRED
    ):
        photo_policy_set(upload_request.order.shop, PhotoPolicy.OPTIONAL)
    document = typed_start(upload_request)
    customs_decisions.customs_document_confirm(
        document=document, fields=fields or TYPED_FIELDS, situation=situation
    )
    upload_request.refresh_from_db()
    document.refresh_from_db()
    return document
