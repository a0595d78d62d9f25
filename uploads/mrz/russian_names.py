"""A Russian internal passport's names respelled where the OCR confused two lookalike glyphs.

A PN's names line writes Cyrillic with Latin letters and digits (``parse.CYRILLIC``): Я is 8 and
Б is B, Ё is 2 and З is Z, Э is 6 and Г is G. In OCR-B at 7-9 px those pairs are the same blob,
and Tesseract reads a blurred 8 as B in every pass without weighing 8 at all, so ДАРЬЯ comes out
ДАРЬБ and ЯНА comes out БНА. No check digit covers the names; what tells them apart is that one
spelling is a Russian name and the other is not. pymorphy3 (OpenCorpora's dictionary: given
names, patronymics and surnames with their forms) says which.

``respelled`` only respells a reading that is not sure anyway, and never makes one sure: a word
is changed when it is not a name in the nominative (as a passport writes names) and exactly one
spelling with one lookalike swapped is (or, when none is, exactly one with two swapped: ИЛЬИЧ
read ТЛЬТЧ); a rare surname the dictionary does not hold is left as read. The customer still
checks the fields, now pre-filled with the likelier spelling.

A passport of Russia or of a CIS country that spells names by the Russian schemas writes them in
Latin letters (ЕЛЕНА as ELENA, or YELENA in an older one): there a word is respelled when no
Cyrillic spelling of it is a name and exactly one spelling a lookalike away has one that is
(``respelled_latin_word``).
"""

import dataclasses
import functools
import itertools
from collections.abc import Callable, Iterable, Iterator

from uploads.mrz.parse import (
    CYRILLIC,
    LETTER_CONFUSIONS,
    TO_LETTER_PN,
    TO_NAME_LETTER,
    Parsed,
    cyrillic,
    names_start,
)

# OCR-B glyphs of a PN's alphabet that blur into one another, both ways: most of the pairs
# ``parse`` repairs fields and country codes with (0, 1 and 5 are no letters in a PN's names),
# and those the reader was seen to confuse under glare and at 8 px: an I whose foot faded reads
# T (ЕКАТЕРИНА read ЕКАТЕРТНА), Ж's J reads I or S (ЖУКОВА read ИУКОВА, СУКОВА), Ч's 3 reads S,
# Д's D reads B (ДАРЬЯ read БАРЬБ).
LOOKALIKES = {
    "8": "B", "B": "8RD", "R": "B", "2": "Z", "Z": "2", "6": "G", "G": "6C", "C": "G",
    "O": "QD", "Q": "O", "D": "OB", "M": "NH", "N": "MH", "H": "MN", "U": "V", "V": "UY",
    "Y": "V", "I": "LTJ", "L": "I", "T": "I", "J": "IS", "S": "J3", "3": "S", "E": "F",
    "F": "EP", "P": "F", "K": "X", "X": "K",
}  # fmt: skip
# What Й's Q, its bowl and tail blurred at 12 px, was read as in every pass alike: R (ЮРИЙ read
# ЮРИР, degraded 208/37), B (ЭЙХЕ read ЭБХЕ), C, G. Й ends many men's given names (АНДРЕЙ,
# СЕРГЕЙ, ДМИТРИЙ). Tried last (``respelled_word``): as lookalikes both ways, Q beside R, B, C
# and G made more double misreads of other names ambiguous (83 left as read, 25 respelled
# wrong, of 1,580, against 13 and 8 of 1,224).
READ_FOR_Q = {"R": "Q", "B": "Q", "C": "Q", "G": "Q"}
# A last letter Й read as C or G is made a Й again before any lookalike is tried: men's names end
# in Й (ЮРИЙ, АЛЕКСЕЙ, ГЕОРГИЙ), and the dictionary holds rare names a lookalike away from some
# of them (ЮРИЙ read ЮРИГ, ЮРИЦ its lookalike: dim 317/25; АЛЕКСЕЦ, ГЕОРГИЦ), while names end
# in Г or Ц seldom. Not B or R: a last Я read B is a woman's name (ЮЛИЯ read ЮЛИБ, and ЮЛИЙ is
# a name too), and many end in Р (ПЁТР). A name as read is kept (БАТЫР, though БАТЫЙ is one).
LAST_READ_FOR_Q = {"C": "Q", "G": "Q"}
_NAME_KINDS = frozenset({"Name", "Surn", "Patr"})


