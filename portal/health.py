"""``/health``: can this web process serve? Database, passport storage and master keys.

For load balancers and monitoring. The answer names each check and says "ok" or "fail", nothing
more (no exception text, host names or key ids); the reason for a failure goes to the log.

Nobody signs in to call it, so it does nothing costly for whoever calls: the storage's write probe
runs at most once a minute per process (the answer repeats the last result in between), and with
``HEALTH_ALLOWED_IPS`` set only those addresses (the load balancer's) get an answer; anyone else
gets a 404, as for an address that does not exist.
"""

import ipaddress
import logging
import secrets
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal.security import client_ip
from uploads.core import crypto, storage
from uploads.retention.services import master_keys

logger = logging.getLogger(__name__)

PROBE_CONTENT = b"passport portal health probe"  # nothing personal, in a folder of its own

# The storage's write probe runs at most this often per process; calls in between get its result.
STORAGE_PROBE_INTERVAL_SECONDS = 60.0

_monotonic = time.monotonic  # the probe's clock (a test steps it; the wall clock may jump)


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            raise RuntimeError("unexpected answer")


@dataclass(frozen=True)
class _ProbeResult:
    backend: Storage  # the result holds for this storage only (kept, so its id is not reused)
    at: float
    failed: bool


_storage_probe_lock = threading.Lock()
_storage_probe_last: _ProbeResult | None = None


def _storage() -> None:
    """The write probe's result, probing again when the last one is a minute old: each probe writes
    an object, and the calls are not signed in (a check per call would let anyone make writes)."""
    global _storage_probe_last
    backend = storage.passport_storage()
    with _storage_probe_lock:  # one probe at a time; the threads waiting for it reuse its result
        last = _storage_probe_last
        fresh = (
            last is not None
            and last.backend is backend
            and 0 <= _monotonic() - last.at < STORAGE_PROBE_INTERVAL_SECONDS
        )
        if not fresh:
            failed = False
            try:
                _storage_probe(backend)
            except Exception:
                failed = True
                raise
            finally:
                _storage_probe_last = _ProbeResult(backend=backend, at=_monotonic(), failed=failed)
        elif last.failed:
            raise RuntimeError("the storage probe of the last minute failed (logged then)")


def _storage_probe(backend: Storage) -> None:
    """Write, read back and delete a tiny object: reading alone would miss a read-only bucket."""
    name = backend.save(f"health/{secrets.token_hex(8)}.probe", ContentFile(PROBE_CONTENT))
    try:
        with backend.open(name, "rb") as handle:
            if handle.read() != PROBE_CONTENT:
                raise RuntimeError("the probe read back differently")
    finally:
        backend.delete(name)


def _keys() -> None:
    """This process's own keys: they seal and open (a self-test), and they fit the installation's
    register (check values, ``uploads.retention.services.master_keys``): the first key is
    registered, every key still in use is loaded. Nothing stored is opened, so a replica with a
    wrong key list fails here alone, and the others stay in."""
    sealed = crypto.seal(PROBE_CONTENT, context=b"health probe")
    if crypto.unseal(sealed, context=b"health probe") != PROBE_CONTENT:
        raise RuntimeError("a sealed value does not open")
    problems = master_keys.master_keys_problems()
    if problems:
        raise RuntimeError("; ".join(problems))  # key ids only; the answer says "fail"


CHECKS = {"database": _database, "storage": _storage, "keys": _keys}


def _caller_allowed(request: HttpRequest) -> bool:
    allowed = settings.HEALTH_ALLOWED_IPS
    if not allowed:
        return True
    try:
        caller = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return False
    # A dual-stack listener sees an IPv4 caller as ::ffff:a.b.c.d.
    mapped = getattr(caller, "ipv4_mapped", None)
    candidates = [caller] if mapped is None else [caller, mapped]
    return any(
        candidate in ipaddress.ip_network(network, strict=False)
        for network in allowed
        for candidate in candidates
    )


# The answer comes within this, whatever hangs behind it (a database or storage that does not
# answer): a check not done by then is a "fail", and the load balancer's probe never times out.
HEALTH_DEADLINE_SECONDS = 1.8

# The checks run on one thread of their own, on the calling request's database connection; a run
# still stuck behind an outage is shared by the calls that come meanwhile, not repeated.
_checker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="health")
_run_lock = threading.Lock()
_run: tuple[Future, dict[str, str]] | None = None


def _run_checks(results: dict[str, str], database: BaseDatabaseWrapper) -> None:
    # The caller's own connection, lent for the run: no connection of its own to leak or keep.
    connections[DEFAULT_DB_ALIAS] = database
    try:
        for name, check in CHECKS.items():
            try:
                check()
            except Exception as error:
                logger.error(
                    "health check %s failed: %s", name, type(error).__name__, exc_info=True
                )
                results[name] = "fail"
            else:
                results[name] = "ok"
    finally:
        database.dec_thread_sharing()


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    global _run
    if not _caller_allowed(request):
        raise Http404
    with _run_lock:
        if _run is None or _run[0].done():
            results: dict[str, str] = {}
            database = connections[DEFAULT_DB_ALIAS]
            database.inc_thread_sharing()
            _run = (_checker.submit(_run_checks, results, database), results)
        running, results = _run
    try:
        running.result(timeout=HEALTH_DEADLINE_SECONDS)
    except TimeoutError:
        logger.error("health checks not done in %.1f s: %s", HEALTH_DEADLINE_SECONDS,
                     ", ".join(name for name in CHECKS if name not in results))  # fmt: skip
    results = {name: results.get(name, "fail") for name in CHECKS}
    healthy = all(result == "ok" for result in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "fail", "checks": results}, status=200 if healthy else 503
    )
