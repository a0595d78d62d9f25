"""From MRZ text to fields: formats, repairs by field class, and when a reading is not sure."""

from datetime import date

import pytest

from uploads.mrz import checks, compose
from uploads.mrz.parse import confirm_repairs, parse_lines, parse_text

from .specimen import td2_lines

TODAY = date(2026, 11, 26)
TD3 = [
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
]


def parse(lines):
    return parse_lines(list(lines), today=TODAY)


def test_td3_passport():
    parsed = parse(TD3)
    assert parsed.valid and parsed.type == "TD3"
    assert parsed.fields == {
        "document_code": "P",
        "country": "UTO",
        "number": "L898902C3",
        "nationality": "UTO",
        "date_of_birth": date(1974, 8, 12),
        "sex": "F",
        "expiry_date": date(2012, 4, 15),
        "surname": "ERIKSSON",
        "given_names": "ANNA MARIA",
        "personal_number": "ZE184226B",
    }
    assert all(
        parsed.field_valid[name] for name in ("number", "date_of_birth", "expiry_date", "composite")
    )
    assert not parsed.field_valid["surname"] and not parsed.field_valid["given_names"]


def test_td2_card_and_td1_card():
    td2 = parse(["I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6"])
    assert td2.valid and td2.type == "TD2" and td2.fields["number"] == "D23145890"
    td1 = parse(
        [
            "IDCHES0002068<8<<<<<<<<<<<<<<<",
            "8102287F1301014CHE<<<<<<<<<<<4",
            "VADIS<<QUO<<<<<<<<<<<<<<<<<<<<",
        ]
    )
    assert td1.valid and td1.type == "TD1"
    assert (td1.fields["number"], td1.fields["surname"], td1.fields["given_names"]) == (
        "S0002068",
        "VADIS",
        "QUO",
    )
    assert td1.fields["date_of_birth"] == date(1981, 2, 28)


@pytest.mark.parametrize("stray_1", ["4", "A", "K", "<"])
@pytest.mark.parametrize("stray_2", ["4", "<"])
def test_a_td1_with_a_stray_character_before_both_upper_lines_is_never_valid_and_wrong(
    stray_1, stray_2
):
    """Both upper lines one character long: every way to drop one is tried. With "A" or "4" in
    front, "A<UTO" and "I<UTO" both pass every check (no check digit covers the document code):
    not sure. A cap on the combinations once kept only the wrong one, called valid."""
    line1 = "I<UTOD231458907<<<<<<<<<<<<<<<"
    line2 = "7408122F1204159UTO<<<<<<<<<<<6"
    parsed = parse([stray_1 + line1, stray_2 + line2, "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"])
    assert parsed.fields["number"] == "D23145890"
    if parsed.valid:
        assert parsed.fields["document_code"] == "I"
    assert parsed.valid == (stray_1 in "K<")


def test_td1_with_a_long_document_number():
    # ICAO 9303 part 5: a 12-character number continues in the optional data, its check digit after.
    line1 = "I<UTOD23145890<7349<<<<<<<<<<<"
    line2 = "3407127M9507122UTO<<<<<<<<<<<"
    composite = line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29]
    parsed = parse([line1, line2 + checks.check_digit(composite), "STEVENSON<<PETER<JOHN<<<<<<<<<"])
    assert parsed.fields["number"] == "D23145890734"
    assert parsed.field_valid["number"] and parsed.valid


def test_visas_mrv_a_and_mrv_b():
    mrva = parse(
        [
            "VIUSATRAVELER<<HAPPYPERSON<<<<<<<<<<<<<<<<<<",
            "555123ABC6GBR6502056F0412236IFLND00AMS803085",
        ]
    )
    assert mrva.type == "MRVA" and mrva.valid and mrva.fields["nationality"] == "GBR"
    mrvb = parse(["VCPOLKOWALSKA<KWIATKOWSKA<<BEATA<<<<", "PL00000008POL6002084F0505011<<<<<<<0"])
    assert mrvb.type == "MRVB" and mrvb.valid and mrvb.fields["surname"] == "KOWALSKA KWIATKOWSKA"


