"""MRZ dates (YYMMDD) to calendar dates, with the century inferred."""

from datetime import date


def _parse(text: str, century: int) -> date | None:
    if len(text) != 6 or not text.isdigit():
        return None
    try:
        return date(century + int(text[:2]), int(text[2:4]), int(text[4:6]))
    except ValueError:
        return None


def parse_birth_date(text: str, *, today: date) -> date | None:
    """A birth date is never in the future: the later century wins unless it would be."""
    candidate = _parse(text, 2000)
    if candidate is None or candidate > today:
        return _parse(text, 1900)
    return candidate


def parse_expiry_date(text: str) -> date | None:
    """Documents expire within this century (valid for at most a few decades)."""
    return _parse(text, 2000)
