"""Combining OCR passes character by character (``uploads.mrz.vote``)."""

import functools
from datetime import date

import pytest
from PIL import Image, ImageDraw, ImageFont, ImageOps

from uploads.mrz import checks, compose, locate, render, vote
from uploads.mrz.parse import parse_lines
from uploads.mrz.tesseract import Symbol

from .specimen import td3_lines
from .test_parse import pn_lines

TODAY = date(2026, 11, 26)
NAMES = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"
DATA = "L898902C36UTO7408122F1204159ZE184226B<<<<<10"


def symbols(text: str, alternatives: dict[int, tuple[str, float]] | None = None) -> list[Symbol]:
    """A line as Tesseract would give it: each character sure (90), some with a runner-up."""
    line = []
    for position, char in enumerate(text):
        choices = [(char, 90.0)]
        if alternatives and position in alternatives:
            choices.append(alternatives[position])
        line.append(Symbol(char, 90.0, tuple(choices)))
    return line


def passes_reading(
    names: str, data: str, position: int, choices: tuple[tuple[str, float], ...]
) -> list[list[list[Symbol]]]:
    """Three passes reading ``names`` and ``data``, the character of ``data`` at ``position``
    read as ``choices``' first with those alternatives."""
    passes = []
    for _ in range(3):
        line = symbols(data)
        line[position] = Symbol(choices[0][0], choices[0][1], choices)
        passes.append([symbols(names), line])
    return passes


def test_it_takes_the_character_most_passes_weigh_most():
    wrong = NAMES.replace("MARIA", "NARIA")
    passes = [[symbols(NAMES), symbols(DATA)] for _ in range(3)] + [[symbols(wrong), symbols(DATA)]]
    voted = vote.combine(passes, "TD3", TODAY)
    assert voted is not None and voted.parsed.valid
    assert voted.parsed.fields["given_names"] == "ANNA MARIA"
    assert voted.names_clear  # N weighs a third of M: a clear winner
    assert voted.names_agreeing == 3


def test_names_the_passes_disagree_on_are_not_clear():
    wrong = NAMES.replace("MARIA", "NARIA")
    passes = [[symbols(NAMES), symbols(DATA)] for _ in range(2)] + [
        [symbols(wrong), symbols(DATA)] for _ in range(2)
    ]
    voted = vote.combine(passes, "TD3", TODAY)
    assert voted is not None
    assert not voted.names_clear
    assert voted.unclear_names == [(0, NAMES.index("MARIA"))]


def test_the_letters_of_the_names_are_clear_only_without_a_close_runner_up():
    # Every pass reads D (O'NEILL read D NEILL), the model weighing O at 0.6 of it each time.
    line = "V<BRAD<NEILL<<ZOFIA<<<<<<<<<<<<<<<<<<<<<<<<<"
    data = "M5CK3Z9H<9BRA4609283M2504144VCZ3ZL<<<<<<<<<<"
    close = {line.index("D<"): ("O", 54.0)}
    voted = vote.combine([[symbols(line, close), symbols(data)] for _ in range(3)], "MRVA", TODAY)
    assert voted is not None and voted.names_agreeing == 3
    assert not voted.names_letters_clear("MRVA")
    far = {line.index("D<"): ("O", 30.0)}
    voted = vote.combine([[symbols(line, far), symbols(data)] for _ in range(3)], "MRVA", TODAY)
    assert voted is not None and voted.names_letters_clear("MRVA")


@pytest.mark.parametrize(
    ("code", "rival", "clear"), [("VC", 60.0, True), ("VC", 72.0, False), ("V<", 85.0, True)]
)
def test_a_document_codes_letter_is_clear_only_well_ahead_of_its_runner_up(code, rival, clear):
    # Small print's passes read a visa's VC as VE, weighing C at 0.79 of E (degraded 172/15):
    # no check digit covers the code's letter, and the names' clear letters made it sure.
    line, data = compose.mrvb(
        document_code=code, country="NLD", surname="NGUYEN", given_names="ZOFIA",
        number="FDDMZCC3X", nationality="GBD", date_of_birth="020516", sex="F",
        expiry_date="320325",
    )  # fmt: skip
    passes = [[symbols(line, {1: ("E", rival)}), symbols(data)] for _ in range(3)]
    voted = vote.combine(passes, "MRVB", TODAY)
    assert voted is not None and voted.parsed.valid
    assert voted.names_letters_clear("MRVB") is clear