def test_sex_filler_is_x_and_one_letter_germany():
    parsed = parse(
        [
            "IDD<<T220001293<<<<<<<<<<<<<<<",
            "6408125<2010315D<<<<<<<<<<<<<4",
            "MUSTERMANN<<ERIKA<<<<<<<<<<<<<",
        ]
    )
    assert parsed.valid and parsed.fields["sex"] == "X" and parsed.fields["country"] == "D"


def test_digit_fields_are_repaired_by_the_digit_map():
    parsed = parse([TD3[0], "L898902C36UTO74O8I22F12O4159ZE184226B<<<<<1O"])
    assert parsed.fields["date_of_birth"] == date(1974, 8, 12)
    # Two mapped characters can pass a check digit together: valid once the OCR weighed each.
    assert parsed.repairs == [(1, 15, "0"), (1, 17, "1"), (1, 23, "0"), (1, 43, "0")]
    assert not parsed.valid
    assert confirm_repairs(parsed, lambda line, position, char: True)


def test_letter_fields_are_repaired_by_the_letter_map():
    parsed = parse(
        [
            "P<UT0ERIKSS0N<<ANNA<MAR1A<<<<<<<<<<<<<<<<<<<",
            "L898902C36UT07408122F1204159ZE184226B<<<<<10",
        ]
    )
    assert (parsed.fields["country"], parsed.fields["nationality"]) == ("UTO", "UTO")
    assert parsed.fields["surname"] == "ERIKSSON" and parsed.fields["given_names"] == "ANNA MARIA"
    # The names changed (0 to O, 1 to I): valid once the OCR supports each change. UT0 is no
    # other country's code however its 0 is read (O, D, Q, U): the format's letter, no guess.
    assert sorted(parsed.repairs) == [(0, 11, "O"), (0, 23, "I")]
    assert not parsed.valid and parsed.awaiting_support
    assert confirm_repairs(parsed, lambda line, position, char: True)


@pytest.mark.parametrize(("read", "code"), [("T0N", "TON"), ("PR1", "PRI"), ("GB0", "GBO")])
def test_a_code_read_with_a_digit_that_two_countries_could_be_waits_for_support(read, code):
    # TON (Tonga) or TUN (Tunisia): the 0 mapped to an O is a guess the OCR must have weighed.
    parsed = parse([f"P<{read}ERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", TD3[1]])
    assert parsed.fields["country"] == code and parsed.awaiting_support
    digit = 2 + next(index for index, char in enumerate(read) if char.isdigit())
    assert not confirm_repairs(parsed, lambda line, position, char: (line, position) != (0, digit))
    assert confirm_repairs(parsed, lambda line, position, char: True)


def test_a_code_read_with_a_digit_the_other_code_does_not_spell_waits_for_support():
    # 8 can only be a B, and BRA is a code; but the nationality reads UTO: an F misread 8 makes
    # FRA BRA alike (a random change found by a longer property search).
    card = ["I<8RAAA<<AA<<<<<<<<<<<<<<<<<<<<<<<<<", "000000<<<0UTO4501011M2611262<<<<<<<2"]
    parsed = parse(card)
    assert parsed.fields["country"] == "BRA" and parsed.awaiting_support
    assert not confirm_repairs(parsed, lambda line, position, char: (line, position) != (0, 2))
    # The nationality read BRA (no check digit covers it): the card's own state, as read.
    parsed = parse([card[0], card[1].replace("UTO", "BRA")])
    assert parsed.fields["country"] == "BRA" and parsed.valid


