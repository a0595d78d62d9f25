"""Names in Latin letters respelled where the OCR confused two lookalike glyphs.

Names carry no check digit. On blurred or faded OCR-B print every pass can read HIROSHI as
BIROSHI, JOHN as JDHN or MARCO as MARCD alike, and the vote over the passes then shows the
misread. What tells the spellings apart is that one is a name and the other is not: Faker's
person providers (first and last names of its 86 locales, written in MRZ letters: accents
dropped, ß as SS, apostrophes left out, words apart) hold some 43,000 such words, gathered on
first use (0.4-0.9 s, once per process; a reading sure never needs them).

``respelled_word`` only respells a word of a reading that is not sure anyway, and never makes
one sure: a word of four letters or more that no locale holds is changed when exactly one
spelling with one lookalike swapped is held; a rare name the lexicon lacks is left as read. The
customer still checks the fields, now pre-filled with the likelier spelling. Russian names
(a PN's, or those a CIS passport writes by the Russian schemas) are ``russian_names``'.
"""

import functools
import importlib
import pkgutil
import re
import unicodedata

from uploads.mrz import russian_names
from uploads.mrz.parse import TO_NAME_LETTER, Parsed

# The Latin letters that blur into one another in OCR-B (``russian_names.LATIN_LOOKALIKES``), B
# and H as degraded 6-7 px print made of HIROSHI (BIROSHI: degraded 251/11 and 250/5), and K and
# V of TANAKA (TANAVA: degraded 251/0, every pass).
_MORE = {"B": "H", "H": "B", "K": "V", "V": "K"}
LOOKALIKES = {
    char: russian_names.LATIN_LOOKALIKES.get(char, "") + _MORE.get(char, "")
    for char in sorted({*russian_names.LATIN_LOOKALIKES, *_MORE})
}
# A word shorter than this is left as read: two or three letters are a swap away from too many.
MIN_LETTERS = 4


@functools.cache
def lexicon() -> frozenset[str]:
    """Every word of every first and last name Faker's person providers hold, in MRZ letters."""
    import faker.providers.person as person  # on first use: for readings not sure only

    names: set[str] = set()
    for module in pkgutil.iter_modules(person.__path__):
        provider = importlib.import_module(f"{person.__name__}.{module.name}").Provider
        for attribute, held in vars(provider).items():
            if "name" in attribute and isinstance(held, (list, tuple, dict)):
                names.update(name for name in held if isinstance(name, str) and "{" not in name)
    return frozenset(word for name in names for word in _mrz_words(name))


# Letters no decomposition takes apart, as ICAO Doc 9303 writes them in an MRZ.
_WRITTEN_OUT = str.maketrans(
    {"ß": "SS", "Æ": "AE", "æ": "AE", "Ø": "OE", "ø": "OE", "Þ": "TH", "þ": "TH", "Ł": "L",
     "ł": "L", "Đ": "D", "đ": "D", "\u0131": "I", "'": ""}
)  # fmt: skip


def _mrz_words(name: str) -> list[str]:
    """``name`` as an MRZ writes it, word by word: accents dropped, Ø as OE, no apostrophes;
    a name in another script (Cyrillic, Chinese) makes none."""
    plain = unicodedata.normalize("NFKD", name.translate(_WRITTEN_OUT))
    letters = plain.encode("ascii", "ignore").decode().upper()
    return [word for word in re.split(r"[^A-Z]+", letters) if word]


def respelled(parsed: Parsed) -> Parsed:
    """A reading with each word of its names in Latin letters respelled (``respelled_word``),
    after ``russian_names.respelled``: not a PN's, nor a word that spells a Russian name in a
    passport of a nationality writing them in Latin letters (a Kazakh's may hold HIROSHI)."""
    if parsed.type == "PN":
        return parsed
    transliterated = parsed.fields.get("nationality") in russian_names.TRANSLITERATED
    respell = _respelled_unless_russian if transliterated else respelled_word
    return russian_names.with_words_respelled(parsed, respell, TO_NAME_LETTER)


def _respelled_unless_russian(word: str, kinds: frozenset[str] = frozenset()) -> str:
    """``word`` as read when it spells a Russian name in Latin letters; else ``respelled_word``."""
    return word if russian_names.latin_name_kinds(word) else respelled_word(word)


def respelled_word(word: str, kinds: frozenset[str] = frozenset()) -> str:
    """``word`` (Latin MRZ letters) as read when a name holds it or it is short; else the one
    spelling a lookalike away that one does, if there is just one. ``kinds`` is not used: the
    lexicon does not tell surnames from given names."""
    if len(word) < MIN_LETTERS or word in lexicon():
        return word
    return russian_names.only_name(
        word, russian_names.swapped(word, LOOKALIKES), lexicon().__contains__
    )
