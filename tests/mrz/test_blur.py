"""Blurred print: a phone out of focus or shaken. After every other pass, a band whose print's
edges are soft is read with its blur undone (``reader.deblurred``); and a reading of blurred
print is sure only when its lookalikes' cells look like what was read, as small print's are
(every pass reads a blurred lookalike alike and wrong)."""

import io
import math

import numpy as np
import pytest
from PIL import Image, ImageFilter, ImageOps

from bench import synth
from bench.samples import compare
from uploads.mrz import read_mrz, reader
from uploads.mrz.parse import parse_ocr

from .specimen import BAND_CHAR, band, read_crop, td3_lines

pytestmark = pytest.mark.ocr

TD3 = td3_lines("L898902C3", expiry_date="340415")


def test_sharp_print_is_not_taken_for_blurred_and_blurred_print_is():
    crop = band(TD3)
    (along,) = reader.edge_widths(crop)
    assert along < reader.BLURRED_EDGE * BAND_CHAR
    # A Gaussian of a tenth of the character height: the least the bench's defocus gives.
    soft = crop.filter(ImageFilter.GaussianBlur(0.1 * BAND_CHAR))
    (along,) = reader.edge_widths(soft)
    assert along >= reader.BLURRED_EDGE * BAND_CHAR


def streaked(crop: Image.Image, length: float, step: tuple[int, int]) -> Image.Image:
    """``crop`` smeared along a straight streak of ``length`` px in the direction ``step``
    (x, y), as a shaken phone smears a photo."""
    array = np.asarray(crop.convert("L"), dtype=np.float32)
    count = max(2, round(length))
    smeared = np.zeros_like(array)
    unit = np.hypot(*step)
    for index in range(count):
        along = (index / (count - 1) - 0.5) * length / unit
        smeared += np.roll(array, (round(along * step[1]), round(along * step[0])), axis=(0, 1))
    return Image.fromarray((smeared / count).astype(np.uint8))


def test_a_shake_down_a_diagonal_softens_the_edges_along_it_only():
    # The print's edges across the streak stay sharp: measured along the lines alone, a shaken
    # band is taken for sharp print; along the streak's diagonal it is blurred.
    least = reader.BLURRED_EDGE * BAND_CHAR
    crop = band(TD3)
    assert max(reader.edge_widths(crop, reader.SHAKE_STEPS)) < least
    shaken = streaked(crop, 0.4 * BAND_CHAR, (1, -1))
    along, down_the_streak = reader.edge_widths(shaken, ((1, 0), (1, -1)))
    assert along < least <= down_the_streak


def test_a_shakes_streak_is_found_along_it_and_not_in_sharp_or_defocused_print():
    crop = band(TD3)
    assert reader.shake_streak(crop, BAND_CHAR) is None
    # Out of focus: soft every way alike, a Gaussian's to undo (``deblurred``).
    assert reader.shake_streak(crop.filter(ImageFilter.GaussianBlur(3.2)), BAND_CHAR) is None
    for step, degrees in (((1, -1), 135), ((0, 1), 90), ((2, 1), 27)):
        streak = reader.shake_streak(streaked(crop, 0.4 * BAND_CHAR, step), BAND_CHAR)
        assert streak is not None
        angle, length = streak
        assert abs((math.degrees(angle) - degrees + 90) % 180 - 90) < 12  # a line: no sense
        assert 0.25 < length < 0.6  # of a character height: 0.4


def test_a_streak_between_two_directions_measured_is_found_between_them():
    crop = band(TD3)
    for step in ((3, 1), (1, 3), (-3, 1)):  # 8.1 degrees from the nearest of STREAK_STEPS
        streak = reader.shake_streak(streaked(crop, 0.4 * BAND_CHAR, step), BAND_CHAR)
        assert streak is not None
        degrees = math.degrees(math.atan2(step[1], step[0]))
        assert abs((math.degrees(streak[0]) - degrees + 90) % 180 - 90) < 6


