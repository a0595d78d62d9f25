"""Check digits, country codes and dates."""

from datetime import date, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

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


# --- centuries chosen together: birth <= issue < expiry, expiry < birth + 100 years ------------


def test_a_document_that_expired_in_2011_belongs_to_someone_born_in_the_1900s():
    dates = checks.document_dates("120315", expiry="110101", today=TODAY)
    assert (dates.birth, dates.expiry) == (date(1912, 3, 15), date(2011, 1, 1))


def test_a_child_born_this_century_keeps_it():
    dates = checks.document_dates("050101", expiry="300101", today=TODAY)
    assert (dates.birth, dates.expiry) == (date(2005, 1, 1), date(2030, 1, 1))


@pytest.mark.parametrize(
    ("birth", "expiry", "expected"),
    [
        ("250601", "250101", date(1925, 6, 1)),  # 2025-06 is not in the future, but after expiry
        ("260101", "260101", date(1926, 1, 1)),  # born the day the document expires: no
        ("100101", "100101", date(1910, 1, 1)),  # ... even when that makes it 100 years exactly
        ("990101", "950101", date(1899, 1, 1)),  # expired in 1995 (2095 is too far ahead)
    ],
)
def test_a_birth_is_never_after_the_documents_expiry(birth, expiry, expected):
    dates = checks.document_dates(birth, expiry=expiry, today=TODAY)
    assert dates.birth == expected
    assert dates.birth < dates.expiry


def test_a_birth_is_never_after_the_issue_date():
    # The Russian internal passport: issue date, no expiry.
    dates = checks.document_dates("200101", issue="150101", today=TODAY)
    assert (dates.birth, dates.issue) == (date(1920, 1, 1), date(2015, 1, 1))
    same_day = checks.document_dates("150714", issue="150714", today=TODAY)
    assert same_day.birth == same_day.issue == date(2015, 7, 14)


def test_the_expiry_keeps_its_own_century_when_only_the_100_years_rule_could_move_it():
    # Born 1930, a passport valid to 2035 (issued at 95): 1935 would keep "under 100 years" but is
    # no passport anyone uploads; the birth cannot move (2030 is in the future): 1930 and 2035.
    dates = checks.document_dates("300101", expiry="350101", today=TODAY)
    assert (dates.birth, dates.expiry) == (date(1930, 1, 1), date(2035, 1, 1))


def test_a_field_that_is_no_date_is_none_and_leaves_the_others_alone():
    dates = checks.document_dates("740230", expiry="340415", today=TODAY)
    assert dates.birth is None and dates.expiry == date(2034, 4, 15)
    dates = checks.document_dates("740812", expiry="341304", today=TODAY)
    assert dates.birth == date(1974, 8, 12) and dates.expiry is None


def _yymmdd(day: date) -> str:
    return day.strftime("%y%m%d")


# Any date works as "today"; these are fixed so that the test says the same thing on any day.
_TODAYS = [date(2026, 11, 26), date(2000, 3, 1), date(2095, 6, 30), date(2101, 1, 15)]


@st.composite
def _consistent_documents(draw):
    """A birth, and an expiry after it and under 100 years later, as a reader should see them:
    the expiry at most 20 years ahead and within the century that ends there; the birth not in
    the future and under 100 years ago."""
    today = draw(st.sampled_from(_TODAYS))
    latest_expiry = date(today.year + checks.MAX_VALIDITY_YEARS, 12, 31)
    earliest_expiry = date(latest_expiry.year - 99, 1, 1)
    earliest_birth = today - timedelta(days=36_500)  # a little under 100 years
    birth = draw(st.dates(min_value=earliest_birth, max_value=today))
    expiry = draw(
        st.dates(
            min_value=max(birth + timedelta(days=1), earliest_expiry),
            max_value=min(birth + timedelta(days=36_500), latest_expiry),
        )
    )
    return today, birth, expiry


@hypothesis_settings(max_examples=200, deadline=None)
@given(_consistent_documents())
def test_the_dates_of_a_consistent_document_are_read_back_exactly(document):
    today, birth, expiry = document
    dates = checks.document_dates(_yymmdd(birth), expiry=_yymmdd(expiry), today=today)
    assert (dates.birth, dates.expiry) == (birth, expiry)


@hypothesis_settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(_TODAYS),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
)
def test_a_birth_is_never_chosen_after_the_documents_dates(today, birth, expiry):
    # Any two dates (the year's century is thrown away): birth before the expiry, never in the
    # future, the expiry never more than 20 years ahead; where some centuries keep those rules
    # (a birth on 29 February 2000 is in no other century of the four, and an expiry of
    # 000101 then has no century after it but 2100's, too far ahead).
    assume(
        any(
            b < e <= date(today.year + checks.MAX_VALIDITY_YEARS, 12, 31) and b <= today
            # The real dates each can be on ``today`` (29 February is in leap centuries only).
            for b in checks._candidates(_yymmdd(birth), today)
            for e in checks._candidates(_yymmdd(expiry), today)
        )
    )
    dates = checks.document_dates(_yymmdd(birth), expiry=_yymmdd(expiry), today=today)
    assert dates.birth < dates.expiry
    assert dates.birth <= today
    assert dates.expiry.year <= today.year + checks.MAX_VALIDITY_YEARS


def test_the_readers_tests_pass_their_own_date(request):
    # tests/mrz/conftest.py: they are skipped under a moved clock, so they may read none.
    from uploads.mrz import parse, reader

    assert request.node.get_closest_marker("clockless")
    with pytest.raises(AssertionError, match="today="):
        parse.parse_lines(["P<UTOERIKSSON<<ANNA<MARIA"])
    # The reader never raises: it says it failed, and the test's assertions on what it read fail.
    assert "AssertionError" in reader.read_mrz(b"the date is asked first").error
