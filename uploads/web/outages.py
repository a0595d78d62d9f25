"""Outages are named, not 500s: the passport storage or the database not answering becomes one page
in the visitor's language, HTTP 503 with ``Retry-After``, that says what is down and that nothing
was stored, for the customer's pages and the seller's admin alike.

One place maps them: ``OutageMiddleware`` for an exception a view raised, and the 500 handler
(``uploads.web.errors.server_error``) for one raised later, by a middleware on the way out (the
session saved to a database that is gone). Views need no code of their own: whatever they were
doing stopped where the service failed, and a step that stores (an upload) stores nothing without
both the storage and the database (``documents.services.encrypted_file_stored``)."""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from uploads.core import crypto, not_opened
from uploads.core.errors import DatabaseUnavailable, StorageUnavailable, Unavailable

logger = logging.getLogger(__name__)

# What the visitor's browser (or the seller's system) is told: a few minutes.
RETRY_AFTER_SECONDS = 120


def outage_of(error: BaseException | None) -> Unavailable | None:
    """The outage behind ``error``, if it is one: our own refusal, or the database driver's
    connection, timeout and cancel errors (psycopg's, SQLite's "database is locked")."""
    if isinstance(error, Unavailable):
        return error
    if isinstance(error, OperationalError | InterfaceError):
        return DatabaseUnavailable()
    return None


def outage_response(request: HttpRequest, outage: Unavailable) -> HttpResponse:
    # Rendered without touching the database: the page needs no session, user or message.
    response = render(
        request,
        "errors/error.html",
        {
            "status": 503,
            "outage": outage.message,
            "storage": isinstance(outage, StorageUnavailable),
            "was_storing": request.method == "POST",
            "not_opened": "",
        },
        status=503,
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    # Logged once as a warning by the caller: Django's own "Service Unavailable" error line
    # would mail ADMINS for every request of an outage.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


def not_opened_response(request: HttpRequest, error: crypto.DecryptionError) -> HttpResponse:
    """The safety net for a passport (or sealed value) that does not open and that no view
    handled itself (the views name it in place): a page that says so, never a 500. The seller
    reads why (a key id at most); the customer is asked to upload again."""
    # The view's name, not the path: a path may hold a link's token.
    view = getattr(request.resolver_match, "view_name", "") or "?"
    not_opened.log_not_opened(
        error, where=f"unhandled in {view}", request_id=None, document_id=None
    )
    message = (
        not_opened.seller_message(error)
        if request.path.startswith("/admin/")
        else not_opened.CUSTOMER_MESSAGE
    )
    response = render(
        request, "errors/error.html", {"status": 503, "not_opened": message}, status=503
    )
    add_never_cache_headers(response)
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


class OutageMiddleware:
    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, crypto.DecryptionError):
            return not_opened_response(request, exception)
        outage = outage_of(exception)
        if outage is None:
            return None
        cause = exception.__cause__ or exception
        # The type only: a driver's text names hosts, buckets and sometimes the query's values.
        logger.warning("%s: answered 503 (%s)", type(outage).__name__, type(cause).__name__)
        return outage_response(request, outage)
