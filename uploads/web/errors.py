"""Error pages in the visitor's language that reveal nothing (no paths, no tokens, no traces)."""

import sys

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from uploads.web.outages import outage_of, outage_response


def _error(request: HttpRequest, status: int) -> HttpResponse:
    return render(request, "errors/error.html", {"status": status}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Called while the exception is being handled: an outage met outside a view (a middleware
    # saving the session to a database that is gone) gets the same 503 page as one met inside.
    outage = outage_of(sys.exc_info()[1])
    if outage is not None:
        return outage_response(request, outage)
    return _error(request, 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    # Typically a form left open for a day, or cookies blocked: say what to do, not what failed.
    return render(request, "errors/error.html", {"status": 403, "csrf": True}, status=403)
