"""A passport image as an HTTP response: decrypted on the fly, never cached."""

from django.http import StreamingHttpResponse

from uploads.core import crypto, storage
from uploads.models import PassportDocument


def passport_image_response(document: PassportDocument) -> StreamingHttpResponse:
    key = crypto.unwrap_data_key(document.wrapped_key)
    response = StreamingHttpResponse(
        storage.blob_open(key=key, name=document.blob_name),
        content_type=document.stored_content_type,
    )
    response["Cache-Control"] = "no-store, private"
    response["Content-Disposition"] = "inline"
    return response
