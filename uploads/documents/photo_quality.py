"""What is wrong with a passport photo the MRZ could not be read from, so the customer gets a hint.

Measured on a grayscale copy with the longest side at ``WORK_SIDE`` (so thresholds do not depend
on the camera's resolution), with numpy and scipy only:

- too dark: the mean brightness and the bright end of the histogram;
- blurred: the variance of the Laplacian over the page (sharp print has strong second derivatives);
- glare: a connected patch of clipped highlights on a page that is not white all over;
- page too small in the frame: the box holding the print (strong gradients) covers little of it;
- MRZ cut off: the reader's MRZ box (or, when it found none, the locator's longest text band)
  touches the edge of the picture;
- wrong page: nothing of the above, yet no MRZ: most likely another page was photographed.

No Django here: the unit tests run it on generated images.
"""

import math
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from PIL import Image
from scipy import ndimage

from uploads.mrz import locate

WORK_SIDE = 1000

# Thresholds, tuned on the specimens of tests/documents/test_photo_quality.py (a sharp, evenly lit page gives
# a mean about 200, a Laplacian variance well above 300 and no clipped patch).
DARK_MEAN = 70.0  # mean brightness 0-255
DARK_BRIGHT_END = 110.0  # 95th percentile: even the paper is grey
BLUR_VARIANCE = 60.0
GLARE_CLIPPED = 250  # a pixel this bright is clipped
GLARE_PATCH = 0.01  # the largest clipped patch's share of the picture
GLARE_PAGE_MEDIAN = 248.0  # above this the whole page is white (a scan): clipped is normal
EDGE_GRADIENT = 40.0
SMALL_PAGE = 0.2  # share of the picture the print covers
SMALL_MRZ = 0.3  # the MRZ's width as a share of the picture's width
EDGE_MARGIN = 0.01  # how close to the edge counts as touching it


class PhotoProblem(StrEnum):
    TOO_DARK = "too_dark"
    BLURRED = "blurred"
    GLARE = "glare"
    TOO_SMALL = "too_small"
    MRZ_CUT_OFF = "mrz_cut_off"
    WRONG_PAGE = "wrong_page"


@dataclass(frozen=True)
class Measures:
    brightness: float  # mean over the printed area, 0-255
    bright_end: float  # its 95th percentile, 0-255
    sharpness: float  # variance of the Laplacian inside the printed area
    glare: float  # largest clipped patch, share of the picture
    page_median: float  # median brightness
    content: float  # share of the picture the print covers
    mrz_at_edge: bool


def _working_gray(image: Image.Image) -> np.ndarray:
    gray = image.convert("L") if image.mode != "L" else image
    if max(gray.size) > WORK_SIDE:
        scale = WORK_SIDE / max(gray.size)
        gray = gray.resize(
            (max(1, round(gray.width * scale)), max(1, round(gray.height * scale))),
            Image.Resampling.BOX,
        )
    return np.asarray(gray, dtype=np.float32)


def _laplacian(gray: np.ndarray) -> np.ndarray:
    return (
        gray[1:-1, :-2] + gray[1:-1, 2:] + gray[:-2, 1:-1] + gray[2:, 1:-1] - 4 * gray[1:-1, 1:-1]
    )