def test_a_digit_weighed_in_the_names_counts_as_its_letter_and_the_country_not_at_all():
    # MARC0 and MARCO are the same given name (the field holds letters); the country code's
    # N weighed against an H is the code list's business, not the names'.
    line = "P<NLDSMITH<<MARCO<<<<<<<<<<<<<<<<<<<<<<<<<<<"
    data = "L898902C36NLD7408122F1204159ZE184226B<<<<<10"
    alternatives = {line.index("O<"): ("0", 80.0), 2: ("H", 85.0)}
    voted = vote.combine(
        [[symbols(line, alternatives), symbols(data)] for _ in range(3)], "TD3", TODAY
    )
    assert voted is not None and not voted.names_clear
    assert voted.names_letters_clear("TD3")


def test_check_digits_choose_between_a_characters_alternatives():
    # Every pass prefers "7" for the "Z" of the personal number, with "Z" close behind: only
    # "Z" passes the check digits.
    read = DATA.replace("ZE18", "7E18")
    position = DATA.index("ZE18")
    passes = [[symbols(NAMES), symbols(read, {position: ("Z", 70.0)})] for _ in range(3)]
    voted = vote.combine(passes, "TD3", TODAY)
    assert voted is not None and voted.parsed.valid
    assert voted.parsed.fields["personal_number"] == "ZE184226B"


def test_two_alternatives_that_both_pass_are_not_sure():
    # "L898902C3" and "L8989O2O3" both pass the number's check digit (a collision): the passes
    # cannot tell "C" from "0" here, so the reading is shown but not valid, the number marked.
    read = DATA.replace("902C3", "90203")
    position = DATA.index("902C3") + 3
    passes = [[symbols(NAMES), symbols(read, {position: ("C", 85.0)})] for _ in range(3)]
    voted = vote.combine(passes, "TD3", TODAY)
    assert voted is not None
    assert not voted.parsed.valid
    assert not voted.parsed.field_valid["number"]


def test_two_runners_up_taken_in_one_field_are_not_sure():
    # The number L898902C3 read L098802C3 by every pass, 5 close behind the 0 and 2 behind the
    # 8: of the four spellings only L598202C3 passes the number's check digit and the composite
    # (-9 and -6), and it is not the number: the vote did not weigh the true 8 and 9 at all. One
    # check digit cannot choose among four spellings.
    read = DATA.replace("L898902C3", "L098802C3")
    passes = [[symbols(NAMES), symbols(read, {1: ("5", 80.0), 4: ("2", 80.0)})] for _ in range(3)]
    voted = vote.combine(passes, "TD3", TODAY)
    assert voted is not None
    assert voted.parsed.fields["number"] == "L598202C3"
    assert not voted.parsed.valid and not voted.parsed.field_valid["number"]
    assert voted.parsed.field_valid["date_of_birth"]


def test_runners_up_taken_in_two_fields_are_each_checked_by_their_own_digit():
    # The number's 9 read 4 (9 close behind) and the birth date's 2 read 7 (2 close behind).
    read = DATA.replace("L898902C3", "L898402C3").replace("7408122", "7408172")
    alternatives = {4: ("9", 80.0), 18: ("2", 80.0)}
    passes = [[symbols(NAMES), symbols(read, alternatives)] for _ in range(3)]
    voted = vote.combine(passes, "TD3", TODAY)
    assert voted is not None and voted.parsed.valid
    assert voted.parsed.lines[1] == DATA


def test_a_vote_that_fails_a_check_is_not_valid():
    read = DATA.replace("7408122", "7408132")  # birth date check digit fails, nothing close
    passes = [[symbols(NAMES), symbols(read)] for _ in range(3)]
    voted = vote.combine(passes, "TD3", TODAY)
    assert voted is not None and not voted.parsed.valid


PN_NAMES = "PNRUSBEL8EVA<<8NA<BORISOVNA<<<<<<<<<<<<<<<<<"


