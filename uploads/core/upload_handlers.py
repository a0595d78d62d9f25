"""Keep uploaded passports in memory, bounded in size.

Django's default handlers spool files over 2.5 MB to a temporary file on disk: for a passport that
would be plaintext on disk. This handler keeps every file in memory and stops reading as soon as the
upload passes ``settings.PASSPORT_MAX_UPLOAD_BYTES``, marking the request so the view can answer with
a clear "too large" message instead of a 500 or a silent drop.
"""

from io import BytesIO

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

TOO_LARGE_ATTRIBUTE = "passport_upload_too_large"


class BoundedMemoryUploadHandler(FileUploadHandler):
    def new_file(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().new_file(*args, **kwargs)
        self.buffer = BytesIO()
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.received += len(raw_data)
        if self.received > settings.PASSPORT_MAX_UPLOAD_BYTES:
            setattr(self.request, TOO_LARGE_ATTRIBUTE, True)
            self.buffer = BytesIO()  # drop what we have at once
            raise StopUpload(connection_reset=False)
        self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )
