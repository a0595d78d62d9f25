"""Error reports (the emails Django sends ADMINS on a server error) without personal data.

Django's reports show the request's POST data, cookies, headers, every local variable of every
frame and the exception's message: on this site any of them can hold a passport field, a name or
a link token. Here they show only what helps to find the bug: the exception's type, the code
path (file, line, source) and the names of variables, never their values.
"""

from typing import Any

from django.http import HttpRequest
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

from portal.logging import redact

HIDDEN = "[hidden]"
# Headers that say nothing about the customer and help to reproduce a bug.
_META_SHOWN = {"REQUEST_METHOD", "CONTENT_TYPE", "CONTENT_LENGTH", "SERVER_PROTOCOL"}


class PrivacyExceptionReporterFilter(SafeExceptionReporterFilter):
    def get_post_parameters(self, request: HttpRequest | None) -> dict[str, str]:
        if request is None:
            return {}
        return dict.fromkeys(request.POST, HIDDEN)

    def get_traceback_frame_variables(self, request: HttpRequest | None, tb_frame: Any):  # type: ignore[no-untyped-def]
        return [(name, HIDDEN) for name in tb_frame.f_locals]

    def get_safe_request_meta(self, request: HttpRequest | None) -> dict[str, str]:
        if request is None or not hasattr(request, "META"):
            return {}
        return {
            key: (str(value) if key in _META_SHOWN else HIDDEN)
            for key, value in request.META.items()
        }

    def get_safe_cookies(self, request: HttpRequest | None) -> dict[str, str]:
        if request is None or not hasattr(request, "COOKIES"):
            return {}
        return dict.fromkeys(request.COOKIES, HIDDEN)


class PrivacyExceptionReporter(ExceptionReporter):
    def get_traceback_frames(self) -> list[dict[str, Any]]:
        frames = super().get_traceback_frames()
        for frame in frames:
            if frame.get("exc_cause") is not None:
                frame["exc_cause"] = type(frame["exc_cause"]).__name__
        return frames

    def get_traceback_data(self) -> dict[str, Any]:
        data = super().get_traceback_data()
        # An exception's message may quote the value that caused it.
        if "exception_value" in data:
            data["exception_value"] = HIDDEN
        data.pop("exception_notes", None)
        data["unicode_hint"] = ""
        if self.request is not None:
            data["request_GET_items"] = [(key, HIDDEN) for key in self.request.GET]
            data["request_FILES_items"] = [(key, HIDDEN) for key in self.request.FILES]
            # The path without its query string, and without a link token.
            data["request_insecure_uri"] = redact(self.request.path)
            data["request"] = _RedactedRequest(self.request)
        return data


class _RedactedRequest:
    """What the report templates read from the request, with the link token removed."""

    def __init__(self, request: HttpRequest) -> None:
        self.path_info = redact(request.path_info)
        self.path = redact(request.path)
        self.method = request.method
        self.GET = dict.fromkeys(request.GET, HIDDEN)
        self.META = {key: value for key, value in request.META.items() if key in _META_SHOWN}

    def get_raw_uri(self) -> str:
        return self.path

    def build_absolute_uri(self) -> str:
        return self.path

    def __str__(self) -> str:
        return f"<request {self.method} {self.path}>"