def _pn_vote(alternative: float, *, dissent: bool = False, shape: float | None = 0.3) -> vote.Voted:
    """A crafted vote over a PN names line: every 8 and B with ``alternative`` weight for the
    other one; with ``dissent``, one pass read the first 8 as B. Each 8 and B cell looked
    ``shape`` more like the glyph read than like the other in both plain passes (None: not
    measured)."""
    from uploads.mrz.parse import Parsed

    weights = []
    b_over_8: dict[int, list[float | None]] = {}
    for position, char in enumerate(PN_NAMES):
        other = {"8": "B", "B": "8"}.get(char)
        weights.append({char: 450.0, **({other: alternative} if other else {})})
        if other and position >= 5:
            measured = None if shape is None else (shape if char == "B" else -shape)
            b_over_8[position] = [measured, measured]
    reads = [PN_NAMES] * 5
    if dissent:
        reads[0] = PN_NAMES.replace("8", "B", 1)
    parsed = Parsed(type="PN", lines=[PN_NAMES, "<" * 44])
    return vote.Voted(parsed, 5, [], 5, weights, reads, b_over_8)


def test_ya_and_be_are_clear_only_when_every_pass_agrees_and_the_other_weighs_little():
    from uploads.mrz.reader import _confusables_clear

    assert _confusables_clear(_pn_vote(0.0))
    assert not _confusables_clear(_pn_vote(200.0))  # the model weighed the other one too
    assert not _confusables_clear(_pn_vote(0.0, dissent=True))  # one pass read it otherwise


def test_ya_and_be_are_clear_only_when_their_cells_look_like_what_was_read():
    # Tesseract read a blurred 8 as B in every pass without weighing 8 at all: the cells'
    # shapes must say so too.
    from uploads.mrz.reader import _confusables_clear

    assert not _confusables_clear(_pn_vote(0.0, shape=-0.3))  # each looked like the other
    assert not _confusables_clear(_pn_vote(0.0, shape=0.0))  # no telling
    assert not _confusables_clear(_pn_vote(0.0, shape=None))  # not measured (no OCR-B font)


# -- where a line read short lost its characters: the boxes on the MRZ's grid --

PITCH = 20.0


def boxed(text: str, *, lost: tuple[int, ...] = (), shift: float = 0.0, wobble: float = 0.1):
    """``text`` as printed in the grid, each character boxed in its column (its centre off by up to
    ``wobble`` of a pitch), without the columns in ``lost``; ``shift`` moves the whole line."""
    line = []
    for column, char in enumerate(text):
        if column in lost:
            continue
        centre = 30 + shift + (column + wobble * (-1) ** column) * PITCH
        line.append(
            Symbol(char, 90.0, ((char, 90.0),), (round(centre - 6), 5, round(centre + 6), 35))
        )
    return line


def test_a_filler_lost_inside_a_run_is_a_filler():
    at = DATA.index("B<<") + 3
    assert vote.fillers_lost([boxed(NAMES), boxed(DATA, lost=(at,))], DATA)


def test_the_first_filler_after_the_print_could_have_been_print():
    at = DATA.index("B<<") + 1
    assert not vote.fillers_lost([boxed(NAMES), boxed(DATA, lost=(at,))], DATA)


def test_a_gap_in_the_print_is_not_a_filler():
    assert not vote.fillers_lost([boxed(NAMES), boxed(DATA, lost=(3,))], DATA[:3] + DATA[4:] + "<")


def test_trailing_fillers_lost_from_a_names_line_are_placed_by_the_other_line():
    names = boxed(NAMES, lost=(41, 42, 43))
    assert vote.fillers_lost([names, boxed(DATA)], NAMES)
    # The same line one column to the right of the other: it lost its first character.
    assert not vote.fillers_lost([boxed(NAMES, lost=(0, 42, 43), shift=0), boxed(DATA)], NAMES)


def test_a_names_line_placed_by_the_other_lines_ends_when_they_read_a_stray_mark_each():
    # A finger over the start of the names line (ROSSI read OSSI, filled at its end) while the
    # other line read a stray mark before its print: no line whole, so the other's end places
    # the names line, and its first column is empty: print lost, not a filler.
    stray = Symbol("0", 60.0, (("0", 60.0),), (4, 5, 16, 35))
    data = [stray, *boxed(DATA)]
    assert not vote.fillers_lost([boxed(NAMES, lost=(0,)), data], NAMES[1:] + "<")
    # Its last filler lost instead: the names in place.
    assert vote.fillers_lost([boxed(NAMES, lost=(43,)), data], NAMES)


def test_a_line_read_whole_by_the_second_ocr_needs_no_gap():
    assert vote.fillers_lost([boxed(NAMES), boxed(DATA)], DATA)


