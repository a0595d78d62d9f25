"""The MRZ reader on synthetic specimens and on the public samples (when ../shared is present)."""

import contextlib
import dataclasses
import io
import json
from collections.abc import Iterator
from datetime import date

import numpy as np
import pytest
from PIL import Image

from bench import synth
from tests.conftest import SAMPLES_DIR
from uploads.documents import specimens
from uploads.mrz import read_mrz, reader
from uploads.mrz.parse import Parsed, parse_lines
from uploads.mrz.result import MrzResult

from .specimen import td2_lines, td3_lines
from .test_parse import TODAY
from .test_vote import mrz_image, symbols


def test_it_reads_a_specimen_passport():
    result = read_mrz(specimens.render_jpeg(specimens.ERIKSSON), today=TODAY)
    assert result.found and result.valid
    assert result.type == "TD3"
    assert result.fields["surname"] == "ERIKSSON"
    assert result.fields["given_names"] == "ANNA MARIA"
    assert result.fields["number"] == "L898902C3"
    assert result.fields["date_of_birth"] == date(1974, 8, 12)
    assert result.fields["expiry_date"] == date(2034, 4, 15)
    assert result.fields["sex"] == "F"
    assert result.field_valid["number"] and result.field_valid["date_of_birth"]
    assert not result.field_valid["surname"]  # names have no check digit: always confirmed by hand
    assert result.mrz == list(specimens.ERIKSSON.mrz_lines())


def test_it_accepts_a_pillow_image():
    result = read_mrz(specimens.render_page(specimens.PETROV), today=TODAY)
    assert result.valid
    assert result.fields["surname"] == "PETROV"


@pytest.mark.parametrize(
    "image",
    [
        Image.new("RGB", (1200, 900), (255, 255, 255)),
        Image.effect_noise((1200, 900), 60).convert("RGB"),
    ],
    ids=["blank", "noise"],
)
def test_it_finds_nothing_where_there_is_nothing(image):
    result = read_mrz(image, today=TODAY)
    assert not result.valid


def test_it_answers_not_found_for_bytes_that_are_no_image():
    result = read_mrz(b"definitely not an image", today=TODAY)
    assert not result.found and not result.valid


def test_it_keeps_personal_data_out_of_its_repr():
    result = read_mrz(specimens.render_jpeg(specimens.ERIKSSON), today=TODAY)
    assert "ERIKSSON" not in repr(result)


def test_it_never_writes_the_image_to_a_temporary_file(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    read_mrz(specimens.render_jpeg(specimens.ERIKSSON), today=TODAY)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not SAMPLES_DIR.exists(), reason="../shared/mrz/samples is not present")
@pytest.mark.parametrize("name", ["passport-td3.jpg", "passport-td3.png"])
def test_it_reads_the_utopia_specimens(name):
    truth = json.loads((SAMPLES_DIR / "truth.json").read_text())[name]["fields"]
    result = read_mrz((SAMPLES_DIR / name).read_bytes(), today=TODAY)
    assert result.valid
    assert result.fields["number"] == truth["number"]
    assert result.fields["surname"] == truth["surname"]
    assert result.fields["date_of_birth"].isoformat() == truth["date_of_birth"]


def test_it_reads_a_jpeg_compressed_photo():
    page = specimens.render_page(specimens.ERIKSSON, width=2400)
    out = io.BytesIO()
    page.save(out, format="JPEG", quality=55)
    assert read_mrz(out.getvalue(), today=TODAY).valid


# --- The project's reader: orientations, formats, and answers that are "not sure" ---------------

from uploads.mrz import compose, render  # noqa: E402

RUSSIAN = compose.pn(
    surname="СОЛОВЬЁВ", given_names="ЮРИЙ ЭДУАРДОВИЧ", series="4510", number="123456",
    date_of_birth="800523", sex="M", issue_date="150714", department_code="770-093",
)  # fmt: skip
CARD = compose.td1(
    surname="PUBLIC", given_names="JOHN Q", number="A12B45678", country="UTO", nationality="UTO",
    date_of_birth="850101", sex="M", expiry_date="300101",
)  # fmt: skip


def _on_table(page: Image.Image, angle: float) -> Image.Image:
    turned = page.rotate(angle, expand=True, fillcolor=(70, 60, 50))
    table = Image.new("RGB", (turned.width + 300, turned.height + 240), (70, 60, 50))
    table.paste(turned, (150, 120))
    return table


@pytest.mark.parametrize("angle", [90, 180, 270, 12, -17])
def test_it_reads_a_turned_or_tilted_passport(angle):
    page = specimens.render_page(specimens.ERIKSSON, width=1600)
    result = read_mrz(_on_table(page, angle), today=TODAY)
    assert result.valid
    assert result.fields["number"] == "L898902C3"
    assert result.box is not None


def test_it_reads_a_russian_internal_passport():
    out = io.BytesIO()
    _on_table(render.render_page(RUSSIAN, "PN", width=1600), 180).save(
        out, format="JPEG", quality=80
    )
    result = read_mrz(out.getvalue(), today=TODAY)
    assert result.type == "PN"
    fields = result.fields
    assert fields["number"] == "4510123456" and fields["series"] == "4510"
    assert fields["issue_date"] == date(2015, 7, 14) and fields["department_code"] == "770-093"
    assert fields["date_of_birth"] == date(1980, 5, 23) and fields["expiry_date"] is None
    assert fields["surname_cyrillic"] == "СОЛОВЬЁВ"
    assert fields["given_names_cyrillic"] == "ЮРИЙ ЭДУАРДОВИЧ"
    assert result.field_valid["issue_date"] and result.field_valid["department_code"]


def test_it_reads_an_id_card_and_reports_where_the_mrz_is():
    page = render.render_page(CARD, "TD1", width=1200)
    result = read_mrz(page, today=TODAY)
    assert result.valid and result.type == "TD1"
    assert (result.fields["surname"], result.fields["given_names"]) == ("PUBLIC", "JOHN Q")
    left, top, right, _bottom = result.box
    assert top > page.height * 0.5 and right - left > page.width * 0.6


def test_it_reads_a_pdf_page():
    out = io.BytesIO()
    specimens.render_page(specimens.ERIKSSON, width=1600).save(out, format="PDF", resolution=200)
    result = read_mrz(out.getvalue(), today=TODAY)
    assert result.valid and result.fields["surname"] == "ERIKSSON"


def test_a_photo_without_an_mrz_is_not_found():
    page = specimens.render_page(specimens.ERIKSSON, width=1600)
    result = read_mrz(page.crop((0, 0, page.width, int(page.height * 0.7))), today=TODAY)
    assert not result.valid


def test_two_documents_in_one_photo_are_not_sure():
    first = specimens.render_page(specimens.ERIKSSON, width=1200)
    second = specimens.render_page(specimens.PETROV, width=1200)
    both = Image.new("RGB", (2500, 900), (90, 90, 90))
    both.paste(first, (20, 20))
    both.paste(second, (1280, 20))
    result = read_mrz(both, today=TODAY)
    assert result.found and not result.valid


