"""Finding the MRZ band on a downscaled grayscale image, in any orientation.

Dark text is picked out with a morphological black-hat, characters are merged into text blobs by a
closing sized from the page's own character size, and elongated dense blobs become candidates. Each
candidate is described by its centre, angle (from its second moments) and size, so the band can be
cut out of the full-resolution image already turned horizontal.
"""

import math
from dataclasses import dataclass, replace

import numpy as np
from PIL import Image
from scipy import ndimage

from uploads.mrz import morphology

MAX_ZOOM = 8.0
WORK_SIDE = 800  # the longest side of the image the search runs on
# Shares of a merged blob's peak print, across its lines, whose runs above are its rows
# (``_row_runs``); past the first, only rows of like height (the tallest at most
# ROW_HEIGHTS_RATIO of the shortest) count, as a single line of large print parts above a high
# share too (a capital's bars).
ROW_LEVELS = (0.5, 0.6, 0.7)
ROW_HEIGHTS_RATIO = 1.6


@dataclass(frozen=True)
class Band:
    cx: float  # centre, in pixels of the searched image
    cy: float
    angle: float  # radians, direction of the text lines (image y axis points down)
    length: float  # along the lines
    width: float  # across the lines
    char: float  # estimated character height
    score: float
    rows: int = 1  # more when the lines touched and were found as one blob (``_rows``)

    def margin(self) -> float:
        """Character heights added at each end of the lines when the band is cut: more for
        merged lines, whose ends the blob's shape places less well (it takes in what touches
        them, a photo's edge, and a tilt joins the rows askew)."""
        return 2.5 if self.rows == 1 else 6.0

    def cut_length(self) -> float:
        """The length ``cut_band`` cuts along the lines: the band's and its margin at each end."""
        return self.length + 2 * self.margin() * self.char

    def lengthened(self, by: float) -> "Band":
        """The same band ``by`` (its own units) longer at each end: a line's end it cut off."""
        return replace(self, length=self.length + 2 * by)

    def contains(self, x: float, y: float, *, margin: float = 0.0) -> bool:
        dx, dy = x - self.cx, y - self.cy
        along = dx * math.cos(self.angle) + dy * math.sin(self.angle)
        across = -dx * math.sin(self.angle) + dy * math.cos(self.angle)
        return abs(along) <= self.length / 2 + margin and abs(across) <= self.width / 2 + 2 * margin


def working_image(image: Image.Image) -> tuple[np.ndarray, float]:
    """A grayscale array with the longest side at most WORK_SIDE, and its scale to ``image``."""
    gray = image if image.mode == "L" else image.convert("L")
    scale = 1.0
    if max(gray.size) > WORK_SIDE:
        scale = WORK_SIDE / max(gray.size)
        factor = int(1 / scale)
        if factor >= 2:
            gray = gray.reduce(factor)
        gray = gray.resize(
            (max(1, round(image.width * scale)), max(1, round(image.height * scale))),
            Image.Resampling.BILINEAR,
        )
    return np.asarray(gray, dtype=np.uint8), scale


def _otsu(values: np.ndarray) -> float:
    """Otsu's threshold of a uint8 array."""
    hist = np.bincount(values.ravel(), minlength=256).astype(np.float64)
    levels = np.arange(256, dtype=np.float64)
    weight1 = np.cumsum(hist)
    weight2 = weight1[-1] - weight1
    sum1 = np.cumsum(hist * levels)
    mean1 = sum1 / np.maximum(weight1, 1)
    mean2 = (sum1[-1] - sum1) / np.maximum(weight2, 1)
    between = weight1 * weight2 * (mean1 - mean2) ** 2
    return float(np.argmax(between))