def test_a_repaired_name_the_ocr_does_not_support_stays_not_sure():
    parsed = parse(["P<UTOERIKSS0N<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", TD3[1]])
    assert parsed.fields["surname"] == "ERIKSSON"
    assert not confirm_repairs(parsed, lambda line, position, char: (line, position) != (0, 11))
    assert not parsed.valid


def test_a_7_read_in_a_name_is_shown_as_the_t_it_was_and_waits_for_support():
    # No name holds a 7 (a PN's aside); degraded print read TANAKA's T so (degraded 103/5).
    parsed = parse([f"{'P<UTO7ANAKA<<ANNA<MARIA':<<44}", TD3[1]])
    assert parsed.fields["surname"] == "TANAKA" and (0, 5, "T") in parsed.repairs
    assert not parsed.valid and parsed.awaiting_support
    assert not confirm_repairs(parsed, lambda line, position, char: (line, position) != (0, 5))
    assert confirm_repairs(parsed, lambda line, position, char: True)
    # A country code's 7 was a P too (degraded 102/2: ESP read ES7): not made Estonia's EST.
    parsed = parse([TD3[0], TD3[1].replace("UTO", "ES7")])
    assert parsed.fields["nationality"] == "ES7" and not parsed.valid


def test_a_reading_as_printed_needs_no_support():
    parsed = parse(TD3)
    assert parsed.valid and not parsed.repairs


def test_a_country_one_letter_off_is_repaired_only_when_one_code_fits():
    parsed = parse(["P<MLDERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", TD3[1]])
    assert parsed.fields["country"] == "NLD" and not parsed.field_valid["country"]
    assert confirm_repairs(
        parsed, lambda line, position, char: (line, position, char) == (0, 2, "N")
    )
    assert parsed.field_valid["country"]


def test_a_number_with_one_confusion_is_repaired_when_one_variant_passes():
    parsed = parse([TD3[0], "L8989O2C36UTO7408122F1204159ZE184226B<<<<<10"])
    assert parsed.fields["number"] == "L898902C3"
    assert parsed.repairs == [(1, 5, "0")] and not parsed.field_valid["number"]
    assert not parsed.valid  # until the OCR's alternatives for that O include 0
    assert confirm_repairs(
        parsed, lambda line, position, char: (line, position, char) == (1, 5, "0")
    )


def test_the_invented_number_of_the_issue_is_not_valid_without_support():
    # Read BE75823154: changing B to 8 and 8 to B passes the number's digit and the composite.
    lines = compose.td3(
        surname="ERIKSSON", given_names="ANNA MARIA", number="8E75B2315", country="UTO",
        nationality="UTO", date_of_birth="740812", sex="F", expiry_date="340415",
    )  # fmt: skip
    read = [lines[0], "BE7582315" + lines[1][9:]]
    parsed = parse(read)
    if parsed.fields["number"] == "8E75B2315":
        assert not parsed.valid and len(parsed.repairs) == 2
        assert not confirm_repairs(parsed, lambda line, position, char: False)


@pytest.mark.parametrize("number", ["LB98902C3", "L89B902C3"])
def test_an_ambiguous_number_is_not_repaired_and_not_valid(number):
    # One change from each: both L898902C3 and LB9B902C3 pass the check digit, so neither is chosen.
    parsed = parse([TD3[0], number + "6UTO7408122F1204159ZE184226B<<<<<10"])
    assert parsed.fields["number"] == number
    assert not parsed.field_valid["number"] and not parsed.valid


def test_the_collision_itself_cannot_be_told_apart():
    # NOTES.md: LB9B902C3 has the same check digit as L898902C3; a passing check is not proof.
    parsed = parse([TD3[0], "LB9B902C36UTO7408122F1204159ZE184226B<<<<<10"])
    assert parsed.field_valid["number"]
    assert parsed.fields["number"] == "LB9B902C3"