def test_a_letter_outside_the_mrz_alphabet_is_not_sure():
    lines = compose.td1(
        surname="ESPAÑOLA ESPAÑOLA", given_names="CARMEN", number="AAA100001", country="ESP",
        nationality="ESP", date_of_birth="721201", sex="F", expiry_date="300123",
    )  # fmt: skip
    assert not read_mrz(render.render_page(lines, "TD1", width=1400), today=TODAY).valid


@pytest.mark.parametrize("data", [b"", b"%PDF-1.4 broken", b"\xff\xd8\xff\xe0 truncated jpeg"])
def test_broken_files_are_not_found_and_never_raise(data):
    result = read_mrz(data, today=TODAY)
    assert not result.found and not result.valid


@pytest.mark.skipif(not SAMPLES_DIR.exists(), reason="../shared/mrz/samples is not present")
@pytest.mark.parametrize(
    "name",
    [
        "passport-td2.png",
        "100_pass2-uto.jpg",
        "62_pass-aus.png",
        "100_id-che.jpg",
        "0_pass-lva.jpg",  # sideways, inside a red annotation box
        "100_id-usa.jpg",  # a box of print just above the MRZ, a watermark behind it
        # 8 px print: the re-reads at larger sizes agree on every field, but a stray mark before
        # the names line took their names' confidence; they were not counted and it stayed
        # "not sure".
        "100_id-mac.jpg",
        # 9 px print: MARTIN's M, boxed by Tesseract twice its height over the security
        # printing, was measured as an H drawn that tall, and the names were not sure.
        "79_pass-can.jpg",
        # A short visa (MRV-B) under a form's printed fields, read in the MRZ's alphabet as a
        # 51-character line ending on more print: its own lines are told from it and end on
        # paper (``reader._line_ends_hidden``).
        "100_visa-polx.jpg",
    ],
)
def test_it_reads_more_public_samples(name):
    truth = json.loads((SAMPLES_DIR / "truth.json").read_text())[name]["fields"]
    result = read_mrz((SAMPLES_DIR / name).read_bytes(), today=TODAY)
    assert result.valid and result.type == truth["type"]
    for key in ("number", "surname", "given_names", "nationality", "sex"):
        assert str(result.fields[key]) == truth[key]
    assert result.fields["date_of_birth"].isoformat() == truth["date_of_birth"]
    assert result.fields["expiry_date"].isoformat() == truth["expiry_date"]


@pytest.mark.skipif(not SAMPLES_DIR.exists(), reason="../shared/mrz/samples is not present")
def test_it_reads_small_print_right_and_sure():
    # 275 px wide: single passes read MARIA as NARIA and ZE184226B as 7E18422GB; passes at
    # several sizes, combined, get every field right. At 5.5 px the re-reads agree and the
    # names strip reads clear. A pass read the number line long after a stray 0, and dropping
    # the C or the 2 inside it passed (0L8989023, 0L89890C3): the check digits' choice, whose
    # numbers dispute nothing while the line read in place passes (``reader._note_number``).
    name = "25_pass-uto.jpg"
    truth = json.loads((SAMPLES_DIR / "truth.json").read_text())[name]["fields"]
    result = read_mrz((SAMPLES_DIR / name).read_bytes(), today=TODAY)
    assert result.found and result.valid
    for key in ("number", "surname", "given_names", "nationality", "sex"):
        assert str(result.fields[key]) == truth[key]
    assert result.fields["personal_number"] == "ZE184226B"  # the line as printed


@pytest.mark.skipif(not SAMPLES_DIR.exists(), reason="../shared/mrz/samples is not present")
def test_small_prints_letters_unfaded_are_not_taken_for_a_glare_streaks_fade():
    # Finland's public sample at half its size (6.4 px): every check passes, the re-reads agree;
    # its letters' faintest slices measured as little as 0.37 of the fillers' darkest, so its
    # names read as faded as a glare streak leaves them (not sure) until each cell was measured
    # against the band's best-lit cells of its own kind.
    name = "100_pass-fin.png"
    truth = json.loads((SAMPLES_DIR / "truth.json").read_text())[name]["fields"]
    image = Image.open(SAMPLES_DIR / name).convert("RGB")
    half = synth.shrunk(image, max(image.size) / 2)
    data = io.BytesIO()
    half.save(data, "JPEG", quality=90)
    result = read_mrz(data.getvalue(), today=TODAY)
    assert result.valid
    for key in ("number", "surname", "given_names", "nationality", "date_of_birth"):
        assert str(result.fields[key]) == truth[key]


@pytest.mark.ocr
def test_small_print_faded_by_a_streak_is_measured_faded_against_letters():
    from uploads.mrz import tesseract

    lines = td3_lines("L898902C3")
    sharp = mrz_image(lines)
    # Printed at 7 px, cut at 24 as the reader cuts small print.
    small = sharp.resize(
        (round(sharp.width * 0.3), round(sharp.height * 0.3)), Image.Resampling.LANCZOS
    )
    crop = np.asarray(small.resize(sharp.size, Image.Resampling.BICUBIC), dtype=np.float32)
    names_end = len(lines[0].rstrip("<")) + 2

    def least(image: np.ndarray) -> float:
        """The names' faintest cell (with its neighbours) as ``_names_faded`` measures it."""
        picture = Image.fromarray(image.astype(np.uint8))
        cells = reader._measured_fades((picture, tesseract.ocr_line_boxes(picture)), lines[0])
        assert cells is not None
        return min(reader._with_neighbours(cells, at) for at in range(5, names_end))

    assert least(crop) >= reader.FADED_SHARE
    # ANNA whitened to a third of its ink, as a glare streak leaves it.
    pitch = (sharp.width - 40) / len(lines[0])
    start, end = (round(20 + at * pitch) for at in (15, 19))
    crop[:60, start:end] = 255 - (255 - crop[:60, start:end]) * 0.35
    assert least(crop) < reader.FADED_SHARE


@pytest.mark.ocr
def test_a_bands_lines_are_measured_once_for_the_fades_of_all_of_them(monkeypatch):
    from uploads.mrz import tesseract

    lines = td3_lines("L898902C3")
    picture = mrz_image(lines)
    source = (picture, tesseract.ocr_line_boxes(picture))
    alone = [reader._measured_fades(source, line) for line in lines]
    measure = reader._cell_contrasts
    measured: list[str] = []

    def counted(gray: np.ndarray, box: tuple[int, int, int, int], text: str) -> list[float]:
        measured.append(text)
        return measure(gray, box, text)

    monkeypatch.setattr(reader, "_cell_contrasts", counted)
    kept: dict = {}
    together = [reader._measured_fades(source, line, contrasts=kept) for line in lines]
    assert together == alone and None not in together
    # Each line's fades take in the other's cells: two lines, two measures (four before).
    assert len(measured) == len(lines)


def test_it_reads_ya_and_be_in_russian_names_when_every_pass_agrees():
    # Я is "8" and Б is "B" in PN names, where no letter class tells them apart: a clean print
    # read alike by every pass, the other one hardly weighed, is sure.
    lines = compose.pn(
        surname="БЕЛЯЕВА", given_names="ЯНА БОРИСОВНА", series="4510", number="654321",
        date_of_birth="910307", sex="F", issue_date="160301", department_code="500-112",
    )  # fmt: skip
    result = read_mrz(render.render_page(lines, "PN", width=1600), today=TODAY)
    assert result.type == "PN" and result.valid
    assert result.fields["surname_cyrillic"] == "БЕЛЯЕВА"
    assert result.fields["given_names_cyrillic"] == "ЯНА БОРИСОВНА"