def find_bands(
    gray: np.ndarray, *, limit: int = 6, relative: bool = False, darkest: bool = False
) -> list[Band]:
    """Candidate MRZ bands, most promising first. With ``relative``, the print's darkness is
    measured against the local paper's brightness (the black-hat divided by the closing), which
    a shadow or dim light scales alike: a band crossed by a hard shadow edge is found whole.
    With ``darkest``, only the darker class of what the threshold keeps counts as print (Otsu's
    threshold again, over the pixels above it): a card's security printing (guilloche) is
    fainter than its print, and above the first threshold it joins the MRZ's lines and the
    rest of the card into one blob."""
    height, width = gray.shape
    side = max(height, width)
    if min(height, width) < 20:
        return []
    kernel = max(7, round(side / 60))
    gray = gray.astype(np.uint8, copy=False)
    closing = morphology.grey_closing(gray, (kernel, kernel))
    blackhat = closing - gray  # uint8: closing >= gray
    if relative:
        # The share of the local paper's brightness the print takes away, 0-255; paper darker
        # than 12 (a black table) is left out, its noise would read as print.
        share = blackhat.astype(np.float32) / np.maximum(closing.astype(np.float32), 12.0)
        blackhat = np.clip(share * 255, 0, 255).astype(np.uint8)
    threshold = max(_otsu(blackhat), 24.0 if relative else 18.0)
    mask = blackhat > threshold
    if darkest and mask.any():
        mask = blackhat > max(threshold, _otsu(blackhat[mask]))
    labels, count = ndimage.label(mask)
    if count == 0:
        return []
    slices = ndimage.find_objects(labels)
    sizes = np.array(
        [max(s[0].stop - s[0].start, s[1].stop - s[1].start) for s in slices], dtype=np.float32
    )
    glyphs = sizes[(sizes >= 4) & (sizes <= side / 12)]
    if glyphs.size < 10:
        return []
    char = float(np.median(glyphs))
    lines: list[tuple[Band, np.ndarray, np.ndarray]] = []
    gap = max(3, round(char * 1.6))
    for size in ((1, gap), (gap, 1)):  # upright or sideways; tilts up to ~30 degrees still join
        merged = morphology.minimum_filter(morphology.maximum_filter(mask, size), size)
        lines.extend(_line_candidates(merged, char, side, mask))
    bands = _group(lines, char)
    bands.sort(key=lambda band: -band.score)
    kept: list[Band] = []
    for band in bands:
        if any(other.contains(band.cx, band.cy, margin=char) for other in kept):
            continue
        kept.append(band)
        if len(kept) >= limit:
            break
    return kept


def _geometry(xs: np.ndarray, ys: np.ndarray) -> tuple[float, float, float, float, float]:
    cx, cy = float(xs.mean()), float(ys.mean())
    cov = np.cov(np.vstack([xs - cx, ys - cy]))
    values, vectors = np.linalg.eigh(cov)
    length = math.sqrt(12 * max(values[1], 0))
    across = math.sqrt(12 * max(values[0], 0))
    angle = math.atan2(vectors[1, 1], vectors[0, 1])
    if angle > math.pi / 2:
        angle -= math.pi
    elif angle <= -math.pi / 2:
        angle += math.pi
    return cx, cy, angle, length, across


def _line_candidates(
    merged: np.ndarray, char: float, side: int, mask: np.ndarray | None = None
) -> list[tuple[Band, np.ndarray, np.ndarray]]:
    labels, _ = ndimage.label(merged)
    found = []
    for index, region in enumerate(ndimage.find_objects(labels), start=1):
        extent = max(region[0].stop - region[0].start, region[1].stop - region[1].start)
        if extent < max(10 * char, side * 0.06):
            continue
        ys, xs = np.nonzero(labels[region] == index)
        xs = xs.astype(np.float64) + region[1].start
        ys = ys.astype(np.float64) + region[0].start
        cx, cy, angle, length, across = _geometry(xs, ys)
        if across < 0.5 * char or length < 4 * across:
            continue
        fill = len(xs) / max(length * across, 1)
        if fill < 0.45:
            continue
        # MRZ lines are long, thin and dense: 30 to 44 characters with no gaps.
        # MRZ characters are at least as large as the page's usual print (often larger).
        line_char = across
        rows = None
        if mask is not None and across > 1.7 * char:
            # Lines that touch (TD1's are close; blur, a tilt or a shadow's edge joins them) make
            # one blob: its character height is its own rows', not the blob's width.
            rows = _rows(mask[region] & (labels[region] == index), region, cx, cy, angle)
            if rows is not None:
                count, line_char, first, last = rows
                across = max(across, count * line_char)
                # Along the rows' own print only (a photo box's edge joined to the first row
                # would shift the band and cut the lines' ends off).
                length = last - first
                cx += (first + last) / 2 * math.cos(angle)
                cy += (first + last) / 2 * math.sin(angle)
        score = length * min(fill, 1.0) * min(length / (across * 25), 1.0)
        score *= min(max(line_char / char, 0.5), 1.5)
        band = Band(cx, cy, angle, length, across, line_char, score, rows[0] if rows else 1)
        found.append((band, xs, ys))
    return found


