"""Gunicorn settings for the portal: ``gunicorn -c portal/gunicorn.conf.py portal.wsgi``.

Sized for customers uploading 3-4 MB phone photos (at most PASSPORT_MAX_UPLOAD_MB) behind a TLS
proxy that buffers request bodies (nginx does by default), so a slow phone never holds a thread
while its photo trickles in. Each value can be overridden on the command line (``-b``, ``-w``, ...)
or by the environment variables named below.
"""

import os
from pathlib import Path

# Where to listen. Behind a proxy on the same machine, loopback; GUNICORN_BIND=0.0.0.0:8000 for a
# load balancer on the private network.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Processes x threads. A request spends most of its time decoding, turning and re-encoding the photo
# (Pillow) and encrypting it (cryptography); both release the GIL, so threads use the cores well.
# One process per core and four threads each keeps ~8 photos in memory at once (~80 MB each at the
# peak of normalisation for 12 megapixels), well within a 2 GB machine.
workers = int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() or 2))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))

# A worker that does not report for this long is killed and replaced (a stuck request, not a slow
# one: with a buffering proxy the body arrives at once, and normalising a 50-megapixel photo, the
# largest accepted, takes a few seconds).
timeout = 60
# On restart or deploy, requests in flight get this long to finish.
graceful_timeout = 30
# Keep-alive to the proxy.
keepalive = 5

# Header limits: the defaults, written down. The body limit is Django's (PASSPORT_MAX_UPLOAD_MB,
# enforced while reading by uploads/upload_handlers.py), not gunicorn's.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190

# Recycle workers now and then: decoding large images fragments the heap.
max_requests = 1000
max_requests_jitter = 100

# The heartbeat file in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if Path("/dev/shm").is_dir() else None  # noqa: S108

# No control socket (gunicorn 24+ puts one in ~/.gunicorn/): nothing on local disk, and several
# instances on one machine (replicas, tests) would fight over the same path.
control_socket_disable = True


def post_worker_init(worker) -> None:  # type: ignore[no-untyped-def]
    """Django is loaded: open the passport storage before the first request needs it."""
    from uploads.core import storage

    storage.warm_up()


# Trust X-Forwarded-* from these proxies only (BEHIND_PROXY=1 makes Django read the scheme).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Logs: to stdout, through the same token-redacting filter as Django's own log, one JSON object a
# line (LOG_FORMAT=text for plain lines). The access line has no client address, query string,
# Referer or user agent: nothing that identifies a customer.
accesslog = "-" if os.environ.get("GUNICORN_ACCESS_LOG", "1") != "0" else None
errorlog = "-"
access_log_format = '"%(m)s %(U)s" %(s)s %(B)s %(M)sms'
_formatter = "json" if os.environ.get("LOG_FORMAT", "json") == "json" else "plain"
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_tokens": {"()": "portal.logging.RedactUploadTokens"}},
    "formatters": {
        "json": {"()": "portal.logging.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": _formatter,
            "filters": ["redact_tokens"],
            "stream": "ext://sys.stdout",
        },
    },
    "root": {"level": "INFO", "handlers": ["console"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
    },
}
