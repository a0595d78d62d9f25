"""Outbound HTTP to a carrier's API: one deadline for the whole call, no redirects, and at most
``MAX_RESPONSE_BYTES`` of the answer read.

The carrier's address is never the seller's to choose (it comes from settings: CDEK's test or
production host), so unlike webhooks there is no public-address check; what is guarded is a slow
or huge answer holding a worker. Connections are pooled per host (keep-alive) across calls.
"""

import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import urllib3
from django.conf import settings

CONNECT_TIMEOUT_SECONDS = 3.0

# A carrier's JSON answers are a few kilobytes; anything past this is refused, not read.
MAX_RESPONSE_BYTES = 256 * 1024

_READ_CHUNK = 16 * 1024

_pool = urllib3.PoolManager(retries=False, maxsize=4, block=False)


class CarrierUnreachable(Exception):
    """No answer: the name does not resolve, the connection failed or was cut."""


class CarrierTimeout(CarrierUnreachable):
    """No complete answer within ``CARRIER_TIMEOUT_SECONDS``."""


class ResponseTooLarge(CarrierUnreachable):
    """The answer went on beyond ``MAX_RESPONSE_BYTES``."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    retry_after: int | None = None

    def json(self) -> Any:
        """The answer as JSON, or ``None`` when it is not JSON (a proxy's HTML error page)."""
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None


def call(
    method: str,
    url: str,
    *,
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    json_body: Any = None,
    form: dict[str, str] | None = None,
) -> Answer:
    """One call within the deadline; raises ``CarrierUnreachable`` (or ``CarrierTimeout``,
    ``ResponseTooLarge``). The exceptions' messages never carry the body sent or received."""
    deadline = time.monotonic() + float(settings.CARRIER_TIMEOUT_SECONDS)
    all_headers = {"User-Agent": "passport-portal-carriers/1", "Accept": "application/json"}
    all_headers.update(headers or {})
    body: bytes | None = None
    if json_body is not None:
        body = json.dumps(json_body, ensure_ascii=False).encode()
        all_headers["Content-Type"] = "application/json; charset=utf-8"
    elif form is not None:
        body = urlencode(form).encode()
        all_headers["Content-Type"] = "application/x-www-form-urlencoded"
    if query:
        url = f"{url}?{urlencode(query)}"
    try:
        response = _pool.request(
            method,
            url,
            body=body,
            headers=all_headers,
            redirect=False,
            preload_content=False,
            timeout=urllib3.Timeout(connect=CONNECT_TIMEOUT_SECONDS, read=_remaining(deadline)),
        )
        try:
            content = _read_capped(response, deadline)
        finally:
            response.release_conn()
    except urllib3.exceptions.NewConnectionError as error:
        # Refused or unresolvable (urllib3 files this under its timeouts for old callers' sake).
        raise CarrierUnreachable(type(error).__name__) from None
    except (urllib3.exceptions.TimeoutError, TimeoutError):
        raise CarrierTimeout(f"no answer within {settings.CARRIER_TIMEOUT_SECONDS} s") from None
    except (urllib3.exceptions.HTTPError, OSError) as error:
        raise CarrierUnreachable(type(error).__name__) from None
    return Answer(
        status=response.status,
        body=content,
        retry_after=_retry_after(response.headers.get("Retry-After")),
    )


def _remaining(deadline: float) -> float:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise CarrierTimeout(f"no answer within {settings.CARRIER_TIMEOUT_SECONDS} s")
    return remaining


def _read_capped(response: urllib3.BaseHTTPResponse, deadline: float) -> bytes:
    """The body, chunk by chunk, each read bounded by what is left of the deadline."""
    parts: list[bytes] = []
    size = 0
    while True:
        _remaining(deadline)
        chunk = response.read(_READ_CHUNK)
        if not chunk:
            return b"".join(parts)
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            raise ResponseTooLarge(f"the answer went on beyond {MAX_RESPONSE_BYTES} bytes")
        parts.append(chunk)


def _retry_after(value: str | None) -> int | None:
    if value is None or not value.strip().isdigit():
        return None
    return min(int(value.strip()), 6 * 60 * 60)
