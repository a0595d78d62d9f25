"""Names in Latin letters respelled where a lookalike misread makes no name (``latin_names``)."""

import pytest

from uploads.mrz import compose, latin_names
from uploads.mrz.parse import parse_lines
from uploads.mrz.reader import _result

from .test_parse import TODAY, russian_passport


@pytest.mark.parametrize(
    ("read", "name"),
    [
        ("JDHN", "JOHN"),  # degraded 250/11: O and D at 7 px
        ("MARCD", "MARCO"),  # degraded 251/3
        ("FIETER", "PIETER"),  # degraded 251/0
        ("BIROSHI", "HIROSHI"),  # degraded 251/11: H read B by every pass
        ("TANAVA", "TANAKA"),  # degraded 251/0: K read V by every pass
        ("DANIFL", "DANIEL"),
        ("RDSA", "ROSA"),
    ],
)
def test_it_respells_a_misread_name(read, name):
    assert latin_names.respelled_word(read) == name


@pytest.mark.parametrize(
    "read",
    [
        "MUSTERMANN",  # a surname the lexicon lacks, no name a swap away: left as read
        "MARTA",  # a name as read (MARIA is a swap away)
        "DIHA",  # DINA or DIMA: no telling which
        "JDH",  # too short: three letters are a swap away from too many
        "OLGB",  # no name a single swap away
    ],
)
def test_it_leaves_a_word_it_cannot_tell(read):
    assert latin_names.respelled_word(read) == read


def test_the_lexicon_holds_names_as_an_mrz_writes_them():
    assert latin_names._mrz_words("O'Brien") == ["OBRIEN"]
    assert latin_names._mrz_words("Søren Müller-Groß") == ["SOEREN", "MULLER", "GROSS"]
    assert latin_names._mrz_words("Łukasz") == ["LUKASZ"]
    assert latin_names._mrz_words("Иван") == []  # another script: Russian names are pymorphy3's
    lexicon = latin_names.lexicon()
    assert {"JOHN", "HIROSHI", "TANAKA", "OBRIEN", "GARCIA"} <= lexicon
    assert all(word.isascii() and word.isalpha() and word.isupper() for word in lexicon)


def _passport(surname: str, given_names: str, nationality: str = "GBR") -> list[str]:
    return compose.td3(
        document_code="P", country="GBR", surname=surname, given_names=given_names,
        number="751234567", nationality=nationality, date_of_birth="800523", sex="M",
        expiry_date="300714",
    )  # fmt: skip


def test_the_readers_result_respells_a_reading_not_sure_and_keeps_it_so():
    parsed = parse_lines(_passport("SMITH", "JDHN"), today=TODAY)
    assert parsed.valid  # the checks cover no name: the vote and the glyphs keep it not sure
    not_sure = _result(parsed, (0, 0, 1, 1), valid=False)
    assert not not_sure.valid
    assert not_sure.fields["given_names"] == "JOHN"
    assert not_sure.mrz == _passport("SMITH", "JOHN")
    # A sure reading is shown as read.
    assert _result(parsed, (0, 0, 1, 1), valid=True).fields["given_names"] == "JDHN"


def test_a_passport_writing_russian_names_in_latin_keeps_them_for_russian_names():
    # A Kazakh's HIROSHI read BIROSHI: no Russian spelling, the lexicon's.
    parsed = parse_lines(_passport("NGUYEN", "BIROSHI", nationality="KAZ"), today=TODAY)
    assert latin_names.respelled(parsed).fields["given_names"] == "HIROSHI"
    # A Russian name the lexicon may lack, read right: as read.
    parsed = parse_lines(russian_passport("SOLOVEV", "IURII"), today=TODAY)
    assert latin_names.respelled(parsed).fields == parsed.fields
