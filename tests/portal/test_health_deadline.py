"""/health answers within its deadline whatever hangs behind it: a check still stuck (a database
or storage that does not answer) is a "fail", and the calls meanwhile do not pile up runs."""

import json
import threading

import pytest

from portal import health


@pytest.fixture
def stuck_storage(monkeypatch):
    """The storage check hangs until released (as on a storage that accepts and never answers)."""
    release, calls = threading.Event(), []

    def hangs() -> None:
        calls.append(1)
        release.wait(timeout=60)

    monkeypatch.setattr(health, "HEALTH_DEADLINE_SECONDS", 0.3)
    monkeypatch.setitem(health.CHECKS, "storage", hangs)
    yield release, calls
    release.set()
    if health._run is not None:
        health._run[0].result(timeout=60)  # the run ends before the test database goes


def test_it_answers_while_a_check_still_hangs(client, registered_keys, stuck_storage):
    release, calls = stuck_storage

    response = client.get("/health")

    # Answered while the check was still stuck: had the view waited for it, the check would
    # have ended (after its minute) without an error, and the answer would be 200.
    assert response.status_code == 503
    assert json.loads(response.content) == {
        "status": "fail",
        "checks": {"database": "ok", "storage": "fail", "keys": "fail"},
    }

    # A second call while the first run still hangs shares it: no second stuck thread.
    assert client.get("/health").status_code == 503
    assert calls == [1]

    release.set()
    health._run[0].result(timeout=60)
    after = client.get("/health")  # a fresh run once the stuck one ended
    assert calls == [1, 1]
    assert after.status_code == 200
