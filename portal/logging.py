"""Logging filter that keeps upload-link tokens out of every log line."""

import logging
import re

# Customer links look like /u/<token>/ (see uploads/urls.py); the token is url-safe base64.
_TOKEN_IN_PATH = re.compile(r"(/u/)[A-Za-z0-9_\-]{8,}")


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
