"""Utopia's specimen lines with the number (and surname) a test needs, check digits computed."""

from uploads.mrz import compose


def td3_lines(number: str, *, surname: str = "ERIKSSON") -> list[str]:
    """TD3 lines holding ``number`` and ``surname``."""
    return compose.td3(
        surname=surname,
        given_names="ANNA MARIA",
        number=number,
        country="UTO",
        nationality="UTO",
        date_of_birth="740812",
        sex="F",
        expiry_date="120415",
    )