def test_boxes_off_the_grid_or_missing_show_nothing():
    at = DATA.index("B<<") + 3
    crooked = boxed(DATA, lost=(at,), wobble=0.45)
    assert not vote.fillers_lost([boxed(NAMES), crooked], DATA)
    unboxed = [Symbol(symbol.text, 90.0, symbol.choices) for symbol in boxed(DATA, lost=(at,))]
    assert not vote.fillers_lost([boxed(NAMES), unboxed], DATA)


# -- a pass's lines read long: an edge beside the band read as a letter --


def test_a_pass_reading_its_lines_at_their_length_is_taken_as_read():
    lines = [symbols(NAMES), symbols(DATA)]
    assert vote.fitted(lines, 2, 44, None) == lines
    assert vote.fitted([symbols(NAMES)], 2, 44, [NAMES, DATA]) is None  # a line missing


def test_a_line_read_with_an_edge_before_or_after_it_is_cut_where_it_is_the_reading():
    # "0PNRUS...", "J3408...": a card's edge left of the band read as a letter; or one after it.
    misread = DATA.replace("7408122", "7408I22")  # one misread character does not matter
    lines = [symbols("C" + NAMES), symbols(misread + "1")]
    fitted = vote.fitted(lines, 2, 44, [NAMES, DATA])
    assert fitted is not None
    assert ["".join(symbol.text for symbol in line) for line in fitted] == [NAMES, misread]
    # Without the reading to place them, such lines are not counted, as before.
    assert vote.fitted(lines, 2, 44, None) is None


def test_a_line_read_long_and_unlike_the_reading_is_not_counted():
    other = "P<UTOSMITH<<JOHN<<<<<<<<<<<<<<<<<<<<<<<<<<<<"  # another document's names
    assert vote.fitted([symbols("C" + other), symbols(DATA)], 2, 44, [NAMES, DATA]) is None
    # Nor one read longer than an edge's character or two.
    assert vote.fitted([symbols("CCC" + NAMES), symbols(DATA)], 2, 44, [NAMES, DATA]) is None


def test_the_passes_are_cut_prepared_as_the_reading_was():
    page = Image.new("L", (400, 100), 255)
    ImageDraw.Draw(page).rectangle((40, 40, 360, 52), fill=0)
    band = locate.Band(200, 46, 0.0, 320, 14, 12, 1.0)
    plain = vote.pass_images(page, band, 1.0, False, (12.0, 24.0))
    prepared = vote.pass_images(page, band, 1.0, False, (12.0, 24.0), prepare=ImageOps.invert)
    assert len(prepared) == len(plain) == 4
    for (image, sharpened), (plain_image, _) in zip(prepared, plain, strict=True):
        if not sharpened:  # the sharpened image is the prepared one sharpened
            assert image.tobytes() == ImageOps.invert(plain_image).tobytes()


def mrz_image(lines: list[str]) -> Image.Image:
    """The lines in OCR-B at 24 px, as a reading's crop is cut."""
    font = ImageFont.truetype(str(render.OCR_B), 34)
    image = Image.new("L", (round(font.getlength(lines[0])) + 40, 2 * 40 + 30), 255)
    for index, line in enumerate(lines):
        ImageDraw.Draw(image).text((20, 15 + index * 40), line, font=font, fill=30)
    return image


@pytest.mark.ocr
def test_a_numbers_8s_and_bs_are_clear_only_when_their_cells_look_like_what_was_read():
    image = mrz_image([NAMES, DATA])
    assert vote.shapes_clear(image, parse_lines([NAMES, DATA], today=TODAY))
    # The same print taken for a number with B where the 8s are (the check digits aside).
    misread = DATA.replace("L898902C3", "LB9B902C3")
    assert not vote.shapes_clear(image, parse_lines([NAMES, misread], today=TODAY))
    # No 8, B or other lookalike in the number, none in the names (ERIKSSON ANNA MARIA's Ms
    # and Ns are each other's, an M an H's too): nothing to measure (a blank crop, not read).
    names, data = td3_lines("X9K", surname="SILVA")
    other = [names.replace("ANNA<MARIA", "ELISA<<<<<"), data]
    assert vote.shapes_clear(Image.new("L", (10, 10), 255), parse_lines(other, today=TODAY))