@pytest.mark.parametrize(("length", "step"), [(0.5, (2, 1)), (0.5, (0, 1))])
def test_a_shaken_band_is_read_as_printed_with_its_streak_undone(length, step):
    expected = parse_ocr([(line, 100.0) for line in TD3], today=synth.TODAY)
    shaken = streaked(band(TD3), length * BAND_CHAR, step)
    plain = read_crop(shaken)
    assert plain is None or not plain.valid
    streak = reader.shake_streak(shaken, BAND_CHAR)
    assert streak is not None
    parsed = read_crop(reader.unshaken(shaken, streak[0], streak[1] * BAND_CHAR))
    assert parsed is not None and parsed.valid and parsed.fields == expected.fields


def test_a_letter_a_shake_smeared_into_its_lookalike_is_not_sure():
    # O'NEILL read O'MEILL by every pass, valid, its edges along the lines a sharp print's: the
    # streak ran down a diagonal, and the M's cell looked like an N's.
    case = synth.make_case(30, 280, "blurred")
    result = read_mrz(case.data, today=synth.TODAY)
    assert result.fields["surname"] == "O MEILL"  # the misread this test is about
    assert not result.valid


def test_a_blurred_band_is_read_as_printed_with_its_blur_undone():
    expected = parse_ocr([(line, 100.0) for line in TD3], today=synth.TODAY)
    # A Gaussian of 0.13 of the character height: every check passes, but not for sure.
    blurred = band(TD3).filter(ImageFilter.GaussianBlur(3.2))
    plain = read_crop(blurred)
    assert plain is None or not plain.valid
    sharp = reader.deblurred(blurred, reader.DEBLUR_SHARE * BAND_CHAR)
    assert sharp.size == blurred.size
    parsed = read_crop(sharp)
    assert parsed is not None and parsed.valid and parsed.fields == expected.fields


@pytest.mark.parametrize(
    "index",
    [
        5,  # a TD3 out of focus: its number misread by every pass
        13,  # an MRV-A out of focus (3.5 px): read as another format
    ],
)
def test_a_blurred_photo_is_read_with_its_blur_undone(index):
    case = synth.make_case(index, 277, "blurred")
    result = read_mrz(case.data, today=synth.TODAY)
    assert compare(case.truth, result.fields, result.type) == [] and result.valid


@pytest.mark.parametrize(
    ("index", "seed"),
    [
        (11, 2026),  # an ID card (TD2) whose number and given names every pass misread
        (37, 7),  # a passport whose issuing state every pass misread (not valid)
    ],
)
def test_a_shaken_photo_is_read_with_its_streak_undone(index, seed):
    case = synth.make_case(index, seed, "blurred")
    result = read_mrz(case.data, today=synth.TODAY)
    assert compare(case.truth, result.fields, result.type) == [] and result.valid


def test_two_lookalikes_a_shake_made_of_a_number_cancelling_in_its_check_digit_are_not_sure():
    # H4S4TJJW0 read HASATJJW0 by every pass (two As for 4s: +18 and +42), valid, the card's
    # number opening its composite; the band read unshaken passes with the number as printed.
    case = synth.make_case(10, 404)
    photo = ImageOps.exif_transpose(Image.open(io.BytesIO(case.data))).convert("RGB")
    data = io.BytesIO()
    synth.streaked(photo, 16, math.radians(56.3)).save(data, format="JPEG", quality=85)
    result = read_mrz(data.getvalue(), today=synth.TODAY)
    assert not result.valid
    assert result.fields["number"] == case.truth["number"] == "H4S4TJJW0"  # unshaken, shown


def test_a_shaken_reading_the_band_read_unshaken_does_not_confirm_is_not_sure():
    # Every pass read JOSE LUIS as JOBE LUIB and the number's S as an 8 (alike to its check
    # digit), valid; unshaken, the band read no MRZ passing its checks.
    case = synth.make_case(39, 2026, "shaken")
    result = read_mrz(case.data, today=synth.TODAY)
    assert result.fields["given_names"] == "JOBE LUIB"  # the misread this test is about
    assert not result.valid


def test_a_lookalike_every_pass_reads_alike_in_blurred_print_is_not_sure():
    # A PN's surname ЭЙХЕ (6QHE) read 6GHE, 40 px tall, by every pass: the Q's tail blurred away.
    case = synth.make_case(38, 278, "blurred")
    result = read_mrz(case.data, today=synth.TODAY)
    assert result.fields["surname"] == "6GHE"  # the misread this test is about
    assert not result.valid
