"""Faults on the production stack on loopback (bench/faults.py): a worker killed mid-reading, S3
stopped, PostgreSQL unreachable and paused (behind a proxy the test controls, so nothing else on
the machine is disturbed). For each: what the customer and the seller see, and every acknowledged
upload stored and decrypting. ``make test-faults`` (part of ``make test``): about 1.5 minutes
on a quiet machine, so not in a plain ``pytest`` run; needs PostgreSQL at POSTGRES_URL."""

import os
import secrets
from collections.abc import Iterator

import psycopg
import pytest

from bench import faults

POSTGRES_URL = os.environ.get("POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")

pytestmark = [
    pytest.mark.faults,
    pytest.mark.server,  # other processes keep the real clock
    pytest.mark.skipif(
        not os.environ.get("PORTAL_FAULT_TESTS"),
        reason="minutes long: make test-faults (PORTAL_FAULT_TESTS=1) runs it",
    ),
]


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, faults.Fault]]:
    try:
        psycopg.connect(POSTGRES_URL, connect_timeout=3).close()
    except psycopg.Error:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_URL}")
    root = tmp_path_factory.mktemp("faults")
    database = f"faults_{secrets.token_hex(4)}"
    with faults.started(root, postgres_url=POSTGRES_URL, database=database) as site:
        found = faults.run(site)
        print("\n" + faults.table(found))
        yield {fault.name: fault for fault in found}


def test_it_serves_and_reads_without_a_fault(outcomes):
    fault = outcomes["none (baseline)"]
    assert fault.recovered, fault
    assert (fault.lost, fault.orphans) == (0, 0)


def test_it_reads_again_an_upload_whose_worker_was_killed(outcomes):
    fault = outcomes["worker SIGKILL mid-reading"]
    details = fault.details
    # The customer got the fields read from the photo, not the form to type them.
    assert details["outcome"] == "fields", fault
    assert (details["mrz"], details["attempts"]) == ("found", 2)
    # django-tasks-db leaves the killed task RUNNING for good; the reading did not wait on it.
    assert details["stuck_task_rows"] >= 1
    assert (fault.lost, fault.orphans) == (0, 0)


def test_it_names_a_storage_outage_and_stores_nothing(outcomes):
    fault = outcomes["S3 stopped"]
    details = fault.details
    assert (details["status"], details["retry_after"]) == (503, "120")
    assert "nothing stored" in fault.customer_saw
    assert details["stored_row"] is False
    # The seller: a page naming the storage, and no view audited for an image never served.
    assert (details["image"], details["storage_named"], details["audited"]) == (503, True, 0)
    # /health is not asserted: its storage probe runs once a minute (portal/health.py) and may
    # still repeat the last good result.
    # The upload just before the outage: its reading met the outage, waited, and was read.
    assert details["earlier_upload"] == 302
    assert details["earlier_reading_during"] == ["pending", 1, "storage"]
    assert details["earlier_outcome"] == "fields"
    assert (details["after"], details["after_outcome"]) == (302, "fields")
    assert fault.recovered
    assert (fault.lost, fault.orphans) == (0, 0)


@pytest.mark.parametrize("name", ["PostgreSQL unreachable", "PostgreSQL paused"])
def test_it_names_a_database_outage_within_the_deadline(outcomes, name):
    fault = outcomes[name]
    details = fault.details
    assert (details["status"], details["retry_after"]) == (503, "120"), fault
    assert "nothing stored" in fault.customer_saw
    assert details["stored_row"] is False
    # Each answered while the database was still down (or paused: a call that waited for the
    # pause to end would have waited forever); how long each took is in the table.
    assert (details["image"], details["health"]) == (503, 503)
    # Afterwards: the customer uploads again and gets the fields; /health's database is back.
    assert (details["again"], details["again_outcome"]) == (302, "fields")
    assert details["health_after"] == {"database": "ok", "keys": "ok"}
    assert (fault.lost, fault.orphans) == (0, 0)
