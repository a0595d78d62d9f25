"""Run the whole suite at another date: `pytest --clock=2028-02-29` (or `+365d`, `next-leap-day`,
`leap-day-a-year-ahead`).

A date-dependent test is a time bomb: it passes the day it is written and fails a month later. This
plugin starts one `time_machine` traveller for the whole session, ticking from the given moment, so
every `timezone.now()`, `date.today()` and `time.time()` in the code and the tests says that date.
`make test` runs the in-process tests this way on the first 29 February at least a year ahead (one
run: what expires within a year has expired, and the leap day's arithmetic is met), so a test that
mixes a moved clock with the real one fails on the day it is written, not in a month.

Tests that start other processes (gunicorn, a worker, SeaweedFS, Chromium) are skipped under a moved
clock: those processes keep the real one, and S3 signatures or session cookies would not match. So
are tests marked `clockless` (the MRZ reader's, tests/mrz/conftest.py, which pass the reader its
own date and cannot read the clock): they would say the same again.

A test that needs a particular date moves the clock for its whole scenario with the `clock` fixture
(tests/conftest.py), never for a part of it.
"""

from __future__ import annotations

import calendar
import os
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

OTHER_PROCESS_MARKERS = ("browser", "s3", "server")
ENVIRONMENT_VARIABLE = "PORTAL_TEST_CLOCK"


def moment_from(text: str, *, today: datetime | None = None) -> datetime:
    """`2028-02-29`, `2028-02-29T13:45`, `+365d` / `-30d` from now, `next-leap-day` (the first
    29 February after today) or `leap-day-a-year-ahead` (the first one at least 365 days after
    today); noon UTC for a bare date."""
    text = text.strip()
    now = today or datetime.now(UTC)
    offset = re.fullmatch(r"([+-]\d+)d", text)
    if offset:
        return now + timedelta(days=int(offset.group(1)))
    if text in ("next-leap-day", "leap-day-a-year-ahead"):
        after = now.date() + timedelta(days=364 if text == "leap-day-a-year-ahead" else 0)
        year = now.year
        while not (calendar.isleap(year) and date(year, 2, 29) > after):
            year += 1
        text = f"{year}-02-29"
    try:
        if "T" in text or " " in text:
            moment = datetime.fromisoformat(text)
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        day = date.fromisoformat(text)
    except ValueError as error:
        raise pytest.UsageError(f"--clock: {text!r} is not YYYY-MM-DD[THH:MM] or +Nd") from error
    # Noon UTC: the same calendar day in every time zone the portal uses (Moscow is UTC+3).
    return datetime(day.year, day.month, day.day, 12, 0, tzinfo=UTC)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--clock",
        default=os.environ.get(ENVIRONMENT_VARIABLE) or None,
        help=(
            "run the session with the clock moved to this moment (YYYY-MM-DD, "
            f"YYYY-MM-DDTHH:MM, +Nd, next-leap-day or leap-day-a-year-ahead); also ${ENVIRONMENT_VARIABLE}"
        ),
    )


def pytest_configure(config: pytest.Config) -> None:
    text = config.getoption("--clock")
    if not text:
        return
    moment = moment_from(text)
    traveller = time_machine.travel(moment, tick=True)
    traveller.start()
    config.stash[_moment_key] = moment
    config.add_cleanup(traveller.stop)


_moment_key = pytest.StashKey[datetime]()


def pytest_report_header(config: pytest.Config) -> str | None:
    moment = config.stash.get(_moment_key, None)
    return f"clock moved to {moment.isoformat()} for the whole session" if moment else None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _moment_key not in config.stash:
        return
    skip = pytest.mark.skip(reason="starts another process, which keeps the real clock")
    same_again = pytest.mark.skip(reason="reads no clock: says the same at any date")
    for item in items:
        if any(item.get_closest_marker(name) for name in OTHER_PROCESS_MARKERS):
            item.add_marker(skip)
        elif item.get_closest_marker("clockless"):
            item.add_marker(same_again)
