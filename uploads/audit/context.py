"""Where an audited action came from: the client address of the request being served.

A middleware puts the address in a context variable for the length of the request, so
``services.audit_record`` records it for every service a view, the admin or the API calls, without
each of them passing it on. Commands and tasks run outside a request and record none.
"""

from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

from portal.security import client_ip

_current_ip: ContextVar[str | None] = ContextVar("audit_client_ip", default=None)


def current_ip() -> str | None:
    return _current_ip.get()


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current_ip.set(client_ip(request) or None)
        try:
            return self.get_response(request)
        finally:
            _current_ip.reset(token)
