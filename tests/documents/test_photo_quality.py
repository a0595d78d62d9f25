"""Photo problems measured on generated pictures: the specimen page, spoilt in one way at a time."""

import pytest
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter

from uploads.documents import specimens
from uploads.documents.photo_quality import (
    PhotoProblem,
    hints_after_failed_reading,
    measure,
    problems,
)


@pytest.fixture(scope="module")
def page() -> Image.Image:
    return specimens.render_page(specimens.ERIKSSON).convert("RGB")


def test_it_finds_nothing_wrong_with_a_good_photo(page):
    assert problems(page) == []


def test_it_finds_nothing_wrong_with_a_good_photo_at_phone_resolution():
    big = specimens.render_page(specimens.ERIKSSON, width=4000).convert("RGB")
    assert problems(big) == []


def test_it_says_too_dark(page):
    dark = ImageEnhance.Brightness(page).enhance(0.25)
    assert problems(dark) == [PhotoProblem.TOO_DARK]


def test_it_leaves_a_dim_but_readable_photo_alone(page):
    assert PhotoProblem.TOO_DARK not in problems(ImageEnhance.Brightness(page).enhance(0.6))


@pytest.mark.parametrize("radius", [3, 6, 12])
def test_it_says_blurred(page, radius):
    assert problems(page.filter(ImageFilter.GaussianBlur(radius))) == [PhotoProblem.BLURRED]


def test_it_leaves_a_slightly_soft_photo_alone(page):
    assert problems(page.filter(ImageFilter.GaussianBlur(1))) == []


def test_it_measures_sharpness_falling_with_blur(page):
    values = [measure(page.filter(ImageFilter.GaussianBlur(r))).sharpness for r in (0.5, 1, 2, 4)]
    assert values == sorted(values, reverse=True)


def test_it_says_glare_for_a_clipped_patch(page):
    glare = page.copy()
    width, height = glare.size
    ImageDraw.Draw(glare).ellipse(
        (width * 0.3, height * 0.2, width * 0.6, height * 0.5), fill=(255, 255, 255)
    )
    assert problems(glare.filter(ImageFilter.GaussianBlur(1))) == [PhotoProblem.GLARE]


def test_it_does_not_call_a_white_scan_glare():
    scan = Image.new("RGB", (1600, 1100), (255, 255, 255))
    ImageDraw.Draw(scan).rectangle((100, 100, 1500, 1000), outline=(0, 0, 0), width=6)
    for row in range(8):
        ImageDraw.Draw(scan).text((150, 150 + row * 100), "P<UTOERIKSSON<<ANNA<MARIA" * 2, fill=0)
    assert PhotoProblem.GLARE not in problems(scan)


def test_it_says_the_page_is_too_small_in_the_frame(page):
    table = Image.new("RGB", (3000, 2250), (60, 70, 80))
    table.paste(page.resize((page.width * 3 // 10, page.height * 3 // 10)), (1200, 900))
    assert problems(table) == [PhotoProblem.TOO_SMALL]


def test_it_says_too_small_when_the_readers_mrz_box_is_narrow(page):
    width, height = page.size
    narrow = (width // 2, height - 120, width // 2 + width // 5, height - 20)
    assert PhotoProblem.TOO_SMALL in problems(page, mrz_box=narrow)


@pytest.mark.parametrize("crop", ["bottom", "right"])
def test_it_says_the_mrz_is_cut_off(page, crop):
    width, height = page.size
    box = (
        (0, 0, width, int(height * 0.93)) if crop == "bottom" else (0, 0, int(width * 0.7), height)
    )
    assert problems(page.crop(box)) == [PhotoProblem.MRZ_CUT_OFF]


def test_it_says_cut_off_when_the_readers_mrz_box_touches_the_edge(page):
    width, height = page.size
    assert problems(page, mrz_box=(40, height - 150, width, height)) == [PhotoProblem.MRZ_CUT_OFF]
    assert problems(page, mrz_box=(40, height - 150, width - 40, height - 40)) == []


def test_it_says_wrong_page_for_a_sound_photo_without_an_mrz(page):
    width, height = page.size
    top_half = page.crop((0, 0, width, int(height * 0.6)))
    assert hints_after_failed_reading(top_half) == [PhotoProblem.WRONG_PAGE]


def test_it_gives_the_problems_found_rather_than_wrong_page(page):
    dark = ImageEnhance.Brightness(page).enhance(0.25)
    assert hints_after_failed_reading(dark) == [PhotoProblem.TOO_DARK]


def test_it_copes_with_tiny_and_blank_pictures():
    assert PhotoProblem.TOO_DARK in hints_after_failed_reading(Image.new("L", (2, 2), 0))
    assert PhotoProblem.BLURRED in problems(Image.new("RGB", (800, 600), (200, 200, 200)))
