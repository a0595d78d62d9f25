"""The review page's picture of the customer's upload: a small copy, made on request.

The stored photo stays what it is (up to 2,560 px or more, what the MRZ is read from and the seller
sees); the customer only needs to recognise their page next to the fields, on a phone, often on a
slow connection. The copy is made in memory from the decrypted photo on every request and never
stored: the browser may keep it (``private``, for the session) under an address that names the
document."""

import io

from django.http import HttpResponse
from PIL import Image

from uploads.core import storage
from uploads.documents.selectors import document_key
from uploads.models import PassportDocument

PREVIEW_LONG_SIDE = 1000
PREVIEW_MAX_BYTES = 150 * 1024
# Lower qualities are tried in turn until the copy fits PREVIEW_MAX_BYTES (a busy page at 1,000 px
# is about 120 KB at 70).
_QUALITIES = (70, 55, 40)
# As long as the customer's session lasts (SESSION_COOKIE_AGE is longer; a new upload has a new
# address anyway), only in their own browser.
PREVIEW_CACHE_CONTROL = "private, max-age=3600"


def passport_preview_jpeg(document: PassportDocument) -> bytes:
    # Our own re-encoded JPEG, bound to its place (the key opens only for this document).
    data = storage.blob_read(key=document_key(document), name=document.blob_name)
    with Image.open(io.BytesIO(data)) as image:
        # A JPEG is decoded straight at a fraction of its size (libjpeg's DCT scaling): a 2,560 px
        # photo costs a quarter of the work of decoding it whole.
        image.draft("RGB", (PREVIEW_LONG_SIDE, PREVIEW_LONG_SIDE))
        small = image.convert("RGB")
    small.thumbnail((PREVIEW_LONG_SIDE, PREVIEW_LONG_SIDE), Image.Resampling.LANCZOS)
    encoded = b""
    for quality in _QUALITIES:
        buffer = io.BytesIO()
        small.save(buffer, "JPEG", quality=quality, optimize=True, progressive=True)
        encoded = buffer.getvalue()
        if len(encoded) <= PREVIEW_MAX_BYTES:
            break
    return encoded


def passport_preview_response(document: PassportDocument) -> HttpResponse:
    response = HttpResponse(passport_preview_jpeg(document), content_type="image/jpeg")
    response["Cache-Control"] = PREVIEW_CACHE_CONTROL
    response["Content-Disposition"] = "inline"
    return response