def _rows(
    ink: np.ndarray, region: tuple[slice, slice], cx: float, cy: float, angle: float
) -> tuple[int, float, float, float] | None:
    """The text rows of a blob of merged lines: the print's (``ink``, the blob's own pixels
    before joining) profile across the lines, each run above half its peak a row. Their count
    (2 or 3), median height, and where the rows' print starts and ends along the lines (from
    the centre); None for one row or more than three."""
    ys, xs = np.nonzero(ink)
    if xs.size < 50:
        return None
    xs = xs + region[1].start - cx
    ys = ys + region[0].start - cy
    across = -xs * math.sin(angle) + ys * math.cos(angle)
    offset = math.floor(across.min())
    profile = np.bincount((across - offset).astype(np.int64)).astype(np.float64)
    profile = ndimage.uniform_filter1d(profile, 3)
    found = _row_runs(profile)
    if found is None:
        return None
    labels, count, height = found
    inside = labels[(across - offset).astype(np.int64)] > 0
    along = (xs * math.cos(angle) + ys * math.sin(angle))[inside]
    if along.size < 50:
        return None
    first, last = np.percentile(along, (0.5, 99.5))
    return count, height, float(first), float(last)


def _row_runs(profile: np.ndarray) -> tuple[np.ndarray, int, float] | None:
    """The rows of a profile across merged lines: its runs above half its peak, or, where blur
    filled the gap between two rows above that (dim light, a 1 MP photo at JPEG quality 35: the
    gap's dip at 0.53 of the peak), above ROW_LEVELS' higher shares of it, the first that parts
    the blob into 2 or 3 runs of like height (the MRZ's rows, its characters' height apart).
    The runs' labels, their count and median height; None when no share parts it so."""
    peak = profile.max()
    for level in ROW_LEVELS:
        labels, count = ndimage.label(profile > level * peak)
        if count == 1:
            continue  # one run: a higher share may part it
        if not 2 <= count <= 3:
            return None
        heights = [int(s[0].stop - s[0].start) for s in ndimage.find_objects(labels)]
        height = float(np.median(heights))
        if height < 3:
            return None
        if level == ROW_LEVELS[0] or max(heights) <= ROW_HEIGHTS_RATIO * min(heights):
            return labels, count, height
        return None
    return None


def _group(lines: list[tuple[Band, np.ndarray, np.ndarray]], char: float) -> list[Band]:
    """Parallel neighbouring lines of similar length become one band (the MRZ has 2 or 3)."""
    bands = []
    for line, _, _ in lines:
        group = [
            (other, xs, ys)
            for other, xs, ys in lines
            if abs(math.sin(other.angle - line.angle)) < 0.12
            and 0.75 < other.length / line.length < 1.33
            and _offsets(line, other)[0] < 0.2 * line.length
            and _offsets(line, other)[1] < 4.5 * max(line.width, other.width)
        ]
        xs = np.concatenate([xs for _, xs, _ in group])
        ys = np.concatenate([ys for _, _, ys in group])
        cx, cy, angle, length, across = _geometry(xs, ys)
        if len(group) == 1:  # its own geometry (merged rows: along their print only)
            cx, cy, angle, length, across = line.cx, line.cy, line.angle, line.length, line.width
        count = len(group)
        if count == 1:  # merged lines, told apart by _rows
            count = line.rows
        bonus = 1.5 if count in (2, 3) else 1.0
        score = sum(other.score for other, _, _ in group) * bonus
        line_char = float(np.median([other.char for other, _, _ in group]))
        merged = max(other.rows for other, _, _ in group)
        bands.append(Band(cx, cy, angle, length, max(across, line.width), line_char, score, merged))
    return bands


def _offsets(line: Band, other: Band) -> tuple[float, float]:
    dx, dy = other.cx - line.cx, other.cy - line.cy
    along = abs(dx * math.cos(line.angle) + dy * math.sin(line.angle))
    across = abs(-dx * math.sin(line.angle) + dy * math.cos(line.angle))
    return along, across


@dataclass(frozen=True)
class _Cut:
    """Where ``cut_band`` cuts a band, in the cut image's pixels: its centre, character height,
    half its length and width with the margins, and the unit vector along its lines."""

    cx: float
    cy: float
    char: float
    half_length: float
    half_width: float
    ux: float
    uy: float

    @classmethod
    def of(
        cls, band: Band, scale: float, *, flip: bool, extra_lines: float | None = None
    ) -> "_Cut":
        factor = 1 / scale
        char = band.char * factor
        if extra_lines is None:  # a single line found: take in its neighbours, the MRZ has 2 or 3
            extra_lines = 3.8 if band.width < 1.6 * band.char else 1.2
        angle = band.angle + (math.pi if flip else 0.0)
        return cls(
            cx=band.cx * factor,
            cy=band.cy * factor,
            char=char,
            half_length=band.cut_length() * factor / 2,
            half_width=band.width * factor / 2 + extra_lines * char,
            ux=math.cos(angle),
            uy=math.sin(angle),
        )


