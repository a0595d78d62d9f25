"""Running Tesseract on an image in memory.

pytesseract writes every image to a temporary file; for a passport that would be plaintext on disk.
Here Tesseract runs in-process through its C API (libtesseract.so.5, one engine per thread, the
model loaded once: about half the time of a process per image), or, where the library cannot be
loaded, as ``tesseract stdin stdout`` through pipes. Either way nothing touches the disk.
"""

import contextlib
import ctypes
import ctypes.util
import io
import os
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

TESSDATA_DIR = Path(__file__).resolve().parent / "tessdata"
MRZ_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"
TIMEOUT_SECONDS = 30
# Tesseract's OpenMP threads cost more than they save on small crops (and the reader is meant to be
# single-threaded): one thread is 2-3x faster here.
_ENV = {**os.environ, "OMP_THREAD_LIMIT": "1"}


class TesseractError(Exception):
    pass


class _Library:
    """libtesseract's C API through ctypes, with one initialised engine per thread."""

    def __init__(self) -> None:
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")
        self.lib = ctypes.CDLL("libtesseract.so.5")
        lib = self.lib
        lib.TessBaseAPICreate.restype = ctypes.c_void_p
        lib.TessBaseAPIInit3.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p]
        lib.TessBaseAPISetVariable.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p]
        lib.TessBaseAPISetPageSegMode.argtypes = [ctypes.c_void_p, ctypes.c_int]
        lib.TessBaseAPISetImage.argtypes = [ctypes.c_void_p, ctypes.c_char_p] + [ctypes.c_int] * 4
        lib.TessBaseAPIGetTsvText.argtypes = [ctypes.c_void_p, ctypes.c_int]
        lib.TessBaseAPIGetTsvText.restype = ctypes.c_void_p
        lib.TessDeleteText.argtypes = [ctypes.c_void_p]
        lib.TessBaseAPIClear.argtypes = [ctypes.c_void_p]
        lib.TessBaseAPIDelete.argtypes = [ctypes.c_void_p]
        self._declare_iterators(lib)
        self.gomp = None
        name = ctypes.util.find_library("gomp")
        if name:
            try:
                self.gomp = ctypes.CDLL(name)
            except OSError:
                self.gomp = None
        self.local = threading.local()

    def engine(self) -> int:
        holder = getattr(self.local, "engine", None)
        if holder is None:
            holder = self.local.engine = _Engine(self.lib, self._new_engine())
        return holder.api

    def _new_engine(self) -> int:
        if self.gomp is not None:  # single-threaded, even if OpenMP was loaded before us
            self.gomp.omp_set_num_threads(1)
        api = self.lib.TessBaseAPICreate()
        if self.lib.TessBaseAPIInit3(api, str(TESSDATA_DIR).encode(), b"mrz") != 0:
            self.lib.TessBaseAPIDelete(api)
            raise TesseractError("cannot load the mrz model")
        for name, value in (
            ("tessedit_char_whitelist", MRZ_ALPHABET),
            ("load_system_dawg", "F"),
            ("load_freq_dawg", "F"),
            ("debug_file", os.devnull),  # no "Image too small to scale" on stderr
        ):
            self.lib.TessBaseAPISetVariable(api, name.encode(), value.encode())
        return api

    def tsv(self, image: Image.Image, psm: int) -> str:
        api = self.engine()
        gray = image if image.mode == "L" else image.convert("L")
        data = gray.tobytes()
        self.lib.TessBaseAPISetPageSegMode(api, psm)
        self.lib.TessBaseAPISetImage(api, data, gray.width, gray.height, 1, gray.width)
        pointer = self.lib.TessBaseAPIGetTsvText(api, 0)
        try:
            return ctypes.string_at(pointer).decode("utf-8", "replace") if pointer else ""
        finally:
            if pointer:
                self.lib.TessDeleteText(pointer)
            self.lib.TessBaseAPIClear(api)

    @staticmethod
    def _declare_iterators(lib: ctypes.CDLL) -> None:
        pointer, level = ctypes.c_void_p, ctypes.c_int
        lib.TessBaseAPIRecognize.argtypes = [pointer, pointer]
        lib.TessBaseAPIGetIterator.argtypes = [pointer]
        lib.TessBaseAPIGetIterator.restype = pointer
        lib.TessResultIteratorGetPageIterator.argtypes = [pointer]
        lib.TessResultIteratorGetPageIterator.restype = pointer
        lib.TessResultIteratorNext.argtypes = [pointer, level]
        lib.TessResultIteratorGetUTF8Text.argtypes = [pointer, level]
        lib.TessResultIteratorGetUTF8Text.restype = pointer
        lib.TessResultIteratorConfidence.argtypes = [pointer, level]
        lib.TessResultIteratorConfidence.restype = ctypes.c_float
        lib.TessPageIteratorIsAtBeginningOf.argtypes = [pointer, level]
        lib.TessPageIteratorBoundingBox.argtypes = [pointer, level] + [
            ctypes.POINTER(ctypes.c_int)
        ] * 4
        lib.TessResultIteratorGetChoiceIterator.argtypes = [pointer]
        lib.TessResultIteratorGetChoiceIterator.restype = pointer
        lib.TessChoiceIteratorGetUTF8Text.argtypes = [pointer]
        lib.TessChoiceIteratorGetUTF8Text.restype = ctypes.c_char_p
        lib.TessChoiceIteratorConfidence.argtypes = [pointer]
        lib.TessChoiceIteratorConfidence.restype = ctypes.c_float
        lib.TessChoiceIteratorNext.argtypes = [pointer]
        lib.TessChoiceIteratorDelete.argtypes = [pointer]
        lib.TessResultIteratorDelete.argtypes = [pointer]

    def symbols(self, image: Image.Image, psm: int) -> "list[list[Symbol]]":
        """Each text line's symbols with the LSTM's alternatives for each (``lstm_choice_mode=2``:
        the choices of the symbol's own timesteps, best first)."""
        lib, api = self.lib, self.engine()
        gray = image if image.mode == "L" else image.convert("L")
        data = gray.tobytes()
        lib.TessBaseAPISetVariable(api, b"lstm_choice_mode", b"2")
        lib.TessBaseAPISetPageSegMode(api, psm)
        lib.TessBaseAPISetImage(api, data, gray.width, gray.height, 1, gray.width)
        lines: list[list[Symbol]] = []
        iterator = None
        try:
            if lib.TessBaseAPIRecognize(api, None) != 0:
                return []
            iterator = lib.TessBaseAPIGetIterator(api)
            if not iterator:
                return []
            page = lib.TessResultIteratorGetPageIterator(iterator)
            while True:
                if lib.TessPageIteratorIsAtBeginningOf(page, RIL_TEXTLINE) or not lines:
                    lines.append([])
                text = lib.TessResultIteratorGetUTF8Text(iterator, RIL_SYMBOL)
                if text:
                    char = ctypes.string_at(text).decode("utf-8", "replace")
                    lib.TessDeleteText(text)
                    confidence = float(lib.TessResultIteratorConfidence(iterator, RIL_SYMBOL))
                    lines[-1].append(
                        Symbol(char, confidence, self._choices(iterator), self._box(page))
                    )
                if not lib.TessResultIteratorNext(iterator, RIL_SYMBOL):
                    break
        finally:
            if iterator:
                lib.TessResultIteratorDelete(iterator)
            lib.TessBaseAPISetVariable(api, b"lstm_choice_mode", b"0")
            lib.TessBaseAPIClear(api)
        return [line for line in lines if line]

    def _box(self, page: int) -> "Box | None":
        corners = [ctypes.c_int() for _ in range(4)]
        if not self.lib.TessPageIteratorBoundingBox(
            page, RIL_SYMBOL, *(ctypes.byref(corner) for corner in corners)
        ):
            return None
        left, top, right, bottom = (corner.value for corner in corners)
        return left, top, right, bottom

    def _choices(self, iterator: int) -> tuple[tuple[str, float], ...]:
        lib = self.lib
        choices: list[tuple[str, float]] = []
        choice = lib.TessResultIteratorGetChoiceIterator(iterator)
        if not choice:
            return ()
        try:
            while True:
                text = lib.TessChoiceIteratorGetUTF8Text(choice)
                if text:
                    choices.append(
                        (
                            text.decode("utf-8", "replace"),
                            float(lib.TessChoiceIteratorConfidence(choice)),
                        )
                    )
                if not lib.TessChoiceIteratorNext(choice):
                    break
        finally:
            lib.TessChoiceIteratorDelete(choice)
        return tuple(choices)