@pytest.mark.ocr
def test_print_a_little_larger_has_only_its_measured_twins_checked():
    # Not strict (print just over the low resolution's): a cell that cannot be measured says
    # nothing. The number's 8s and Bs are measured (a B for an 8 and a D for a 0 cancelled at
    # 11.5 px, degraded 402/0), but on blurred print (``eights`` False): true Bs look like 8s.
    image = mrz_image([NAMES, DATA])
    b_for_8 = parse_lines([NAMES, DATA.replace("L898902C3", "LB9B902C3")], today=TODAY)
    assert not vote.shapes_clear(image, b_for_8, strict=False)
    assert vote.shapes_clear(image, b_for_8, strict=False, eights=False)
    blank = Image.new("L", (10, 10), 255)  # nothing read again: no cell measured
    assert vote.shapes_clear(blank, parse_lines([NAMES, DATA], today=TODAY), strict=False)
    assert not vote.shapes_clear(blank, parse_lines([NAMES, DATA], today=TODAY))
    # A twin measured is checked as strictly: a 6 taken for a G.
    lines = td3_lines("X467K2")
    taken = parse_lines(td3_lines("X4G7K2"), today=TODAY)
    assert taken is not None and taken.valid
    assert not vote.shapes_clear(mrz_image(lines), taken, strict=False)


@pytest.mark.ocr
def test_names_ms_and_ns_are_clear_only_when_their_cells_look_like_what_was_read():
    # Names have no check digit: a shake smearing N's diagonal read O'NEILL as O'MEILL by every
    # pass. The cell must look more like what was read than like the other letter at all.
    lines = td3_lines("X9K", surname="MORENO")
    image = mrz_image(lines)
    assert vote.shapes_clear(image, parse_lines(lines, today=TODAY), strict=False)
    for misread in ("NORENO", "MOREMO"):
        taken = [lines[0].replace("MORENO", misread), lines[1]]
        parsed = parse_lines(taken, today=TODAY)
        assert parsed is not None and parsed.valid
        assert not vote.shapes_clear(image, parsed, strict=False), misread
    assert vote._lookalike_share("M", "N") < vote._lookalike_share("B", "H")


def test_a_numbers_lookalike_pairs_are_one_to_its_check_digit():
    # Why the shapes must tell them apart: read one for the other, every check still passes.
    for pair in vote.NUMBER_LOOKALIKES + vote.NUMBER_TWINS_SHOWN + vote.NUMBER_TWINS_ANY_SIZE:
        first, second = (checks.char_value(char) for char in pair)
        assert first is not None and second is not None and first % 10 == second % 10, pair


@pytest.mark.ocr
@pytest.mark.parametrize("pair", vote.NUMBER_LOOKALIKES)
def test_a_numbers_lookalikes_are_clear_only_when_their_cells_look_like_what_was_read(pair):
    for one, other in (pair, pair[::-1]):
        lines = td3_lines(f"X4{one}7K2")
        image = mrz_image(lines)
        # Read as printed: sure.
        assert vote.shapes_clear(image, parse_lines(lines, today=TODAY)), one
        # The same print taken for the pair's other character (every check digit passes).
        taken = td3_lines(f"X4{other}7K2")
        assert taken[1][10:] == lines[1][10:]  # the check digits alike
        parsed = parse_lines(taken, today=TODAY)
        assert parsed is not None and parsed.valid
        assert not vote.shapes_clear(image, parsed), (one, other)


@pytest.mark.ocr
@pytest.mark.parametrize("pair", vote.NUMBER_TWINS_SHOWN + vote.NUMBER_TWINS_ANY_SIZE)
def test_a_numbers_6_or_g_m_or_w_is_shown_as_its_cell_looks(pair):
    # A G read for a 6 (or a 6 for a G) passes every check digit: 6 and G are worth the same, as
    # M and W are (a bowed page's W read M by every pass at 47.8 px).
    one, other = pair
    for printed, misread in ((f"X4{one}7K2", f"X4{other}7K2"), (f"X4{other}7K2", f"X4{one}7K2")):
        cut = functools.partial(mrz_image, td3_lines(printed))
        taken = parse_lines(td3_lines(misread), today=TODAY)
        assert taken is not None and taken.valid
        assert vote.number_twins_shown(cut, taken, pairs=(pair,)) == f"{printed}<<<"
        # Read as printed: nothing to change.
        read_right = parse_lines(td3_lines(printed), today=TODAY)
        assert vote.number_twins_shown(cut, read_right, pairs=(pair,)) is None