def cut_band(
    image: Image.Image,
    band: Band,
    scale: float,
    *,
    flip: bool,
    target_char: float = 24.0,
    extra_lines: float | None = None,
) -> tuple[Image.Image, tuple[int, int, int, int]]:
    """The band cut from ``image`` (``scale`` = searched/full), horizontal, characters about
    ``target_char`` pixels high, with ``extra_lines`` character heights of margin across the lines.
    Returns the grayscale crop and its axis-aligned box in ``image``."""
    cut = _Cut.of(band, scale, flip=flip, extra_lines=extra_lines)
    cx, cy, char = cut.cx, cut.cy, cut.char
    half_length, half_width, ux, uy = cut.half_length, cut.half_width, cut.ux, cut.uy
    nx, ny = -uy, ux
    corners = [
        (
            cx + sa * half_length * ux + sb * half_width * nx,
            cy + sa * half_length * uy + sb * half_width * ny,
        )
        for sa in (-1, 1)
        for sb in (-1, 1)
    ]
    left = max(0, int(min(x for x, _ in corners)))
    top = max(0, int(min(y for _, y in corners)))
    right = min(image.width, math.ceil(max(x for x, _ in corners)))
    bottom = min(image.height, math.ceil(max(y for _, y in corners)))
    zoom = min(MAX_ZOOM, max(0.1, target_char / max(char, 1.0)))  # output pixels per input pixel
    reduce_by = max(1, int(1 / zoom))
    source = (
        image.reduce(reduce_by, box=(left, top, right, bottom))
        if reduce_by > 1
        else image.crop((left, top, right, bottom))
    )
    if source.mode != "L":
        source = source.convert("L")
    zoom *= reduce_by
    out_w = max(1, round(2 * half_length * zoom / reduce_by))
    out_h = max(1, round(2 * half_width * zoom / reduce_by))
    # Output pixel (x, y) -> source pixel: centre + (x - w/2) u + (y - h/2) n, in source units.
    scx, scy = (cx - left) / reduce_by, (cy - top) / reduce_by
    step = 1 / zoom
    data = (
        ux * step,
        nx * step,
        scx - (out_w / 2) * ux * step - (out_h / 2) * nx * step,
        uy * step,
        ny * step,
        scy - (out_w / 2) * uy * step - (out_h / 2) * ny * step,
    )
    background = median_grey(source) if source.width and source.height else 255
    crop = source.transform(
        (out_w, out_h),
        Image.Transform.AFFINE,
        data,
        resample=Image.Resampling.BICUBIC if zoom > 1.5 else Image.Resampling.BILINEAR,
        fillcolor=background,
    )
    return crop, (left, top, right, bottom)


def median_grey(image: Image.Image) -> int:
    """``int(np.median(image))`` (a crop's paper), of a mode L image from its histogram:
    sorting a band's pixels for it cost a third of the band's cut, on every cut. The two middle
    pixels in order (one when their count is odd), their mean truncated as ``int`` truncates
    the median's. ValueError for an empty image, as ``int`` of its median (NaN) raises."""
    total = image.width * image.height
    if image.mode != "L" or total == 0:
        return int(np.median(np.asarray(image)))
    counts = image.histogram()
    lower = upper = None
    seen = 0
    for value, count in enumerate(counts):
        seen += count
        if lower is None and seen > (total - 1) // 2:
            lower = value
        if seen > total // 2:
            upper = value
            break
    assert lower is not None and upper is not None  # the counts add up to ``total``
    return (lower + upper) // 2


def cut_char(band: Band, scale: float, height: int) -> float:
    """The character height in a ``cut_band`` crop of ``band`` (default margins) ``height``
    pixels high, whatever size it was cut at (the crop's height is the band's width and margins,
    zoomed as its characters are; the zoom is capped, so small print is smaller than asked)."""
    cut = _Cut.of(band, scale, flip=False)
    return height * cut.char / max(2 * cut.half_width, 1e-6)


def crop_point(
    band: Band, scale: float, size: tuple[int, int], point: tuple[float, float], *, flip: bool
) -> tuple[float, float]:
    """A point of a ``cut_band`` crop (default margins) of ``size``, in the cut image's pixels."""
    cut = _Cut.of(band, scale, flip=flip)
    along = (2 * point[0] / max(size[0], 1) - 1) * cut.half_length
    across = (2 * point[1] / max(size[1], 1) - 1) * cut.half_width
    return (cut.cx + along * cut.ux - across * cut.uy, cut.cy + along * cut.uy + across * cut.ux)


