"""The customs export: one CSV row per upload request."""

import csv
import io
from collections.abc import Iterable

from django.utils.translation import gettext as _

from uploads import services
from uploads.forms import PassportFieldsForm
from uploads.models import UploadRequest
from uploads.passport_fields import PASSPORT_FIELDS

# Spreadsheet programs run a cell that starts with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def requests_csv(*, upload_requests: Iterable[UploadRequest], include_passport: bool) -> str:
    """CSV text (with a BOM so Excel reads Cyrillic and Chinese right) in the active language."""
    header = [
        _("Order number"),
        _("Customer name"),
        _("Email"),
        _("Phone"),
        _("Status"),
        _("Upload time"),
    ]
    if include_passport:
        header += [str(PassportFieldsForm.base_fields[name].label) for name in PASSPORT_FIELDS]
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(header)
    for upload_request in upload_requests:
        order = upload_request.order
        row = [
            order.number,
            order.customer_name,
            order.email,
            order.phone,
            upload_request.get_status_display(),
            upload_request.uploaded_at.isoformat(timespec="minutes")
            if upload_request.uploaded_at
            else "",
        ]
        if include_passport:
            document = services.document_current(upload_request=upload_request)
            fields = services.document_fields(document=document) if document else {}
            row += [fields.get(name, "") for name in PASSPORT_FIELDS]
        writer.writerow([_cell(value) for value in row])
    return out.getvalue()
