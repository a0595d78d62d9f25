"""A stray glyph read before the names line (a card's or a shadow's edge just left of the MRZ,
read as a letter: ``BGARCIA``, ``LWO<NEILL``) is not part of the names: the MRZ lines are printed
in one column grid, and the other lines' checks place the first column."""

import io
from datetime import date

import pytest
from PIL import Image, ImageDraw, ImageFilter

from bench import synth
from bench.samples import compare
from uploads.mrz import read_mrz, reader, render, tesseract
from uploads.mrz.parse import parse_ocr

LINES = {
    "TD1": [
        "I<UTOD231458907<<<<<<<<<<<<<<<",
        "7408122F1204159UTO<<<<<<<<<<<6",
        "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
    ],
    "TD3": [
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
        "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
    ],
}
TODAY = date(2026, 6, 1)


def _photo(kind: str, *, gap: float = 0.7, size: int = 40) -> bytes:
    """A photo of an MRZ with a dark stroke (an edge) ``gap`` character widths left of the names
    line's first character, the height of that line only."""
    lines = LINES[kind]
    names = 2 if kind == "TD1" else 0
    image = Image.new("L", (1800, 700), 225)
    draw = ImageDraw.Draw(image)
    font = render._font(render.OCR_B, size)
    pitch = font.getlength("<")
    left, step = 160, round(size * 1.4)
    draw.text((left, 60), "IDENTITY CARD", font=render._font(render.DEJAVU, 60), fill=40)
    for index, line in enumerate(lines):
        draw.text((left, 480 + index * step), line, font=font, fill=20)
    edge, top = round(left - gap * pitch), 480 + names * step
    draw.rectangle((edge, top - 4, edge + 5, top + size - 4), fill=20)
    image = image.rotate(3, resample=Image.Resampling.BICUBIC, fillcolor=60)
    out = io.BytesIO()
    image.filter(ImageFilter.GaussianBlur(1)).save(out, format="JPEG", quality=85)
    return out.getvalue()


@pytest.mark.ocr
@pytest.mark.parametrize("kind", ["TD1", "TD3"])
def test_an_edge_just_left_of_the_names_line_is_not_read_as_a_letter(kind):
    # Read "IERIKSSON" (TD1) and "IP<UTOERIKSSON", names "OERIKSSON" (TD3) before.
    result = read_mrz(_photo(kind), today=TODAY)
    assert result.found and result.type == kind
    assert result.mrz == LINES[kind]
    assert result.fields["surname"] == "ERIKSSON"
    assert result.fields["given_names"] == "ANNA MARIA"
    if kind == "TD3":
        assert result.valid  # the names' second pass, cut from the column, reads them alike


@pytest.mark.ocr
@pytest.mark.parametrize(
    ("index", "seed", "hazard"),
    [
        (29, 7, None),  # a card's edge read "J": JMUSTERMANN
        (22, 7, "shadow"),  # a shadow's edge read "8": BGARCIA
    ],
)
def test_td1_names_after_an_edge_read_right(index, seed, hazard):
    case = synth.make_case(index, seed, hazard)
    result = read_mrz(case.data, today=synth.TODAY)
    assert case.kind == "TD1" and result.found
    assert compare(case.truth, result.fields, result.type) == []


def _symbols(text: str, left: float, pitch: float, top: int, first: int | None = None):
    """Symbols of a line laid out on the grid from ``left``; the first at ``first`` if given."""
    symbols = []
    for position, char in enumerate(text):
        x = round(left + position * pitch) if first is None or position else first
        box = (x, top, x + round(0.7 * pitch), top + 20)
        symbols.append(tesseract.Symbol(char, 90.0, ((char, 90.0),), box))
    return symbols


def _ocr(texts_and_lefts, pitch):
    return [
        (text, 90.0, (left, 30 * row, round(left + len(text) * pitch), 30 * row + 20))
        for row, (text, left) in enumerate(texts_and_lefts)
    ]


