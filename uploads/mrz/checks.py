"""Checks on MRZ fields: check digits, ICAO country codes, dates with the century inferred."""

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


def check_digit(text: str) -> str | None:
    """The ICAO 9303 check digit of ``text``, or None if it has a character outside the alphabet."""
    total = 0
    for index, char in enumerate(text):
        value = char_value(char)
        if value is None:
            return None
        total += value * _WEIGHTS[index % 3]
    return str(total % 10)


def passes(text: str, digit: str, *, filler_is_zero: bool = False) -> bool:
    """Whether ``digit`` is the check digit of ``text``. A ``<`` digit counts as 0 only where allowed."""
    if filler_is_zero and digit == "<":
        digit = "0"
    return digit.isdigit() and check_digit(text) == digit


def is_country(code: str) -> bool:
    return code.replace("<", "") in COUNTRY_CODES


def _date(text: str, century: int) -> date | None:
    if len(text) != 6 or not text.isdigit():
        return None
    try:
        return date(century + int(text[:2]), int(text[2:4]), int(text[4:6]))
    except ValueError:
        return None


def past_date(text: str, *, today: date) -> date | None:
    """A birth or issue date: never in the future, so the latest century that is not."""
    candidate = _date(text, 2000)
    if candidate is None or candidate > today:
        return _date(text, 1900)
    return candidate


def expiry_date(text: str, *, today: date) -> date | None:
    """An expiry date: this century unless that is implausibly far ahead (over 20 years)."""
    candidate = _date(text, 2000)
    if candidate is not None and candidate.year > today.year + 20:
        return _date(text, 1900)
    return candidate