@pytest.mark.parametrize(
    "line2",
    [
        "L898902C35UTO7408122F1204159ZE184226B<<<<<10",  # number check digit
        "L898902C36UTO7408123F1204159ZE184226B<<<<<10",  # birth date check digit
        "L898902C36UTO7402302F1204159ZE184226B<<<<<10",  # 30 February
        "L898902C36UTO7408122F1204159ZE184226B<<<<<11",  # composite
        "L898902C36UTO7408122Q1204159ZE184226B<<<<<10",  # sex
        "L898902C36ABC7408122F1204159ZE184226B<<<<<10",  # nationality
    ],
)
def test_a_failed_check_is_never_valid(line2):
    parsed = parse([TD3[0], line2])
    assert parsed is not None and not parsed.valid


def test_letters_outside_the_alphabet_are_not_sure():
    parsed = parse(
        [
            "IDESPAAA1000014<00000023T<<<<<",
            "7212018F1101236ESP<<<<<<<<<<<8",
            "ESPAÑOLA<ESPAÑOLA<CARMEN<<<<<<",
        ]
    )
    assert parsed is not None and not parsed.valid


def test_noise_in_the_name_filler_is_not_sure():
    parsed = parse(["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<5<S5E<6", TD3[1]])
    assert parsed.fields["given_names"] == "ANNA MARIA"
    assert not parsed.valid


def test_a_line_missing_a_filler_is_realigned_by_the_check_digits():
    parsed = parse([TD3[0], "L898902C36UTO7408122F1204159ZE184226B<<<<10"])
    assert parsed.lines[1] == TD3[1] and parsed.fields["number"] == "L898902C3"
    # Valid once the OCR's boxes show the gap inside the run (tests/mrz/test_repairs.py).
    assert parsed.awaiting_support and not parsed.valid
    assert parsed.inserted and all(line == 1 for line, _ in parsed.inserted)


def test_a_line_read_long_is_marked_dropped():
    # The check digits chose which character to drop: the reader wants a second reading alike.
    parsed = parse([TD3[0], "L898X902C36UTO7408122F1204159ZE184226B<<<<<10"])
    assert parsed.valid and parsed.dropped and parsed.fields["number"] == "L898902C3"
    assert not parse(TD3).dropped
    # A stray mark beside the line read as a character: the rest was read in place.
    stray = parse([TD3[0], TD3[1] + "0"])
    assert stray.valid and not stray.dropped and stray.lines == TD3
    # The names line read long is cut, not realigned: it has its own rule (names_cut).
    assert not parse([TD3[0] + "<", TD3[1]]).dropped


def test_two_alignments_that_both_pass_are_not_sure():
    # Dropping the "1" or the "L" both pass (1 and L differ by 20 at weight 7): refuse to choose.
    parsed = parse([TD3[0], "1L898902C36UTO7408122F1204159ZE184226B<<<<<10"])
    assert not parsed.valid
    # The other alignment passing is kept, for the reader to note its number too.
    assert parsed.ambiguous and parsed.fields["number"] in ("L898902C3", "1898902C3")
    assert {rival.fields["number"] for rival in parsed.rivals} == (
        {"L898902C3", "1898902C3"} - {parsed.fields["number"]}
    )
    assert parse(TD3).rivals == []


def test_a_name_line_missing_its_fillers_is_padded():
    parsed = parse(["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<", TD3[1]])
    assert parsed.fields["given_names"] == "ANNA MARIA"
    # Or it lost a character before the names: valid once the OCR's boxes place the gaps.
    assert parsed.awaiting_support and parsed.inserted == [(0, at) for at in range(33, 44)]


def test_a_names_line_that_lost_a_letter_of_the_country_waits_for_the_boxes():
    # P<RUSABRAMOV read without its R: the United States, Mr Bramov, and no check digit minds.
    lines = compose.td3(
        surname="ABRAMOV", given_names="IVAN", number="L898902C3", country="RUS",
        nationality="RUS", date_of_birth="740812", sex="M", expiry_date="340415",
    )  # fmt: skip
    parsed = parse([lines[0].replace("RUSA", "USA", 1), lines[1]])
    assert (parsed.fields["country"], parsed.fields["surname"]) == ("USA", "BRAMOV")
    assert not parsed.valid and parsed.field_valid["country"] is False


