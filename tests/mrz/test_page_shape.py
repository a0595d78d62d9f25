"""The page's shape in the photo, tried after every other pass. A page held open bows, and its
MRZ's lines with it: their ends leave a straight band, and Tesseract reads a bowed line's ends
as noise; the band is cut wider and its columns moved to straighten the lines
(``reader.straightened``). A photo taken at a slant to the page leans the characters along the
lines; the band is sheared to stand them up (``reader.unslanted``)."""

import pytest
from PIL import Image

from bench import synth
from bench.samples import compare
from uploads.mrz import compose, locate, read_mrz, reader

from .specimen import band, read_crop, td3_lines

pytestmark = pytest.mark.ocr

TD3 = td3_lines("L898902C3", expiry_date="340415")
_NO_BAND = locate.Band(0, 0, 0, 1, 1, 1, 0)  # a reading's own crop is all that is measured


def _leaning(crop: Image.Image, lean: float) -> Image.Image:
    """``crop`` sheared so that its upright strokes lean ``lean`` px per row (to the right)."""
    return crop.transform(
        crop.size,
        Image.Transform.AFFINE,
        (1, -lean, lean * crop.height / 2, 0, 1, 0),
        resample=Image.Resampling.BILINEAR,
        fillcolor=int(crop.getpixel((2, 2))),
    )


def _leaning_apart(crop: Image.Image, left: float, right: float) -> Image.Image:
    """``crop`` sheared so that its upright strokes lean ``left`` px per row at its left end and
    ``right`` at its right, the lean changing evenly along it (a photo at a strong slant)."""
    strips, half = 24, crop.height / 2
    mesh = []
    for index in range(strips):
        start, end = crop.width * index // strips, crop.width * (index + 1) // strips
        first = left + (right - left) * index / strips
        second = left + (right - left) * (index + 1) / strips
        quad = (start + first * half, 0, start - first * half, crop.height)
        quad += (end - second * half, crop.height, end + second * half, 0)
        mesh.append(((start, 0, end, crop.height), quad))
    return crop.transform(
        crop.size, Image.Transform.MESH, mesh, fillcolor=int(crop.getpixel((2, 2)))
    )


def test_a_band_whose_lines_lie_straight_is_left_as_it_is():
    assert reader.straightened(band(TD3)) is None
    assert reader.straightened(band(TD3, bow=3.0)) is None  # a bow of a tenth of a character


@pytest.mark.parametrize(
    "index",
    [
        1,  # a TD3 bowed up by 0.039 of its height: its code, country, number and names misread
        3,  # a TD3 in a 1 MP photo bowed down by 0.044: not found
        16,  # a PN bowed up by 0.05: every field but the dates misread
    ],
)
def test_a_bent_page_is_read_straightened(index):
    case = synth.make_case(index, 283, "bent")
    result = read_mrz(case.data, today=synth.TODAY)
    assert compare(case.truth, result.fields, result.type) == [] and result.valid


def test_a_band_whose_characters_stand_upright_is_left_as_it_is():
    assert reader.unslanted(band(TD3)) is None
    assert reader.unslanted(_leaning(band(TD3), 0.05)) is None  # under SLANT_LEAST


@pytest.mark.parametrize(
    ("bow", "lean", "reshaped"),
    [
        # Sixty px of a 1800 px page: the lines' middle nearly two character heights off their
        # ends.
        (60.0, 0.0, reader.straightened),
        (-60.0, 0.0, reader.straightened),
        # A third of a pixel per row: a 24 px character's top 8 px off its foot, as a card taken
        # at a slant leaned (a TD1's 3N6SHAMAE read 3N6SWMAMAE by every pass).
        (0.0, 0.3, reader.unslanted),
        (0.0, -0.3, reader.unslanted),
    ],
)
def test_a_bowed_or_leaning_band_is_reshaped_and_reads_as_printed(bow, lean, reshaped):
    crop = _leaning(band(TD3, bow=bow), lean)
    plain = read_crop(crop)
    assert plain is None or not plain.valid
    again = reshaped(crop)
    assert again is not None and again.size == crop.size
    parsed = read_crop(again)
    assert parsed is not None and parsed.valid and parsed.lines == TD3


def test_print_leaning_one_way_at_one_end_and_the_other_at_the_other_is_stood_up_along_it():
    # At a strong slant no one shear stands the whole band up: a card's thirds leaned 0.125,
    # 0.05 and -0.1, the whole 0.05, and VAN DER BERG read NAN DER BERG by every pass (slanted
    # 2027/20).
    # Lines of letters to their ends (a filler's chevron leans either way, ``unslanted``).
    full = compose.td3(
        surname="VANDERBERGHE HOOGSTRATEN",
        given_names="MARIA JOHANNA",
        number="L898902C3",
        country="NLD",
        nationality="NLD",
        date_of_birth="740812",
        sex="F",
        expiry_date="340415",
        personal_number="PQRSTUVWXYZ",
    )
    crop = _leaning_apart(band(full), 0.25, -0.25)
    first, _, last = (lean for _, lean in reader.print_leans(crop))
    assert first >= 0.1 and last <= -0.1
    upright = reader.unslanted(crop)
    assert upright is not None and upright.size == crop.size
    leans = [lean for _, lean in reader.print_leans(upright)]
    assert len(leans) == 3 and all(abs(lean) < reader.SLANT_LEAST for lean in leans)


def test_a_photo_at_a_strong_slant_read_otherwise_stood_up_along_the_band_is_not_sure():
    case = synth.make_case(20, 2027, "slanted")
    result = read_mrz(case.data, today=synth.TODAY)
    assert result.found and not result.valid
    assert result.fields["surname"] == case.truth["surname"]  # read stood up, shown so


@pytest.mark.parametrize(
    "index",
    [
        4,  # a TD3 at perspective 0.19: its number misread by every pass
        17,  # a PN at 0.218: its number, series and issue date misread
    ],
)
def test_a_photo_at_a_slant_is_read_with_its_characters_stood_up(index):
    case = synth.make_case(index, 295, "slanted")
    result = read_mrz(case.data, today=synth.TODAY)
    assert compare(case.truth, result.fields, result.type) == [] and result.valid


@pytest.mark.parametrize(
    ("index", "marked"),
    [
        # A visa's 11KGB40XB read 77KGB40XB by every pass, the two 7s cancelling in the check
        # digit: stood up, read right and shown so.
        (21, "number"),
        # A card's MUSTERMANN read NUSTERMANN by every pass.
        (12, "surname"),
    ],
)
def test_leaning_print_read_otherwise_stood_up_is_not_sure(index, marked):
    case = synth.make_case(index, 2026, "slanted")
    result = read_mrz(case.data, today=synth.TODAY)
    assert result.found and not result.valid
    assert not result.field_valid[marked]  # for the customer to check
    if marked == "number":
        assert result.fields["number"] == case.truth["number"]


def test_only_leaning_print_is_read_again_stood_up(monkeypatch):
    crop = band(TD3)
    reading = reader._Reading(read_crop(crop), _NO_BAND, False, (0, 0, 1, 1), 1.0, 1.0)
    reading.cut = crop

    def read_again(*args, **kwargs):
        raise AssertionError("read again stood up")

    monkeypatch.setattr(reader._Reading, "take", read_again)
    page = Image.new("L", (1, 1))  # unused: the reading's own crop is measured
    assert reader._read_upright(page, reading, synth.TODAY) is None  # no OCR for upright print
    reading.cut = _leaning(crop, 0.3)
    with pytest.raises(AssertionError, match="read again stood up"):
        reader._read_upright(page, reading, synth.TODAY)
