"""``glyphs``: telling OCR-B's 8 from its B by the cell's shape, on print drawn small, blurred,
dim and noisy (Tesseract read such an 8 as B in every pass, weighing no 8 at all)."""

import random
from collections import defaultdict

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from uploads.mrz import glyphs, render, vote
from uploads.mrz.tesseract import Symbol

pytestmark = pytest.mark.skipif(not render.OCR_B.exists(), reason="the OCR-B font is not here")


def _printed(char: str, height: int, *, blur: float, dim: float, noise: float, seed: int):
    """``char`` (with a neighbour each side, as in a line) printed with cap height ``height``
    px, blurred, its contrast cut to ``dim``, noise of ``noise`` grey levels; the image and the
    char's ink box."""
    font = ImageFont.truetype(str(render.OCR_B), round(height * 1.4))
    text = f"K{char}N"
    image = Image.new("L", (height * 4, height * 2), 235)
    ImageDraw.Draw(image).text((height // 3, height // 3), text, font=font, fill=20)
    alone = Image.new("L", image.size, 0)
    before = ImageDraw.Draw(alone).textlength("K", font=font)
    ImageDraw.Draw(alone).text((height // 3 + before, height // 3), char, font=font, fill=255)
    box = alone.getbbox()
    image = image.filter(ImageFilter.GaussianBlur(blur))
    pixels = np.asarray(image, dtype=np.float32)
    pixels = 235 - (235 - pixels) * dim
    rng = np.random.default_rng(seed)
    pixels = pixels + rng.normal(0, noise, pixels.shape)
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)), box


CONDITIONS = [
    # (cap height px, blur radius, contrast kept, noise): clean, small, blurred, dim and noisy
    (30, 0.0, 1.0, 0.0),
    (24, 1.0, 0.8, 4.0),
    (18, 1.5, 0.5, 6.0),
    (14, 1.2, 0.4, 8.0),
]


@pytest.mark.parametrize(("height", "blur", "dim", "noise"), CONDITIONS)
@pytest.mark.parametrize("char", ["8", "B"])
def test_it_tells_eight_from_b(char, height, blur, dim, noise):
    seed = random.Random(f"{char}{height}").randrange(1000)
    image, box = _printed(char, height, blur=blur, dim=dim, noise=noise, seed=seed)
    preference = glyphs.preference(glyphs.darkness(image), box, "B", "8")
    assert preference is not None
    assert (preference if char == "B" else -preference) > 0.05


def test_it_measures_nothing_it_cannot_see():
    ink = glyphs.darkness(Image.new("L", (40, 40), 200))
    assert glyphs.preference(ink, (5, 5, 9, 10), "B", "8") is None  # a cell 5 px high
    assert glyphs.likeness(ink, (0, 0, 20, 30), "B") == 0.0  # blank paper: no likeness
    # A box running off the image is measured where it fits, if anywhere.
    assert glyphs.likeness(ink, (30, 30, 45, 50), "8") is None


def test_a_pass_placed_a_character_off_the_reading_measures_nothing():
    image, box = _printed("B", 24, blur=0.0, dim=1.0, noise=0.0, seed=1)
    line = [Symbol(c, 90.0, ((c, 90.0),), box if c == "B" else None) for c in "PNRUSKBN"]
    measured: dict = defaultdict(list)
    vote._weigh_shapes(line, image, measured, "PNRUSKBN")
    assert measured[6][0] > 0  # a B, measured as one
    # The reading has its B a place before (a letter read twice by the pass): its cell at the
    # reading's place is another letter's, so nothing is measured.
    skipped: dict = defaultdict(list)
    vote._weigh_shapes(line, image, skipped, "PNRUSBKN")
    assert skipped == {}