def test_it_does_not_call_valid_a_number_repaired_against_clean_print():
    # The print says L8989D2C3 (a letter D) with the check digit of L898902C3: the repair to 0
    # passes every check, but on clean print the OCR weighed no 0 there: not sure.
    lines = compose.td3(
        surname="ERIKSSON", given_names="ANNA MARIA", number="L898902C3", country="UTO",
        nationality="UTO", date_of_birth="740812", sex="F", expiry_date="340415",
    )  # fmt: skip
    printed = [lines[0], lines[1][:5] + "D" + lines[1][6:]]
    result = read_mrz(render.render_page(printed, "TD3", width=1600), today=TODAY)
    assert result.found and result.mrz[1][5] == "D"
    assert result.fields["number"] == "L898902C3"
    assert not result.valid and not result.field_valid["number"]


def test_it_reads_names_sure_only_when_a_second_pass_reads_them_alike(monkeypatch):
    from uploads.mrz import reader

    image = specimens.render_jpeg(specimens.ERIKSSON)
    assert read_mrz(image, today=TODAY).valid
    monkeypatch.setattr(reader, "names_alike_in", lambda parsed, lines, clear=False: False)
    result = read_mrz(image, today=TODAY)
    assert result.found and not result.valid
    assert result.fields["surname"] == "ERIKSSON" and result.field_valid["number"]


def _small_print_with_08_in_its_number() -> tuple[Image.Image, list[str]]:
    """A TD3 page printed at 10 px whose number AYT08DEV0 read AYTDBDEV0 still passes every
    check (the 0 read D adds 91 to the number's sum, the 8 read B adds 9), and that misreading."""
    names, data = compose.td3(
        surname="ERIKSSON", given_names="ANNA MARIA", number="AYT08DEV0", country="UTO",
        nationality="UTO", date_of_birth="740812", sex="F", expiry_date="340415",
    )  # fmt: skip
    misread = data.replace("AYT08DEV0", "AYTDBDEV0")
    return render.render_page([names, data], "TD3", width=500), [names, misread]


@pytest.mark.ocr
def test_small_print_voted_valid_is_not_sure_when_its_numbers_8_was_read_b(monkeypatch):
    from uploads.mrz import locate, parse, reader, vote

    page, misread_lines = _small_print_with_08_in_its_number()
    gray, scale = locate.working_image(page)
    reading = reader._Reading.take(page, locate.find_bands(gray)[0], scale, False, 1.0, TODAY)
    assert reading is not None and reading.char < reader.LOW_RESOLUTION_CHAR
    # Read as printed, the passes' vote is sure: the number's 8 looks like an 8.
    done, _ = reader._voted(page, reading, TODAY)
    assert done is not None and done.valid and done.fields["number"] == "AYT08DEV0"

    # Every pass reads the 08 as DB (the same print rescaled: one blob to the model at 10 px).
    def misread(*args, **kwargs):
        real = real_read(*args, **kwargs)
        parsed = parse.parse_lines(misread_lines, today=TODAY)
        parsed.name_confidence = real.parsed.name_confidence
        return dataclasses.replace(real, parsed=parsed)

    real_read = vote.read
    monkeypatch.setattr(vote, "read", misread)
    done, _ = reader._voted(page, reading, TODAY)
    assert done is not None and done.fields["number"] == "AYTDBDEV0"
    assert not done.valid  # its B's cell looks like OCR-B's 8


def _td3_with(number: str) -> Parsed:
    parsed = parse_lines(td3_lines(number), today=TODAY)
    assert parsed is not None
    return parsed


def test_a_reading_whose_lookalike_another_pass_read_is_told_apart():
    flattened = _td3_with("4UK7G06S")
    # The plain pass read the 6 (its 4 as V: its number failed its check digit).
    plain = _td3_with("4UK7606S")
    plain.lines[1] = "V" + plain.lines[1][1:]
    assert reader._lookalike_read(flattened, plain)
    # Read alike, or otherwise than as a lookalike (a V for a 4): nothing the check digit cannot tell.
    assert not reader._lookalike_read(flattened, _td3_with("4UK7G06S"))
    assert not reader._lookalike_read(flattened, _td3_with("VUK7G06S"))


def test_a_reading_that_dropped_a_character_past_its_number_still_disputes_it():
    # Glare faded NJ139XZ4G's J and Z into 1 and 7 (cancelling in the check digit); the darkened
    # pass also read a 1 inside the nationality, which the check digits dropped. Its number was
    # read in place, and a plainer pass read another one passing.
    misread = _td3_with("N1139X74G").lines
    darkened = parse_lines([misread[0], misread[1][:12] + "1" + misread[1][12:]], today=TODAY)
    assert darkened is not None and darkened.dropped
    assert darkened.fields["number"] == "N1139X74G"
    assert reader._numbers_differ(darkened, _td3_with("NJ139XZ4G"))
    assert not reader._numbers_differ(darkened, _td3_with("N1139X74G"))


def _with_number_misread(number: str, misread: str) -> Parsed:
    """A TD3 holding ``number`` whose OCR read ``misread`` in its place (check digit kept)."""
    parsed = _td3_with(number)
    parsed = parse_lines([parsed.lines[0], misread + parsed.lines[1][len(number) :]], today=TODAY)
    assert parsed is not None
    return parsed


@contextlib.contextmanager
def _photo_reads(**reads: object) -> Iterator[reader._PhotoReads]:
    """What the passes over a photo took (``reader._PhotoReads``), for the time of a read."""
    seen = reader._PhotoReads(**reads)
    token = reader._photo_reads.set(seen)
    try:
        yield seen
    finally:
        reader._photo_reads.reset(token)


def _number_shown(parsed: Parsed, numbers_read: set[tuple[str, str, str]]) -> Parsed:
    with _photo_reads(numbers=numbers_read):
        return reader._number_read_elsewhere(parsed)


def test_a_number_failing_its_check_digit_shows_the_one_another_pass_read():
    failing = _with_number_misread("J0VPZHX2N", "JWVPZHX2N")  # W for 0: no repair's
    assert not failing.field_valid["number"]
    shown = _number_shown(failing, {("TD3", "J0VPZHX2N", failing.lines[1][9])})
    assert shown.fields["number"] == "J0VPZHX2N" and shown.lines[1].startswith("J0VPZHX2N")
    assert not shown.field_valid["number"]  # still the customer's to check
    assert failing.fields["number"] == "JWVPZHX2N"  # the reading itself is left as it was


def test_a_number_read_elsewhere_is_not_shown_when_far_ambiguous_or_of_another_format():
    failing = _with_number_misread("J0VPZHX2N", "JWVPZHX2N")
    digit = failing.lines[1][9]
    for numbers_read in (
        {("TD3", "J0VPZ3X7M", digit)},  # four edits away: another number, not this one misread
        {("TD3", "J0VPZHX2N", digit), ("TD3", "JWVPZHX7N", digit)},  # two near ones: which?
        {("TD2", "J0VPZHX2N", digit)},  # another format's: another band's
        set(),
    ):
        assert _number_shown(failing, numbers_read).fields["number"] == "JWVPZHX2N"


