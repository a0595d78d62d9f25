"""Logging filter that keeps upload-link tokens out of every log line."""

import logging
import re

from pythonjsonlogger.json import JsonFormatter as _LibraryJsonFormatter

# Customer links look like /u/<token>/ (see uploads/urls.py); the token is url-safe base64. A
# client may send any character of the path percent-encoded (%41 for A, %2F for /, %75 for u): the
# server decodes the path before routing, so /%75/%41%42.../ opens the link too, and runserver and
# the access log print the request line as it was sent. Any %XX counts as a character of the token.
_SLASH = r"(?:/|%2[Ff])"
_U = r"(?:u|%75)"
_TOKEN_CHAR = r"(?:[A-Za-z0-9_\-]|%[0-9A-Fa-f]{2})"  # noqa: S105 - a pattern, not a secret
_TOKEN_IN_PATH = re.compile(rf"({_SLASH}{_U}{_SLASH}){_TOKEN_CHAR}{{8,}}")


def redact(text: str) -> str:
    return _TOKEN_IN_PATH.sub(r"\1[redacted]", text)


class RedactUploadTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        # Django's request logger attaches the request itself; handlers that format it would print
        # the path again.
        if hasattr(record, "request"):
            record.request = None
        return True


class JsonFormatter(_LibraryJsonFormatter):
    """One JSON object a line: time, level, logger, message (python-json-logger).

    Extra record attributes are left out, not just "reserved" ones: Django attaches the request
    and the server's time to its records, and whatever a record carries must not reach the log
    unless it was written into the (redacted) message.
    """

    def __init__(self) -> None:
        super().__init__(
            "%(levelname)s %(name)s %(message)s",
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp="time",  # ISO 8601 in UTC
        )

    def add_fields(self, log_data: dict, record: logging.LogRecord, message_dict: dict) -> None:
        super().add_fields(log_data, record, message_dict)
        for key in list(log_data):
            if key not in _KEPT_FIELDS:
                del log_data[key]


# status_code: Django's request logger sets it; a number, nothing personal.
_KEPT_FIELDS = {"time", "level", "logger", "message", "exc_info", "status_code"}
