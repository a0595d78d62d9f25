"""Specimen lines with the number (and surname) a test needs, check digits computed."""

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


def td2_lines(number: str) -> list[str]:
    """TD2 lines of an identity card holding ``number``."""
    return compose.td2(
        document_code="I<",
        country="XXA",
        surname="LEE",
        given_names="MARCO",
        number=number,
        nationality="BRA",
        date_of_birth="440226",
        sex="M",
        expiry_date="320912",
    )
