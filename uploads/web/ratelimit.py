"""Rate limits on the customer's link and pages, counted in Django's cache.

Fixed windows (``cache.add`` then ``cache.incr``): simple, atomic in Redis and in local memory, and
enough to make guessing a 256-bit token pointless. The files an upload request may send per day are
counted in the database instead (``requests.services.upload_request_count_file``): each file costs a
decode, so that cap must hold for files posted at the same moment and in every process. With several
processes, the cache must be shared (Redis through CACHE_URL) for the limits to hold across them.
Cache keys carry a hash, never a token or an address in clear.
"""

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as clock_time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from portal.security import client_ip
from uploads.requests import services as request_services

View = Callable[..., HttpResponse]


@dataclass(frozen=True)
class Limit:
    name: str
    count: int
    seconds: int


def _key(limit: Limit, subject: str) -> str:
    digest = hashlib.sha256(f"{limit.name}:{subject}".encode()).hexdigest()[:32]
    return f"ratelimit:{limit.name}:{digest}"


def _used(limit: Limit, subject: str) -> int:
    return int(cache.get(_key(limit, subject), 0))


def _count(limit: Limit, subject: str) -> int:
    key = _key(limit, subject)
    if cache.add(key, 1, timeout=limit.seconds):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=limit.seconds)
        return 1


def too_many(
    request: HttpRequest, retry_after: int, *, token_in_address: bool = False
) -> HttpResponse:
    response = render(
        request,
        "errors/error.html",
        {"status": 429, "token_in_address": token_in_address},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    if token_in_address:
        response["Referrer-Policy"] = "no-referrer"
    return response


def _limits() -> dict[str, Limit]:
    return {
        # Failed link opens from one address: a customer mistypes rarely, a guesser constantly.
        # A short window: behind a carrier's NAT the address is shared by many customers.
        "link_failures": Limit(
            "link-fail",
            settings.RATE_LIMIT_LINK_FAILURES,
            settings.RATE_LIMIT_LINK_FAILURE_WINDOW_SECONDS,
        ),
        # Opens of one link: enough for a family passing the phone around, not for a script.
        "link_opens": Limit("link-open", settings.RATE_LIMIT_LINK_OPENS, 3600),
        # Any customer page, per address and per upload request.
        "pages_ip": Limit("page-ip", settings.RATE_LIMIT_PAGES_PER_MINUTE, 60),
        "pages_request": Limit("page-req", settings.RATE_LIMIT_PAGES_PER_MINUTE, 60),
    }


def _wait_key(ip: str) -> str:
    digest = hashlib.sha256(f"link-wait:{ip}".encode()).hexdigest()[:32]
    return f"ratelimit:link-wait:{digest}"


def _slowdown_after_failure(ip: str, failures: int, limit: Limit) -> None:
    """Past the limit, each wrong link makes the address wait before the next: 1, 2, 4 ... s, up
    to RATE_LIMIT_LINK_MAX_DELAY_SECONDS. A slowdown, not a lockout, and never for working links."""
    excess = failures - limit.count
    if excess < 0:
        return
    delay = min(2**excess, settings.RATE_LIMIT_LINK_MAX_DELAY_SECONDS)
    cache.set(_wait_key(ip), time.time() + delay, timeout=delay)


def _seconds_to_wait(ip: str) -> int:
    """How long the address must still wait before its next wrong link is looked at (0: none)."""
    until = cache.get(_wait_key(ip))
    if until is None:
        return 0
    return max(0, math.ceil(until - time.time()))


def link_rate_limited(view: View) -> View:
    """For the link view. The link is always looked up first: a working link opens whatever its
    address did before (a carrier's NAT puts many customers behind one address), within the
    opens allowed per link. A wrong link (the view answered 404) counts against its address; past
    RATE_LIMIT_LINK_FAILURES in the window, wrong links get 429 with a Retry-After of a few
    seconds, growing with each one, instead of an answer."""

    @wraps(view)
    def wrapper(request: HttpRequest, token: str, *args: object, **kwargs: object) -> HttpResponse:
        limits = _limits()
        opens = limits["link_opens"]
        if _used(opens, token) >= opens.count:
            return too_many(request, opens.seconds, token_in_address=True)
        response = view(request, token, *args, **kwargs)
        if response.status_code != 404:
            _count(opens, token)
            return response
        # Only working links get a counter of their own: a guesser's made-up tokens would
        # otherwise fill the cache and push the per-address counter out of it.
        ip = client_ip(request)
        waiting = _seconds_to_wait(ip)
        if waiting:
            return too_many(request, waiting, token_in_address=True)
        failures = limits["link_failures"]
        _slowdown_after_failure(ip, _count(failures, ip), failures)
        return response

    return wrapper


def customer_rate_limited(view: View) -> View:
    """For the pages behind the link: requests per upload request (from the session), or per
    address without one, and uploads (POSTs to the upload form) per upload request per day."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        limits = _limits()
        request_id = request.session.get("upload_request_id")
        if request_id:
            # A customer with a session (opened with a working link) is counted per upload
            # request, not per address: behind a shared address others cannot use it up.
            pages_request = limits["pages_request"]
            if _count(pages_request, str(request_id)) > pages_request.count:
                return too_many(request, pages_request.seconds)
        else:
            pages_ip = limits["pages_ip"]
            if _count(pages_ip, client_ip(request)) > pages_ip.count:
                return too_many(request, pages_ip.seconds)
        return view(request, *args, **kwargs)

    return wrapper


def _seconds_to_tomorrow() -> int:
    now = timezone.localtime()
    tomorrow = datetime.combine(now.date() + timedelta(days=1), clock_time.min, tzinfo=now.tzinfo)
    return max(1, int((tomorrow - now).total_seconds()))


def upload_rate_limited(view: View) -> View:
    """Caps the files one upload request may send per day (POSTs only). Counted in the database,
    not the cache: one conditional update per file, so the cap holds for files posted at the same
    moment and across processes."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        request_id = request.session.get("upload_request_id")
        if (
            request.method == "POST"
            and request_id
            and not request_services.upload_request_count_file(
                upload_request_id=int(request_id), daily_limit=settings.RATE_LIMIT_UPLOADS_PER_DAY
            )
        ):
            return too_many(request, _seconds_to_tomorrow())
        return view(request, *args, **kwargs)

    return wrapper
