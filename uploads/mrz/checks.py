"""Checks on MRZ fields: check digits, ICAO country codes, dates with the century inferred."""

import functools
from dataclasses import dataclass
from datetime import date

ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<")
_WEIGHTS = (7, 3, 1)

# ISO 3166-1 alpha-3 codes (current), as used by ICAO Doc 9303 part 3.
_ISO_CODES = """
ABW AFG AGO AIA ALA ALB AND ARE ARG ARM ASM ATA ATF ATG AUS AUT AZE BDI BEL BEN BES BFA BGD BGR BHR
BHS BIH BLM BLR BLZ BMU BOL BRA BRB BRN BTN BVT BWA CAF CAN CCK CHE CHL CHN CIV CMR COD COG COK COL
COM CPV CRI CUB CUW CXR CYM CYP CZE DEU DJI DMA DNK DOM DZA ECU EGY ERI ESH ESP EST ETH FIN FJI FLK
FRA FRO FSM GAB GBR GEO GGY GHA GIB GIN GLP GMB GNB GNQ GRC GRD GRL GTM GUF GUM GUY HKG HMD HND HRV
HTI HUN IDN IMN IND IOT IRL IRN IRQ ISL ISR ITA JAM JEY JOR JPN KAZ KEN KGZ KHM KIR KNA KOR KWT LAO
LBN LBR LBY LCA LIE LKA LSO LTU LUX LVA MAC MAF MAR MCO MDA MDG MDV MEX MHL MKD MLI MLT MMR MNE MNG
MNP MOZ MRT MSR MTQ MUS MWI MYS MYT NAM NCL NER NFK NGA NIC NIU NLD NOR NPL NRU NZL OMN PAK PAN PCN
PER PHL PLW PNG POL PRI PRK PRT PRY PSE PYF QAT REU ROU RUS RWA SAU SDN SEN SGP SGS SHN SJM SLB SLE
SLV SMR SOM SPM SRB SSD STP SUR SVK SVN SWE SWZ SXM SYC SYR TCA TCD TGO THA TJK TKL TKM TLS TON TTO
TUN TUR TUV TWN TZA UGA UKR UMI URY USA UZB VAT VCT VEN VGB VIR VNM VUT WLF WSM YEM ZAF ZMB ZWE
"""
# Codes ICAO adds for documents: Germany's one letter, British nationals, UN bodies, EU, stateless
# persons and refugees, the specimen state Utopia, Kosovo and a few withdrawn codes still in use.
_ICAO_EXTRA = """
D GBD GBN GBO GBP GBS UNO UNA UNK XOM XPO XBA XIM XCC XCE XCO XEC XES XMP XDC XXA XXB XXC XXX EUE
UTO RKS ANT NTZ
"""
COUNTRY_CODES = frozenset(_ISO_CODES.split()) | frozenset(_ICAO_EXTRA.split())

SEXES = {"M": "M", "F": "F", "<": "X", "X": "X"}


def char_value(char: str) -> int | None:
    if char.isdigit():
        return int(char)
    if "A" <= char <= "Z":
        return ord(char) - ord("A") + 10
    if char == "<":
        return 0
    return None


def weight(position: int) -> int:
    """The weight of a field's character at ``position`` (from 0) in its check digit."""
    return _WEIGHTS[position % 3]


def check_digit(text: str) -> str | None:
    """The ICAO 9303 check digit of ``text``, or None if it has a character outside the alphabet."""
    total = 0
    for index, char in enumerate(text):
        value = char_value(char)
        if value is None:
            return None
        total += value * weight(index)
    return str(total % 10)


def passes(text: str, digit: str, *, filler_is_zero: bool = False) -> bool:
    """Whether ``digit`` is the check digit of ``text``. A ``<`` digit counts as 0 only where allowed."""
    if filler_is_zero and digit == "<":
        digit = "0"
    return digit.isdigit() and check_digit(text) == digit


def is_country(code: str) -> bool:
    return code.replace("<", "") in COUNTRY_CODES


