import logging
from urllib.parse import unquote

import pytest

from portal.logging import RedactUploadTokens, redact


def test_it_redacts_tokens_in_paths():
    line = '"GET /u/0ZxlxJTtuc5agLJkUAiG3DxfN3h2nDhdXMa_J_d8u7Y/ HTTP/1.1" 302 0'
    assert redact(line) == '"GET /u/[redacted]/ HTTP/1.1" 302 0'


def test_it_redacts_formatted_arguments_of_a_record():
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s',
        ("GET /u/abcdefghijklmnop/ HTTP/1.1", 404),
        None,
    )
    RedactUploadTokens().filter(record)
    assert record.getMessage() == '"GET /u/[redacted]/ HTTP/1.1" 404'


def test_it_keeps_tokens_out_of_the_request_log(client, link, caplog):
    caplog.set_level(logging.INFO)
    client.get(f"/u/{link.token[:-2]}xx/")  # an unknown link: Django logs "Not Found: <path>"
    assert caplog.records
    assert "/u/[redacted]/" in caplog.text
    assert link.token[:20] not in caplog.text


def _configured_handlers(name: str) -> list[logging.Handler]:
    # pytest adds capture handlers of its own; ours are the plain StreamHandlers.
    return [
        handler
        for handler in logging.getLogger(name).handlers
        if type(handler) is logging.StreamHandler
    ]


def test_it_filters_every_handler_that_prints_requests():
    for name in ("", "django", "django.server"):
        handlers = _configured_handlers(name)
        assert handlers, name
        assert all(
            any(isinstance(f, RedactUploadTokens) for f in handler.filters) for handler in handlers
        ), name


TOKEN = "0ZxlxJTtuc5agLJkUAiG3DxfN3h2nDhdXMa_J_d8u7Y"


def percent_encoded(text: str, every: int = 1) -> str:
    """Every ``every``-th character as %XX, the way a client may send a path (runserver and the
    access log print the request line as sent; the server decodes it before routing)."""
    return "".join(f"%{ord(char):02X}" if i % every == 0 else char for i, char in enumerate(text))


@pytest.mark.parametrize(
    "path",
    [
        f"/u/{percent_encoded(TOKEN)}/",  # all of it
        f"/u/{percent_encoded(TOKEN, every=3)}/",  # here and there
        f"/u/{percent_encoded(TOKEN).lower()}/",  # lower-case hex
        f"/u/{TOKEN[:10]}%41{TOKEN[10:]}/",  # one letter in the middle
        f"/%75/{percent_encoded(TOKEN, every=2)}/",  # the "u" too
        f"%2Fu%2F{percent_encoded(TOKEN)}%2F",  # the slashes too
    ],
)
def test_it_redacts_percent_encoded_tokens_in_the_message_and_its_arguments(path):
    message = logging.LogRecord(
        "django.server", logging.INFO, __file__, 1, f'"GET {path} HTTP/1.1" 302 0', None, None
    )
    arguments = logging.LogRecord(
        "django.server", logging.INFO, __file__, 1, '"%s" %s', (f"GET {path} HTTP/1.1", 302), None
    )
    for record in (message, arguments):
        RedactUploadTokens().filter(record)
        line = record.getMessage()
        assert "[redacted]" in line
        assert "GET " in line and "302" in line
        decoded = unquote(line)
        leaks = [TOKEN[i : i + 6] for i in range(len(TOKEN) - 5) if TOKEN[i : i + 6] in decoded]
        assert leaks == [], line


def test_it_still_leaves_other_paths_alone():
    line = '"GET /upload/status/?page=%41 HTTP/1.1" 200 512'
    assert redact(line) == line
