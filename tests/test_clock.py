"""The test clock: `pytest --clock=…` moves the whole session, the `clock` fixture a whole scenario."""

import ast
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from tests.clock import moment_from

TESTS = Path(__file__).resolve().parent


def test_it_reads_a_date_a_moment_and_an_offset():
    assert moment_from("2028-02-29") == datetime(2028, 2, 29, 12, 0, tzinfo=UTC)
    assert moment_from("2028-02-29T23:30+03:00").isoformat() == "2028-02-29T23:30:00+03:00"
    assert moment_from("2028-02-29T23:30") == datetime(2028, 2, 29, 23, 30, tzinfo=UTC)
    today = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    assert moment_from("+365d", today=today) == datetime(2027, 12, 3, 9, 0, tzinfo=UTC)
    assert moment_from("-2d", today=today) == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert moment_from("next-leap-day", today=today) == datetime(2028, 2, 29, 12, 0, tzinfo=UTC)
    on_the_day = datetime(2028, 2, 29, 15, 0, tzinfo=UTC)
    assert moment_from("next-leap-day", today=on_the_day).date() == date(2032, 2, 29)
    # At least a year ahead: make test's one run at another date.
    assert moment_from("leap-day-a-year-ahead", today=today).date() == date(2028, 2, 29)
    assert moment_from("leap-day-a-year-ahead", today=datetime(2027, 3, 1, tzinfo=UTC)).date() == (
        date(2028, 2, 29)
    )
    a_month_before = datetime(2028, 1, 29, 12, 0, tzinfo=UTC)
    assert moment_from("leap-day-a-year-ahead", today=a_month_before).date() == date(2032, 2, 29)
    assert moment_from("leap-day-a-year-ahead", today=on_the_day).date() == date(2032, 2, 29)
    with pytest.raises(pytest.UsageError):
        moment_from("2027-02-29")  # not a leap year
    with pytest.raises(pytest.UsageError):
        moment_from("next week")


def test_it_stands_still_at_the_start_until_moved(clock, clock_start):
    assert timezone.now() == clock_start
    assert date.today() == clock_start.date()
    clock.move_to(clock_start + timedelta(days=1))
    assert timezone.now() == clock_start + timedelta(days=1)


def test_it_moves_the_clock_only_through_the_fixture_or_the_session_option():
    """A scenario that moves the clock for a part of itself mixes it with the real one: that is how
    tests broke once the real date passed the moved one. Only the `clock` fixture (a whole
    scenario) and tests/clock.py (a whole session) may start a traveller."""
    allowed = {TESTS / "conftest.py", TESTS / "clock.py"}
    offenders = []
    for path in TESTS.rglob("*.py"):
        if path in allowed:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Attribute) and node.attr in {"travel", "freeze_time"}) or (
                isinstance(node, ast.alias) and node.name in {"time_machine.travel", "freezegun"}
            ):
                offenders.append(f"{path.relative_to(TESTS)}:{node.lineno}")
    assert offenders == []
