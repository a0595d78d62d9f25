"""A PN's names respelled where a lookalike misread makes no Russian name (``russian_names``)."""

import iuliia
import pytest

from uploads.mrz import compose, russian_names
from uploads.mrz.parse import CYRILLIC, cyrillic, parse_lines
from uploads.mrz.reader import _result

from .test_parse import TODAY, pn_lines, russian_passport


@pytest.mark.parametrize(
    ("read", "name"),
    [
        ("BNA", "8NA"),  # ЯНА read БНА: OCR-B's 8 and B at 8 px
        ("DAR9B", "DAR98"),  # ДАРЬЯ read ДАРЬБ
        ("BKOVLEV", "8KOVLEV"),  # a surname: ЯКОВЛЕВ
        ("3ERNY4ZV", "3ERNY42V"),  # ЧЕРНЫШЁВ: Ё is 2, its lookalike Z is Ze
        ("PZTR", "P2TR"),  # ПЁТР
        ("EKATERTNA", "EKATERINA"),  # under glare an I whose foot faded reads T
        ("IUKOVA", "JUKOVA"),  # ЖУКОВА: Ж's J read I
        # Й read as R, B or C at 12 px, where no lookalike swap (one or two) makes a name
        ("7RIR", "7RIQ"),  # ЮРИЙ read ЮРИР
        ("7RIB", "7RIQ"),  # ЮРИЙ read ЮРИБ (ЮРИЯ, a lookalike away, is a genitive)
        ("ANDREC", "ANDREQ"),  # АНДРЕЙ read АНДРЕЦ
        # Й last, before any lookalike: ЮРИЙ read ЮРИГ, whose lookalike ЮРИЦ the dictionary
        # holds as a name too (dim 317/25); АЛЕКСЕЙ and ГЕОРГИЙ likewise
        ("7RIG", "7RIQ"),
        ("ALEKSEG", "ALEKSEQ"),
        ("GEORGIG", "GEORGIQ"),
    ],
)
def test_it_respells_a_misread_name(read, name):
    assert russian_names.respelled_word(read) == name


@pytest.mark.parametrize(
    ("read", "name", "kind"),
    [
        ("TL9T3", "IL9I3", "Patr"),  # ИЛЬИЧ read ТЛЬТЧ
        ("BAR9B", "DAR98", "Name"),  # ДАРЬЯ read БАРЬБ
        ("SERNY4ZV", "3ERNY42V", "Surn"),  # ЧЕРНЫШЁВ read СЕРНЫШЗВ
    ],
)
def test_it_respells_a_name_misread_twice_when_no_single_swap_makes_one(read, name, kind):
    assert russian_names.respelled_word(read, frozenset({kind})) == name


@pytest.mark.parametrize(
    "read",
    [
        "6QHE",  # ЭЙХЕ: a surname the dictionary does not hold is left as read
        "BOHE",  # and so is what no single swap makes a name of
        "GALIHA",  # ГАЛИХА: ГАЛИНА and ГАЛИМА are a swap away each: no telling which
        "DIHA",  # ДИНА or ДИМА
        "8KOVLEV",  # read right
        "IL9I3",  # ИЛЬИЧ, read right
        "BATYR",  # БАТЫР, read right: a name as read is kept though БАТЫЙ is one too
    ],
)
def test_it_leaves_a_word_it_cannot_tell(read):
    assert russian_names.respelled_word(read) == read


def test_a_surname_is_respelled_only_as_a_surname():
    # РАБИНОВИЧ, a surname the dictionary lacks, is a lookalike away from a patronymic.
    assert russian_names.respelled_word("RABINOVI3", frozenset({"Surn"})) == "RABINOVI3"
    assert russian_names.respelled_word("BKOVLEV", frozenset({"Surn"})) == "8KOVLEV"
    assert russian_names.respelled_word("BKOVLEV", frozenset({"Name"})) == "BKOVLEV"