@pytest.mark.ocr
def test_only_the_twins_whose_cells_tell_them_apart_are_shown_otherwise():
    # An S read for an 8 passes too, but true 8s looked like Ss by up to 0.37 of what sets the
    # glyphs apart where a misread S did by 0.57: left as read. So is a PN's number (digits).
    image = mrz_image(td3_lines("X487K2"))
    taken = parse_lines(td3_lines("X4S7K2"), today=TODAY)
    assert taken is not None and taken.valid
    assert vote.number_twins_shown(lambda: image, taken) is None
    lines = pn_lines("IVANOV", "PETR")
    parsed = parse_lines(lines, today=TODAY)
    assert parsed is not None and parsed.type == "PN" and lines[1][8] == "6"
    drawn = [lines[0], lines[1][:8] + "G" + lines[1][9:]]  # its 6 printed a G
    assert vote.number_twins_shown(lambda: mrz_image(drawn), parsed) is None


@pytest.mark.ocr
def test_twins_are_shown_within_the_stretch_asked_of_its_line_only():
    # The stretch of a line read from the image: an M read for a printed W is shown a W, in
    # whichever line it stands; outside the stretch asked, it is not looked at.
    printed = td3_lines("XW98GFFXL", surname="WALKER")
    image = mrz_image(printed)
    pairs = vote.NUMBER_TWINS_ANY_SIZE
    taken = printed[1].replace("XW98", "XM98")
    assert vote.twins_shown(image, taken, range(0, 9), pairs) == "XW98GFFXL"
    assert vote.twins_shown(image, printed[1], range(0, 9), pairs) is None
    names = printed[0].replace("WALKER", "MALKER")
    assert vote.twins_shown(image, names, range(5, 10), pairs) == "WALKE"
    assert vote.twins_shown(image, names, range(6, 11), pairs) is None
    # No M or W in the stretch: nothing read again.
    assert vote.twins_shown(Image.new("L", (10, 10), 255), "X4G7K2", range(6), ("MW",)) is None


@pytest.mark.ocr
def test_a_twin_not_placed_on_the_crop_is_not_changed():
    # The crop read again holds no line like the reading's: no cell is measured.
    taken = parse_lines(td3_lines("X4G7K2"), today=TODAY)
    assert taken is not None
    assert vote.number_twins_shown(lambda: Image.new("L", (10, 10), 255), taken) is None


@pytest.mark.ocr
@pytest.mark.parametrize("pair", vote.CANCELLING_LOOKALIKES)
def test_small_prints_number_is_not_sure_where_a_cell_looks_like_a_misread_the_check_digit_sees(
    pair,
):
    # Two such misreads cancel one time in ten: JPJX01WZR read JPJXOTWZR at 8.5 px, valid. Taken
    # for the other character (its check digits worked out for it: the second misread elsewhere,
    # an O for a 0, is not measured), small print's cell tells; print a little larger's passes
    # read better and leave them to the check digits.
    for one, other in (pair, pair[::-1]):
        lines = td3_lines(f"X4{one}7K2")
        image = mrz_image(lines)
        assert vote.shapes_clear(image, parse_lines(lines, today=TODAY)), one
        taken = parse_lines(td3_lines(f"X4{other}7K2"), today=TODAY)
        assert taken is not None and taken.valid
        assert not vote.shapes_clear(image, taken), (one, other)
        assert vote.shapes_clear(image, taken, strict=False), (one, other)


@pytest.mark.ocr
def test_a_pns_number_is_digits_and_not_measured_against_letters():
    # Digits only: a PN's 1 is no T, and true 1s of small PN print looked like the T by up to
    # 0.84 of what sets them apart. Even drawn as a T, the cell is not measured against it.
    lines = pn_lines("IVANOV", "PETR")
    parsed = parse_lines(lines, today=TODAY)
    assert parsed is not None and parsed.type == "PN" and parsed.valid
    assert lines[1].startswith("451123456")  # series and number: the first nine measured
    drawn = [lines[0], "45T" + lines[1][3:]]
    assert vote.shapes_clear(mrz_image(drawn), parsed)
    # The same print as a passport's number: measured, and not sure.
    passport = td3_lines("451123456")
    drawn = [passport[0], "45T" + passport[1][3:]]
    assert not vote.shapes_clear(mrz_image(drawn), parse_lines(passport, today=TODAY))