RIL_TEXTLINE, RIL_SYMBOL = 2, 4  # Tesseract's PageIteratorLevel


@dataclass(frozen=True)
class Symbol:
    """One character as Tesseract read it: the character, its confidence (0-100) and the
    alternatives the model weighed for it, best first, each with its confidence."""

    text: str
    confidence: float
    choices: tuple[tuple[str, float], ...]
    box: "Box | None" = None  # in the image read; None without the C API


class _Engine:
    """One thread's Tesseract engine, deleted with the thread's local storage."""

    def __init__(self, lib: ctypes.CDLL, api: int) -> None:
        self.lib, self.api = lib, api

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # at interpreter shutdown the library may be gone
            self.lib.TessBaseAPIDelete(self.api)


_library: _Library | None = None
_library_failed = os.environ.get("MRZ_TESSERACT") == "subprocess"
_library_lock = threading.Lock()


def _get_library() -> _Library | None:
    global _library, _library_failed
    if _library is None and not _library_failed:
        with _library_lock:
            if _library is None and not _library_failed:
                try:
                    _library = _Library()
                except (OSError, AttributeError):
                    _library_failed = True
    return _library


def ocr_lines(image: Image.Image | np.ndarray, *, psm: int = 6) -> list[tuple[str, float]]:
    """OCR an image; returns its text lines, each with Tesseract's lowest word confidence (0-100)."""
    return [(text, confidence) for text, confidence, _ in ocr_line_boxes(image, psm=psm)]