def test_a_number_passing_its_check_digit_as_read_is_kept():
    passing = _td3_with("L898902C3")
    assert _number_shown(passing, {("TD3", "L898902C8", "6")}).fields["number"] == "L898902C3"


@pytest.mark.ocr
def test_a_result_not_sure_shows_its_numbers_6_as_the_band_prints_it():
    # Glare 257/13: 7PKURSS6Z read with a G by one pass and a 6 by another, both passing.
    printed = td3_lines("X467K2")
    misread = _td3_with("X4G7K2")
    band = mrz_image(printed)
    shown = reader._result(misread, (0, 0, 1, 1), valid=False, cut=lambda: band)
    assert shown.fields["number"] == "X467K2" and shown.mrz[1].startswith("X467K2<<<")
    assert not shown.valid and not shown.field_valid["number"]  # still the customer's to check
    # With no band to measure, or sure: as read.
    assert reader._result(misread, (0, 0, 1, 1), valid=False).fields["number"] == "X4G7K2"
    sure = reader._result(misread, (0, 0, 1, 1), valid=True, cut=lambda: band)
    assert sure.valid and sure.fields["number"] == "X4G7K2"


@pytest.mark.parametrize("read", ["F", "E"])
def test_a_result_not_sure_shows_a_passports_code_read_f_or_e_as_the_p(read):
    # Degraded 261/0: a passport's P read F by every pass, every other field right.
    one, two = td3_lines("L898902C3")
    misread = parse_lines([read + one[1:], two], today=TODAY)
    assert misread is not None and misread.type == "TD3" and not misread.valid
    shown = reader._result(misread, (0, 0, 1, 1), valid=False)
    assert shown.fields["document_code"] == "P" and shown.mrz[0] == "P" + one[1:]
    assert not shown.valid and not shown.field_valid["document_code"]  # the customer's to check
    # An ID card's code may be any letter its state chose: as read.
    one, two = td2_lines("D23145890")
    card = parse_lines([read + one[1:], two], today=TODAY)
    assert card is not None and card.type == "TD2"
    assert reader._result(card, (0, 0, 1, 1), valid=False).fields["document_code"] == read


def _result_with(
    parsed: Parsed,
    numbers_read: set[tuple[str, str, str]],
    weak: set[tuple[str, str, str]] = frozenset(),
) -> MrzResult:
    """``_result`` of ``parsed`` (valid) where passes read ``numbers_read`` well, and ``weak``
    through a repair of the check digits' or misreading much of the band."""
    with _photo_reads(numbers=numbers_read | weak, numbers_well_read=numbers_read):
        return reader._result(parsed, (0, 0, 1, 1), valid=True)


def test_a_reading_is_not_sure_when_another_pass_read_another_number_passing():
    # Glare read AC2CM4RGX AB2BM4RGX (C as B twice: -3 and -7 cancel) and every check passed;
    # the vote over another decode's band had read AC2CM4RGX, passing too.
    passing = _td3_with("AB2BM4RGX")
    digit = passing.lines[1][9]
    assert passing.valid
    result = _result_with(passing, {("TD3", "AB2BM4RGX", digit), ("TD3", "AC2CM4RGX", digit)})
    assert not result.valid and not result.field_valid["number"]
    assert result.fields["number"] == "AB2BM4RGX"  # shown as read, for the customer to check
    assert passing.field_valid["number"]  # the reading itself is left as it was


def test_a_number_passing_through_a_repair_or_by_a_pass_failing_checks_is_noted_apart():
    repaired = _with_number_misread("L898902C3", "L8989O2C3")
    assert repaired.number_repaired() == {5}  # its O made a 0 to pass
    lines = _td3_with("L898902C3").lines
    # Its birth date's and expiry's check digits misread (the final check fails too).
    misread = parse_lines(
        [lines[0], lines[1][:19] + "0" + lines[1][20:27] + "0" + lines[1][28:]], today=TODAY
    )
    assert misread is not None
    assert misread.checks_passed + reader.DISPUTING_CHECKS_FAILED < misread.checks_total
    number = ("TD3", "L898902C3", "6")
    with _photo_reads() as seen:
        reader._note_number(repaired)
        reader._note_number(misread)
        assert seen.numbers == {number} and not seen.numbers_well_read  # shown, disputes nothing
        reader._note_number(_td3_with("L898902C3"))
        assert seen.numbers_well_read == {number}


def test_a_reading_stays_sure_when_no_other_pass_read_a_near_number_of_its_format():
    passing = _td3_with("AB2BM4RGX")
    digit = passing.lines[1][9]
    for numbers_read in (
        set(),
        {("TD3", "AB2BM4RGX", digit)},  # its own, noted as it was read
        {("TD2", "AC2CM4RGX", digit)},  # another format's: another band's
        {("TD3", "L898902C3", "6")},  # far from it: another document's
    ):
        assert _result_with(passing, numbers_read).valid
    # Passing only through a repair (a 2 made a Z, say), or read by a pass misreading much of
    # the band: a number passing by chance.
    assert _result_with(passing, set(), weak={("TD3", "AC2CM4RGX", digit)}).valid


def _names_shown(parsed: Parsed, names_read: list[tuple]) -> Parsed:
    """``parsed`` as ``_names_most_read`` shows it after passes read ``names_read``: each a
    format and a line, and how many characters short it was read (none when not given)."""
    with _photo_reads(names=[(*read, 0)[:3] for read in names_read]):
        return reader._names_most_read(parsed)


def _names_line(given_names: str) -> str:
    return (
        parse_lines(td3_lines("L898902C3", surname="ERIKSSON"), today=TODAY)
        .lines[0]
        .replace("ANNA<MARIA", given_names)
    )


def test_names_not_sure_are_shown_as_most_passes_read_them():
    # The reading passing most checks read MARIA as MAROA (it counts twice); three other passes
    # read it right (a 1 in names is an I: the same names).
    misread = parse_lines([_names_line("ANNA<MAROA"), _td3_with("L898902C3").lines[1]], today=TODAY)
    reads = [
        ("TD3", _names_line(given))
        for given in ("ANNA<MAROA", "ANNA<MARIA", "ANNA<MAR1A", "ANNA<MARIA")
    ]
    shown = _names_shown(misread, reads)
    assert shown.fields["given_names"] == "ANNA MARIA" and shown.lines[0] == reads[1][1]
    assert shown.lines[1] == misread.lines[1] and shown.fields["number"] == "L898902C3"
    assert misread.fields["given_names"] == "ANNA MAROA"  # the reading itself is left as it was


