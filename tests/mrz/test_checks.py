"""Check digits, country codes and dates."""

from datetime import date

import pytest

from uploads.mrz import checks


@pytest.mark.parametrize(
    ("text", "digit"),
    [
        ("L898902C3", "6"),
        ("740812", "2"),
        ("120415", "9"),
        ("ZE184226B<<<<<", "1"),
        ("D23145890", "7"),
        ("<<<<<<<<<<<<<<", "0"),
        ("", "0"),
    ],
)
def test_check_digits_of_the_icao_specimens(text, digit):
    assert checks.check_digit(text) == digit


def test_a_character_outside_the_alphabet_has_no_check_digit():
    assert checks.check_digit("ESPAÑOLA") is None
    assert not checks.passes("ESPAÑOLA", "0")


def test_the_documented_collision_passes_the_same_check_digit():
    # NOTES.md: a misread of 8 as B at these positions keeps the check digit, so a pass is no proof.
    assert checks.check_digit("LB9B902C3") == checks.check_digit("L898902C3") == "6"


def test_a_filler_check_digit_counts_as_zero_only_where_allowed():
    assert checks.passes("<" * 14, "<", filler_is_zero=True)
    assert not checks.passes("<" * 14, "<")
    assert not checks.passes("740812", "<", filler_is_zero=True)


@pytest.mark.parametrize(
    "code", ["UTO", "D", "D<<", "XXA", "XXB", "XXC", "XXX", "GBN", "UNO", "EUE", "RUS", "NLD"]
)
def test_country_codes_include_icao_non_state_codes(code):
    assert checks.is_country(code)


@pytest.mark.parametrize("code", ["MLD", "I3Z", "SI<", "BDR", "ABC", "", "<<<"])
def test_unknown_country_codes(code):
    assert not checks.is_country(code)


TODAY = date(2026, 11, 26)


def test_birth_dates_are_never_in_the_future():
    assert checks.past_date("740812", today=TODAY) == date(1974, 8, 12)
    assert checks.past_date("050101", today=TODAY) == date(2005, 1, 1)
    assert checks.past_date("261127", today=TODAY) == date(1926, 11, 27)
    assert checks.past_date("261126", today=TODAY) == date(2026, 11, 26)


def test_expiry_dates_are_this_century_unless_too_far_ahead():
    assert checks.expiry_date("340415", today=TODAY) == date(2034, 4, 15)
    assert checks.expiry_date("120415", today=TODAY) == date(2012, 4, 15)
    assert checks.expiry_date("941101", today=TODAY) == date(1994, 11, 1)


@pytest.mark.parametrize("text", ["740230", "741301", "7408I2", "74081", "000000"])
def test_dates_that_are_not_calendar_dates(text):
    assert checks.past_date(text, today=TODAY) is None
    assert checks.expiry_date(text, today=TODAY) is None