@functools.cache
def _analyzer():  # pymorphy3 ships no type hints
    import pymorphy3  # imported on first use: 20 MB of dictionary, for PN readings not sure only

    return pymorphy3.MorphAnalyzer(lang="ru")


@functools.cache
def name_kinds(word: str) -> frozenset[str]:
    """What ``word`` (Cyrillic) is as a name in the nominative, of Name (given name), Patr
    (patronymic) and Surn (surname): those the dictionary holds it as (not those it guesses from
    the ending: any unknown word gets a guess)."""
    word = word.lower()
    if not _analyzer().word_is_known(word):
        return frozenset()  # a dictionary lookup, several times cheaper than guessing a parse
    return frozenset(
        kind
        for parse in _analyzer().parse(word)
        if parse.is_known and "nomn" in parse.tag.grammemes
        for kind in _NAME_KINDS & parse.tag.grammemes
    )


def respelled_word(word: str, kinds: frozenset[str] = _NAME_KINDS) -> str:
    """``word`` (a PN's MRZ letters) as read when it is a name; else, its last letter C or G
    made a Й, if that is a name (``LAST_READ_FOR_Q``); else the one spelling a lookalike
    away that is a name of ``kinds`` (a surname for the surname: РАБИНОВИЧ, a surname the
    dictionary lacks, is a lookalike away from a patronymic), if there is just one; else, when
    no spelling one lookalike away is a name, the one spelling two away (ИЛЬИЧ read ТЛЬТЧ);
    else the one with a letter Й is read as made a Й again (``READ_FOR_Q``); else, for a
    patronymic, the one spelling any one letter away (ИЛЬИЧ read ИЛЬЧЧ, its I3 as 33 at 8 px):
    patronymics are made from names by a few endings and the dictionary holds them, as
    ``misread`` counts them."""
    if name_kinds(cyrillic(word)):
        return word
    tiers = _spellings_by_tier(word)
    if kinds == {"Patr"}:
        tiers = itertools.chain(tiers, [swapped(word, _ANY)])
    for spellings in tiers:
        names = [spelling for spelling in spellings if name_kinds(cyrillic(spelling)) & kinds]
        if names:
            return names[0] if len(names) == 1 else word
    return word


def _spellings_by_tier(word: str) -> Iterator[set[str]]:
    """``word``'s spelling with its last letter C or G made a Й (``LAST_READ_FOR_Q``), then its
    spellings a lookalike away, then two away, then with a letter Й is read as made a Й again
    (``READ_FOR_Q``): each worked out only when the one before made no name."""
    if word[-1:] in LAST_READ_FOR_Q:
        yield {word[:-1] + LAST_READ_FOR_Q[word[-1]]}
    once = swapped(word)
    yield once
    yield {again for spelling in once for again in swapped(spelling)} - {word}
    yield swapped(word, READ_FOR_Q)


def only_name(word: str, spellings: Iterable[str], is_name: Callable[[str], bool]) -> str:
    """The one of ``spellings`` that ``is_name``, if just one; else ``word``, as read (none
    is, or several are: no telling which)."""
    names = [spelling for spelling in spellings if is_name(spelling)]
    return names[0] if len(names) == 1 else word


def swapped(word: str, lookalikes: dict[str, str] = LOOKALIKES) -> set[str]:
    """The spellings of ``word`` with one of its letters swapped for a lookalike."""
    return {
        word[:position] + other + word[position + 1 :]
        for position, char in enumerate(word)
        for other in lookalikes.get(char, "")
    }