def test_a_repair_made_on_a_runner_up_taken_is_not_sure():
    # O7VLK437 (truth 67VLK43T) at 8.6 px: three passes read 6, two 0, the O weighed less; with
    # the 6 no check passed, with the runner-up 0 neither, but the parser repaired that 0 into an
    # O, and the number's check digit passed (a T read 7 elsewhere made up for it): the third
    # spelling of one character. One check digit stood behind a runner-up and a repair on it.
    lines = td3_lines("O7VLK437")
    read = lines[1].replace("O7VLK437", "67VLK437", 1)
    passes = passes_reading(lines[0], read, 0, (("6", 90.0), ("0", 70.0), ("O", 20.0)))
    voted = vote.combine(passes, "TD3", TODAY)
    assert voted is not None
    assert voted.parsed.fields["number"] == "O7VLK437"
    assert not voted.parsed.valid and not voted.parsed.field_valid["number"]
    # Read so by the passes, the O is the winner: the check digit confirms it, sure.
    passes = passes_reading(lines[0], lines[1], 0, (("O", 90.0), ("0", 70.0)))
    voted = vote.combine(passes, "TD3", TODAY)
    assert voted is not None and voted.parsed.valid


def test_a_numbers_cells_are_placed_on_a_line_read_long_after_it():
    # The crop read again: its data line with a character read twice in the expiry date (the
    # reading's check digits dropped it) and a stray mark before it. ``fitted`` cannot place
    # such a line; the number's stretch still stands where the reading's does.
    number = range(0, 9)
    long_after = DATA[:22] + "B" + DATA[22:]
    line = vote._placed_line([symbols(NAMES), symbols("J" + long_after)], DATA, number)
    assert line is not None
    assert "".join(symbol.text for symbol in line[:10]) == DATA[:10]
    # A line unlike the reading's number nowhere places it.
    other = DATA.replace("L898902C3", "X4Q7K2<<<")
    assert vote._placed_line([symbols(NAMES), symbols(other)], DATA, number) is None


@pytest.mark.ocr
def test_names_lookalikes_are_clear_only_when_their_cells_look_like_what_was_read():
    # No check digit covers the names: a PN's Й (Q) read Г (G) by every pass of small print
    # passed every check. The same shapes tell them.
    # So do an H and an M (JOHN read JOMN by five passes of six at 8.4 px), and a B and an H
    # (a PN's ЭЙХЕ read ЭЙБЕ by every pass at 11.2 px).
    for surname, misreads in (
        ("QUIGLEY", ("GUIGLEY", "QUIQLEY")),
        ("HAMID", ("MAMID", "HAHID")),
        ("BAHR", ("HAHR", "BABR")),
    ):
        printed = td3_lines("X47K2", surname=surname)
        image = mrz_image(printed)
        assert vote.shapes_clear(image, parse_lines(printed, today=TODAY)), surname
        for misread in misreads:
            taken = td3_lines("X47K2", surname=misread)
            assert not vote.shapes_clear(image, parse_lines(taken, today=TODAY)), misread


def test_a_number_holding_what_the_passes_made_of_its_check_digits_twin_is_not_sure():
    # 6L7JS7Y6E under glare: the passes read its check digit 6 as G (6 close behind) and its
    # second 6 as G (6 far behind). G is worth 16: with the check digit taken as 6, 6L7JS7YGE
    # passed every check. What the print made of the check digit it may have made of the 6.
    lines = td3_lines("6L7JS7Y6E")
    read = lines[1][:7] + "GEG" + lines[1][10:]
    passes = passes_reading(lines[0], read, 9, (("G", 90.0), ("6", 80.0)))
    voted = vote.combine(passes, "TD3", TODAY)
    assert voted is not None and voted.parsed.fields["number"] == "6L7JS7YGE"
    assert not voted.parsed.valid and not voted.parsed.field_valid["number"]
    # The check digit's G, close behind its 6, with no G in the number: the check digit tells.
    passes = passes_reading(lines[0], lines[1], 9, (("6", 90.0), ("G", 80.0)))
    voted = vote.combine(passes, "TD3", TODAY)
    assert voted is not None and voted.parsed.valid