def test_names_read_as_often_as_others_or_in_another_format_are_kept():
    misread = parse_lines([_names_line("ANNA<MAROA"), _td3_with("L898902C3").lines[1]], today=TODAY)
    for reads in (
        # As many passes as the reading itself counts for (the one passing most checks: twice).
        [("TD3", _names_line("ANNA<MAROA"))] + [("TD3", _names_line("ANNA<MARIA"))] * 2,
        [("TD3", _names_line("ANNA<MARIA"))],  # the reading not among the passes noted
        [("MRVA", _names_line("ANNA<MARIA"))] * 3,  # another format's: another band's
        [("TD3", "S" * 30 + _names_line("ANNA<MARIA")[30:])] * 3,  # unlike it: other print
        [],
    ):
        assert _names_shown(misread, reads).fields["given_names"] == "ANNA MAROA"
    # Read after a stray mark: counted as if without it (degraded 256/29: JNP<USAVAN...).
    shifted = [("TD3", "0" + _names_line("ANNA<MARIA")[:-1])] * 3
    assert _names_shown(misread, shifted).fields["given_names"] == "ANNA MARIA"


def test_the_surname_and_the_given_names_most_read_are_counted_apart():
    # Degraded 256/29: two passes read VAN DERSBERG, LIAM right; one VAN DER BERG, LIAN; the
    # reading shown VAN DER BERG, LIAN; one VAN DER BERG, LIAM.
    names = "VAN<DER<BERG<<LIAM"
    line = ("P<UTO" + names).ljust(44, "<")
    reads = [
        ("TD3", line.replace("DER<", "DERS")),
        ("TD3", line.replace("DER<", "DERS")),
        ("TD3", line.replace("LIAM", "LIAN")),
        ("TD3", line),
    ]
    shown = _names_shown(_with_names(names.replace("LIAM", "LIAN")), reads)
    assert shown.fields["surname"] == "VAN DER BERG" and shown.fields["given_names"] == "LIAM"
    assert shown.lines[0] == line
    # No pass read both so: the line made of them.
    reads = [*reads[:2], ("TD3", line.replace("LIAM", "LIAX"))]
    shown = _names_shown(_with_names(names.replace("LIAM", "LIAN")), reads)
    assert shown.fields["given_names"] == "LIAM" and shown.lines[0] == line


def _read_short(names: str) -> tuple[str, str, int]:
    """A TD3 pass's note of a names line read as ``names`` after P<UTO, filled at its end."""
    read = "P<UTO" + names
    return ("TD3", read.ljust(44, "<"), 44 - len(read))


def _with_names(names: str, lost: int = 0) -> Parsed:
    """A TD3 reading with ``names`` on its names line, read ``lost`` characters short."""
    parsed = parse_lines(
        [("P<UTO" + names).ljust(44, "<"), _td3_with("L898902C3").lines[1]], today=TODAY
    )
    parsed.inserted = [(0, at) for at in range(44 - lost, 44)]
    return parsed


def test_names_a_glare_faded_are_shown_as_the_pass_that_read_them_whole():
    # Glare 256/0: passes read KOWALSKA<<PIETER short, a faded run lost (KOITER), and one,
    # stretched, read it whole; the reading passing most checks was one read short.
    whole = ("TD3", "P<UTOKOWALSKA<<PIETER".ljust(44, "<"), 0)
    reads = [_read_short("KOITER"), _read_short("K0ITER"), _read_short("KOWALSITER"), whole]
    shown = _names_shown(_with_names("K0ITER", lost=10), reads)
    assert shown.fields["surname"] == "KOWALSKA" and shown.fields["given_names"] == "PIETER"
    assert shown.lines[0] == whole[1]
    # Glare 256/24: two passes lost the fillers between the names, the given names then empty.
    shown = _names_shown(_with_names("SILVA<<JOSE<LUIS"), [_read_short("SILVAJOSE<LUIS")] * 2)
    assert shown.fields["given_names"] == "JOSE LUIS"
    # The reading itself read whole, most passes short: the same names shown.
    shown = _names_shown(_with_names("KOWALSKA<<PIETER"), [_read_short("KOITER")] * 3)
    assert shown.fields["surname"] == "KOWALSKA"


def test_names_read_short_count_as_read_when_no_whole_line_explains_them():
    whole = ("TD3", "P<UTOKOWALSKA<<PIETER".ljust(44, "<"), 0)
    other = ("TD3", "P<UTOKOWALSKI<<PIETER".ljust(44, "<"), 0)
    for reads in (
        # Lost one letter only: a letter dropped and another misread are alike likely.
        [_read_short("KOWALSKA<<PETER")],
        # Read short where the other's names end: a stray mark in the fillers after them.
        [_read_short("KOWALSKA<<PIETEP")],
    ):
        shown = _names_shown(_with_names("KOWALSKA<<PIETEP"), [*reads, whole])
        assert shown.fields["given_names"] == "PIETEP", reads
    # Short of both whole lines alike: which one lost the run, none can tell.
    shown = _names_shown(_with_names("KOWALSKB<<PIETER"), [_read_short("KOITER"), other, whole])
    assert shown.fields["surname"] == "KOWALSKB"


def _names_read_otherwise(parsed: Parsed, names_read: list[tuple[str, str]]) -> bool:
    with _photo_reads(names=[(kind, line, 0) for kind, line in names_read]):
        return reader._names_read_otherwise(parsed)


def test_a_votes_names_are_disputed_by_any_pass_over_the_band_that_read_them_otherwise():
    # The vote read PIETER as PTETER in every one of its passes; passes over the band read
    # before it had PTFTEFR and PTFETER (glare 226/3).
    voted = parse_lines([_names_line("PTETER"), _td3_with("L898902C3").lines[1]], today=TODAY)
    assert _names_read_otherwise(
        voted, [("TD3", _names_line("PTETER")), ("TD3", _names_line("PTFETER"))]
    )
    for reads in (
        [("TD3", _names_line("PTETER"))] * 3,  # read alike
        [("MRVA", _names_line("PTFETER"))],  # another format's: another band's
        [("TD3", "S" * 30 + _names_line("PTFETER")[30:])],  # unlike it: other print
        [("TD3", "0" + _names_line("PTFETER")[:-1])],  # a stray mark before: shifted
        [],
    ):
        assert not _names_read_otherwise(voted, reads)
    # The same names as the fields hold them (a 1 in names is an I): read alike.
    right = parse_lines([_names_line("PIETER"), _td3_with("L898902C3").lines[1]], today=TODAY)
    assert not _names_read_otherwise(right, [("TD3", _names_line("P1ETER"))])


def test_a_pns_names_most_read_are_shown_in_cyrillic_too():
    lines = compose.pn(
        surname="ИВАНОВА", given_names="ОЛЬГА", series="4509", number="123456",
        date_of_birth="820511", sex="F", issue_date="150620", department_code="770001",
    )  # fmt: skip
    read = parse_lines(lines, today=TODAY)
    misread = parse_lines([lines[0].replace("IVANOVA", "IVANOVB"), lines[1]], today=TODAY)
    assert read.type == misread.type == "PN" and misread.fields["surname_cyrillic"] == "ИВАНОВБ"
    shown = _names_shown(misread, [("PN", lines[0])] * 3)
    assert shown.fields["surname"] == "IVANOVA" and shown.fields["surname_cyrillic"] == "ИВАНОВА"
    assert shown.fields["given_names_cyrillic"] == "ОЛЬГА"


