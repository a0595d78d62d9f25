"""PassportEye's locator, as a fallback when ours finds no MRZ that passes its checks.

PassportEye's pipeline finds the zone differently (and slowly: about a second); its OCR calls are
routed to our in-memory Tesseract, and the region it settles on is read again by ours, so the
checks, repairs and confidences are the same as for our own bands. Nothing touches the disk.
"""

import io
import threading
import warnings
from datetime import date

import numpy as np
from PIL import Image

from uploads.mrz import tesseract, vote
from uploads.mrz.parse import Parsed, parse_ocr

MAX_SIDE = 1600
MIN_SIDE = 32  # px, once scaled to MAX_SIDE: no MRZ fits in less (PassportEye raises on such)
_PATCH_LOCK = threading.Lock()


def _ocr(img: np.ndarray, mrz_mode: bool = True, extra_cmdline_params: str = "") -> str:
    if img is None or img.size == 0:
        return ""
    array = np.asarray(img)
    if array.dtype != np.uint8:
        array = np.clip(array * (255.0 if array.max() <= 1.0 else 1.0), 0, 255).astype(np.uint8)
    return "\n".join(text for text, _ in tesseract.ocr_lines(Image.fromarray(array)))


def read_with_passporteye(image: Image.Image, today: date) -> tuple[Parsed, Image.Image] | None:
    """The best reading of the region PassportEye finds and the region (turned as read), or None.
    PassportEye can raise on photos it was not made for (a KeyError 'method' from inside its
    pipeline): the caller catches."""
    gray = image.convert("L")
    if max(gray.size) > MAX_SIDE:
        scale = MAX_SIDE / max(gray.size)
        gray = gray.resize(
            (max(1, round(gray.width * scale)), max(1, round(gray.height * scale))),
            Image.Resampling.BILINEAR,
        )
    if min(gray.size) < MIN_SIDE:
        return None
    import passporteye.mrz.image as passporteye_image  # slow to import (scikit-image): when needed

    encoded = io.BytesIO()
    gray.save(encoded, format="PNG", compress_level=1)
    encoded.seek(0)
    # PassportEye calls its module-level name ``ocr``: point it at the in-memory runner for this
    # call only (under a lock), so PassportEye used elsewhere stays stock.
    with _PATCH_LOCK, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        stock = passporteye_image.ocr
        passporteye_image.ocr = _ocr
        try:
            pipeline = passporteye_image.MRZPipeline(encoded)
            mrz = pipeline.result
            roi = pipeline["roi"] if mrz is not None else None
        finally:
            passporteye_image.ocr = stock
    if roi is None:
        return None
    array = np.asarray(roi)
    if array.dtype != np.uint8:
        array = np.clip(array * (255.0 if array.max() <= 1.0 else 1.0), 0, 255).astype(np.uint8)
    crop = Image.fromarray(array)
    best: tuple[Parsed, Image.Image] | None = None
    for candidate in (crop, crop.rotate(180)):
        parsed = parse_ocr(tesseract.ocr_lines(candidate), today=today)
        if parsed is not None:
            vote.confirm_with_symbols(parsed, candidate)  # repairs only with the OCR's support
        if parsed is not None and (best is None or parsed.score > best[0].score):
            best = (parsed, candidate)
        if best is not None and best[0].valid:
            break
    return best