def band_box(image: Image.Image, band: Band, scale: float) -> tuple[int, int, int, int]:
    """The band's axis-aligned box (left, top, right, bottom) in ``image`` pixels."""
    factor = 1 / scale
    ux, uy = math.cos(band.angle), math.sin(band.angle)
    half_length = (band.length / 2 + band.char / 2) * factor
    half_width = (band.width / 2 + band.char / 2) * factor
    xs, ys = [], []
    for sa in (-1, 1):
        for sb in (-1, 1):
            xs.append(band.cx * factor + sa * half_length * ux - sb * half_width * uy)
            ys.append(band.cy * factor + sa * half_length * uy + sb * half_width * ux)
    return (
        max(0, int(min(xs))),
        max(0, int(min(ys))),
        min(image.width, math.ceil(max(xs))),
        min(image.height, math.ceil(max(ys))),
    )


def right_side_is_lighter(crop: Image.Image) -> bool:
    """MRZ lines end in fillers and start with codes: the ink is heavier on the left when upright."""
    array = np.asarray(crop, dtype=np.float32)
    if array.size == 0:
        return True
    dark = array < (array.mean() - array.std())
    fifth = max(1, array.shape[1] // 5)
    return dark[:, -fifth:].sum() <= dark[:, :fifth].sum()


def filler_orientation(crop: Image.Image) -> bool | None:
    """Whether ``crop`` (a band cut horizontal) is upright, from the shape of the MRZ's ``<``
    fillers: a chevron whose point is on the left, at mid-height, and whose two arms open to the
    right. Turned 180 degrees they point right. Their shape survives a shadow, glare or poor OCR
    (only the print against its local paper counts); None when too few chevrons are seen either
    way, or they disagree."""
    gray = np.asarray(crop if crop.mode == "L" else crop.convert("L"), dtype=np.float32)
    if gray.size == 0 or min(gray.shape) < 8:
        return None
    size = max(7, gray.shape[0] // 4)
    paper = morphology.grey_closing(gray, (size, size))
    share = 1.0 - gray / np.maximum(paper, 1.0)  # the part of the paper's light the print takes
    threshold = max(0.2, _otsu(np.clip(share * 255, 0, 255).astype(np.uint8)) / 255)
    labels, count = ndimage.label(share > threshold)
    if count == 0:
        return None
    pointing_left = pointing_right = 0
    regions = ndimage.find_objects(labels)
    typical = float(np.median([region[0].stop - region[0].start for region in regions]))
    for index, region in enumerate(regions, start=1):
        height = region[0].stop - region[0].start
        width = region[1].stop - region[1].start
        if height < 6 or not 0.35 * typical <= height <= 1.3 * typical:
            continue
        if not 0.3 * height <= width <= 1.1 * height:
            continue
        ys, xs = np.nonzero(labels[region] == index)
        if xs.size < 12:
            continue
        direction = _chevron(xs / max(width - 1, 1), (ys - (height - 1) / 2) / max(height / 2, 1))
        pointing_left += direction > 0
        pointing_right += direction < 0
    if pointing_left >= 3 and pointing_left >= 3 * pointing_right:
        return True
    if pointing_right >= 3 and pointing_right >= 3 * pointing_left:
        return False
    return None


def _chevron(x: np.ndarray, y: np.ndarray) -> int:
    """+1 for a ``<`` (``x`` 0-1 left to right, ``y`` -1-1 from the middle), -1 for a ``>``,
    0 for anything else: one side's ink gathered at mid-height (the point), the other's split
    evenly above and below it (the arms' ends)."""
    left, right = x < 1 / 3, x > 2 / 3
    if left.sum() < 3 or right.sum() < 3:
        return 0
    spread_left, spread_right = float(np.abs(y[left]).mean()), float(np.abs(y[right]).mean())
    for point, arms, spread_point, spread_arms, sign in (
        (left, right, spread_left, spread_right, 1),
        (right, left, spread_right, spread_left, -1),
    ):
        if spread_arms < 2.2 * max(spread_point, 0.05) or spread_arms < 0.45:
            continue
        if abs(float(y[point].mean())) > 0.2:  # the point is at mid-height
            continue
        above = float((y[arms] < 0).mean())
        if 0.3 <= above <= 0.7:  # the arms' ends above and below it alike
            return sign
    return 0