Box = tuple[int, int, int, int]  # left, top, right, bottom


def ocr_line_boxes(
    image: Image.Image | np.ndarray, *, psm: int = 6
) -> list[tuple[str, float, Box]]:
    """Like ``ocr_lines``, with each line's box in the image."""
    if isinstance(image, np.ndarray):
        image = Image.fromarray(image.astype(np.uint8))
    library = _get_library()
    if library is not None and image.width > 0 and image.height > 0:
        output = library.tsv(image, psm)
        output = "header\n" + output  # the C API's TSV has no header line
    else:
        output = ocr_text(image, psm=psm, extra=("-c", "tessedit_create_tsv=1"))
    lines: dict[tuple[str, str, str], tuple[str, float, Box]] = {}
    for row in output.splitlines()[1:]:
        columns = row.split("\t")
        if len(columns) < 12 or columns[0] != "5" or not columns[11].strip():
            continue
        key = (columns[2], columns[3], columns[4])  # block, paragraph, line
        left, top = int(columns[6]), int(columns[7])
        right, bottom = left + int(columns[8]), top + int(columns[9])
        text, confidence, box = lines.get(key, ("", 100.0, (left, top, right, bottom)))
        box = (min(box[0], left), min(box[1], top), max(box[2], right), max(box[3], bottom))
        lines[key] = (text + columns[11].strip(), min(confidence, float(columns[10])), box)
    return list(lines.values())


def ocr_symbols(image: Image.Image, *, psm: int = 6) -> list[list[Symbol]]:
    """Each text line as its symbols, with the model's alternatives for each character.

    Without the C API (the subprocess fallback) each character gets its line's confidence and no
    alternatives."""
    library = _get_library()
    if image.width <= 0 or image.height <= 0:
        return []
    if library is not None:
        return library.symbols(image, psm)
    return [
        [Symbol(char, confidence, ((char, confidence),)) for char in text]
        for text, confidence, _ in ocr_line_boxes(image, psm=psm)
    ]


def line_boxes(lines: list[list[Symbol]]) -> list[tuple[str, float, Box]]:
    """``ocr_symbols``'s lines as ``ocr_line_boxes`` gives them: each line's text, its lowest
    character confidence and the box around its symbols; a line with a symbol not placed (no
    C API) is left out."""
    boxed = []
    for line in lines:
        boxes = [symbol.box for symbol in line if symbol.box is not None]
        if not line or len(boxes) < len(line):
            continue
        box = (
            min(box[0] for box in boxes),
            min(box[1] for box in boxes),
            max(box[2] for box in boxes),
            max(box[3] for box in boxes),
        )
        text = "".join(symbol.text for symbol in line)
        boxed.append((text, min(symbol.confidence for symbol in line), box))
    return boxed


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
            env=_ENV,
        )
    except FileNotFoundError:
        raise TesseractError("tesseract is not installed (Debian package tesseract-ocr)") from None
    except subprocess.TimeoutExpired:
        raise TesseractError("tesseract timed out") from None
    if completed.returncode != 0:
        raise TesseractError(f"tesseract exited with {completed.returncode}")
    return completed.stdout.decode("utf-8", "replace").strip()
