"""The MRZ reader's tests: images and lines in, fields out. Each passes the reader its own
``today`` (the date its centuries are chosen by), so what they say depends on no clock: they are
``clockless`` and not run again under a moved clock (tests/clock.py). To keep that true, the
reader's own clock fails here: a test that forgets its date fails on the day it is written."""

from datetime import date
from pathlib import Path

import pytest

from uploads.mrz import parse, reader

HERE = Path(__file__).parent


@pytest.hookimpl(tryfirst=True)  # before tests/clock.py skips the clockless under a moved clock
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.clockless)


class _NoToday(date):
    @classmethod
    def today(cls) -> date:
        raise AssertionError("the MRZ reader's tests pass their own today=: the clock is not read")


@pytest.fixture(autouse=True)
def _the_readers_clock_unread(monkeypatch: pytest.MonkeyPatch) -> None:
    for module in (reader, parse):
        monkeypatch.setattr(module, "date", _NoToday)
