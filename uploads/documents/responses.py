"""A passport image as an HTTP response: read and decrypted whole first, never cached."""

from django.http import HttpResponse
from django.utils.http import content_disposition_header

from uploads.core import storage
from uploads.documents.selectors import document_key
from uploads.models import EncryptedFileModel


def passport_image_response(
    document: EncryptedFileModel, *, download_name: str | None = None
) -> HttpResponse:
    """Shown in the page, or with ``download_name`` saved as that file. The name goes through
    Django's own header builder: quotes are escaped, and a name that is not plain printable ASCII
    (Cyrillic, a line break) goes as ``filename*=utf-8''…``, never as raw bytes in the header.

    The image (a re-encoded JPEG of a few MB) is read and decrypted whole before the response
    exists, not streamed: a key not loaded here, or a storage that fails half-way, raises here
    (``StorageUnavailable`` is a 503 page), before the caller audits the view, instead of cutting
    a response already begun (an empty 500 from the server, with the view audited)."""
    key = document_key(document)
    response = HttpResponse(
        storage.blob_read(key=key, name=document.blob_name),
        content_type=document.stored_content_type,
    )
    response["Cache-Control"] = "no-store, private"
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=True, filename=download_name)
        if download_name
        else "inline"
    )
    return response
