import importlib.util
import json
import logging
from pathlib import Path

from portal.logging import JsonFormatter, RedactUploadTokens

ROOT = Path(__file__).resolve().parents[2]


def _record(**extra) -> logging.LogRecord:
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: %s",
        ("/u/abcdefghijklmnopqrstuvwxyz/",), None,
    )  # fmt: skip
    record.__dict__.update(extra)
    return record


def test_it_writes_one_redacted_json_object_without_extra_attributes():
    record = _record(status_code=404, request="GET /u/abcdefghijklmnopqrstuvwxyz/ Anna")
    RedactUploadTokens().filter(record)

    line = JsonFormatter().format(record)

    data = json.loads(line)
    assert set(data) == {"time", "level", "logger", "message", "status_code"}
    assert data["message"] == "Not Found: /u/[redacted]/"
    assert data["level"] == "WARNING"
    assert data["time"].endswith("+00:00")
    assert "Anna" not in line


def test_it_redacts_every_gunicorn_log_handler():
    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "portal/gunicorn.conf.py")
    config = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(config)

    handlers = config.logconfig_dict["handlers"]
    assert handlers
    for handler in handlers.values():
        assert "redact_tokens" in handler["filters"]
    assert "%(h)s" not in config.access_log_format  # no client address
    assert "%(f)s" not in config.access_log_format  # no Referer
    assert "%(q)s" not in config.access_log_format  # no query string
    assert config.worker_class == "gthread"
