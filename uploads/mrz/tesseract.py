"""Running Tesseract on an image through pipes.

pytesseract writes every image to a temporary file; for a passport that would be plaintext on disk.
Tesseract reads an image from stdin and writes text to stdout, so nothing touches the disk here.
"""

import io
import subprocess
from pathlib import Path

import numpy as np
from PIL import Image

TESSDATA_DIR = Path(__file__).resolve().parent / "tessdata"
MRZ_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"
TIMEOUT_SECONDS = 30


class TesseractError(Exception):
    pass


def ocr_text(image: Image.Image | np.ndarray, *, psm: int = 6, extra: tuple[str, ...] = ()) -> str:
    """OCR an image with the MRZ model shipped beside this file; returns Tesseract's text."""
    if isinstance(image, np.ndarray):
        array = image
        if array.dtype != np.uint8:
            array = np.clip(array * (255.0 if array.max() <= 1.0 else 1.0), 0, 255).astype(np.uint8)
        image = Image.fromarray(array)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)
    command = [
        "tesseract", "stdin", "stdout",
        "--tessdata-dir", str(TESSDATA_DIR), "-l", "mrz",
        "--psm", str(psm),
        "-c", f"tessedit_char_whitelist={MRZ_ALPHABET}",
        "-c", "load_system_dawg=F", "-c", "load_freq_dawg=F",
        *extra,
    ]  # fmt: skip
    try:
        completed = subprocess.run(  # noqa: S603 - fixed argument list, no shell
            command,
            input=buffer.getvalue(),
            capture_output=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except FileNotFoundError:
        raise TesseractError("tesseract is not installed (Debian package tesseract-ocr)") from None
    except subprocess.TimeoutExpired:
        raise TesseractError("tesseract timed out") from None
    if completed.returncode != 0:
        raise TesseractError(f"tesseract exited with {completed.returncode}")
    return completed.stdout.decode("utf-8", "replace").strip()