def test_the_mrz_is_found_among_other_text():
    parsed = parse_text("PASSPORT OFFICE\nSIGNATURE\n" + "\n".join(TD3) + "\n", today=TODAY)
    assert parsed.valid and parsed.fields["number"] == "L898902C3"


@pytest.mark.parametrize("text", ["", "HELLO WORLD", "P<UTO\nL898"])
def test_no_mrz_shape_is_none(text):
    assert parse_text(text, today=TODAY) is None


def pn_lines(surname: str, given_names: str, *, sex: str = "M") -> list[str]:
    """A Russian internal passport's lines with these names (the rest fixed)."""
    return compose.pn(
        surname=surname,
        given_names=given_names,
        series="4510",
        number="123456",
        date_of_birth="800523",
        sex=sex,
        issue_date="150714",
        department_code="770-093",
    )


PN = pn_lines("СОЛОВЬЁВ", "ЮРИЙ ЭДУАРДОВИЧ")


def test_russian_internal_passport():
    assert PN[0].startswith("PNRUSSOLOV92V<<7RIQ<6DUARDOVI3")
    parsed = parse(PN)
    assert parsed.valid and parsed.type == "PN"
    fields = parsed.fields
    assert fields["series"] == "4510" and fields["number"] == "4510123456"
    assert fields["date_of_birth"] == date(1980, 5, 23) and fields["sex"] == "M"
    assert fields["issue_date"] == date(2015, 7, 14)
    assert fields["department_code"] == "770-093"
    assert fields["expiry_date"] is None
    assert fields["surname_cyrillic"] == "СОЛОВЬЁВ"
    assert fields["given_names_cyrillic"] == "ЮРИЙ ЭДУАРДОВИЧ"
    assert all(
        parsed.field_valid[name]
        for name in ("number", "issue_date", "department_code", "composite")
    )


def test_russian_internal_passport_with_zero_for_the_missing_expiry():
    lines = compose.pn(
        surname="ИВАНОВА", given_names="ДАРЬЯ ПЕТРОВНА", series="0303", number="000001",
        date_of_birth="010101", sex="F", issue_date="210101", department_code="230-001", expiry_filler="0",
    )  # fmt: skip
    parsed = parse(lines)
    assert parsed.valid and parsed.fields["surname_cyrillic"] == "ИВАНОВА"


@pytest.mark.parametrize("code", ["PH", "PM", "PW", "FN", "FH"])
def test_an_internal_passport_whose_code_was_misread_is_told_by_its_blank_expiry(code):
    parsed = parse([code + PN[0][2:], PN[1]])
    assert parsed.type == "PN" and parsed.valid
    assert parsed.lines[0] == PN[0]
    assert parsed.fields["document_code"] == "PN" and parsed.fields["number"] == "4510123456"
    assert parsed.fields["given_names_cyrillic"] == "ЮРИЙ ЭДУАРДОВИЧ"


@pytest.mark.parametrize(
    ("start", "nationality", "valid"),
    [
        ("PNHUS", "RUS", True),
        ("PNKUS", "RU5", True),  # RU5 is RUS, the only code its 5 can make
        ("FRROS", "RUS", True),
        # A nationality misread stays a failed check, another country's code too.
        ("PNAUS", "BO3", False),
        ("PNRUS", "TUB", False),  # degraded 7/17: repaired to Turkey's TUR, shown so
        ("PNRUS", "TUR", False),  # was valid, TUR shown: no check digit covers it
        ("ENRUS", "RUS", True),
    ],
)
def test_an_internal_passport_whose_country_was_misread_is_told_by_its_layout(
    start, nationality, valid
):
    # Glare or 8 px print: the R of RUS read H or K, the code's N read R, the nationality lost.
    line2 = PN[1][:10] + nationality + PN[1][13:]
    parsed = parse([start + PN[0][5:], line2])
    assert parsed.type == "PN"
    assert parsed.lines[0] == PN[0]
    assert parsed.fields["country"] == "RUS" and parsed.fields["number"] == "4510123456"
    assert parsed.fields["issue_date"] == date(2015, 7, 14)
    assert parsed.valid == valid
    # Whatever was read, the field shows the only nationality its holder can have.
    assert parsed.fields["nationality"] == "RUS"


