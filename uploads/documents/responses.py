"""A passport image as an HTTP response: decrypted on the fly, never cached."""

from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header

from uploads.core import storage
from uploads.documents.selectors import document_key
from uploads.models import EncryptedFileModel


def passport_image_response(
    document: EncryptedFileModel, *, download_name: str | None = None
) -> StreamingHttpResponse:
    """Shown in the page, or with ``download_name`` saved as that file. The name goes through
    Django's own header builder: quotes are escaped, and a name that is not plain printable ASCII
    (Cyrillic, a line break) goes as ``filename*=utf-8''…``, never as raw bytes in the header."""
    key = document_key(document)  # before any byte is sent: a key not loaded here is an error
    response = StreamingHttpResponse(
        storage.blob_open(key=key, name=document.blob_name),
        content_type=document.stored_content_type,
    )
    response["Cache-Control"] = "no-store, private"
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=True, filename=download_name)
        if download_name
        else "inline"
    )
    return response