def test_a_number_whose_runner_up_was_taken_and_another_character_repaired_is_not_sure():
    # Glare 174/15: every pass read JR0J0FDM's J as I (1 weighed at 0.14 of it), its first 0
    # with O at 0.38 and its second with O close. Taking that O, the parser's repair of I and
    # the first 0 into 1 and O passed the check digit: 1ROJOFDM, three spellings chosen by one
    # check digit.
    names, data = compose.mrvb(
        document_code="VC", country="KGZ", surname="TANAKA", given_names="JOAO",
        number="JR0J0FDM", nationality="UTO", date_of_birth="520425", sex="M",
        expiry_date="290810",
    )  # fmt: skip
    read = "I" + data[1:]
    alternatives = {0: ("1", 13.0), 2: ("O", 34.0), 4: ("O", 85.0)}
    passes = [[symbols(names), symbols(read, alternatives)] for _ in range(3)]
    voted = vote.combine(passes, "MRVB", TODAY)
    assert voted is not None and voted.parsed.fields["number"] == "1ROJOFDM"
    assert not voted.parsed.valid and not voted.parsed.field_valid["number"]
    # A runner-up taken alone, or repairs alone, the check digit chooses as before.
    read = data[:4] + "O" + data[5:]
    passes = [[symbols(names), symbols(read, {4: ("0", 85.0)})] for _ in range(3)]
    voted = vote.combine(passes, "MRVB", TODAY)
    assert voted is not None and voted.parsed.valid
    assert voted.parsed.fields["number"] == "JR0J0FDM"


def test_a_date_digit_read_three_ways_is_not_settled_by_its_check_digit():
    # Glare 173/6: the expiry's check digit 8 weighed 0 273, 3 155, 6 147, 8 145 over the
    # passes; only the runner-up is tried, and 200903 passed with 0. G counts as the 6 it is.
    weights = {
        (1, 27): {"0": 273.0, "3": 155.0, "6": 147.0, "8": 145.0},  # the expiry's check digit
        (1, 22): {"0": 290.0, "G": 288.0, "6": 200.0},  # 0 against 6 (G and 6): two ways
        (1, 0): {"8": 300.0, "B": 290.0, "3": 280.0},  # the number: its own rules
    }
    assert vote._dates_read_three_ways("TD3", weights) == {"expiry_date"}
    del weights[1, 27]
    assert vote._dates_read_three_ways("TD3", weights) == set()
    # A birth date's digit read three ways, one of them a letter standing for a digit.
    weights[1, 15] = {"1": 100.0, "7": 60.0, "I": 10.0, "2": 58.0}
    assert vote._dates_read_three_ways("TD3", weights) == {"date_of_birth"}


@pytest.mark.ocr
def test_a_letter_a_fade_makes_of_another_is_clear_only_looking_like_itself():
    # Printed 8ERB5RE2 (an E and F differ in the E's foot) and read 8FRB5RF2: the cells look
    # like the E's they are. Printed with F's, they look like F's.
    made = {"F": "E", "T": "I"}
    at = range(0, 9)
    printed = td3_lines("8ERB5RE2")
    image = mrz_image(printed)
    assert vote.made_letters_clear(image, printed[1], at, made, 0.1)  # no F or T read: nothing
    assert not vote.made_letters_clear(image, printed[1].replace("E", "F"), at, made, 0.1)
    printed = td3_lines("8FRB5RT2")
    assert vote.made_letters_clear(mrz_image(printed), printed[1], at, made, 0.1)


def _boxed(text: str, tall_at: int | None = None) -> list[Symbol]:
    """``text`` read on a line 20 px high, each character 12 px wide; the one at ``tall_at``
    boxed up to 22 px higher over print above it."""
    return [
        Symbol(
            char,
            90.0,
            ((char, 90.0),),
            (12 * at, 40 - (22 if at == tall_at else 0), 12 * at + 10, 60),
        )
        for at, char in enumerate(text)
    ]


def test_a_cell_boxed_over_print_above_it_is_measured_at_its_neighbours_height():
    # A real photo's 9 px M (79_pass-can), boxed twice its height over the security printing,
    # was measured as an H drawn that tall.
    tall = _boxed("P<CANMARTIN<<", tall_at=5)
    assert tall[5].box == (60, 18, 70, 60)
    assert vote._in_line(tall[5].box, tall, 5) == (60, 40, 70, 60)
    # As tall as its neighbours (within TALLER_BOX), or beside too few of them: as boxed.
    plain = _boxed("P<CANMARTIN<<")
    assert vote._in_line(plain[5].box, plain, 5) == (60, 40, 70, 60)
    fillers = _boxed("<<M<<", tall_at=2)
    assert vote._in_line(fillers[2].box, fillers, 2) == (24, 18, 34, 60)