def test_a_layout_far_from_russia_is_no_internal_passport():
    line2 = PN[1][:10] + "DEU" + PN[1][13:]
    assert parse(["PNDEU" + PN[0][5:], line2]).type == "TD3"
    assert parse(["PNHUK" + PN[0][5:], PN[1][:10] + "HUK" + PN[1][13:]]).type == "TD3"


def russian_passport(surname: str, given_names: str, *, sex: str = "M") -> list[str]:
    """A Russian foreign passport's lines with these (Latin) names (the rest fixed)."""
    return compose.td3(
        document_code="P", country="RUS", surname=surname, given_names=given_names,
        number="751234567", nationality="RUS", date_of_birth="800523", sex=sex,
        expiry_date="300714",
    )  # fmt: skip


def test_a_russian_passport_is_not_taken_for_an_internal_one():
    passport = russian_passport("SOLOVEV", "IURII")
    assert parse(passport).type == "TD3"
    assert parse(["PH" + passport[0][2:], passport[1]]).type == "TD3"
    # A blank expiry with the code's filler as read (P<) is a passport's, misread.
    blank = passport[1][:21] + "<" * 7 + PN[1][28:]
    assert parse(["P<" + PN[0][2:], blank]).type == "TD3"
    assert not parse(["P<" + PN[0][2:], blank]).valid


def test_russian_internal_passport_with_a_wrong_department_digit_is_not_valid():
    line2 = PN[1][:36] + ("1" if PN[1][36] != "1" else "2") + PN[1][37:]
    parsed = parse([PN[0], line2])
    assert not parsed.valid and not parsed.field_valid["department_code"]


@pytest.mark.parametrize("builder", ["td1", "td2", "td3", "mrva", "mrvb"])
def test_compose_and_parse_agree(builder):
    fields = dict(
        surname="O BRIEN", given_names="SEAN PATRICK", number="X1234567", country="IRL",
        nationality="IRL", date_of_birth="900101", sex="M", expiry_date="300101",
    )  # fmt: skip
    lines = getattr(compose, builder)(**fields)
    parsed = parse(lines)
    assert parsed.valid, lines
    assert parsed.fields["surname"] == "O BRIEN" and parsed.fields["number"] == "X1234567"


def test_a_names_line_longer_than_the_format_is_not_sure():
    lines = [
        "I<UTOD231458907<<<<<<<<<<<<<<<",
        "7408122F1204159UTO<<<<<<<<<<<6",
        "FERIKSSON<<ANNA<MARIA<<<<<<<<<<",
    ]
    parsed = parse(lines)
    assert parsed is not None and not parsed.valid and parsed.names_cut


# --- the century of a two-digit year: birth <= issue < expiry, expiry < birth + 100 years -------

_PERSON = dict(surname="ERIKSSON", given_names="ANNA MARIA", number="L898902C3", country="UTO", nationality="UTO", sex="F")  # fmt: skip


@pytest.mark.parametrize("builder", ["td1", "td2", "td3"])
def test_a_document_that_expired_in_2011_gives_a_birth_in_the_1900s(builder):
    lines = getattr(compose, builder)(**_PERSON, date_of_birth="120315", expiry_date="110101")
    parsed = parse(lines)
    assert parsed.valid
    assert parsed.fields["date_of_birth"] == date(1912, 3, 15)
    assert parsed.fields["expiry_date"] == date(2011, 1, 1)