def _content_box(gray: np.ndarray) -> tuple[int, int, int, int] | None:
    """(left, top, right, bottom) of the printed area: where the strong gradients are.

    Looked for on a copy a quarter the size, where a blurred photo still has strong edges.
    """
    factor = 4
    height, width = gray.shape
    small = gray[: height - height % factor, : width - width % factor]
    small = small.reshape(small.shape[0] // factor, factor, small.shape[1] // factor, factor)
    small = small.mean(axis=(1, 3))
    if min(small.shape) < 3:
        return None
    gy, gx = np.gradient(small)
    edges = np.abs(gx) + np.abs(gy) > EDGE_GRADIENT
    ys, xs = np.nonzero(edges)
    if xs.size < 50:
        return None
    # Percentiles, so a speck of dust at the border does not stretch the box.
    left, right = np.percentile(xs, [1, 99])
    top, bottom = np.percentile(ys, [1, 99])
    return (
        int(left) * factor,
        int(top) * factor,
        min(width, (int(right) + 1) * factor),
        min(height, (int(bottom) + 1) * factor),
    )


def _largest_clipped_patch(gray: np.ndarray) -> float:
    clipped = gray >= GLARE_CLIPPED
    if not clipped.any():
        return 0.0
    labels, count = ndimage.label(clipped)
    sizes = np.bincount(labels.ravel())[1:]
    return float(sizes.max()) / gray.size if count else 0.0


def _touches_edge(
    box: tuple[float, float, float, float], width: float, height: float, margin: float
) -> bool:
    left, top, right, bottom = box
    return left <= margin or top <= margin or right >= width - margin or bottom >= height - margin


def _band_at_edge(gray: np.ndarray) -> bool:
    """Whether the locator's longest text band (the MRZ, when there is one) runs off the picture."""
    bands = locate.find_bands(gray.astype(np.uint8))
    if not bands:
        return False
    height, width = gray.shape
    band = max(bands, key=lambda candidate: candidate.length)
    if band.length < 0.3 * min(width, height):
        return False  # a short line of print, not an MRZ
    half_x = (
        abs(math.cos(band.angle)) * band.length / 2 + abs(math.sin(band.angle)) * band.width / 2
    )
    half_y = (
        abs(math.sin(band.angle)) * band.length / 2 + abs(math.cos(band.angle)) * band.width / 2
    )
    box = (band.cx - half_x, band.cy - half_y, band.cx + half_x, band.cy + half_y)
    return _touches_edge(box, width, height, band.char)


def measure(image: Image.Image, *, mrz_box: tuple[int, int, int, int] | None = None) -> Measures:
    """The numbers the hints are decided from. ``mrz_box`` is the reader's, in ``image`` pixels."""
    gray = _working_gray(image)
    height, width = gray.shape
    box = _content_box(gray)
    if box is None:
        # No strong gradient anywhere: far too blurred (or blank) to tell where the page is.
        content, page = 1.0, gray
    else:
        left, top, right, bottom = box
        content = (right - left) * (bottom - top) / (width * height)
        page = gray[top:bottom, left:right]
    sharpness = float(_laplacian(page).var()) if min(page.shape) > 2 else 0.0
    if mrz_box is not None:
        mrz_at_edge = _touches_edge(
            mrz_box, image.width, image.height, EDGE_MARGIN * max(image.size)
        )
    else:
        mrz_at_edge = _band_at_edge(gray)
    return Measures(
        # Brightness of the page, not of the table it lies on.
        brightness=float(page.mean()),
        bright_end=float(np.percentile(page, 95)),
        sharpness=sharpness,
        glare=_largest_clipped_patch(gray),
        page_median=float(np.median(gray)),
        content=content,
        mrz_at_edge=mrz_at_edge,
    )


def problems(
    image: Image.Image, *, mrz_box: tuple[int, int, int, int] | None = None
) -> list[PhotoProblem]:
    """What is visibly wrong with the photo, most important first (empty: nothing found)."""
    m = measure(image, mrz_box=mrz_box)
    found: list[PhotoProblem] = []
    if m.brightness < DARK_MEAN or m.bright_end < DARK_BRIGHT_END:
        found.append(PhotoProblem.TOO_DARK)
    if m.sharpness < BLUR_VARIANCE:
        found.append(PhotoProblem.BLURRED)
    if m.glare >= GLARE_PATCH and m.page_median < GLARE_PAGE_MEDIAN:
        found.append(PhotoProblem.GLARE)
    too_small = m.content < SMALL_PAGE
    if mrz_box is not None:
        too_small = too_small or (mrz_box[2] - mrz_box[0]) < SMALL_MRZ * image.width
    if too_small:
        found.append(PhotoProblem.TOO_SMALL)
    if m.mrz_at_edge:
        found.append(PhotoProblem.MRZ_CUT_OFF)
    return found


def hints_after_failed_reading(
    image: Image.Image, *, mrz_box: tuple[int, int, int, int] | None = None
) -> list[PhotoProblem]:
    """The hints for a photo the MRZ was not read from: a sound photo means the wrong page."""
    return problems(image, mrz_box=mrz_box) or [PhotoProblem.WRONG_PAGE]
