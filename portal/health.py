"""``/health``: can this web process serve? Database, passport storage and master keys.

For load balancers and monitoring. The answer names each check and says "ok" or "fail", nothing
more (no exception text, host names or key ids); the reason for a failure goes to the log.
"""

import logging
import secrets

from django.core.files.base import ContentFile
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from uploads.core import crypto, storage
from uploads.models import PassportDocument

logger = logging.getLogger(__name__)

PROBE_CONTENT = b"passport portal health probe"  # nothing personal, in a folder of its own


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            raise RuntimeError("unexpected answer")


def _storage() -> None:
    """Write, read back and delete a tiny object: reading alone would miss a read-only bucket."""
    backend = storage.passport_storage()
    name = backend.save(f"health/{secrets.token_hex(8)}.probe", ContentFile(PROBE_CONTENT))
    try:
        with backend.open(name, "rb") as handle:
            if handle.read() != PROBE_CONTENT:
                raise RuntimeError("the probe read back differently")
    finally:
        backend.delete(name)


def _keys() -> None:
    """The keys work, and still open the newest stored passport (a replica with a wrong key list
    would otherwise accept uploads that no other replica can read, and fail to show old ones)."""
    key = crypto.new_data_key()
    if crypto.unwrap_data_key(key.wrapped).plaintext != key.plaintext:
        raise RuntimeError("a data key does not unwrap")
    newest = (
        PassportDocument.objects.exclude(wrapped_key=b"")
        .order_by("-pk")
        .values_list("wrapped_key", flat=True)
        .first()
    )
    if newest is not None:
        crypto.unwrap_data_key(bytes(newest))


CHECKS = {"database": _database, "storage": _storage, "keys": _keys}


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as error:
            logger.error("health check %s failed: %s", name, type(error).__name__, exc_info=True)
            results[name] = "fail"
        else:
            results[name] = "ok"
    healthy = all(result == "ok" for result in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "fail", "checks": results}, status=200 if healthy else 503
    )
