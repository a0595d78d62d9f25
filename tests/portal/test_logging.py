import logging

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