@pytest.mark.parametrize(
    ("code", "rival", "sure"),
    [
        ("P<", None, True),  # a filler: nothing to be sure of
        ("PE", None, True),  # a letter read clearly
        ("PE", ("R", 75.0), False),  # a letter the model hardly told from another (glare 167/1)
        ("PO", ("C", 30.0), True),  # a runner-up well under it
    ],
)
def test_a_document_codes_letter_is_sure_only_read_clearly_as_the_names_are(code, rival, sure):
    lines = compose.td3(
        document_code=code, country="ARM", surname="SMITH", given_names="JOHN",
        number="L898902C3", nationality="USA", date_of_birth="410109", sex="M",
        expiry_date="300806",
    )  # fmt: skip
    parsed = parse_lines(lines, today=TODAY)
    assert parsed is not None and parsed.valid
    second = symbols(lines[0].rstrip("<") + "<<", {1: rival} if rival else None)
    assert reader.names_alike_in(parsed, [second]) is sure
    # Read otherwise by the second pass: not alike.
    if code[1] != "<":
        other = symbols("PR" + lines[0][2:].rstrip("<") + "<<")
        assert not reader.names_alike_in(parsed, [other])


def test_names_glare_faded_are_read_again_by_passes_preparing_the_print_otherwise(monkeypatch):
    from uploads.mrz import locate

    parsed = _td3_with("L898902C3")
    reading = reader._Reading(parsed, locate.Band(400, 300, 0.1, 500, 40, 20, 1.0), True,
                              (0, 0, 800, 600), 0.5, 1.0)  # fmt: skip
    reading.prepare = reader.normalised  # the reading's own crop was normalised
    taken: list[dict] = []

    def take(page, band, scale, flip, page_scale, today, *, variant=None, **kwargs):
        assert (band, scale, flip) == (reading.band, reading.scale, reading.flip)
        taken.append(variant)

    monkeypatch.setattr(reader._Reading, "take", take)
    monkeypatch.setattr(reader, "_names_faded", lambda _reading: False)
    reader._faded_names_read_again(Image.new("L", (800, 600), 255), reading, TODAY)
    assert taken == []  # names no streak faded: no pass
    monkeypatch.setattr(reader, "_names_faded", lambda _reading: True)
    reader._faded_names_read_again(Image.new("L", (800, 600), 255), reading, TODAY)
    assert taken == [v for v in reader.FADED_NAMES_VARIANTS if v != {"normalise": True}]
    assert {"faded": True} in taken and {"flatten": True} in taken
    # A pass the photo's read took already over the band (the darkened one a checked line's
    # fade asked for) is not taken again: its names would count twice.
    taken.clear()
    darkened = reader._pass_key(reading.band, reading.scale, reading.flip, {"faded": True})
    with _photo_reads(passes={darkened: None}):
        reader._faded_names_read_again(Image.new("L", (800, 600), 255), reading, TODAY)
    assert {"faded": True} not in taken and {"flatten": True} in taken
    # Another band's darkened pass is not this one's.
    taken.clear()
    other = locate.Band(400, 200, 0.1, 500, 40, 20, 1.0)
    with _photo_reads(
        passes={reader._pass_key(other, reading.scale, reading.flip, {"faded": True}): None}
    ):
        reader._faded_names_read_again(Image.new("L", (800, 600), 255), reading, TODAY)
    assert {"faded": True} in taken


def test_names_under_a_glare_streaks_edge_are_sure_only_as_passes_prepared_otherwise_read_them(
    monkeypatch,
):
    from uploads.mrz import locate

    parsed = _td3_with("L898902C3")  # ERIKSSON<<ANNA<MARIA
    band = locate.Band(400, 300, 0.1, 500, 40, 20, 1.0)
    reading = reader._Reading(parsed, band, False, (0, 0, 800, 600), 1.0, 1.0)
    line = parsed.names_line
    read_as: dict[str, str | None] = {}  # each variant pass's names line (None: nothing read)

    def take(page, band, scale, flip, page_scale, today, *, variant=None, **kwargs):
        names = read_as[str(variant)]
        seen = reader._photo_reads.get()
        seen.passes[reader._pass_key(band, scale, flip, variant)] = names and ("TD3", names)

    monkeypatch.setattr(reader._Reading, "take", take)

    def otherwise(fade: float, **lines: str | None) -> bool:
        monkeypatch.setattr(reader, "_names_fade", lambda _reading: fade)
        read_as.clear()
        read_as.update({str(v): line for v in reader.FADED_NAMES_VARIANTS})
        read_as.update({str({"faded": True}): lines.get("faded", line)})
        with _photo_reads():
            return reader._edge_names_read_otherwise(Image.new("L", (800, 600)), reading, TODAY)

    misread = line.replace("ANNA", "ANNF")
    assert otherwise(0.7, faded=misread)  # under the edge, the darkened pass read an F
    assert not otherwise(0.7)  # every pass alike
    assert not otherwise(0.7, faded=None)  # the darkened pass read nothing
    # A glyph read as two, or one lost, is no other letter in its place.
    assert not otherwise(0.7, faded=line.replace("MARIA<", "MARIIA"))
    assert not otherwise(0.7, faded=line.replace("MARIA", "MRIA<"))
    # A pass that read a stray mark before the line reads the names alike, in place.
    assert not otherwise(0.7, faded="J" + line[:-1])
    assert otherwise(0.7, faded="J" + misread[:-1])
    # Other print (the line below read for the names: not in place) is no reading of them.
    assert not otherwise(0.7, faded=parsed.lines[1])
    # Names lit (over GLARE_EDGE_SHARE) or faded (under FADED_SHARE: not sure already) are
    # not asked.
    assert not otherwise(0.85, faded=misread)
    assert not otherwise(0.5, faded=misread)


def test_a_pass_over_a_band_cut_from_the_page_is_noted_for_the_photo():
    from uploads.mrz import locate

    band = locate.Band(400, 300, 0.0, 500, 40, 20, 1.0)
    with _photo_reads() as photo:
        page = Image.new("L", (800, 600), 255)  # blank: nothing read, the pass taken all the same
        assert (
            reader._Reading.take(page, band, 1.0, False, 1.0, TODAY, variant={"faded": True})
            is None
        )
        # A crop given (the caller's own cut) is no pass over the band as variants cut it.
        crop = Image.new("L", (600, 60), 255)
        assert reader._Reading.take(page, band, 0.5, False, 1.0, TODAY, crop=crop) is None
    assert photo.passes == {reader._pass_key(band, 1.0, False, {"faded": True}): None}


def test_what_dropped_passes_noted_is_restored_to_what_was_saved_before_them():
    photo = reader._PhotoReads()
    photo.names.append(("TD1", "ROSSI<<AYSF<<<<<<<<<<<<<<<<<<<", 0))
    photo.numbers.add(("TD1", "AMYZWFEX3", "3"))
    saved = photo.saved()
    # The darkest print's passes (glare 195/9): their names and numbers are not to count.
    photo.names.append(("TD1", "ROSST<<AYSF<<<<<<<<<<<<<<<<<<<", 0))
    photo.numbers.add(("TD1", "AMYZWFEXB", "3"))
    photo.passes[("band",)] = ("TD1", "ROSST<<AYSF<<<<<<<<<<<<<<<<<<<")
    assert saved.names == [("TD1", "ROSSI<<AYSF<<<<<<<<<<<<<<<<<<<", 0)] and not saved.passes
    photo.restore(saved)
    assert photo.names == [("TD1", "ROSSI<<AYSF<<<<<<<<<<<<<<<<<<<", 0)]
    assert photo.numbers == {("TD1", "AMYZWFEX3", "3")} and not photo.passes


