"""Which of two OCR-B characters a printed cell is, told by its shape.

For the pair no check digit covers and Tesseract does not weigh against each other: in a Russian
internal passport's names "8" stands for Я and "B" for Б. On a dim, blurred 13 px print Tesseract
read an "8" as "B" in every pass without weighing "8" at all (names have no check digit: valid and
wrong). Drawn in OCR-B at the cell's size, the two glyphs differ where the print still shows it:
B's straight stem against 8's round left side and waist; their right halves (two bowls) are
alike, so only the left half is compared. On 214 cells of generated photos (plain, dim, glare,
degraded; the 24 and 31 px passes of the reader's PN check), every 8 read as B looked more like
the 8 by 0.31 or more (a difference of correlations), every 8 read as 8 by 0.07 or more, and 65
of 70 B's looked more like the B; the other five, blurred into two rings, look like 8s to the eye
too. Blur pulls a B towards the 8 (one more, degraded, looked like an 8 by 0.5), so the shape can
only keep a reading "not sure" (``reader._confusables_clear``); it never tells which letter it is.

The same measure, over the whole cell, keeps small print's document number "not sure" where a
character looks like its lookalike the check digit cannot tell it from (6 and G:
``vote.shapes_clear``); each pair is read against how far apart its two glyphs are in
clean print (``apart``), since 0 and U differ in a quarter of what 6 and G do.
"""

from functools import cache, lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from uploads.mrz import render, tesseract

# Tesseract's box can be a pixel off the ink in size or place: each is tried.
SLACK = (-1, 0, 1)
MIN_HEIGHT = 8  # px: a cell smaller than this holds too few pixels to tell shapes apart
LEFT_SHARE = 0.5  # of the cell's width, the part compared for B and 8 (where they differ)
WHOLE = 1.0  # the whole cell: where other pairs differ (6 and G on the right, 0 and U on top)


@cache
def _glyph(char: str) -> Image.Image | None:
    """``char`` in OCR-B, white on black, cropped to its ink; None without the font."""
    if not render.OCR_B.exists():
        return None
    font = ImageFont.truetype(str(render.OCR_B), 400)
    canvas = Image.new("L", (800, 800), 0)
    ImageDraw.Draw(canvas).text((200, 100), char, font=font, fill=255)
    box = canvas.getbbox()
    return canvas.crop(box) if box is not None else None


@lru_cache(maxsize=512)
def _drawn(char: str, size: tuple[int, int]) -> np.ndarray | None:
    """``_glyph(char)`` resized to ``size``: the same few sizes recur over a band's cells."""
    glyph = _glyph(char)
    if glyph is None:
        return None
    drawn = np.asarray(glyph.resize(size, Image.Resampling.LANCZOS), dtype=np.float32)
    drawn.setflags(write=False)  # shared by every caller of the cache
    return drawn


def _correlation(a: np.ndarray, b: np.ndarray) -> float:
    a = a - a.mean()
    b = b - b.mean()
    norm = float(np.sqrt((a * a).sum() * (b * b).sum()))
    return float((a * b).sum()) / norm if norm > 0 else 0.0


def likeness(
    ink: np.ndarray, box: tesseract.Box, char: str, share: float = LEFT_SHARE
) -> float | None:
    """How much the print in ``box`` of ``ink`` (the image's darkness: 255 - gray) looks like
    OCR-B ``char`` in its left ``share``: the best correlation of that part of the cell with
    the glyph's, drawn at the box's size, a pixel larger or smaller and a pixel off either way.
    None without the font or for a cell too small."""
    left, top, right, bottom = box
    width, height = right - left, bottom - top
    if _glyph(char) is None or height < MIN_HEIGHT or width < MIN_HEIGHT // 2:
        return None
    best: float | None = None
    for grow_x in SLACK:
        for grow_y in SLACK:
            size = (width + grow_x, height + grow_y)
            whole = _drawn(char, size)
            if whole is None:
                return None
            part = max(2, round(size[0] * share))
            drawn = whole[:, :part]
            for dx in SLACK:
                for dy in SLACK:
                    x, y = left + dx, top + dy
                    if x < 0 or y < 0 or y + size[1] > ink.shape[0] or x + size[0] > ink.shape[1]:
                        continue
                    cell = ink[y : y + size[1], x : x + part]
                    score = _correlation(cell, drawn)
                    best = score if best is None else max(best, score)
    return best


def preference(
    ink: np.ndarray, box: tesseract.Box, first: str, second: str, share: float = LEFT_SHARE
) -> float | None:
    """How much more the cell looks like ``first`` than like ``second`` in its left ``share``
    (a difference of correlations, -2 to 2: positive for ``first``); None when either cannot
    be measured."""
    one, other = likeness(ink, box, first, share), likeness(ink, box, second, share)
    return None if one is None or other is None else one - other


@lru_cache(maxsize=512)
def apart(first: str, second: str, size: tuple[int, int]) -> float | None:
    """``preference`` of ``first``'s own glyph drawn clean at ``size`` (width, height) over
    ``second``, the whole cell: how far apart the two glyphs are at best (6 and G by 0.6, 0
    and U by 0.25), the scale a blurred cell's preference is read against."""
    drawn = _drawn(first, size)
    if drawn is None:
        return None
    border = max(SLACK)  # room for the one-pixel shifts ``likeness`` tries
    ink = np.pad(drawn, border)
    box = (border, border, border + size[0], border + size[1])
    return preference(ink, box, first, second, WHOLE)


def darkness(image: Image.Image) -> np.ndarray:
    """The image as ``likeness`` measures it: ink high, paper low."""
    gray = image if image.mode == "L" else image.convert("L")
    return 255.0 - np.asarray(gray, dtype=np.float32)