MAX_VALIDITY_YEARS = 20  # an expiry further ahead than this is read a century earlier
LIFESPAN_YEARS = 100  # a document expires within this many years of its holder's birth
# ICAO's Doc 9303 brought the MRZ in 1980 and the first machine-readable passports came in 1981: no
# MRZ expired before. An expiry read earlier is a misread, not an old document: glare faded
# 311214 into 711214 and its check digit 6 into 4, which passes (glare 145/39); 2071 is further
# ahead than any document's validity, so the century chosen was 1971.
FIRST_MRZ_EXPIRY_YEAR = 1981


@dataclass(frozen=True)
class DocumentDates:
    birth: date | None
    expiry: date | None = None
    issue: date | None = None


def _date(text: str, century: int) -> date | None:
    if len(text) != 6 or not text.isdigit():
        return None
    try:
        return date(century + int(text[:2]), int(text[2:4]), int(text[4:6]))
    except ValueError:
        return None


def _candidates(text: str | None, today: date) -> list[date | None]:
    """The real dates ``text`` (YYMMDD) can be, from the next century back to two before today's
    (that far back only for a birth that no later century puts before the document's dates)."""
    if text is None:
        return [None]
    base = today.year // 100 * 100
    found = [_date(text, century) for century in (base + 100, base, base - 100, base - 200)]
    return [day for day in found if day is not None] or [None]


def _ordinal(day: date | None) -> int:
    return day.toordinal() if day is not None else 0


@functools.lru_cache(maxsize=4096)  # the same few dates, read again for every OCR variant
def document_dates(
    birth: str | None,
    *,
    expiry: str | None = None,
    issue: str | None = None,
    today: date,
) -> DocumentDates:
    """The centuries of a document's two-digit years (YYMMDD), chosen together.

    The document's own dates first: the issue date the latest that is not after ``today``, the
    expiry the latest at most MAX_VALIDITY_YEARS ahead of it, and after the issue. Then the birth:
    the latest that is not after ``today``, nor after the issue, before the expiry, and less than
    LIFESPAN_YEARS before it (a document that expired in 2011 belongs to someone born in 19xx).
    Where no choice keeps every rule, the one that breaks the fewest, in that order. A field that
    is no calendar date in any century is None.
    """
    choices = [
        DocumentDates(birth_date, expiry_day, issue_date)
        for expiry_day in _candidates(expiry, today)
        for issue_date in _candidates(issue, today)
        for birth_date in _candidates(birth, today)
    ]
    return min(choices, key=lambda chosen: _rank(chosen, today))


def _rank(dates: DocumentDates, today: date) -> tuple[int, ...]:
    """Lower is better: the rules ``dates`` breaks, by weight, then the preferences."""
    birth, expiry, issue = dates.birth, dates.expiry, dates.issue
    in_the_future = (
        (birth is not None and birth > today)
        + (issue is not None and issue > today)
        + (expiry is not None and expiry.year > today.year + MAX_VALIDITY_YEARS)
    )
    expires_before_issue = issue is not None and expiry is not None and issue >= expiry
    born_after = (birth is not None and issue is not None and birth > issue) + (
        birth is not None and expiry is not None and birth >= expiry
    )
    too_old = (
        birth is not None
        and expiry is not None
        and (expiry.year, expiry.month, expiry.day)
        >= (birth.year + LIFESPAN_YEARS, birth.month, birth.day)
    )
    return (
        in_the_future,
        expires_before_issue,
        -_ordinal(expiry),
        -_ordinal(issue),
        born_after,
        too_old,
        -_ordinal(birth),
    )


def expiry_possible(day: date) -> bool:
    """Whether a machine-readable document can have expired on ``day``: not before MRZs were."""
    return day.year >= FIRST_MRZ_EXPIRY_YEAR


def past_date(text: str, *, today: date) -> date | None:
    """A birth or issue date alone: never in the future, so the latest century that is not."""
    return document_dates(text, today=today).birth


def expiry_date(text: str, *, today: date) -> date | None:
    """An expiry date alone: the latest century at most MAX_VALIDITY_YEARS ahead."""
    return document_dates(None, expiry=text, today=today).expiry
