"""A kept database connection the server dropped (a restart, a failover, a network cut) is opened
again by the next request instead of failing it: after an outage every thread of every web
process holds such a connection, and each would otherwise answer one request with an error."""

import pytest
from django.db import close_old_connections, connection

from portal.health import CHECKS


def _cut_from_the_server_side() -> int:
    """What a restarted server does to the connection this thread keeps between requests."""
    connection.ensure_connection()
    backend_pid = connection.connection.info.backend_pid
    other = connection.copy()
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [backend_pid])
            assert cursor.fetchone() == (True,)
    finally:
        other.close()
    return backend_pid


# A connection kept between requests, not one held inside a test's transaction.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_opens_again_a_kept_connection_the_server_dropped():
    if connection.vendor != "postgresql":
        pytest.skip("needs a server that can drop a connection: make test-postgres")
    assert connection.settings_dict["CONN_MAX_AGE"] > 0  # kept between requests
    dropped = _cut_from_the_server_side()

    close_old_connections()  # what Django does when the next request starts
    CHECKS["database"]()  # /health's check: raises if the dropped connection were reused

    assert connection.connection.info.backend_pid != dropped  # a new connection
