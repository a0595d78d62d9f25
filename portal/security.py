"""Request-level security helpers: the client's address, and staff sessions that end when idle."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

# Session key holding the time of a staff user's last request (seconds since the epoch).
STAFF_LAST_SEEN = "_staff_last_seen"


def client_ip(request: HttpRequest) -> str:
    """The address the request came from: the proxy's view of it when BEHIND_PROXY is on.

    Behind a proxy, the last X-Forwarded-For entry is the one the proxy itself appended; earlier
    ones are whatever the client chose to send, so they are never trusted (rate limits, login
    throttling and the audit log all key on this value).
    """
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1][:45]
    return str(request.META.get("REMOTE_ADDR", ""))[:45]


class StaffIdleTimeoutMiddleware:
    """Log staff out after STAFF_SESSION_IDLE_MINUTES without a request.

    Customers' sessions are left alone (they last SESSION_COOKIE_AGE): they hold no passport, only
    which upload request the browser may work on.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff:
            idle_seconds = settings.STAFF_SESSION_IDLE_MINUTES * 60
            now = time.time()
            last_seen = request.session.get(STAFF_LAST_SEEN)
            if isinstance(last_seen, int | float) and now - last_seen > idle_seconds:
                logout(request)
            else:
                request.session[STAFF_LAST_SEEN] = now
                # The cookie goes too if the browser is left alone that long.
                request.session.set_expiry(idle_seconds)
        return self.get_response(request)
