"""The MRZ reader used by the upload flow.

For now it runs PassportEye's pipeline (locating the zone, OCR, parsing, check digits) with two
changes: Tesseract uses the MRZ-trained model shipped in ``tessdata/`` (29 of the 38 public samples
instead of 6 with the stock model), and it is called through pipes instead of temporary files.
"""

import io
import time
import warnings
from datetime import date

import numpy as np
import passporteye.mrz.image as passporteye_image
from PIL import Image

from uploads.mrz import tesseract
from uploads.mrz.dates import parse_birth_date, parse_expiry_date
from uploads.mrz.result import MrzResult

MAX_SIDE_FOR_SEARCH = 1600


def _ocr_through_pipes(
    img: np.ndarray, mrz_mode: bool = True, extra_cmdline_params: str = ""
) -> str:
    if img is None or img.size == 0:
        return ""
    return tesseract.ocr_text(img)


# PassportEye calls the module-level name ``ocr``; point it at the pipe-based runner so no
# passport crop is ever written to a temporary file.
passporteye_image.ocr = _ocr_through_pipes


def read_mrz(image: bytes | Image.Image, *, today: date | None = None) -> MrzResult:
    started = time.perf_counter()
    try:
        result = _read(image, today or date.today())
    except (tesseract.TesseractError, OSError, ValueError):
        result = MrzResult(found=False)
    result.elapsed_ms = (time.perf_counter() - started) * 1000
    return result


def _read(image: bytes | Image.Image, today: date) -> MrzResult:
    if isinstance(image, bytes):
        image = Image.open(io.BytesIO(image))
    gray = image.convert("L")
    scale = 1.0
    if max(gray.size) > MAX_SIDE_FOR_SEARCH:
        scale = MAX_SIDE_FOR_SEARCH / max(gray.size)
        gray = gray.resize(
            (round(gray.width * scale), round(gray.height * scale)), Image.Resampling.BILINEAR
        )
    # PassportEye's loader takes a file or bytes, not an array: hand it an in-memory PNG.
    encoded = io.BytesIO()
    gray.save(encoded, format="PNG", compress_level=1)
    encoded.seek(0)
    with warnings.catch_warnings():
        warnings.simplefilter(
            "ignore", FutureWarning
        )  # scikit-image deprecations inside PassportEye
        mrz = passporteye_image.MRZPipeline(encoded).result
    if mrz is None:
        return MrzResult(found=False)
    data = mrz.to_dict()
    fields: dict[str, str | date | None] = {
        "document_code": _clean(data.get("type")),
        "country": _clean(data.get("country")),
        "surname": _clean(data.get("surname")),
        "given_names": _clean(data.get("names")),
        "number": _clean(data.get("number")),
        "nationality": _clean(data.get("nationality")),
        "date_of_birth": parse_birth_date(data.get("date_of_birth", ""), today=today),
        "sex": {"M": "M", "F": "F"}.get(data.get("sex", ""), "X"),
        "expiry_date": parse_expiry_date(data.get("expiration_date", "")),
        "personal_number": _clean(data.get("personal_number")),
    }
    field_valid = {
        "number": bool(data.get("valid_number")),
        "date_of_birth": bool(data.get("valid_date_of_birth"))
        and fields["date_of_birth"] is not None,
        "expiry_date": bool(data.get("valid_expiration_date"))
        and fields["expiry_date"] is not None,
        "nationality": len(str(fields["nationality"])) in (1, 3)
        and str(fields["nationality"]).isalpha(),
        "sex": data.get("sex") in ("M", "F", "<"),
        # Names carry no check digit: the customer always confirms them.
        "surname": False,
        "given_names": False,
    }
    valid = bool(mrz.valid) and all(
        field_valid[name]
        for name in ("number", "date_of_birth", "expiry_date", "nationality", "sex")
    )
    return MrzResult(
        found=True,
        valid=valid,
        type=str(data.get("mrz_type") or ""),
        fields=fields,
        field_valid=field_valid,
        mrz=[line for line in str(mrz.aux.get("text", "")).splitlines() if line.strip()],
    )


def _clean(value: object) -> str:
    return " ".join(str(value or "").replace("<", " ").split())