def test_a_child_born_this_century_is_born_this_century():
    parsed = parse(compose.td3(**_PERSON, date_of_birth="050101", expiry_date="300101"))
    assert parsed.valid
    assert parsed.fields["date_of_birth"] == date(2005, 1, 1)
    assert parsed.fields["expiry_date"] == date(2030, 1, 1)


@pytest.mark.parametrize("builder", ["td1", "td2", "td3", "mrva", "mrvb"])
def test_an_expiry_before_machine_readable_documents_existed_is_a_misread(builder):
    # Glare 145/39: 311214 read 711214 with its check digit read 4, which passes; 2071 is too far
    # ahead for any document, so the century would be 1971, before the first MRZ was printed.
    lines = getattr(compose, builder)(**_PERSON, date_of_birth="660909", expiry_date="711214")
    parsed = parse(lines)
    assert parsed.fields["expiry_date"] == date(1971, 12, 14)
    assert not parsed.field_valid["expiry_date"] and not parsed.valid


@pytest.mark.parametrize(("expiry", "expected"), [("810101", date(1981, 1, 1)), ("941101", date(1994, 11, 1))])  # fmt: skip
def test_a_document_that_expired_since_mrzs_exist_is_read_valid(expiry, expected):
    parsed = parse(compose.td3(**_PERSON, date_of_birth="660909", expiry_date=expiry))
    assert parsed.valid and parsed.fields["expiry_date"] == expected


def test_an_internal_passport_issued_before_the_birth_year_in_this_century_means_the_last():
    # Issued 2015 to someone born "20": 2020 is not in the future, but after the issue date.
    lines = compose.pn(
        surname="ИВАНОВ", given_names="ИВАН ИВАНОВИЧ", series="4510", number="123456",
        date_of_birth="200101", sex="M", issue_date="150101", department_code="770-093",
    )  # fmt: skip
    parsed = parse(lines)
    assert parsed.valid
    assert parsed.fields["date_of_birth"] == date(1920, 1, 1)
    assert parsed.fields["issue_date"] == date(2015, 1, 1)


def test_a_repaired_field_is_marked_not_valid_until_the_ocr_supports_it():
    parsed = parse([TD3[0], "L8989O2C36UTO7408122F1204159ZE184226B<<<<<10"])
    assert not parsed.field_valid["number"] and parsed.field_valid["date_of_birth"]
    confirm_repairs(parsed, lambda line, position, char: True)
    assert parsed.field_valid["number"] and parsed.valid


def test_an_internal_passport_number_with_a_letter_is_not_valid():
    # P weighs 25, the same as 5 modulo 10: the check digits pass, the number is no number.
    parsed = parse([PN[0], "P" + PN[1][1:]])
    assert not parsed.valid and not parsed.field_valid["number"]


def test_a_document_number_read_starting_with_fillers_is_not_valid():
    # ICAO 9303 pads a number at its end. Glare faded X36310ML's X3 into two fillers: -33 x 7
    # and -3 x 3 is -240, and the number's check digit and the composite still passed.
    lines = td2_lines("X36310ML")
    assert parse_lines(lines, today=TODAY).valid
    faded = [lines[0], "<<" + lines[1][2:]]
    parsed = parse_lines(faded, today=TODAY)
    assert parsed is not None and not parsed.valid
    assert not parsed.field_valid["number"]
    # Padded at its end, as printed: valid.
    assert parse_lines(td2_lines("6310ML"), today=TODAY).valid


