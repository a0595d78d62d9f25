"""Do the names read from the MRZ and the names the customer typed belong to the same person?

Names have no check digit, and a Cyrillic name has many Latin spellings: a foreign passport issued
since 2010 uses ICAO Doc 9303 (Х KH, Ц TS, Ю IU, Я IA, Й I), older ones MVD orders No. 310 and 782
(Ю YU, Я YA, Й Y, Е after a vowel YE), and customers type GOST-style variants (Х X, Ц C, Ъ IE or
nothing). ``iuliia`` knows the official schemas; a Cyrillic name matches a Latin one when the Latin
can be spelled letter by letter from the Cyrillic with any of their spellings (or the variants
below). The Russian internal passport's MRZ carries the Cyrillic exactly (the PN substitution
table in ``uploads.mrz.parse.CYRILLIC``), so there the Cyrillic is compared directly.
"""

import re
from functools import cache

import iuliia

# The schemas Russian passports have been issued under, and the ones customers write by.
_SCHEMAS = (
    iuliia.ICAO_DOC_9303,
    iuliia.MVD_310,
    iuliia.MVD_782,
    iuliia.GOST_52535,
    iuliia.GOST_779,
    iuliia.BGN_PCGN,
)
# Spellings seen in passports and on parcels that no schema above gives for a single letter.
_EXTRA = {
    "Е": ("E", "IE", "YE", "JE"),
    "Ё": ("E", "YO", "IO", "JO", "YE"),
    "Х": ("KH", "X", "H"),
    "Ц": ("TS", "C", "TC", "TZ"),
    "Ю": ("IU", "YU", "JU"),
    "Я": ("IA", "YA", "JA"),
    "Й": ("I", "Y", "J", ""),
    "Ъ": ("IE", ""),
    "Ь": ("", "'"),
    "Ж": ("ZH", "J"),
    "Щ": ("SHCH", "SCH", "SHH"),
    "Ы": ("Y", "I"),
    "Э": ("E",),
    "И": ("I", "Y"),
}
# Pairs customers and older passports shorten: МАРИЯ MARIA, ЮРИЙ YURI, НАТАЛЬЯ NATALIA.
_PAIRS = {"ИЯ": ("IA", "IYA"), "ИЙ": ("Y", "I", "IY", "IJ"), "ЬЯ": ("IA", "YA"), "ЬЕ": ("IE", "YE")}
_CYRILLIC_LETTERS = "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ"
_NOT_LETTERS = re.compile(r"[^\w]|[\d_]")


@cache
def _spellings() -> dict[str, tuple[str, ...]]:
    table: dict[str, set[str]] = {}
    for letter in _CYRILLIC_LETTERS:
        options = set(_EXTRA.get(letter, ()))
        for schema in _SCHEMAS:
            options.add(schema.translate(letter).upper())
        table[letter] = {_latin_only(option) for option in options}
    # Longest first, so the regular expression tries SHCH before SH.
    return {
        letter: tuple(sorted(options, key=len, reverse=True)) for letter, options in table.items()
    }


def _latin_only(text: str) -> str:
    return "".join(char for char in text.upper() if "A" <= char <= "Z")


def _words(text: str) -> list[str]:
    return [word for word in _NOT_LETTERS.sub(" ", text.upper()).split() if word]


def to_latin(cyrillic: str) -> str:
    """The ICAO Doc 9303 spelling (what a Russian foreign passport issued today shows)."""
    return iuliia.ICAO_DOC_9303.translate(cyrillic.title()).upper()


@cache
def _pattern(cyrillic_word: str) -> re.Pattern[str]:
    parts = []
    index = 0
    while index < len(cyrillic_word):
        pair = cyrillic_word[index : index + 2]
        if pair in _PAIRS:
            shortened = "|".join(re.escape(option) for option in _PAIRS[pair])
            parts.append(f"(?:{shortened}|{_letter(pair[0])}{_letter(pair[1])})")
            index += 2
        else:
            parts.append(_letter(cyrillic_word[index]))
            index += 1
    return re.compile("".join(parts))


def _letter(char: str) -> str:
    options = _spellings().get(char)
    if options is None:
        return re.escape(char)
    return "(?:" + "|".join(re.escape(option) for option in options) + ")"


def _word_matches(cyrillic_word: str, latin_word: str) -> bool:
    if all("A" <= char <= "Z" for char in cyrillic_word):  # both Latin already
        return cyrillic_word == latin_word
    return _pattern(cyrillic_word).fullmatch(latin_word) is not None


def names_match(expected: str, typed: str) -> bool:
    """Whether two spellings of a name (either may be Cyrillic or Latin) are the same name.

    Word by word; hyphens, apostrophes and spaces do not count. An MRZ cuts long names, so a typed
    name may go on where the MRZ's last word stops.
    """
    left, right = _words(expected), _words(typed)
    if not left or not right:
        return False
    left_cyrillic = any(_is_cyrillic(word) for word in left)
    right_cyrillic = any(_is_cyrillic(word) for word in right)
    if left_cyrillic and right_cyrillic:
        # Ё is often typed as Е; the internal passport's MRZ keeps it apart.
        return [w.replace("Ё", "Е") for w in left] == [w.replace("Ё", "Е") for w in right]
    if not left_cyrillic and not right_cyrillic:
        joined_left, joined_right = "".join(left), "".join(right)
        return joined_left == joined_right or (
            len(joined_left) >= 30 and joined_right.startswith(joined_left)
        )
    cyrillic, latin = (left, right) if left_cyrillic else (right, left)
    return len(cyrillic) == len(latin) and all(
        _word_matches(c, lat) for c, lat in zip(cyrillic, latin, strict=True)
    )


def _is_cyrillic(word: str) -> bool:
    return any("А" <= char <= "Я" or char == "Ё" for char in word)
