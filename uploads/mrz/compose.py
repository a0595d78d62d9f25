"""Writing MRZ lines from fields (the inverse of ``parse``), for synthetic documents and tests."""

from uploads.mrz.checks import check_digit
from uploads.mrz.parse import CYRILLIC

# The PN substitution table (see parse.CYRILLIC), from Cyrillic to the letters the MRZ uses.
LATIN_FOR_CYRILLIC = {cyrillic: latin for latin, cyrillic in CYRILLIC.items()}


def _cd(text: str) -> str:
    digit = check_digit(text)
    assert digit is not None, text
    return digit


def names_field(surname: str, given_names: str) -> str:
    """The names as an MRZ writes them, before the fillers: ``KOWALSKA<<PIETER``."""
    return surname.replace(" ", "<") + "<<" + given_names.replace(" ", "<")


def _names(surname: str, given_names: str, length: int) -> str:
    return names_field(surname, given_names).ljust(length, "<")[:length]


def td3(
    *,
    surname: str,
    given_names: str,
    number: str,
    country: str,
    nationality: str,
    date_of_birth: str,
    sex: str,
    expiry_date: str,
    personal_number: str = "",
    document_code: str = "P<",
) -> list[str]:
    """TD3 passport lines; dates as YYMMDD, sex M/F/<."""
    line1 = document_code.ljust(2, "<") + country.ljust(3, "<") + _names(surname, given_names, 39)
    number = number.ljust(9, "<")
    personal = personal_number.ljust(14, "<")
    personal_cd = _cd(personal) if personal_number else "<"
    parts = [
        number + _cd(number),
        nationality.ljust(3, "<"),
        date_of_birth + _cd(date_of_birth),
        sex,
        expiry_date + _cd(expiry_date),
        personal + personal_cd,
    ]
    composite = parts[0] + parts[2] + parts[4] + parts[5]
    return [line1, "".join(parts) + _cd(composite)]


def mrva(**fields: str) -> list[str]:
    """MRV-A visa lines (2 x 44): like TD3 with optional data and no composite check digit."""
    return _visa(44, **fields)


def mrvb(**fields: str) -> list[str]:
    """MRV-B visa lines (2 x 36)."""
    return _visa(36, **fields)


def _visa(
    length: int,
    *,
    surname: str,
    given_names: str,
    number: str,
    country: str,
    nationality: str,
    date_of_birth: str,
    sex: str,
    expiry_date: str,
    optional: str = "",
    document_code: str = "V<",
) -> list[str]:
    line1 = document_code.ljust(2, "<") + country.ljust(3, "<")
    line1 += _names(surname, given_names, length - 5)
    number = number.ljust(9, "<")
    line2 = (
        number
        + _cd(number)
        + nationality.ljust(3, "<")
        + date_of_birth
        + _cd(date_of_birth)
        + sex
        + expiry_date
        + _cd(expiry_date)
    )
    return [line1, (line2 + optional).ljust(length, "<")[:length]]


def td2(
    *,
    surname: str,
    given_names: str,
    number: str,
    country: str,
    nationality: str,
    date_of_birth: str,
    sex: str,
    expiry_date: str,
    optional: str = "",
    document_code: str = "I<",
) -> list[str]:
    line1 = document_code.ljust(2, "<") + country.ljust(3, "<") + _names(surname, given_names, 31)
    number = number.ljust(9, "<")
    optional = optional.ljust(7, "<")
    parts = [
        number + _cd(number),
        nationality.ljust(3, "<"),
        date_of_birth + _cd(date_of_birth),
        sex,
        expiry_date + _cd(expiry_date),
        optional,
    ]
    composite = parts[0] + parts[2] + parts[4] + parts[5]
    return [line1, "".join(parts) + _cd(composite)]


def td1(
    *,
    surname: str,
    given_names: str,
    number: str,
    country: str,
    nationality: str,
    date_of_birth: str,
    sex: str,
    expiry_date: str,
    optional1: str = "",
    optional2: str = "",
    document_code: str = "I<",
) -> list[str]:
    number = number.ljust(9, "<")
    line1 = (
        document_code.ljust(2, "<")
        + country.ljust(3, "<")
        + number
        + _cd(number)
        + optional1.ljust(15, "<")
    )
    line2_head = (
        date_of_birth
        + _cd(date_of_birth)
        + sex
        + expiry_date
        + _cd(expiry_date)
        + nationality.ljust(3, "<")
        + optional2.ljust(11, "<")
    )
    composite = line1[5:30] + line2_head[0:7] + line2_head[8:15] + line2_head[18:29]
    return [line1, line2_head + _cd(composite), _names(surname, given_names, 30)]


def pn(
    *,
    surname: str,
    given_names: str,
    series: str,
    number: str,
    date_of_birth: str,
    sex: str,
    issue_date: str,
    department_code: str,
    expiry_filler: str = "<",
) -> list[str]:
    """Russian internal passport lines; names in Cyrillic (or already substituted), series 4 digits,
    number 6 digits, department code ``XXX-XXX`` or 6 digits."""
    latin_surname = "".join(LATIN_FOR_CYRILLIC.get(char, char) for char in surname.upper())
    latin_given = "".join(LATIN_FOR_CYRILLIC.get(char, char) for char in given_names.upper())
    line1 = "PNRUS" + _names(latin_surname, latin_given, 39)
    head = series[:3] + number
    department = department_code.replace("-", "")
    optional = series[3] + issue_date + department + "<"
    body = (
        head
        + _cd(head)
        + "RUS"
        + date_of_birth
        + _cd(date_of_birth)
        + sex
        + "<" * 6
        + expiry_filler
        + optional
        + _cd(optional)
    )
    composite = body[0:10] + body[13:20] + body[21:43]
    return [line1, body + _cd(composite)]