def _pn(issue_date: str, department_code: str) -> Parsed:
    lines = compose.pn(
        surname="ИВАНОВ", given_names="ЕКАТЕРИНА", series="6002", number="497495",
        date_of_birth="480531", sex="M", issue_date=issue_date, department_code=department_code,
    )  # fmt: skip
    parsed = parse_lines(lines, today=TODAY)
    assert parsed is not None and parsed.valid
    return parsed


def test_a_pass_that_reads_a_checked_field_otherwise_passing_every_check_disputes_it():
    # Glare 248/18: 121025 832749 read 121023 632749, 5 as 3 (weight 7) and 8 as 6 (weight 3)
    # cancelling in the check digit; darkened, the print read right, passing too.
    right, misread = _pn("121025", "832749"), _pn("121023", "632749")
    assert right.lines[1][-2:] == misread.lines[1][-2:]  # the same check digits
    assert reader._checked_fields_differ(misread, right)
    assert not reader._checked_fields_differ(misread, _pn("121023", "632749"))  # read alike
    failing = _pn("121025", "832749")
    failing.valid = False  # a pass failing a check says nothing of which one is right
    assert not reader._checked_fields_differ(misread, failing)
    # Names no check digit covers: not a checked field.
    renamed = dataclasses.replace(misread, fields={**misread.fields, "surname": "IVANOVA"})
    assert not reader._checked_fields_differ(misread, renamed)


def test_print_faded_in_any_line_of_checked_fields_counts_the_names_line_not(monkeypatch):
    from uploads.mrz import locate

    parsed = _pn("121025", "832749")
    reading = reader._Reading(parsed, locate.Band(400, 300, 0.0, 500, 40, 20, 1.0), False,
                              (0, 0, 800, 600), 0.5, 1.0)  # fmt: skip
    lit = [1.0] * 44  # as the band's best-lit cells of their kind
    # Faded from the issue date on (the number's cells lit): a darkened pass is taken.
    faded = {0: lit, 1: [1.0] * 29 + [0.2] * 12 + [1.0] * 3}
    monkeypatch.setattr(reader, "_faded_cells", lambda _reading, index: faded[index])
    assert reader._checked_faded(reading) and not reader._number_faded(reading)
    faded = {0: [0.2] * 44, 1: lit}  # the names line alone: its own measure
    assert not reader._checked_faded(reading)
    faded = {0: lit, 1: [*lit[:20], 0.2, *lit[21:]]}  # one cell alone: a glyph the grid cuts
    assert not reader._checked_faded(reading)


def test_a_faded_checked_field_read_many_ways_and_so_by_one_pass_alone_is_named(monkeypatch):
    # Glare 401/30: a PN's issue date 140826 read 170000, 102020, 702000 and 171020 by four
    # passes, failing, and 140220 by one, passing (8 and 6 read 2 and 0 cancel).
    from uploads.mrz import locate

    parsed = _pn("140220", "119202")
    assert reader._checked_spans(parsed)["issue_date"] == "140220"
    reading = reader._Reading(parsed, locate.Band(400, 300, 0.0, 500, 40, 20, 1.0), False,
                              (0, 0, 800, 600), 0.5, 1.0)  # fmt: skip
    lit = [1.0] * 44
    faded = {0: lit, 1: [1.0] * 28 + [0.2] * 7 + lit[:9]}  # the issue date's cells
    monkeypatch.setattr(reader, "_faded_cells", lambda _reading, index: faded[index])

    def named(*others: str) -> list[str]:
        with _photo_reads() as seen:
            reader._note_checked_spans(parsed)  # the reading's own pass
            seen.checked_spans.extend(("PN", {"issue_date": other}) for other in others)
            return reader._faded_fields_read_many_ways(reading)

    assert named("170000", "102020", "702000", "171020") == ["issue_date"]
    assert named("170000", "102020") == ["issue_date"]
    assert named("170000") == []  # one other way: as right readings of faded print often are
    assert named("170000", "102020", "140220") == []  # another pass read it so
    assert named("170000", "102020", "140226") == []  # one a character off: the check's mend
    faded = {0: lit, 1: lit}
    assert named("170000", "102020", "702000") == []  # not faded: its check digit's to tell


def test_a_td1s_checked_spans_leave_its_optional_data_out():
    parsed = parse_lines(
        [
            "I<SWE9B84SEZTV3<<<<<<<<<<<<<<<",
            "5902073F3305119KGZ<<<<<<<<<<<0",
            "GARCIA<<SEAN<<<<<<<<<<<<<<<<<<",
        ],
        today=TODAY,
    )
    assert parsed is not None and parsed.type == "TD1"
    assert reader._checked_spans(parsed) == {
        "number": "9B84SEZTV3", "date_of_birth": "5902073", "expiry_date": "3305119",
    }  # fmt: skip


def test_a_reading_is_not_sure_when_another_pass_read_a_date_or_optional_field_otherwise_passing():
    misread, right = _pn("121023", "632749"), _pn("121025", "832749")
    with _photo_reads() as seen:
        reader._note_checked_fields(misread)
        reader._note_checked_fields(right)
        result = reader._result(misread, (0, 0, 1, 1), valid=True)
        assert ("PN", "issue_date", "2012-10-25") in seen.fields_well_read
    assert not result.valid
    assert not result.field_valid["issue_date"] and not result.field_valid["department_code"]
    assert result.field_valid["number"] and result.field_valid["date_of_birth"]
    assert result.fields["department_code"] == "632-749"  # shown as read, for the customer


def test_a_checked_field_read_alike_far_off_or_through_a_repair_disputes_nothing():
    passing = _pn("121025", "832749")
    for other in (
        _pn("121025", "832749"),  # read alike
        _pn("170304", "110222"),  # many characters off: another document's
    ):
        with _photo_reads():
            reader._note_checked_fields(other)
            assert reader._result(passing, (0, 0, 1, 1), valid=True).valid
    lines = _td3_with("L898902C3").lines
    assert lines[1][13:19] == "740812"
    # The birth date's 0 read O, which the check digit repaired: not read passing as read.
    repaired = parse_lines([lines[0], lines[1][:15] + "O" + lines[1][16:]], today=TODAY)
    assert repaired is not None and repaired.repairs
    assert repaired.checks_passed == repaired.checks_total
    # Its expiry's check digit misread, and the final check: two checks failing, too many.
    line = lines[1]
    wrong = {at: str((int(line[at]) + 1) % 10) for at in (27, 43)}
    failing = parse_lines([lines[0], line[:27] + wrong[27] + line[28:43] + wrong[43]], today=TODAY)
    assert failing is not None
    assert failing.checks_passed + reader.DISPUTING_CHECKS_FAILED < failing.checks_total
    with _photo_reads() as seen:
        reader._note_checked_fields(repaired)
        assert {name for _, name, _ in seen.fields_well_read} == {"expiry_date"}  # not the birth
    with _photo_reads() as seen:
        reader._note_checked_fields(failing)
        assert not seen.fields_well_read
    # A line read long, the character dropped inside it the check digits' choice (mirrored
    # 2026/25: a personal number read with a G more and a U less passed so).
    read_long = parse_lines([lines[0], line[:30] + "X" + line[30:]], today=TODAY)
    assert read_long is not None and read_long.dropped and read_long.valid
    with _photo_reads() as seen:
        reader._note_checked_fields(read_long)
        assert not seen.fields_well_read