def test_a_leading_glyph_left_of_the_column_is_dropped(monkeypatch):
    # Before the first line too: no check digit covers its document code, and its checks passed
    # with "4<" kept (taken for "A<") and the "I" dropped.
    td1 = LINES["TD1"]
    read = ["4" + td1[0], td1[1], "B" + td1[2]]
    ocr = _ocr([(read[0], 70), (read[1], 100), (read[2], 60)], 25.0)
    lines = [
        _symbols(read[0], 75, 25.0, 0),
        _symbols(read[1], 100, 25.0, 30),
        _symbols(read[2], 75, 25.0, 60, first=60),
    ]
    monkeypatch.setattr(tesseract, "ocr_symbols", lambda image: lines)
    parsed = parse_ocr([(text, confidence) for text, confidence, _ in ocr], today=TODAY)
    assert parsed.lines[2] == "B" + td1[2][:29]
    cleaned, again = reader.without_stray_names_prefix(ocr, parsed, Image.new("L", (9, 9)), TODAY)
    assert again.lines == td1
    assert cleaned[2][0] == td1[2] and cleaned[2][2][0] == 100  # the box starts at the column


def test_a_names_line_in_the_column_keeps_its_first_letter(monkeypatch):
    # Read one filler too many at the end: its first letter is in the column, not a stray.
    td1 = LINES["TD1"]
    read = [td1[0], td1[1], td1[2] + "<"]
    ocr = _ocr([(text, 100) for text in read], 25.0)
    lines = [_symbols(text, 100, 25.0, 30 * row) for row, text in enumerate(read)]
    monkeypatch.setattr(tesseract, "ocr_symbols", lambda image: lines)
    parsed = parse_ocr([(text, confidence) for text, confidence, _ in ocr], today=TODAY)
    cleaned, again = reader.without_stray_names_prefix(ocr, parsed, Image.new("L", (9, 9)), TODAY)
    assert again is parsed and cleaned is ocr


def test_a_clean_reading_is_not_read_again(monkeypatch):
    ocr = _ocr([(text, 100) for text in LINES["TD1"]], 25.0)
    monkeypatch.setattr(tesseract, "ocr_symbols", lambda image: pytest.fail("read again"))
    parsed = parse_ocr([(text, confidence) for text, confidence, _ in ocr], today=TODAY)
    cleaned, again = reader.without_stray_names_prefix(ocr, parsed, Image.new("L", (9, 9)), TODAY)
    assert again is parsed and cleaned is ocr


def test_three_marks_left_of_the_column_are_dropped(monkeypatch):
    # Glare 256/0: a streak's edge left of a TD3 read "BM1" before the names line (and "L"
    # before the other): two dropped kept "1P<GBR..." and the checks of the country failed.
    td3 = LINES["TD3"]
    read = ["BM1" + td3[0], "L" + td3[1]]
    ocr = _ocr([(read[0], 25), (read[1], 75)], 25.0)
    lines = [
        _symbols(read[0], 25, 25.0, 0),
        _symbols(read[1], 75, 25.0, 30),
    ]
    monkeypatch.setattr(tesseract, "ocr_symbols", lambda image: lines)
    parsed = parse_ocr([(text, confidence) for text, confidence, _ in ocr], today=TODAY)
    cleaned, again = reader.without_stray_names_prefix(ocr, parsed, Image.new("L", (9, 9)), TODAY)
    assert again.lines == td3 and again.valid
    assert [text for text, _, _ in cleaned] == td3


def test_a_stray_before_a_visas_v_is_dropped_though_it_made_the_reading_a_passports(monkeypatch):
    # The US visa's public sample at half its size: a dot left of the column read "1" before the
    # names line (1VIUSA...), its code read "1V", the reading a passport's (TD3), not sure; the
    # reading without it is the visa's (MRV-A), passing as many checks.
    visa = [
        "VIUSATRAVELER<<HAPPYPERSON<<<<<<<<<<<<<<<<<<",
        "555123ABC6GBR6502056F0412236IFLND00AMS803085",
    ]
    read = ["1" + visa[0], visa[1]]
    ocr = _ocr([(read[0], 75), (read[1], 100)], 25.0)
    lines = [_symbols(read[0], 75, 25.0, 0), _symbols(read[1], 100, 25.0, 30)]
    monkeypatch.setattr(tesseract, "ocr_symbols", lambda image: lines)
    parsed = parse_ocr([(text, confidence) for text, confidence, _ in ocr], today=TODAY)
    assert parsed.type == "TD3" and not parsed.valid
    cleaned, again = reader.without_stray_names_prefix(ocr, parsed, Image.new("L", (9, 9)), TODAY)
    assert again.type == "MRVA" and again.lines == visa and again.valid
    assert cleaned[0][0] == visa[0]