# Names of every kind, none of them the bench's (bench/synth.py's RU_SURNAMES and RU_GIVEN).
OTHER_NAMES = {
    "Name": "ИЛЬЯ ЯРОСЛАВ ВЯЧЕСЛАВ БОГДАН ГЛЕБ ЗАХАР ГЕОРГИЙ НАТАЛЬЯ МАРИЯ ЮЛИЯ ЗОЯ СОФЬЯ АЛЁНА",
    "Patr": "ВЯЧЕСЛАВОВИЧ ЯКОВЛЕВНА ГЕОРГИЕВНА БОГДАНОВИЧ ЗАХАРОВНА ЮРЬЕВНА",
    "Surn": "БЕЛЯЕВ ЗАЙЦЕВ ЗАХАРОВА ВОРОБЬЁВ БОРИСОВ ЕГОРОВ ГУСЕВ ДЬЯЧЕНКО ЯРЦЕВА СЕМЁНОВА",
}


def test_every_single_lookalike_misread_of_other_names_is_respelled_right_or_left():
    respelled_right = left = 0
    for kind, names in OTHER_NAMES.items():
        for name in names.split():
            word = "".join(compose.LATIN_FOR_CYRILLIC.get(char, char) for char in name)
            for position, char in enumerate(word):
                for other in russian_names.LOOKALIKES.get(char, ""):
                    misread = word[:position] + other + word[position + 1 :]
                    got = russian_names.respelled_word(misread, frozenset({kind}))
                    assert got in (word, misread), (name, misread, got)
                    respelled_right += got == word
                    left += got == misread
    assert respelled_right >= 20 * left  # the rest: misreads that are names themselves, or two


def test_most_double_lookalike_misreads_of_other_names_are_respelled_right():
    respelled_right = left = wrong = 0
    for kind, names in OTHER_NAMES.items():
        for name in names.split():
            word = "".join(compose.LATIN_FOR_CYRILLIC.get(char, char) for char in name)
            for misread in _swapped_twice(word):
                got = russian_names.respelled_word(misread, frozenset({kind}))
                respelled_right += got == word
                left += got == misread
                wrong += got not in (word, misread)
    # 1203 right, 13 left, 8 wrong: a double misread a single swap from another name (ГУСЕВ
    # read ГУЧЕЫ is a swap from ГУЧЕВ); nothing tells them apart. The reading stays not sure.
    assert respelled_right >= 50 * (left + wrong) and respelled_right > 1000


def _swapped_twice(word: str) -> set[str]:
    """``word`` with two of its letters swapped for lookalikes, where that is no name itself."""
    once = {
        word[:position] + other + word[position + 1 :]
        for position, char in enumerate(word)
        for other in russian_names.LOOKALIKES.get(char, "")
    }
    twice = {
        spelling[:position] + other + spelling[position + 1 :]
        for spelling in once
        for position, char in enumerate(spelling)
        if spelling[position] == word[position]
        for other in russian_names.LOOKALIKES.get(char, "")
    }
    return {spelling for spelling in twice if not russian_names.name_kinds(cyrillic(spelling))}


def test_it_respells_a_readings_names_line_and_fields():
    lines = pn_lines("ЯКОВЛЕВА", "ДАРЬЯ ПЕТРОВНА")
    misread = [lines[0].replace("8KOVLEVA", "BKOVLEVA").replace("DAR98", "DAR9B"), lines[1]]
    parsed = parse_lines(misread, today=TODAY)
    assert parsed.fields["given_names_cyrillic"] == "ДАРЬБ ПЕТРОВНА"

    again = russian_names.respelled(parsed)

    assert again.lines == lines
    assert again.fields["surname"] == "8KOVLEVA"
    assert again.fields["surname_cyrillic"] == "ЯКОВЛЕВА"
    assert again.fields["given_names"] == "DAR98 PETROVNA"
    assert again.fields["given_names_cyrillic"] == "ДАРЬЯ ПЕТРОВНА"
    assert again.fields["number"] == parsed.fields["number"]
    assert parsed.fields["surname"] == "BKOVLEVA"  # the reading it was given is left alone


