"""Names from the MRZ against names typed by the customer, with transliteration."""

import pytest

from uploads.core.transliteration import names_match, to_latin


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [
        ("Щукин", "SHCHUKIN"),  # ICAO 9303
        ("Юрий", "IURII"),  # ICAO 9303 (foreign passports since 2010)
        ("Юрий", "YURIY"),  # MVD order 310
        ("Юрий", "YURI"),
        ("Хабибуллаевич", "KHABIBULLAEVICH"),
        ("Хабибуллаевич", "XABIBULLAEVICH"),  # GOST-style X
        ("Цой", "TSOI"),
        ("Цой", "COY"),
        ("Яна", "IANA"),
        ("Яна", "YANA"),
        ("Ёлкин", "ELKIN"),
        ("Ёлкин", "YOLKIN"),
        ("Андреев", "ANDREEV"),
        ("Андреев", "ANDREYEV"),
        ("Андреев", "ANDREIEV"),
        ("Наталья", "NATALIA"),
        ("Мария", "MARIIA"),
        ("Анна-Мария", "ANNA MARIA"),
        ("Подъячев", "PODIACHEV"),  # Ъ as nothing
        ("Подъячев", "PODIEIACHEV"),  # Ъ as IE (ICAO)
    ],
)
def test_it_matches_the_usual_spellings(cyrillic, latin):
    assert names_match(latin, cyrillic)
    assert names_match(cyrillic, latin)


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Иванов", "PETROV"),
        ("Иванов", "IVANOVA"),
        ("Анна", "ANNA MARIA"),
        ("ERIKSSON", "ERIKSSON SMITH"),
        ("Иванов", "Иванова"),
        ("", "IVANOV"),
    ],
)
def test_it_tells_different_names_apart(left, right):
    assert not names_match(left, right)


def test_it_compares_cyrillic_with_cyrillic_ignoring_yo():
    assert names_match("СЕМЁНОВ", "Семенов")
    assert names_match("ИВАН ИВАНОВИЧ", "иван  иванович")


def test_it_compares_latin_case_and_punctuation_blind():
    assert names_match("ERIKSSON", "Eriksson")
    assert names_match("O'NEIL", "ONEIL")


def test_it_accepts_a_typed_name_longer_than_the_mrz_could_hold():
    mrz = "AAAAAAAAAABBBBBBBBBBCCCCCCCCCCDD"
    assert names_match(mrz, mrz + "EEE")


def test_it_writes_the_icao_spelling():
    assert to_latin("Щукин Юрий") == "SHCHUKIN IURII"
