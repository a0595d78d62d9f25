"""Blurred print: a phone out of focus or shaken. After every other pass, a band whose print's
edges are soft is read with its blur undone (``reader.deblurred``); and a reading of blurred
print is sure only when its lookalikes' cells look like what was read, as small print's are
(every pass reads a blurred lookalike alike and wrong)."""

import numpy as np
import pytest
from PIL import Image, ImageFilter

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


def test_a_lookalike_every_pass_reads_alike_in_blurred_print_is_not_sure():
    # A PN's surname ЭЙХЕ (6QHE) read 6GHE, 40 px tall, by every pass: the Q's tail blurred away.
    case = synth.make_case(38, 278, "blurred")
    result = read_mrz(case.data, today=synth.TODAY)
    assert result.fields["surname"] == "6GHE"  # the misread this test is about
    assert not result.valid