def test_the_readers_result_respells_a_reading_not_sure():
    lines = pn_lines("ИВАНОВА", "ЯНА ИГОРЕВНА")
    parsed = parse_lines([lines[0].replace("<8NA<", "<BNA<"), lines[1]], today=TODAY)
    assert parsed.valid  # the checks cover no name: the vote and the glyphs keep it not sure

    not_sure = _result(parsed, (0, 0, 1, 1), valid=False)
    assert not not_sure.valid
    assert not_sure.fields["given_names_cyrillic"] == "ЯНА ИГОРЕВНА"
    assert not_sure.mrz == lines


@pytest.mark.parametrize(
    ("surname", "given", "read"),
    [
        ("ИВАНОВА", "ЯНА ИГОРЕВНА", "BNA IGOREVNA"),  # БНА: a lookalike from ЯНА
        ("КУЗНЕЦОВА", "ПЁТР ИЛЬИЧ", "PZTR IL9I3"),  # ПЗТР: all passes at 10 px (degraded 171/30)
        ("ИВАНОВ", "ОЛЬГА СЕРГЕЕВНА", "OL9GA SEAGEEVNA"),  # R read A: no lookalike (171/17)
        ("ИВАНОВ", "ОЛЬГА ПЕТРОВНА", "OL9GA PETROVHA"),  # ПЕТРОВХА
    ],
)
def test_names_the_dictionary_says_were_misread_are_never_sure(surname, given, read):
    lines = pn_lines(surname, given)
    right = "".join(compose.LATIN_FOR_CYRILLIC.get(char, char) for char in given)
    parsed = parse_lines(
        [lines[0].replace(right.replace(" ", "<"), read.replace(" ", "<")), lines[1]], today=TODAY
    )
    assert parsed.valid and parsed.fields["given_names"] == read
    assert russian_names.misread(parsed)

    result = _result(parsed, (0, 0, 1, 1), valid=True)
    assert not result.valid
    # Respelled where one lookalike makes the name; left as read otherwise, for the customer.
    assert result.fields["given_names"] in (right, read)


@pytest.mark.parametrize(
    ("surname", "given"),
    [
        ("ИВАНОВ", "ОЛЬГА СЕРГЕЕВНА"),
        ("ЭЙХЕ", "ЦЕЗАРЬ ХАРИТОНОВИЧ"),  # a surname and a name the dictionary lacks
        ("ЩЕДРИНА", "ЯНА ЩЕДРИНА"),  # a second given name that is a surname
        ("РАБИНОВИЧ", "ХАДИЖАТ МАГОМЕДОВНА"),
        ("ЗАЙЦЕВ", "ЗЕЛИМХАН ИЛЬДАРОВИЧ"),
        ("ДЬЯЧЕНКО", "ВЯЧЕСЛАВ ЮРЬЕВИЧ"),
    ],
)
def test_names_read_right_stay_sure(surname, given):
    parsed = parse_lines(pn_lines(surname, given), today=TODAY)
    assert parsed.valid and not russian_names.misread(parsed)
    assert _result(parsed, (0, 0, 1, 1), valid=True).valid


def test_only_a_pn_is_checked_so():
    parsed = parse_lines(
        [
            "P<RUSIVANOVA<<OLGA<SEAGEEVNA<<<<<<<<<<<<<<<<",
            "L898902C36RUS7408122F1204159ZE184226B<<<<<10",
        ],
        today=TODAY,
    )
    assert parsed is not None and not russian_names.misread(parsed)


def test_a_passport_is_left_alone():
    parsed = parse_lines(
        [
            "P<UTOERIKSSON<<ANNA<MARIB<<<<<<<<<<<<<<<<<<<",
            "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
        ],
        today=TODAY,
    )
    assert russian_names.respelled(parsed) is parsed


