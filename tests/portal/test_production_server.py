"""The production configuration served by gunicorn with portal/gunicorn.conf.py: health check,
static files from whitenoise, and JSON logs with no link token in them."""

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench import stack
from tests.conftest import TEST_MASTER_KEY, key_text

pytestmark = pytest.mark.server  # gunicorn and a worker keep the real clock

ROOT = Path(__file__).resolve().parents[2]
HOST = stack.HOST


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a redirect is an answer to check, not follow
        return None


@dataclass
class Server:
    url: str
    log_path: Path

    def get(self, path: str, *, proxied: bool = True) -> tuple[int, dict[str, str], bytes]:
        # The TLS proxy says the request came over https; a load balancer's probe may not.
        headers = {"X-Forwarded-Proto": "https"} if proxied else {}
        request = urllib.request.Request(self.url + path, headers=headers)  # noqa: S310 - loopback
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())
        try:
            with opener.open(request, timeout=20) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def log_lines(self) -> list[str]:
        return self.log_path.read_text().splitlines()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("production")
    [port] = stack.free_ports(1)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "0",
        "SECRET_KEY": "s" * 60,
        "ALLOWED_HOSTS": HOST,
        "SITE_URL": "https://passports.example.com",
        "EMAIL_HOST": "smtp.example.com",
        "BEHIND_PROXY": "1",
        "DATA_DIR": str(data),
        "DATABASE_URL": f"sqlite:///{data / 'db.sqlite3'}",
        "PASSPORT_ENCRYPTION_KEYS": key_text(TEST_MASTER_KEY),
    }
    env.pop("LOG_FORMAT", None)
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        subprocess.run(
            [sys.executable, "manage.py", *command, "-v", "0"],
            cwd=ROOT, env=env, check=True, timeout=180,
        )  # fmt: skip
    log_path = data / "gunicorn.log"
    process = stack.start(
        [sys.executable, "-m", "gunicorn", "-c", "portal/gunicorn.conf.py",
         "-b", f"{HOST}:{port}", "-w", "1", "--threads", "2", "portal.wsgi"],
        env=env, log=log_path,
    )  # fmt: skip
    try:
        stack.wait_until(
            lambda: socket.create_connection((HOST, port), timeout=0.5).close() is None,
            what="gunicorn", timeout_s=60, process=process, log=log_path,
        )  # fmt: skip
        yield Server(url=f"http://{HOST}:{port}", log_path=log_path)
    finally:
        stack.stop(process, grace_s=30)


def test_it_answers_the_health_check(server):
    status, headers, body = server.get("/health")
    assert status == 200, body
    assert json.loads(body) == {
        "status": "ok",
        "checks": {"database": "ok", "storage": "ok", "keys": "ok"},
    }
    assert "no-cache" in headers["Cache-Control"]


def test_it_answers_a_plain_http_probe_but_redirects_pages_to_https(server):
    assert server.get("/health", proxied=False)[0] == 200
    status, headers, _ = server.get("/admin/login/", proxied=False)
    assert status == 301
    assert headers["Location"].startswith("https://")


def test_it_serves_hashed_static_files_with_a_long_cache(server):
    status, _, page = server.get("/admin/login/")
    assert status == 200
    stylesheet = re.search(rb'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', page)
    assert stylesheet, page[:2000]

    status, headers, body = server.get(stylesheet.group(1).decode())

    assert status == 200
    assert b"body" in body
    assert "immutable" in headers["Cache-Control"]


def test_it_logs_json_lines_without_link_tokens(server):
    token = "T0kenT0kenT0kenT0kenT0kenT0kenT0kenT0kenT0k"
    status, _, _ = server.get(f"/u/{token}/")
    assert status == 404

    time.sleep(0.5)  # the access line is written after the response
    lines = server.log_lines()
    records = [json.loads(line) for line in lines if line.startswith("{")]
    assert records, lines
    assert all({"time", "level", "logger", "message"} <= set(record) for record in records)
    access = [record for record in records if record["logger"] == "gunicorn.access"]
    assert any('"GET /u/[redacted]/" 404' in record["message"] for record in access), access
    assert not any(token in line for line in lines)