def misread(parsed: Parsed) -> bool:
    """Whether a PN reading's names hold a word that is no name while a spelling of it is one of
    its field's kind: a lookalike away (``respelled_word`` respells it: ПЁТР read ПЗТР, its 2 as
    Z, in every pass at 10 px), or, for a patronymic, any one letter away (СЕРГЕЕВНА read
    СЕАГЕЕВНА at 8 px, R as A by both strips of the names read again). No check digit covers
    names, and the passes over blurred print can all agree on a misread; what the dictionary
    says is the check there is. Patronymics only for any letter: they are made from names by a
    few endings and the dictionary holds them, while a rare given name it lacks is often a letter
    from one it has (ЦЕЗАРЬ from ЦЕЗАРИ). Any other reading: False."""
    if parsed.type != "PN":
        return False
    for key in ("surname", "given_names"):
        words = str(parsed.fields.get(key) or "").split()
        for position, word in enumerate(words):
            kinds = _kinds(key, position, len(words))
            if respelled_word(word, kinds) != word:
                return True
            if (
                kinds == {"Patr"}
                and not name_kinds(cyrillic(word))
                and any(name_kinds(cyrillic(other)) & kinds for other in swapped(word, _ANY))
            ):
                return True
    return False


# Every letter of a PN's names for every other: a misread no lookalike table foresees.
_ANY = {char: "".join(sorted(set(CYRILLIC) - {char})) for char in CYRILLIC}


def _kinds(key: str, position: int, count: int) -> frozenset[str]:
    """The names a word of a field may be: the surname a surname; the given names a given name
    first and a patronymic last (a middle word either)."""
    if key == "surname":
        return frozenset({"Surn"})
    if position == 0:
        return frozenset({"Name"})
    return frozenset({"Patr"}) if position == count - 1 else frozenset({"Name", "Patr"})


# Nationalities whose passports write their holders' (mostly Russian) names in Latin letters
# by the Russian schemas: Russia's, and the CIS's that took them over.
TRANSLITERATED = frozenset({"RUS", "BLR", "KAZ", "KGZ", "UZB", "TJK", "ARM", "AZE", "MDA", "TKM"})
# The Latin spellings of each Cyrillic letter in a foreign passport: ICAO Doc 9303 (since 2010),
# the MVD's orders No. 310 and 782 before it (iuliia's tables; the MRZ drops their apostrophes),
# and the older YE for Е, YO for Ё. Ь and Ъ may be written as nothing (``_SILENT``).
_LATIN_SCHEMAS = ("ICAO_DOC_9303", "MVD_310", "MVD_782")
_OLDER = {"Е": ("YE", "IE"), "Ё": ("YO", "YE", "IO"), "Ъ": ("IE",)}
# Two letters an older passport writes shorter: ЮРИЙ YURY, МАРИЯ MARIA.
_PAIRS = {"ИЙ": ("Y",), "ИЯ": ("IA",)}
_SILENT = "ЬЪ"
_VOWELS = "АЕЁИОУЫЭЮЯЙ"
# OCR-B letters that blur into one another: ``parse``'s confusable letters, and I/T and D/B as
# glare and 8 px print made of them.
LATIN_LOOKALIKES = {
    char: others + {"I": "T", "T": "I", "D": "B", "B": "D"}.get(char, "")
    for char, others in {**LETTER_CONFUSIONS, "T": ""}.items()
}


@functools.cache
def _cyrillic_for_latin() -> dict[str, frozenset[str]]:
    """Each Latin spelling (one to four letters) and the Cyrillic it may stand for."""
    import iuliia  # with pymorphy3: only for readings not sure

    table: dict[str, set[str]] = {}
    for letter in "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ":
        spellings = {getattr(iuliia, name).translate(letter) for name in _LATIN_SCHEMAS}
        for spelling in spellings | set(_OLDER.get(letter, ())):
            latin = "".join(char for char in spelling.upper() if "A" <= char <= "Z")
            if latin:
                table.setdefault(latin, set()).add(letter)
    for pair, spellings in _PAIRS.items():
        for latin in spellings:
            table.setdefault(latin, set()).add(pair)
    return {latin: frozenset(cyrillic) for latin, cyrillic in table.items()}


