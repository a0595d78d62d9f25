from io import StringIO

from django.core.management import call_command

from tests.conftest import TEST_MASTER_KEY
from uploads import services, storage
from uploads.crypto import unwrap_data_key


def _rotate() -> str:
    out = StringIO()
    call_command("rotate_keys", stdout=out)
    return out.getvalue()


def test_it_rewraps_everything_so_the_old_key_can_go(uploaded_request, link, settings):
    new_key = b"\x07" * 32
    settings.PASSPORT_ENCRYPTION_KEYS = [new_key, TEST_MASTER_KEY]
    assert _rotate().startswith("2 ")  # one document, one link token
    assert _rotate().startswith("0 ")
    settings.PASSPORT_ENCRYPTION_KEYS = [new_key]
    document = services.document_current(upload_request=uploaded_request)
    image = storage.blob_read(key=unwrap_data_key(document.wrapped_key), name=document.blob_name)
    assert image.startswith(b"\xff\xd8")
    assert services.document_fields(document=document)["surname"] == "ERIKSSON"
    uploaded_request.refresh_from_db()
    assert services.upload_link_current(upload_request=uploaded_request).token == link.token