def test_a_number_holding_a_letter_the_repairs_show_the_print_makes_of_its_twin_is_not_sure():
    # Glare over 6L7JS7Y6E: its second 6 read G, and its check digit 6 read G too (mapped back
    # to 6). G is worth 16: 6L7JS7YGE passes the same check digit, and every check passed.
    lines = td2_lines("6L7JS7Y6E")
    assert lines[1][9] == "6"
    read = [lines[0], "6L7JS7YGEG" + lines[1][10:]]
    parsed = parse_lines(read, today=TODAY)
    assert parsed is not None and parsed.checks_passed == parsed.checks_total
    assert not confirm_repairs(parsed, lambda line, position, char: True)
    assert not parsed.field_valid["number"]
    # The check digit read G alone: the number holds no G; its repair waits for support only.
    parsed = parse_lines([lines[0], "6L7JS7Y6EG" + lines[1][10:]], today=TODAY)
    assert confirm_repairs(parsed, lambda line, position, char: True)


def test_a_number_whose_lookalikes_the_repairs_show_pass_respelt_together_is_not_sure():
    # Motion blur over 48089FTM: every 8 read B, the dates' mapped back to 8's. B is worth 11:
    # the number's two B's, at weights 3 and 7, change its sum by 3 x 3 + 3 x 7 = 30, and
    # 4B0B9FTM passed its check digit and the composite as read. No repair touched it.
    lines = _obrien("48089FTM")
    blurred = [lines[0], lines[1].replace("8", "B")]
    assert blurred[1].startswith("4B0B9FTM<9XXA03030BBF300B25B")
    parsed = parse_lines(blurred, today=TODAY)
    assert parsed is not None and parsed.checks_passed == parsed.checks_total
    assert parsed.fields["number"] == "4B0B9FTM"
    assert all(column > 9 for _, column, _ in parsed.repairs)  # the dates' B's only
    assert not confirm_repairs(parsed, lambda line, position, char: True)
    assert not parsed.field_valid["number"]
    # One B in the number: respelt 8 it fails, and the dates' repairs wait for support only.
    one = _obrien("4B089FTM")
    parsed = parse_lines(
        [one[0], one[1][:13] + one[1][13:28].replace("8", "B") + one[1][28:]], today=TODAY
    )
    assert confirm_repairs(parsed, lambda line, position, char: True)
    assert parsed.fields["number"] == "4B089FTM"
    # A number printed with two B's, where no repair shows the print makes B of 8: valid.
    assert parse(_obrien("4B0B9FTM")).valid


def _obrien(number: str) -> list[str]:
    return compose.td2(
        document_code="I<", country="BRA", surname="OBRIEN", given_names="JANE", number=number,
        nationality="XXA", date_of_birth="030308", sex="F", expiry_date="300825",
    )  # fmt: skip


def _card(country: str, nationality: str) -> list[str]:
    return compose.td1(
        surname="VZOREC", given_names="TINA", number="091801807", country=country,
        nationality=nationality, date_of_birth="660607", sex="F", expiry_date="080727",
    )  # fmt: skip


def test_a_code_no_list_holds_read_alike_in_both_places_is_taken_as_printed():
    # Slovenia's old specimen card: SI< (before SVN) as issuer and nationality (100_id-si).
    parsed = parse(_card("SI", "SI"))
    assert parsed.valid and parsed.fields["country"] == parsed.fields["nationality"] == "SI"
    assert parse(_card("CMW", "CMW")).valid  # a specimen's made-up state


@pytest.mark.parametrize(
    ("country", "nationality"),
    [
        ("BDR", "D"),  # one place a code, the other not: the other is not sure
        ("CMW", "CMV"),  # two codes no list holds, read otherwise: a misread somewhere
        ("SI0", "SI0"),  # a digit in it: a letter misread, whichever
        ("MLD", "MLD"),  # a code one lookalike away (NLD): repaired, waiting for support
    ],
)
def test_a_code_no_list_holds_is_not_sure_unless_read_alike_in_both_places(country, nationality):
    parsed = parse(_card(country, nationality))
    assert not parsed.valid
    assert not (parsed.field_valid["country"] and parsed.field_valid["nationality"])