@pytest.mark.parametrize(
    ("read", "name", "kind"),
    [
        ("VELENA", "YELENA", "Name"),  # ЕЛЕНА in an older passport: its Y read V
        ("TVANOV", "IVANOV", "Surn"),  # glare faded the I's foot
        ("ALEKSANOR", "ALEKSANDR", "Name"),  # D read O
        ("NATALTA", "NATALIA", "Name"),  # НАТАЛЬЯ, ICAO 9303
        ("KUZNETSOVA", "KUZNETSOVA", "Surn"),  # read right
        ("SHCHERBAKOV", "SHCHERBAKOV", "Surn"),
        ("SMITR", "SMITR", "Surn"),  # SMITH: no Russian name, left as read
        ("JOHNSON", "JOHNSON", "Surn"),
    ],
)
def test_a_foreign_passports_russian_name_misread_is_respelled(read, name, kind):
    assert russian_names.respelled_latin_word(read, frozenset({kind})) == name


def test_russian_names_in_latin_misread_at_a_lookalike_are_respelled_right_or_left():
    respelled_right = left = 0
    for kind, names in OTHER_NAMES.items():
        for name in names.split():
            for schema in (iuliia.ICAO_DOC_9303, iuliia.MVD_310):
                spelled = schema.translate(name.title()).upper()
                word = "".join(char for char in spelled if "A" <= char <= "Z")
                for position, char in enumerate(word):
                    for other in russian_names.LATIN_LOOKALIKES.get(char, ""):
                        misread = word[:position] + other + word[position + 1 :]
                        if russian_names.latin_name_kinds(misread):
                            continue  # a name too: nothing tells
                        got = russian_names.respelled_latin_word(misread, frozenset({kind}))
                        assert got in (word, misread), (name, misread, got)
                        respelled_right += got == word
                        left += got == misread
    assert respelled_right >= 20 * left and respelled_right > 500


def test_a_russian_citizens_passport_has_its_names_respelled_and_no_other():
    lines = russian_passport("IVANOVA", "YELENA", sex="F")
    misread = [lines[0].replace("<<YELENA", "<<VELENA").replace("IVANOVA", "TVANOVA"), lines[1]]
    parsed = parse_lines(misread, today=TODAY)
    again = russian_names.respelled(parsed)
    assert again.fields["surname"] == "IVANOVA" and again.fields["given_names"] == "YELENA"
    assert again.lines == lines

    german = [misread[0].replace("P<RUS", "P<DEU", 1), misread[1].replace("RUS", "DEU", 1)]
    parsed = parse_lines(german, today=TODAY)
    assert parsed.fields["nationality"] == "DEU"
    assert russian_names.respelled(parsed) is parsed


def test_a_patronymic_misread_at_any_one_letter_is_respelled_right_or_left():
    # ИЛЬИЧ read ИЛЬЧЧ at 8 px (degraded 250/38: its I3 as 33, no lookalikes): patronymics are
    # made from names by a few endings, and the dictionary holds them.
    assert russian_names.respelled_word("IL933", frozenset({"Patr"})) == "IL9I3"
    assert russian_names.respelled_word("PETRPVNA", frozenset({"Patr"})) == "PETROVNA"
    # Not a given name or a surname: a rare one the dictionary lacks is often a letter from one
    # it holds.
    assert russian_names.respelled_word("KUINECOVA", frozenset({"Surn"})) == "KUINECOVA"
    assert russian_names.respelled_word("IL933", frozenset({"Name"})) == "IL933"
    respelled_right = left = wrong = 0
    for name in OTHER_NAMES["Patr"].split():
        word = "".join(compose.LATIN_FOR_CYRILLIC.get(char, char) for char in name)
        for position, char in enumerate(word):
            for other in sorted(set(CYRILLIC) - {char}):
                misread = word[:position] + other + word[position + 1 :]
                if russian_names.name_kinds(cyrillic(misread)):
                    continue  # a patronymic itself: nothing tells it from the right one
                got = russian_names.respelled_word(misread, frozenset({"Patr"}))
                respelled_right += got == word
                left += got == misread
                wrong += got not in (word, misread)
    # 1247 right, 494 left, 60 wrong (ВЯЧЕСЛАВОВИЧ read НЯЧЕСЛАВОВИЧ made МЯЧЕСЛАВОВИЧ, a
    # lookalike away): every one of them a reading shown wrong before, and not sure.
    assert respelled_right >= 15 * wrong and respelled_right > 1000
