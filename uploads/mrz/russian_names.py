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
read ТЛЬТЧ); a rare surname the dictionary does not hold is left as read. The customer still checks the fields, now pre-filled with the likelier spelling.
"""

import dataclasses
import functools

from uploads.mrz.parse import TO_LETTER_PN, Parsed, cyrillic, names_start

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
    """``word`` (a PN's MRZ letters) as read when it is a name; else the one spelling a lookalike
    away that is a name of ``kinds`` (a surname for the surname: РАБИНОВИЧ, a surname the
    dictionary lacks, is a lookalike away from a patronymic), if there is just one; else, when
    no spelling one lookalike away is a name, the one spelling two away (ИЛЬИЧ read ТЛЬТЧ)."""
    if name_kinds(cyrillic(word)):
        return word
    once = _swapped(word)
    for spellings in (once, {again for spelling in once for again in _swapped(spelling)} - {word}):
        names = [spelling for spelling in spellings if name_kinds(cyrillic(spelling)) & kinds]
        if names:
            return names[0] if len(names) == 1 else word
    return word


def _swapped(word: str) -> set[str]:
    """The spellings of ``word`` with one of its letters swapped for a lookalike."""
    return {
        word[:position] + other + word[position + 1 :]
        for position, char in enumerate(word)
        for other in LOOKALIKES.get(char, "")
    }


def _kinds(key: str, position: int, count: int) -> frozenset[str]:
    """The names a word of a field may be: the surname a surname; the given names a given name
    first and a patronymic last (a middle word either)."""
    if key == "surname":
        return frozenset({"Surn"})
    if position == 0:
        return frozenset({"Name"})
    return frozenset({"Patr"}) if position == count - 1 else frozenset({"Name", "Patr"})


def respelled(parsed: Parsed) -> Parsed:
    """A PN reading with each word of its names respelled (``respelled_word``): its surname,
    given names, their Cyrillic and its names line. Any other reading as it is."""
    if parsed.type != "PN":
        return parsed
    fields = dict(parsed.fields)
    changed: dict[str, str] = {}
    for key in ("surname", "given_names"):
        words = str(fields.get(key) or "").split()
        again = [
            respelled_word(word, _kinds(key, position, len(words)))
            for position, word in enumerate(words)
        ]
        changed.update((word, new) for word, new in zip(words, again, strict=True) if new != word)
        fields[key] = " ".join(again)
        fields[f"{key}_cyrillic"] = cyrillic(str(fields[key]))
    if not changed:
        return parsed
    # The line's words as read (a 0 the fields hold as O) take the respelling of their field's.
    start = names_start("PN")
    line = parsed.lines[0]
    words = line[start:].split("<")
    line = line[:start] + "<".join(
        changed.get(word.translate(TO_LETTER_PN), word) for word in words
    )
    return dataclasses.replace(parsed, lines=[line, *parsed.lines[1:]], fields=fields)