def _known_prefix(prefix: str) -> bool:
    words = _analyzer().dictionary.words
    return next(iter(words.iterkeys(prefix.lower())), None) is not None


@functools.cache
def latin_name_kinds(word: str) -> frozenset[str]:
    """What a Latin ``word`` is as a Russian name in the nominative (``name_kinds``) under any of
    its Cyrillic spellings, built letter by letter where the dictionary holds words so begun."""
    table = _cyrillic_for_latin()
    kinds: set[str] = set()
    pending = [(0, "")]
    while pending:
        at, prefix = pending.pop()
        if at == len(word):
            kinds |= name_kinds(prefix)
        for size in range(1, 5):
            for letters in table.get(word[at : at + size], ()) if at < len(word) else ():
                if _known_prefix(prefix + letters):
                    pending.append((at + size, prefix + letters))
        if prefix and prefix[-1] not in _VOWELS + _SILENT:
            for silent in _SILENT:  # written as nothing after a consonant: ОЛЬГА OLGA
                if _known_prefix(prefix + silent):
                    pending.append((at, prefix + silent))
    return frozenset(kinds)


def respelled_latin_word(word: str, kinds: frozenset[str] = _NAME_KINDS) -> str:
    """A foreign passport's ``word`` (Latin) as read when it spells a Russian name; else the one
    spelling a lookalike away that spells one of ``kinds``, if there is just one. A name that
    is no Russian one is left as read, and so is its misreading unless it lands on one."""
    if latin_name_kinds(word):
        return word
    return only_name(
        word,
        swapped(word, LATIN_LOOKALIKES),
        lambda spelling: bool(latin_name_kinds(spelling) & kinds),
    )


def respelled(parsed: Parsed) -> Parsed:
    """A PN reading with each word of its names respelled (``respelled_word``): its surname,
    given names, their Cyrillic and its names line; a reading of a passport, ID card or visa of
    a nationality that writes Russian names in Latin letters, likewise (``respelled_latin_word``).
    Any other reading as it is."""
    if parsed.type == "PN":
        return with_words_respelled(parsed, respelled_word, TO_LETTER_PN)
    if parsed.fields.get("nationality") in TRANSLITERATED:
        return with_words_respelled(parsed, respelled_latin_word, TO_NAME_LETTER)
    return parsed


def with_words_respelled(
    parsed: Parsed, respell: Callable[[str, frozenset[str]], str], to_letter: dict[int, str]
) -> Parsed:
    """``parsed`` with each word of its names ``respell``ed (given the word and the kinds of
    name it may be): its surname, given names, a PN's Cyrillic too, and its names line, whose
    words as read (a 0 the fields hold as O: ``to_letter``) take their field's respelling."""
    fields = dict(parsed.fields)
    changed: dict[str, str] = {}
    for key in ("surname", "given_names"):
        words = str(fields.get(key) or "").split()
        again = [
            respell(word, _kinds(key, position, len(words))) for position, word in enumerate(words)
        ]
        changed.update((word, new) for word, new in zip(words, again, strict=True) if new != word)
        fields[key] = " ".join(again)
        if parsed.type == "PN":
            fields[f"{key}_cyrillic"] = cyrillic(str(fields[key]))
    if not changed:
        return parsed
    # The line's words as read (a 0 the fields hold as O) take the respelling of their field's.
    start, index = names_start(parsed.type), parsed.names_index
    line = parsed.lines[index]
    words = line[start:].split("<")
    line = line[:start] + "<".join(changed.get(word.translate(to_letter), word) for word in words)
    lines = [*parsed.lines[:index], line, *parsed.lines[index + 1 :]]
    return dataclasses.replace(parsed, lines=lines, fields=fields)
