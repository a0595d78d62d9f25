"""The request list as CSV for the seller."""

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from uploads.core import crypto, not_opened
from uploads.core.cells import cell
from uploads.core.passport_fields import PASSPORT_FIELDS
from uploads.documents import selectors as document_selectors
from uploads.documents.forms import field_label
from uploads.models import PassportDocument, UploadRequest


def _source_label(upload_request: UploadRequest) -> str:
    # The admin's list annotates it (one subquery); any other caller costs a query per row.
    if hasattr(upload_request, "passport_source"):
        source = upload_request.passport_source
    else:
        document = document_selectors.document_current(upload_request=upload_request)
        source = document.source if document is not None else None
    return str(PassportDocument.Source(source).label) if source else ""


@dataclass
class RequestsCsv:
    text: str
    # Requests whose passport no longer opens: their passport cells say so (the caller audits).
    unreadable: list[tuple[UploadRequest, PassportDocument, crypto.DecryptionError]] = field(
        default_factory=list
    )


def requests_csv(
    *, upload_requests: Iterable[UploadRequest], include_passport: bool
) -> RequestsCsv:
    """CSV text (with a BOM so Excel reads Cyrillic and Chinese right) in the active language.
    A passport that no longer opens is marked in its cells, never a failed export."""
    header = [
        _("Order number"),
        _("Customer name"),
        _("Email"),
        _("Phone"),
        _("Status"),
        _("Upload time"),
        # How the passport's details came (read from a photo, typed by the customer): not
        # personal data, so in every export.
        _("Passport data"),
    ]
    if include_passport:
        header += [field_label(name) for name in PASSPORT_FIELDS]
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(header)
    unreadable: list[tuple[UploadRequest, PassportDocument, crypto.DecryptionError]] = []
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
            _source_label(upload_request),
        ]
        if include_passport:
            document = document_selectors.document_current(upload_request=upload_request)
            try:
                fields = document_selectors.document_fields(document=document) if document else {}
            except crypto.DecryptionError as error:
                assert document is not None
                unreadable.append((upload_request, document, error))
                row += [str(not_opened.UNREADABLE_CELL)] * len(PASSPORT_FIELDS)
            else:
                row += [fields.get(name, "") for name in PASSPORT_FIELDS]
        writer.writerow([cell(value) for value in row])
    return RequestsCsv(text=out.getvalue(), unreadable=unreadable)
