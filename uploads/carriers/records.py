"""A ready request's customs record as CDEK's recipient fields.

The values come from the same place as the customs export (``customs.exports.record_values``),
with dates as ``YYYY-MM-DD`` (CDEK's ``date``) and the name as one string, surname first (CDEK's
``name``, the full name). Empty fields are left out rather than sent empty, so an update never blanks
a value CDEK already holds.
"""

from uploads.carriers.base import CustomsRecordOut
from uploads.customs.exports import record_values
from uploads.documents import selectors as document_selectors
from uploads.models import CarrierMapping, CarrierOrder, PassportDocument, UploadRequest

_CDEK_LAYOUT = CarrierMapping(
    name="CDEK",
    columns=[],
    date_format=CarrierMapping.DateFormat.ISO,
    name_order=CarrierMapping.NameOrder.SURNAME_FIRST,
)

# CDEK's recipient field: the customs export's field key it is filled from.
CDEK_FROM_EXPORT = {
    "name": "full_name",
    "passport_series": "series",
    "passport_number": "number",
    "passport_date_of_issue": "issue_date",
    "passport_organization": "issuing_authority",
    "passport_date_of_birth": "date_of_birth",
    "tin": "inn",
    "email": "email",
}


def cdek_recipient(
    *, upload_request: UploadRequest, document: PassportDocument, situation: str
) -> dict[str, object]:
    fields = document_selectors.document_fields(document=document)
    values = record_values(upload_request, fields, situation, _CDEK_LAYOUT)
    recipient: dict[str, object] = {
        cdek_name: values[key] for cdek_name, key in CDEK_FROM_EXPORT.items() if values.get(key)
    }
    if values.get("phone"):
        recipient["phones"] = [{"number": values["phone"]}]
    return recipient


def cdek_record(
    *, upload_request: UploadRequest, document: PassportDocument, situation: str, link: CarrierOrder
) -> CustomsRecordOut:
    return CustomsRecordOut(
        order_number=upload_request.order.number,
        carrier_number=link.cdek_number,
        carrier_order_id=link.order_uuid,
        values=cdek_recipient(
            upload_request=upload_request, document=document, situation=situation
        ),
    )