def test_numbers_of_a_line_read_long_that_passes_dropping_either_twin_are_both_noted():
    # Guilloche 305/1: LUJ6EVVJA's 6 read 6G (6 and G weigh 6 and 16): dropping either passes.
    lines = td3_lines("LUJ6EVVJA")
    read_long = parse_lines([lines[0], "LUJ6G" + lines[1][4:]], today=TODAY)
    assert read_long is not None and read_long.ambiguous and not read_long.valid
    digit = lines[1][9]
    with _photo_reads() as seen:
        reader._note_number(read_long)
        assert seen.numbers_well_read == {("TD3", "LUJ6EVVJA", digit), ("TD3", "LUJGEVVJA", digit)}
        # A pass reading the G alone, every check passing, is not sure: the other one passed too.
        alone = parse_lines([lines[0], "LUJG" + lines[1][4:]], today=TODAY)
        assert alone is not None and alone.valid
        result = reader._result(alone, (0, 0, 1, 1), valid=True)
    assert not result.valid and not result.field_valid["number"]
    # A line read long whose one dropped character passes: the check digits' choice, not noted.
    with _photo_reads() as seen:
        reader._note_number(parse_lines([lines[0], "LUJ6EVVJXA" + lines[1][9:]], today=TODAY))
        assert not seen.numbers_well_read
    # A stray 1 read before L898902C3 (glare 249/33): dropping the L passes too (1 and L weigh
    # 1 and 21), but the line read in place after a stray mark is the likelier; neither noted.
    stray = parse_lines([lines[0], "1" + td3_lines("L898902C3")[1]], today=TODAY)
    assert stray is not None and stray.ambiguous and stray.rivals
    with _photo_reads() as seen:
        reader._note_number(stray)
        assert not seen.numbers_well_read
    # A stray 0 before it (sample 25_pass-uto): dropping its C or its 2 passes too (C and 2 worth
    # the same modulo 10), numbers far from the one read in place: neither noted.
    zero = parse_lines([lines[0], "0" + td3_lines("L898902C3")[1]], today=TODAY)
    assert zero is not None and zero.dropped
    assert any(not rival.dropped for rival in zero.rivals)
    with _photo_reads() as seen:
        reader._note_number(zero)
        assert not seen.numbers_well_read and not seen.numbers


def test_only_a_rival_alignments_number_one_character_apart_is_noted():
    assert reader._one_character_apart(("LUJ6EVVJA", "5"), ("LUJGEVVJA", "5"))
    # Two alignments of a blurred line read long, passing by chance (degraded 235/22).
    assert not reader._one_character_apart(("1NGJU5U2A", "6"), ("NGJUJ5U2A", "6"))
    assert not reader._one_character_apart(("LUJ6EVVJA", "5"), ("LUJ6EVVJA", "5"))
    assert not reader._one_character_apart(None, ("LUJ6EVVJA", "5"))


@pytest.mark.ocr
def test_a_numbers_m_read_for_a_printed_w_is_not_sure_on_print_of_any_size():
    # A bowed page's W read M by every pass at 47.8 px (bent 500/1): M and W are worth 22 and
    # 32, one to every check digit. The band is read again for the number's cells.
    from uploads.mrz import locate, vote

    printed = td3_lines("XW98GFFXL")
    taken = parse_lines([printed[0], printed[1].replace("XW98", "XM98")], today=TODAY)
    assert taken is not None and taken.valid

    def reading_of(parsed: Parsed | None) -> reader._Reading:
        assert parsed is not None
        return reader._Reading(parsed, locate.Band(400, 300, 0.0, 500, 40, 20, 1.0), False,
                               (0, 0, 800, 600), 1.0, 1.0)  # fmt: skip

    def band() -> Image.Image:
        return mrz_image(printed)

    def no_band() -> None:
        raise AssertionError("no M or W in the number: the band is not read again")

    assert not reader._number_twins_clear(reading_of(taken), band)
    # Read again from the band's left edge to a few cells past the number: a third of a TD3's.
    columns = reader._number_columns(band, taken)()
    assert columns is not None and band().width / 4 < columns.width < band().width / 2
    assert vote.number_twins_shown(lambda: columns, taken, pairs=("MW",)) == "XW98GFFXL"
    assert reader._number_twins_clear(reading_of(parse_lines(printed, today=TODAY)), band)
    assert reader._number_twins_clear(reading_of(taken), lambda: None)  # no band: unmeasured
    # No M or W in the number (the names' W is not asked of): nothing is read again.
    plain = parse_lines(td3_lines("X467K2", surname="WALKER"), today=TODAY)
    assert reader._number_twins_clear(reading_of(plain), no_band)
    # Shown as its cells look, the reading not sure.
    shown = reader._number_twins_shown(taken, band)
    assert shown.fields["number"] == "XW98GFFXL"


def test_a_numbers_ms_and_ws_are_read_once_for_the_check_and_for_what_is_shown(monkeypatch):
    # Not sure by its M (``_number_twins_clear``), the reading then shows its number as the
    # cells look (``_number_twins_shown``): one cut of the band, one OCR pass of its columns
    # (and one of the whole band for its G, a 6 or a G as its cell looks).
    from uploads.mrz import locate, tesseract

    printed = td3_lines("XW98GFFXL")
    taken = parse_lines([printed[0], printed[1].replace("XW98", "XM98")], today=TODAY)
    assert taken is not None
    reading = reader._Reading(taken, locate.Band(400, 300, 0.0, 500, 40, 20, 1.0), False,
                              (0, 0, 800, 600), 1.0, 1.0)  # fmt: skip
    cuts: list[Image.Image] = []

    def band() -> Image.Image:
        cuts.append(mrz_image(printed))
        return cuts[-1]

    read = tesseract.ocr_symbols
    passes: list[tuple[int, int]] = []

    def counted(image: Image.Image, **options) -> list[list[tesseract.Symbol]]:
        passes.append(image.size)
        return read(image, **options)

    def columns(image: Image.Image) -> tuple[int, int]:
        number = reader._number_columns(lambda: image, taken)()
        assert number is not None
        return number.size

    monkeypatch.setattr(tesseract, "ocr_symbols", counted)
    cut = reader._BandCut(band)
    assert not reader._number_twins_clear(reading, cut)
    assert reader._number_twins_shown(taken, cut).fields["number"] == "XW98GFFXL"
    assert len(cuts) == 1 and sorted(passes) == sorted([columns(cuts[0]), cuts[0].size])
    # A plain callable is kept likewise within what a result not sure shows.
    cuts.clear()
    passes.clear()
    assert reader._number_twins_shown(taken, band).fields["number"] == "XW98GFFXL"
    assert len(cuts) == 1 and sorted(passes) == sorted([columns(cuts[0]), cuts[0].size])
