"""The check of a kept connection before a request reuses it (``CONN_HEALTH_CHECKS``) keeps a
deadline: Django runs its ``SELECT 1`` past the execute wrappers that bound every other call
(portal/postgresql), so on a server that stopped answering it would wait for good, and with it
every request of the process."""

import threading

import pytest
from django.db import connection

from bench.tcp_proxy import tcp_proxy

pytestmark = pytest.mark.django_db


def test_it_gives_up_on_a_kept_connection_to_a_silent_server():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: make test-postgres")
    kept = connection.copy()
    found: list[bool] = []
    with tcp_proxy(
        kept.settings_dict["HOST"] or "127.0.0.1", int(kept.settings_dict["PORT"] or 5432)
    ) as proxy:
        kept.settings_dict = {**kept.settings_dict, "HOST": "127.0.0.1", "PORT": proxy.port}
        kept.ensure_connection()
        assert kept.is_usable()  # the server answers
        proxy.pause()  # a stalled server or network: bytes accepted, nothing answered
        check = threading.Thread(target=lambda: found.append(kept.is_usable()), daemon=True)
        check.start()
        check.join(timeout=30)  # the check's own deadline is 2 s; without one it never ends
        stuck = check.is_alive()
        # Leaving the proxy cuts its connections, which ends a check still waiting.
    kept.close()
    assert not stuck
    assert found == [False]  # the request then opens a new connection
