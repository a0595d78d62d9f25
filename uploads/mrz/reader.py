"""The MRZ reader used by the upload flow.

1. Decode the image (JPEG at a reduced scale first via ``draft``; PDF pages rendered in memory),
   turned as its EXIF orientation says (mirrored ones too), 16-bit and transparent pages made
   8-bit on white.
2. Find elongated dense text bands on a downscaled grayscale copy (``locate``), in any orientation.
3. Cut each band out of the decoded image, turned horizontal, and OCR it with Tesseract's MRZ
   model (in memory, one call per try); try the upside-down cut when the check digits fail.
4. Parse and repair by field class (``parse``); stop at the first reading whose checks all pass.
   A band that does not pass is read again: divided by its local paper (a shadow's edge), at
   other sizes, in several passes combined (``vote``), and last with its contrast stretched
   locally (glare), cut wider with its columns moved to straighten lines a bent page bows
   (``straightened``), sheared to stand up characters a photo at a slant leans
   (``unslanted``), and with its blur undone when its print's edges are soft (``deblurred``).
   A band whose crop cuts through a line is cut wider first.
5. Make sure of the names, which no check digit covers: Tesseract's confidence, a second reading
   of the names' strip alone (at another size), more for small print and PN names, none of their
   print faded (glare); of what a check digit cannot tell: small or blurred print's number and
   names whose cells look like a lookalike's glyph (6 for G, ``vote.shapes_clear``), a number's
   M or W on print of any size (``_number_twins_clear``), two passes of a band reading a
   lookalike each, or a number whose faded print a plainer pass or the print
   darkened reads otherwise, two readings of the same lines passing with other values, a twin
   the reading's repairs show the print makes (a check digit's 6 read G), or lookalikes that
   pass together (two 8's read B, ``parse``); and of the document: a second MRZ of the same
   size in the photo makes the answer "not sure".
6. When nothing passes, PassportEye's locator gets a try (``fallback``), unless ours read a near
   miss and has already spent FALLBACK_AFTER_CPU_SECONDS of CPU time.
7. A result not sure shows what its reading read, but for a number failing its check digit (or
   passing only by the character the check digits chose to drop): the one number another pass
   over the photo read passing it, a few edits away (``_number_read_elsewhere``).

Nothing is written to disk. A reading that fails any check is returned with ``valid=False``.
Nothing raises out of ``read_mrz`` either: an input the decoder, the locator, the OCR or
PassportEye cannot cope with gives ``found=False`` and the reason in ``error`` (the exception's type
and where it was raised, never its text, which could quote what was read).
"""

import collections
import copy
import dataclasses
import difflib
import functools
import io
import itertools
import logging
import math
import time
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from datetime import date

import numpy as np
from PIL import ExifTags, Image, ImageChops, ImageFilter, ImageOps
from scipy import ndimage

from uploads.mrz import (
    checks,
    compose,
    fallback,
    latin_names,
    locate,
    morphology,
    russian_names,
    tesseract,
    vote,
)
from uploads.mrz.parse import (
    FADED_P,
    LENGTHS,
    Parsed,
    alike,
    field_at,
    names_fields,
    names_start,
    parse_lines,
    parse_ocr,
)
from uploads.mrz.result import FORM_FIELDS, MrzResult

DRAFT_SIDE = 1400  # JPEGs are first decoded at a reduced scale with the longest side at least this
MAX_OCR_CALLS = 6  # per page (and per decode of it)
# Character heights a band of the darkest print (``find_bands(darkest=True)``) is long at least
# to be read: an MRZ line of 30 OCR-B characters or more measures 33 or more (guilloche 310-312),
# while the darker class of a noisy photo's grain makes short bands of 6 to 22 that cost Tesseract
# 0.2 s a pass (a noise photo's read took 6.9 s, 3.0 before the darkest print was searched).
DARKEST_BAND_CHARS = 25
BANDS_PER_PASS = 4
PDF_SIDE = 2200
PDF_PAGES = 3


logger = logging.getLogger(__name__)


class _NotAnImage(Exception):
    pass


class _Undecodable(Exception):
    """The decoder failed on the input; the message is the original exception's type name."""


def read_mrz(image: bytes | Image.Image, *, today: date | None = None) -> MrzResult:
    """Read the MRZ of a photo, scan or PDF. Never raises (short of an interrupt): an input that
    cannot be read, or that the reader fails on, gives ``found=False`` with the reason in ``error``."""
    started = time.perf_counter()
    photo_reads = _photo_reads.set(_PhotoReads())
    try:
        result = _read(image, today or date.today())
    except _NotAnImage:
        result = MrzResult(found=False, error="not an image")
    except _Undecodable as error:
        result = MrzResult(found=False, error=f"cannot decode the image ({error})")
    except Exception as error:
        # Whatever the locator, the OCR or a library does on a photo nobody foresaw (MemoryError
        # and RecursionError included): the customer types the fields, the log says where.
        result = MrzResult(found=False, error=failure_reason(error))
        logger.warning("MRZ reader: %s", result.error)
    finally:
        _photo_reads.reset(photo_reads)
    result.elapsed_ms = (time.perf_counter() - started) * 1000
    return result


def failure_reason(error: BaseException, *, what: str = "the reader") -> str:
    """For logs: the exception's type, the module that raised it and the last module of the reader
    it passed through. Never the exception's text: it could quote what was read."""
    modules = []
    frame = error.__traceback__
    while frame is not None:
        modules.append(str(frame.tb_frame.f_globals.get("__name__", "?")))
        frame = frame.tb_next
    raised_in = modules[-1] if modules else "?"
    ours = [name for name in modules if name.startswith(__package__ + ".")]
    reason = f"{what} failed: {type(error).__name__} in {raised_in}"
    if ours and ours[-1] != raised_in:
        reason += f" (through {ours[-1]})"
    return reason


def _pages(image: bytes | Image.Image) -> Iterator[tuple[Image.Image, float, bool]]:
    """(image, scale of that image to the original, whether a sharper decode exists) per page,
    each upright as its EXIF orientation says and in mode L or RGB."""
    for page, scale, has_sharper in _decoded(image):
        try:
            page = _plain(_upright(page))
        except Exception as error:
            raise _Undecodable(type(error).__name__) from error
        yield page, scale, has_sharper


def _decoded(image: bytes | Image.Image) -> Iterator[tuple[Image.Image, float, bool]]:
    if isinstance(image, Image.Image):
        try:
            image.load()
        except Exception as error:
            raise _Undecodable(type(error).__name__) from error
        yield image, 1.0, False
        return
    if not isinstance(image, bytes | bytearray | memoryview):
        raise _NotAnImage
    data = bytes(image)
    if data[:5] == b"%PDF-":
        yield from _pdf_pages(data)
        return
    try:
        opened = Image.open(io.BytesIO(data))
    except Image.UnidentifiedImageError as error:
        raise _NotAnImage from error
    except Exception as error:
        raise _Undecodable(type(error).__name__) from error
    try:
        if opened.format == "JPEG" and max(opened.size) > 2 * DRAFT_SIDE:
            original = opened.size
            ratio = DRAFT_SIDE / max(original)
            opened.draft("L", (round(original[0] * ratio), round(original[1] * ratio)))
            opened.load()
            draft = (opened, opened.width / original[0])
        else:
            opened.load()
            draft = None
    except Exception as error:
        raise _Undecodable(type(error).__name__) from error
    if draft is not None:
        yield draft[0], draft[1], True
        try:
            opened = Image.open(io.BytesIO(data))
            opened.load()
        except Exception as error:
            raise _Undecodable(type(error).__name__) from error
    yield opened, 1.0, False


_MIRRORED_OR_TURNED = range(2, 9)  # EXIF orientations 2-8; 1 is upright


def _upright(image: Image.Image) -> Image.Image:
    """``image`` turned (and unmirrored) as its EXIF orientation says. A broken EXIF block only
    costs the hint: the locator finds the MRZ in any rotation, though not mirrored."""
    try:
        orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
        if orientation in _MIRRORED_OR_TURNED:
            return ImageOps.exif_transpose(image)
    except Exception:
        logger.info("MRZ reader: EXIF orientation unreadable, ignored")
    return image


_HIGH_DEPTH = ("I", "F", "I;16", "I;16L", "I;16B", "I;16N")


def _plain(page: Image.Image) -> Image.Image:
    """``page`` in mode L or RGB: transparency on white (as a viewer shows it), 16-bit and float
    pages scaled to 8 bits (a plain conversion clips them to white)."""
    if page.mode in ("L", "RGB"):
        return page
    if page.mode in _HIGH_DEPTH:
        values = np.nan_to_num(np.asarray(page.convert("F"), dtype=np.float64))
        low, high = (float(values.min()), float(values.max())) if values.size else (0.0, 0.0)
        if page.mode == "F" and low >= 0 and high <= 1:
            values = values * 255
        elif low < 0 or high > 255:
            values = (values - low) * (255 / (high - low))
        return Image.fromarray(np.clip(values, 0, 255).astype(np.uint8), "L")
    if page.mode in ("RGBA", "LA", "PA", "La", "RGBa") or (
        page.mode == "P" and "transparency" in page.info
    ):
        rgba = page.convert("RGBA")
        white = Image.new("RGB", rgba.size, (255, 255, 255))
        white.paste(rgba, mask=rgba.getchannel("A"))
        return white
    return page.convert("RGB")


def _pdf_pages(data: bytes) -> Iterator[tuple[Image.Image, float, bool]]:
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as error:
        raise _NotAnImage from error
    try:
        for index in range(min(len(document), PDF_PAGES)):
            try:
                page = document[index]
                width, height = page.get_size()
                bitmap = page.render(scale=PDF_SIDE / max(width, height, 1), grayscale=True)
                rendered = bitmap.to_pil().convert("L")
            except Exception as error:
                raise _Undecodable(type(error).__name__) from error
            yield rendered, 1.0, False
    finally:
        document.close()


def _read(image: bytes | Image.Image, today: date) -> MrzResult:
    # CPU time of this thread (Tesseract runs in it): unlike the clock, it does not grow with
    # the other work on a shared machine, so what is tried does not depend on the load.
    cpu_started = time.thread_time()
    uncounted = 0.0  # CPU time of the glare pass, not counted against the fallback's budget
    best: _Reading | None = None
    # A reading of the darkest print's bands passing every check, not sure: shown unless a
    # later page or PassportEye's reading is sure.
    unsure: MrzResult | None = None
    last_page: Image.Image | None = None
    last_scale = 1.0
    for page, page_scale, has_sharper in _pages(image):
        last_page, last_scale = page, page_scale
        gray, scale = locate.working_image(page)
        bands = locate.find_bands(gray)
        page_best: _Reading | None = None
        done, page_best = _try_bands(page, bands, scale, page_scale, today, page_best)
        if done is not None:
            return done
        if page.mode == "RGB":
            # Red marks (an annotation box, a stamp) are dark in grayscale and can hide the MRZ
            # from the locator; in the red channel they are light. Only bands not tried above.
            red, _ = locate.working_image(page.getchannel("R"))
            more = _untried(locate.find_bands(red), bands)
            done, page_best = _try_bands(page, more, scale, page_scale, today, page_best)
            if done is not None:
                return done
            bands = bands + more
        if page_best is None or not page_best.parsed.valid:
            # A hard shadow edge or dim light: the print measured against its local paper.
            more = _untried(locate.find_bands(gray, relative=True), bands)
            done, page_best = _try_bands(page, more, scale, page_scale, today, page_best)
            if done is not None:
                return done
            bands = bands + more
        if page_best is not None and not page_best.parsed.valid:
            # The band cut short (a glare streak or blur faded a line's end, and the locator took
            # it for the band's end): the lines reach the crop's end; cut it longer.
            done, page_best = _lengthened(page, page_best, scale, page_scale, today)
            if done is not None:
                return done
        own_best = page_best  # its band is on ``page`` (one found by ``_around`` is not)
        if (
            page_best is not None
            and page_best.parsed.checks_passed * 2 >= page_best.parsed.checks_total
        ):
            # Near miss: look again for the MRZ around the lines it was read from, when the band
            # took in other print too (a box of text just above it, say).
            done, reading = _around(page, page_best, page_scale, today)
            if done is not None:
                return done
            if reading is not None and reading.parsed.score > page_best.parsed.score:
                page_best = reading
            # Then read the same band again, larger and with stretched contrast.
            plain = page_best
            for variant in VARIANTS:
                if variant.get("denoise") and page_best.char >= DENOISE_MAX_CHAR:
                    continue  # strokes far wider than the noise: smoothing only blurs them
                reading = _Reading.take(
                    page, page_best.band, scale, page_best.flip, page_scale, today, variant=variant
                )
                if reading is not None and reading.parsed.score > page_best.parsed.score:
                    page_best = reading
                    if reading.parsed.valid:
                        if _faded_number_disputed(reading, plain):
                            cut = functools.partial(_plain_cut, page, plain)
                            return _result(reading.parsed, reading.box, valid=False, cut=cut)
                        return _confirmed(page, [], reading.measured_on(plain), today)
            # Then several passes over the page's own best band, combined character by character.
            done, reading = _voted(page, own_best, today)
            if done is not None:
                return done
            if (
                reading is not None
                and reading.parsed.checks_passed > page_best.parsed.checks_passed
            ):
                page_best = reading
        if own_best is not None and page_best is not None and not page_best.parsed.valid:
            # A glare streak fading part of the lines (often more than half the checks): the
            # best band once more, its contrast stretched locally, then its faint print
            # darkened. Last, as they rarely help where there is no glare; their time is not
            # counted against the fallback's budget (PassportEye found a dim photo's MRZ that
            # ours had taken 2 s to miss).
            for glare_variant in GLARE_VARIANTS:
                if glare_variant == own_best.prepared_as:
                    continue  # the band was read so already (``_try_bands``'s faded pass)
                glare_started = time.thread_time()
                reading = _Reading.take(
                    page,
                    own_best.band,
                    scale,
                    own_best.flip,
                    page_scale,
                    today,
                    variant=glare_variant,
                )
                uncounted += time.thread_time() - glare_started
                if reading is not None and reading.parsed.valid:
                    if _numbers_differ(reading.parsed, page_best.parsed):
                        # A stretched or darkened band read a number passing its check digit
                        # where a plainer pass read another passing it (0DE31GXS1 read
                        # B0O02GXS1, valid): one of them is wrong, one time in ten.
                        cut = functools.partial(_plain_cut, page, page_best)
                        return _result(reading.parsed, reading.box, valid=False, cut=cut)
                    return _confirmed(page, [], reading, today)
                if reading is not None and reading.parsed.score > page_best.parsed.score:
                    page_best = reading
        if page_best is None or not page_best.parsed.valid:
            # A page bent (a passport held open in the hand): the lines bow and their ends
            # leave the straight band. The band cut wider, its columns moved to straighten them;
            # after every other pass, as its reading, passing fewer checks, must not lead them.
            done, page_best = _straightened(
                page, bands, own_best, page_best, scale, page_scale, today
            )
            if done is not None:
                return done
        if page_best is None or not page_best.parsed.valid:
            # A photo taken at a slant to the page: its characters lean (``unslanted``); a phone
            # out of focus: the print's strokes spread into each other (``deblurred``). Last
            # too, for the same reason.
            done, page_best = _reshaped_passes(
                page, bands, own_best, page_best, scale, page_scale, today
            )
            if done is not None:
                return done
        if page_best is None or not page_best.parsed.valid:
            # Security printing (guilloche) dark enough to join the lines into the card's blob:
            # only the darkest of what stands out of the paper (guilloche 310/9, a TD1 not found).
            # Last, once the passes over the bands found have had their try. A reading of these
            # bands sure ends the read; one passing every check but not sure is kept for the end
            # (a bench guilloche photo's band so found was read not sure, and sure from the
            # sharper page next); one passing fewer does not count: one had its names line read
            # from the print beside a glare streak (glare 195/9), and as the best reading it kept
            # PassportEye's from being tried.
            more = [
                band
                for band in _untried(locate.find_bands(gray, darkest=True), bands)
                if band.length >= DARKEST_BAND_CHARS * band.char
            ]
            seen = _photo_reads.get() or _PhotoReads()
            before = seen.saved()
            done, _ = _try_bands(page, more, scale, page_scale, today, None)
            if done is not None and done.valid:
                return done
            seen.restore(before)  # nor what its passes read (the names shown count them)
            unsure = unsure or done
        if page_best is not None and (best is None or page_best.parsed.score > best.parsed.score):
            best = page_best
        if not has_sharper and best is not None:
            break
    fallback_failure = ""
    spent = time.thread_time() - cpu_started - uncounted
    found_nothing = best is None or best.parsed.checks_passed * 2 < best.parsed.checks_total
    if (
        USE_FALLBACK
        and last_page is not None
        and (found_nothing or spent < FALLBACK_AFTER_CPU_SECONDS)
    ):
        try:
            found = fallback.read_with_passporteye(last_page, today)
        except Exception as error:
            # PassportEye on a photo it was not made for (a KeyError 'method' from inside its
            # pipeline, say): its try is lost, not what ours read.
            found = None
            fallback_failure = failure_reason(error, what="PassportEye's fallback")
            logger.warning("MRZ reader: %s", fallback_failure)
        parsed, region = found if found is not None else (None, None)
        if parsed is not None and (best is None or parsed.score > best.parsed.score):
            band = locate.Band(0, 0, 0, 1, 1, 1, 0)
            box = (0, 0, round(last_page.width / last_scale), round(last_page.height / last_scale))
            reading = _Reading(parsed, band, False, box, 1.0, last_scale)
            if parsed.valid and region is not None:
                return _confirmed_fallback(reading, region, today)
            best = reading
    if unsure is not None:
        return unsure
    if best is None or best.parsed.checks_passed * 2 < best.parsed.checks_total:
        # Not found; and when PassportEye failed, not for sure: ``error`` says so.
        return MrzResult(found=False, error=fallback_failure)
    return _result(best.parsed, best.box, valid=False, cut=lambda: best.cut)


def _numbers_differ(parsed: Parsed, other: Parsed) -> bool:
    """Whether ``other``, another reading of the band, read a number passing its check digit (as
    the check digits repaired it, with or without the OCR's support) that differs from
    ``parsed``'s at a character it read so: where it only repaired a character (a misread check
    digit's "repair", 1 into I), the two read the number alike. ``parsed``'s number counts
    even when its line was read long: the character dropped (where the check digits chose) can
    lie past the number (glare 192/22: a darkened pass read NJ139XZ4G N1139X74G, J and Z
    faded into 1 and 7, cancelling, and dropped a 1 read twice in the nationality, while a
    stretched one had read NJ139XZ4G, passing)."""
    mine, theirs = _number_as_repaired(parsed), _number_field(other)
    if mine is None or theirs is None or not (checks.passes(*mine) and checks.passes(*theirs)):
        return False
    repaired = other.number_repaired()
    return any(
        a != b for at, (a, b) in enumerate(zip(mine[0], theirs[0], strict=True))
        if at not in repaired
    )  # fmt: skip


def _lookalike_read(parsed: Parsed, other: Parsed) -> bool:
    """Whether ``other``, another reading of the band, read a character of ``parsed``'s number
    as its lookalike the check digit cannot tell it from (``vote.NUMBER_LOOKALIKES``)."""
    return any(
        a != b and b in vote.lookalikes(a, vote.NUMBER_LOOKALIKES)
        for a, b in _numbers_side_by_side(parsed, other)
    )


def _numbers_side_by_side(parsed: Parsed, other: Parsed) -> list[tuple[str, str]]:
    """The characters of two readings' numbers (as repaired), position by position; none when
    the readings are of two formats or either number is not known (``_number_field``)."""
    mine, theirs = _number_field(parsed), _number_field(other)
    if mine is None or theirs is None or parsed.type != other.type:
        return []
    return list(zip(mine[0], theirs[0], strict=True))


def _faded_number_disputed(reading: "_Reading", plain: "_Reading") -> bool:
    """Whether ``plain``, a plainer reading of the band whose crop's lines are known, read
    ``reading``'s number otherwise in a character or two (more is a character dropped or read
    twice: the two are not compared cell by cell), and that number's print is faded there
    (``_number_faded``). A glare streak fades characters into others alike in every pass (J
    into 1, Z into 7): one the passes disagree on shows the stretch is unreadable, and one they
    agree on can be wrong too, with another read wrong beside it to pass the check digit one
    time in ten (glare 129/23: FJ6ZALF20 read FJ67ALF20, then F167ALF20, passing)."""
    if plain.cut is None:
        return False
    differ = sum(a != b for a, b in _numbers_side_by_side(reading.parsed, plain.parsed))
    return 0 < differ <= DISPUTED_MOST and _number_faded(plain)


def _number_field(parsed: Parsed) -> tuple[str, str] | None:
    """The number's nine characters and its check digit as ``parsed``'s repairs made them; None
    for a line read long (the check digits chose the character dropped: it passes by design)."""
    return None if parsed.dropped else _number_as_repaired(parsed)


def _number_as_repaired(parsed: Parsed) -> tuple[str, str] | None:
    """The number's nine characters and its check digit as ``parsed``'s repairs made them, a
    line read long or not; None when its line is too short to hold them."""
    line, start = parsed.number_place
    if len(parsed.lines) <= line or len(parsed.lines[line]) < start + 10:
        return None
    repaired = parsed.repaired_line(line)
    return repaired[start : start + 9], repaired[start + 9]


def _lengthened(
    page: Image.Image, reading: "_Reading", scale: float, page_scale: float, today: date
) -> "tuple[MrzResult | None, _Reading]":
    """``reading``'s band cut LENGTHEN_CHARS character heights longer at each end, when an OCR
    line of its crop reaches an end of it (a line read long can be cut short at its other end):
    the result if that reads valid and sure; else the longer reading if it passes more checks
    (one passing as many took in the page's edge beside the lines, which the passes that follow
    read as a letter). A longer reading valid but not sure (a letter of the names misread) is
    dropped: the passes that follow over the band as found get their chance at the names."""
    if not _reaching_ends(reading):
        return None, reading
    band = reading.band
    longer = band.lengthened(LENGTHEN_CHARS * band.char)
    again = _Reading.take(page, longer, scale, reading.flip, page_scale, today)
    if again is None:
        return None, reading
    if again.parsed.valid:
        result = _confirmed(page, [], again, today)
        return (result, again) if result.valid else (None, reading)
    return None, again if again.parsed.score > reading.parsed.score else reading


def _reaching_ends(reading: "_Reading") -> list[tuple[str, tesseract.Box]]:
    """The OCR lines (text, box) of ``reading``'s crop that reach within CUT_CHAR of an end of
    it: the band was perhaps cut short of them. Empty when its crop's lines are not known."""
    if reading.cut is None:
        return []
    width = reading.cut.width
    return [
        (text, box)
        for text, _, box in reading.ocr
        if box[0] < CUT_CHAR or box[2] > width - CUT_CHAR
    ]


def _full_length(
    page: Image.Image, reading: "_Reading", today: date
) -> "tuple[_Reading, Parsed | None]":
    """A valid reading of 36-character lines (TD2, MRV-B) whose OCR lines reach an end of their
    crop may be a 44-character document's, its fillers cut off: a hard shadow's edge across
    them, which the locator took for the band's end, and an MRV-A passed every check as an
    MRV-B. The band lengthened at each end by the 8 characters more (and one spare) at the pitch
    the OCR read: that reading, if valid with 44-character lines; else ``reading``. With it,
    the longer reading when it passed every check with other values of a field a check digit
    covers (``CHECKED_FIELDS``), else None."""
    short, full = LENGTHS["TD2"][1], LENGTHS["TD3"][1]
    if len(reading.parsed.lines[0]) != short:
        return reading, None
    reaching = [(text, box) for text, box in _reaching_ends(reading) if text]
    if not reaching or reading.cut is None:
        return reading, None
    pitch = max((box[2] - box[0]) / len(text) for text, box in reaching)  # crop pixels
    band = reading.band
    per_unit = reading.cut.width / band.cut_length()  # crop pixels a band unit
    longer = band.lengthened((full - short + 1) * pitch / per_unit)
    again = _Reading.take(
        page, longer, reading.scale, reading.flip, 1.0, today, variant=reading.prepared_as
    )
    if again is None or not again.parsed.valid:
        return reading, None
    if len(again.parsed.lines[0]) != full:
        # The same lines read again, every check passing with other checked fields (glare
        # 143/12: a faded 92Y4JRM91 read O0V41PM91, then L2Y41RM91): one of them is wrong. (Not
        # a field no check digit covers: a visa's code VC read VE by the longer cut of small
        # print is no sign the number is wrong.)
        disputed = _checked_fields_differ(reading.parsed, again.parsed)  # (``again`` valid)
        return reading, again.parsed if disputed else None
    again.box, again.char = reading.box, reading.char  # (``take`` knows no page scale here)
    return again, None


def _line_ends_hidden(page: Image.Image, reading: "_Reading") -> bool:
    """Whether a reading of 36-character lines (TD2, MRV-B) may be a 44-character document's
    whose last columns something hides: a line's end not followed by paper (END_LIGHT), or by
    more print (END_INK), in the band cut longer. A thumb over an MRV-A's last eight columns
    left an MRV-B passing every check, its fields those of the visa's first 36 columns (finger
    2026/13 and 2027/34): the band cut longer (``_full_length``) finds the longer visa only
    where its hidden columns can be read. A line not found among the OCR's says nothing;
    lines of another length, nothing either."""
    if len(reading.parsed.lines[0]) != LENGTHS["TD2"][1]:
        return False
    band = reading.band
    longer = band.lengthened(END_LENGTHEN_CHARS * band.char)
    crop, _ = locate.cut_band(page, longer, reading.scale, flip=reading.flip, target_char=CUT_CHAR)
    source = reading.fade_source
    grown = 2 * END_LENGTHEN_CHARS * CUT_CHAR  # crop pixels (unless small print's zoom is capped)
    if (
        source is not None
        and source[0].height == crop.height
        and abs(crop.width - source[0].width - grown) <= 2
    ):
        # The reading's own plain crop of the band: its lines, moved to the longer crop.
        shift = (crop.width - source[0].width) // 2
        lines = [
            (text, (box[0] + shift, box[1], box[2] + shift, box[3])) for text, _, box in source[1]
        ]
    else:  # a reshaped crop (straightened, unslanted) or none kept: the longer one read
        lines = [(text, box) for text, _, box in tesseract.ocr_line_boxes(crop)]
    gray = np.asarray(crop, dtype=np.float32)
    for expected in reading.parsed.lines:
        # The OCR line most like it: not the page's other print above (a visa's printed fields
        # read in the MRZ's alphabet as a line of 51 characters, sample 100_visa-polx).
        likeness, text, (left, top, right, bottom) = max(
            (
                (difflib.SequenceMatcher(None, text, expected).ratio(), text, box)
                for text, box in lines
            ),
            default=(0.0, "", (0, 0, 0, 0)),
        )
        if likeness < END_LIKENESS or bottom <= top:
            continue  # not read: nothing known of its end
        pitch = (right - left) / len(text)
        start = round(right + END_GAP * pitch)
        end = round(right + (END_GAP + 1) * pitch)
        if end > gray.shape[1]:
            return True  # the line runs to the crop's end: its end is not seen
        rows = gray[top:bottom]
        before = rows[:, max(0, round(right - END_PAPER_CELLS * pitch)) : right]
        paper = np.maximum(np.percentile(before, END_PAPER_LEVEL, axis=1), 1.0)[:, None]
        after = rows[:, start:end] / paper
        if np.median(after) < END_LIGHT or (after < END_DARK).mean() > END_INK:
            return True
    return False


def _read_upright(page: Image.Image, reading: "_Reading", today: date) -> "_Reading | None":
    """The reading of ``reading``'s band with its leaning print stood up (``unslanted``) when it
    passes every check with other fields; else None. Every pass at every size reads leaning
    print's lookalikes alike: a photo at a slant to a visa read its number 11KGB40XB as
    77KGB40XB (slanted 2026/21: the two 1s, weighing 7 and 3, each read 7, cancel in the check
    digit, and a visa has no composite), a card's MUSTERMANN as NUSTERMANN (2026/12), both
    valid; stood up, both read right, valid too. Whether the print leans is first measured at
    half the size (about 3 ms against 10 on a sure reading's path); the upright print is read
    only where it does."""
    crop = _plain_cut(page, reading)
    if not _leaning(print_leans(crop.reduce(2))):
        return None
    upright = unslanted(crop)
    if upright is None:
        return None
    again = _Reading.take(page, reading.band, reading.scale, reading.flip, 1.0, today, crop=upright)
    if again is None or not again.parsed.valid or again.parsed.fields == reading.parsed.fields:
        return None
    again.box, again.char = reading.box, reading.char
    return again


def _faded_fields_read_darkened(
    page: Image.Image, reading: "_Reading", today: date
) -> Parsed | None:
    """The band of ``reading`` (print of its checked fields faded: ``_checked_faded``) read again
    with its faint print darkened (``faded``): that reading if it passes its number's check
    digit with another number, or every check with another value of a field a check digit
    covers (``_checked_fields_differ``); else None. Glare fades a glyph into another in every
    pass alike, and misreads can cancel in a check digit (glare 157/35: HBBKUR5G6 read
    HBBKUF5CA, R, G and 6 as F, C and A; a TD1's composite opens with the number and passes
    with it; glare 248/18, a PN's issue date and department code 121025 832749 read 121023
    632749, 5 as 3 and 8 as 6, weighing 7 and 3: -14 and -6). Darkened, the print read them
    right, passing too. Two readings passing: one is wrong."""
    again = _Reading.take(
        page, reading.band, reading.scale, reading.flip, 1.0, today, variant={"faded": True}
    )
    if again is None:
        return None
    if _numbers_differ(reading.parsed, again.parsed) or _checked_fields_differ(
        reading.parsed, again.parsed
    ):
        return again.parsed
    return None


def _checked_fields_differ(parsed: Parsed, other: Parsed) -> bool:
    """Whether ``other``, another reading of the band passing every check, read a field a check
    digit covers (``CHECKED_FIELDS``) otherwise than ``parsed``."""
    return other.valid and any(
        other.fields.get(name) != parsed.fields.get(name) for name in CHECKED_FIELDS
    )


def _mark_disputed(parsed: Parsed, others: list[Parsed]) -> None:
    """``parsed`` not valid, and each field another reading of the band read otherwise marked
    not valid, for the customer to check."""
    parsed.valid = False
    for other in others:
        for name, value in other.fields.items():
            if parsed.fields.get(name) != value and name in parsed.field_valid:
                parsed.field_valid[name] = False


def _cut_through(reading: "_Reading") -> bool:
    """Whether an OCR line of ``reading``'s crop that is like one of its lines reaches the
    crop's top or bottom edge: the band was cut through it (the locator left out the faded
    foot of a line under glare, and every pass read its I's as T's). False when its crop's lines
    are not known."""
    if reading.cut is None:
        return False
    height = reading.cut.height
    return any(
        (box[1] <= CUT_EDGE or box[3] >= height - CUT_EDGE)
        and any(alike(text, line) * 2 >= len(line) for line in reading.parsed.lines)
        for text, _, box in reading.ocr
    )


def _full_height(
    page: Image.Image, reading: "_Reading", page_scale: float, today: date
) -> "_Reading":
    """``reading``'s band cut WIDEN_CHARS character heights wider at each side, read as it
    was: that reading when its lines no longer reach the crop's edge and it passes at least as
    many checks (glare 142/10: SMTTH<<MTN cut at the names' foot, SMITH<<MIN wider), else
    ``reading``. (A line box Tesseract stretched over the noise at the crop's edge reaches it
    however wide the band: the wider crop only takes in more of that noise, read as letters.)"""
    band = reading.band
    wider = dataclasses.replace(band, width=band.width + 2 * WIDEN_CHARS * band.char)
    again = _Reading.take(
        page, wider, reading.scale, reading.flip, page_scale, today, variant=reading.prepared_as
    )
    if again is None or again.parsed.score < reading.parsed.score or _cut_through(again):
        return reading
    return again


def _straightened(
    page: Image.Image,
    bands: list[locate.Band],
    own_best: "_Reading | None",
    page_best: "_Reading | None",
    scale: float,
    page_scale: float,
    today: date,
) -> "tuple[MrzResult | None, _Reading | None]":
    """The band of the page's own best reading (else the most promising one), widened by
    BENT_WIDEN_CHARS at each side and read straightened (``straightened``) when its print
    bows (``_reshaped_reading``). No OCR for a band whose print lies straight."""
    band = own_best.band if own_best is not None else bands[0] if bands else None
    if band is None:
        return None, page_best
    widened = dataclasses.replace(band, width=band.width + 2 * BENT_WIDEN_CHARS * band.char)
    crop, _ = locate.cut_band(page, widened, scale, flip=False)
    straight = straightened(crop)
    if straight is None:
        return None, page_best
    # Which way up, from the straightened print (the passes before read the bowed lines).
    flip = not _looks_upright(straight)
    if flip:
        crop, _ = locate.cut_band(page, widened, scale, flip=True)
        straight = straightened(crop)
        if straight is None:
            return None, page_best
    return _reshaped_reading(
        page, widened, scale, flip, page_scale, today, straight, _straight, page_best
    )


def _reshaped_reading(
    page: Image.Image,
    band: locate.Band,
    scale: float,
    flip: bool,
    page_scale: float,
    today: date,
    crop: Image.Image,
    reshape: Callable[[Image.Image], Image.Image],
    page_best: "_Reading | None",
) -> "tuple[MrzResult | None, _Reading | None]":
    """``band`` read from ``crop``, its cut reshaped (``straightened``, ``unslanted``): the
    confirmed result if that passes, else None and the better of it and ``page_best`` by checks
    passed (a reading leads the passes before it only when it passes). Every later cut of the
    band (the names' second reading, the vote's passes) is reshaped alike by ``reshape``: the
    lines' boxes are the reshaped crop's."""
    reading = _Reading.take(page, band, scale, flip, page_scale, today, crop=crop)
    if reading is None:
        return None, page_best
    reading.prepare = reshape
    if reading.parsed.valid:
        return _confirmed(page, [], reading, today), reading
    if page_best is None or reading.parsed.checks_passed > page_best.parsed.checks_passed:
        return None, reading
    return None, page_best


def straightened(crop: Image.Image) -> Image.Image | None:
    """``crop`` (a band cut horizontal) with each column moved up or down so that the print's
    centre line, fitted as a parabola along the crop, runs straight through its middle; None
    when it bows less than BENT_SHARE of the crop's height (a tilt the band kept is no bow).
    The centre line is the print's centre of mass in strips half the crop's height wide, each
    taken within BENT_WINDOW of the crop's height around its neighbour's, from the middle
    strip out (the lines bow gradually; a page's edge or a photo beside the lines is farther),
    and the strips off the parabola by more than a tenth of the height refitted without."""
    gray = np.asarray(crop if crop.mode == "L" else crop.convert("L"), dtype=np.float32)
    height, width = gray.shape
    strip = max(4, height // 2)
    if height < 8 or width < 6 * strip:
        return None
    # Strokes only: print against a grey closing about half a character wide (a crop cut wider
    # is about eight character heights high), which a page's edge or a dark background beside
    # the lines passes unchanged.
    ink = _over_paper(gray, max(3, height // 16)) < PRINT_SHARE
    rows = np.arange(height, dtype=np.float64)
    starts = list(range(0, width - strip + 1, strip))
    middle_strip = len(starts) // 2
    half = BENT_WINDOW * height
    found: dict[int, tuple[float, float]] = {}  # strip index: (centre of mass, mass)
    for order in (range(middle_strip, len(starts)), range(middle_strip - 1, -1, -1)):
        # Both ways from the middle strip's centre (the band's middle where it has none).
        near = found[middle_strip][0] if middle_strip in found else height / 2
        for index in order:
            per_row = ink[:, starts[index] : starts[index] + strip].sum(axis=1).astype(np.float64)
            per_row[np.abs(rows - near) > half] = 0.0
            mass = float(per_row.sum())
            if mass >= BENT_STRIP_INK * strip * height:
                near = float(per_row @ rows) / mass
                found[index] = (near, mass)
    if len(found) < 5:
        return None
    centres = [starts[index] + strip / 2 for index in found]
    middles = [centre for centre, _ in found.values()]
    masses = [mass for _, mass in found.values()]
    along = (np.array(centres) - width / 2) / (width / 2)  # -1 to 1 along the crop
    middle, weight = np.array(middles), np.sqrt(np.array(masses))
    kept = np.ones(len(along), dtype=bool)
    for _ in range(2):
        if kept.sum() < 5:
            return None
        fitted = np.polyfit(along[kept], middle[kept], 2, w=weight[kept])
        kept = np.abs(np.polyval(fitted, along) - middle) <= height / 10
    bow, slope, _ = fitted
    if abs(bow) < BENT_SHARE * height:
        return None
    position = (np.arange(width, dtype=np.float64) - width / 2) / (width / 2)
    shift = bow * position**2 + slope * position  # below the middle column's centre
    source_rows = rows[:, None] + shift[None, :]
    columns = np.broadcast_to(np.arange(width, dtype=np.float64)[None, :], (height, width))
    paper = float(np.median(gray))
    out = ndimage.map_coordinates(gray, [source_rows, columns], order=1, cval=paper)
    return Image.fromarray(np.clip(out, 0, 255).astype(np.uint8))


def _straight(crop: Image.Image) -> Image.Image:
    """``crop`` straightened, or as it is when its print lies straight (a later cut of a band
    read straightened)."""
    return straightened(crop) or crop


def _reshaped_passes(
    page: Image.Image,
    bands: list[locate.Band],
    own_best: "_Reading | None",
    page_best: "_Reading | None",
    scale: float,
    page_scale: float,
    today: date,
) -> "tuple[MrzResult | None, _Reading | None]":
    """The band of the page's own best reading (else the most promising one), cut once, read
    with its characters stood up (``unslanted``) when they lean, then with its blur undone
    (``deblurred``) when its print's edges are soft, until a reading passes
    (``_reshaped_reading``). No OCR for a pass the band's print does not need."""
    chosen = _band_to_reshape(page, bands, own_best, scale)
    if chosen is None:
        return None, page_best
    band, flip, crop = chosen
    for plan in (_unslant_plan, _unshake_plan, _deblur_plan):
        planned = plan(crop, band, scale)
        if planned is None:
            continue
        done, page_best = _reshaped_reading(
            page, band, scale, flip, page_scale, today, *planned, page_best
        )
        if done is not None:
            return done, page_best
    return None, page_best


def _band_to_reshape(
    page: Image.Image, bands: list[locate.Band], own_best: "_Reading | None", scale: float
) -> tuple[locate.Band, bool, Image.Image] | None:
    """The band of the page's own best reading, else the most promising one (which way up from
    its print), with its flip and its crop as first cut; None without a band."""
    if own_best is not None:
        band, flip = own_best.band, own_best.flip
        crop, _ = locate.cut_band(page, band, scale, flip=flip)
        return band, flip, crop
    if not bands:
        return None
    band = bands[0]
    crop, _ = locate.cut_band(page, band, scale, flip=False)
    if _looks_upright(crop):
        return band, False, crop
    crop, _ = locate.cut_band(page, band, scale, flip=True)
    return band, True, crop


# Neighbours' offsets (x, y) along which print's edges are measured (``edge_widths``).
_Steps = tuple[tuple[int, int], ...]


# What a reshaping pass does to a band (``_unslant_plan``, ``_unshake_plan``, ``_deblur_plan``):
# its plain crop reshaped, and how every later cut of the band is reshaped alike.
_Planned = tuple[Image.Image, Callable[[Image.Image], Image.Image]]


def _unslant_plan(crop: Image.Image, band: locate.Band, scale: float) -> "_Planned | None":
    """Characters stood up (``unslanted``) when they lean."""
    upright = unslanted(crop)
    return (upright, _unslant) if upright is not None else None


def _unshake_plan(crop: Image.Image, band: locate.Band, scale: float) -> "_Planned | None":
    """A shake's streak undone (``unshaken``) when the print's edges are soft along one
    direction and sharp across it (``shake_streak``)."""
    streak = shake_streak(crop, locate.cut_char(band, scale, crop.height))
    if streak is None:
        return None
    unshake = functools.partial(_unshake, band=band, scale=scale, streak=streak)
    return unshake(crop), unshake


def _deblur_plan(crop: Image.Image, band: locate.Band, scale: float) -> "_Planned | None":
    """Blur undone (``deblurred``) when the print's edges are soft (``edge_widths``)."""
    if not _blurred(crop, band, scale):
        return None
    deblur = functools.partial(_deblur, band=band, scale=scale)
    return deblur(crop), deblur


def _blurred(crop: Image.Image, band: locate.Band, scale: float, steps: _Steps = ((1, 0),)) -> bool:
    """Whether ``crop``, a plain cut of ``band``, holds blurred print: its edges along one of
    ``steps`` (along the lines by default) take BLURRED_EDGE of a character height or more
    (``edge_widths``)."""
    least = BLURRED_EDGE * locate.cut_char(band, scale, crop.height)
    return max(edge_widths(crop, steps)) >= least


def _blurred_print(page: Image.Image, reading: "_Reading") -> bool:
    """Whether ``reading``'s band holds blurred print, measured on the band cut plain (a
    reshaped reading's own crop is straightened, stood up or deblurred): along the lines, as
    ``_blurred`` does, or across them or along either diagonal (``SHAKE_STEPS``). A shaken
    phone smears the print along its streak only, and leaves edges across the streak sharp:
    streaked down a diagonal, O'NEILL's N read M by every pass, valid (blurred 280/30), its
    edges along the lines a sharp print's (0.12 of a character height), down the streak 0.19."""
    crop = reading.cut if reading.prepare is None else None
    if crop is None:
        crop, _ = locate.cut_band(
            page, reading.band, reading.scale, flip=reading.flip, target_char=CUT_CHAR
        )
    return _blurred(crop, reading.band, reading.scale, SHAKE_STEPS)


def edge_widths(crop: Image.Image, steps: _Steps = ((1, 0),)) -> list[float]:
    """How many pixels the print's edges take to go from paper to ink along each of ``steps``
    (a neighbour's offset, ``(x, y)``: along the lines by default): the crop's contrast (2nd to
    98th percentile) over its steepest steps (the 99.5th percentile of the differences between
    neighbours, per pixel of the step's length). About a tenth of a character height on sharp
    print, more as a blur spreads each stroke."""
    gray = crop if crop.mode == "L" else crop.convert("L")
    # Pillow's histograms, of the levels and of the steps between neighbours: a sure reading's
    # path measures this, and numpy's percentiles took ten times as long.
    dark, light = _levels_at(gray.histogram(), (0.02, 0.98))
    widths = []
    for across, down in steps:
        steepest = _steepest_step(gray, across, down)
        length = math.hypot(across, down)
        widths.append(0.0 if steepest is None else (light - dark) * length / max(steepest, 1))
    return widths


def _steepest_step(gray: Image.Image, across: int, down: int) -> int | None:
    """The 99.5th percentile of the differences between ``gray``'s pixels and their neighbours
    ``across`` to the right and ``down`` below; None where the crop is not that large."""
    width, height = gray.width - abs(across), gray.height - abs(down)
    if width <= 0 or height <= 0:
        return None

    def from_corner(left: int, top: int) -> Image.Image:
        return gray.crop((left, top, left + width, top + height))

    differences = ImageChops.difference(
        from_corner(max(across, 0), max(down, 0)), from_corner(max(-across, 0), max(-down, 0))
    )
    (steepest,) = _levels_at(differences.histogram(), (0.995,))
    return steepest


def _levels_at(counts: list[int], shares: tuple[float, ...]) -> list[int]:
    """The levels below which ``shares`` of what ``counts`` (a count per level) counts lie."""
    cumulative = np.cumsum(counts)
    return [int(np.searchsorted(cumulative, share * cumulative[-1])) for share in shares]


def deblurred(crop: Image.Image, sigma: float) -> Image.Image:
    """``crop`` with a Gaussian blur of ``sigma`` pixels undone (``_wiener``)."""

    def gaussian(across: np.ndarray, along: np.ndarray) -> np.ndarray:
        return np.exp(-2 * (np.pi * sigma) ** 2 * (across**2 + along**2))

    return _wiener(crop, gaussian, math.ceil(3 * sigma), DEBLUR_BALANCE)


def unshaken(crop: Image.Image, angle: float, length: float) -> Image.Image:
    """``crop`` with a shake's straight streak of ``length`` pixels at ``angle`` (radians from
    along the lines, y down) undone (``_wiener``): a shaken phone averages the picture over the
    streak, whose transfer is a sinc across the frequencies along it."""
    cos, sin = math.cos(angle), math.sin(angle)

    def streak(across: np.ndarray, along: np.ndarray) -> np.ndarray:
        return np.sinc(length * (along * cos + across * sin))

    return _wiener(crop, streak, math.ceil(length), UNSHAKE_BALANCE)


def _wiener(
    crop: Image.Image,
    transfer: Callable[[np.ndarray, np.ndarray], np.ndarray],
    pad: int,
    balance: float,
) -> Image.Image:
    """``crop`` with a blur whose (real) ``transfer`` function of the frequencies across and
    along the lines is given undone by a Wiener filter regularised by the Laplacian, as
    ``skimage.restoration.wiener`` does (written out here: importing it loads ``scipy.signal``,
    over a second), its contrast stretched from the 1st to the 99th percentile. The crop is
    mirrored ``pad`` pixels out at its edges first, so the filter's wrap-around does not ring at
    them."""
    gray = np.asarray(crop if crop.mode == "L" else crop.convert("L"), dtype=np.float64) / 255
    pad = min(pad, gray.shape[0] - 1, gray.shape[1] - 1)
    padded = np.pad(gray, max(pad, 0), mode="reflect")
    across = np.fft.fftfreq(padded.shape[0])[:, None]
    along = np.fft.rfftfreq(padded.shape[1])[None, :]
    blur = transfer(across, along)
    laplacian = 4 - 2 * np.cos(2 * np.pi * across) - 2 * np.cos(2 * np.pi * along)
    restored = np.fft.irfft2(
        np.fft.rfft2(padded) * blur / (blur**2 + balance * laplacian**2), s=padded.shape
    )
    if pad > 0:
        restored = restored[pad:-pad, pad:-pad]
    low, high = np.percentile(restored, (1, 99))
    stretched = (restored - low) * (255 / max(float(high - low), 1e-6))
    return Image.fromarray(np.clip(stretched, 0, 255).astype(np.uint8))


def shake_streak(crop: Image.Image, char: float) -> tuple[float, float] | None:
    """A shake's streak in ``crop`` (print ``char`` px high), as (angle, length as a share of
    ``char``): the direction of STREAK_STEPS along which the print's edges are softest
    (``edge_widths``), when they take BLURRED_EDGE of a character height or more there and
    STREAK_RATIO times what they take across it; None for sharp print or a blur alike every
    way (a phone out of focus: ``deblurred``). Its length grows with how much softer the edges
    are along it than across (STREAK_LENGTH per share of ``char``)."""
    widths = edge_widths(crop, STREAK_STEPS)
    widest = max(range(len(widths)), key=widths.__getitem__)
    across = widths[(widest + len(widths) // 2) % len(widths)]
    if widths[widest] < BLURRED_EDGE * char or widths[widest] < STREAK_RATIO * across:
        return None
    return _streak_angle(widths, widest), STREAK_LENGTH * (widths[widest] - across) / char


def _streak_angle(widths: list[float], widest: int) -> float:
    """The angle of STREAK_STEPS' ``widest`` direction moved to the top of the parabola through
    its edge width and its two neighbours', between them: a streak between two directions
    softens both (shaken 2026 and 7: 34 of 80 right with the widest direction's own angle, 40
    with the top's)."""
    count = len(widths)
    angles = [math.atan2(y, x) for x, y in STREAK_STEPS]  # 0 to 153.4 degrees
    # The neighbours across the list's ends: a streak has no sense, 180 degrees is 0.
    before = angles[widest - 1] - (math.pi if widest == 0 else 0.0)
    after = angles[(widest + 1) % count] + (math.pi if widest == count - 1 else 0.0)
    curve, slope, _ = np.polyfit(
        [before, angles[widest], after],
        [widths[widest - 1], widths[widest], widths[(widest + 1) % count]],
        2,
    )
    if curve >= 0:  # no top between them (two neighbours alike and flat)
        return angles[widest]
    return float(np.clip(-slope / (2 * curve), before, after))


def _unshake(
    crop: Image.Image, *, band: locate.Band, scale: float, streak: tuple[float, float]
) -> Image.Image:
    """A cut of ``band`` at any size with ``streak`` (``shake_streak``, measured on its plain
    cut) undone: the streak's length is a share of the character height, whatever the cut."""
    angle, share = streak
    return unshaken(crop, angle, share * locate.cut_char(band, scale, crop.height))


def _deblur(crop: Image.Image, *, band: locate.Band, scale: float) -> Image.Image:
    """A cut of ``band`` at any size deblurred by DEBLUR_SHARE of its character height (a later
    cut of a band read deblurred)."""
    return deblurred(crop, DEBLUR_SHARE * locate.cut_char(band, scale, crop.height))


def unslanted(crop: Image.Image) -> Image.Image | None:
    """``crop`` (a band cut horizontal) sheared along its lines so that its characters' strokes
    stand upright; None when they lean less than SLANT_LEAST (``print_leans``). A photo taken
    at a slant to the page keeps the lines straight but leans the characters (the band is cut
    along the lines), and Tesseract misread a leaning card's MRZ (3N6SHAMAE read 3N6SWMAMAE).
    The shear follows the lean from one stretch's middle to the next: at a strong slant the
    print leans one way at one end and the other way at the other (slanted 2027/20: a card's
    thirds 0.125, 0.05 and -0.1, the whole 0.05, and VAN DER BERG read NAN, valid)."""
    leans = print_leans(crop)
    if not _leaning(leans):
        return None
    height, width = crop.height, crop.width
    # The shear at each strip's sides, from the leans at the stretches' middles (beyond the
    # outer ones, theirs).
    sides = np.linspace(0, width, SHEAR_STRIPS + 1).round().astype(int)
    shears = np.interp(sides, *zip(*leans, strict=True))
    half = height / 2
    # Each strip of the result takes the quadrilateral leaning as the print does at its sides:
    # neighbours share a side.
    mesh = []
    for left, right, first, second in zip(
        sides[:-1], sides[1:], shears[:-1], shears[1:], strict=True
    ):
        upper_left, lower_left = left - first * half, left + first * half
        upper_right, lower_right = right - second * half, right + second * half
        quad = (upper_left, 0, lower_left, height, lower_right, height, upper_right, 0)
        mesh.append(((int(left), 0, int(right), height), quad))
    paper = locate.median_grey(crop if crop.mode == "L" else crop.convert("L"))
    return crop.transform(
        crop.size,
        Image.Transform.MESH,
        mesh,
        resample=Image.Resampling.BILINEAR,
        fillcolor=paper,
    )


def print_leans(crop: Image.Image) -> list[tuple[float, float]]:
    """The lean of ``crop``'s print (``_lean``) in each of LEAN_PARTS stretches along the band,
    as (the stretch's middle, its lean), leaving out stretches with too little print to tell
    and stretches of fillers; none on a crop too small to measure (under 8 px high, or shorter
    than four heights)."""
    gray = np.asarray(crop if crop.mode == "L" else crop.convert("L"), dtype=np.float32)
    height, width = gray.shape
    if height < 8 or width < 4 * height:
        return []
    ink = _over_paper(gray, max(3, height // 8)) < PRINT_SHARE
    edges = np.linspace(0, width, LEAN_PARTS + 1).round().astype(int)
    leans = [
        ((left + right) / 2, lean)
        for left, right in itertools.pairwise(edges)
        if (lean := _lean(ink[:, left:right])) is not None
    ]
    if not leans:
        return []
    # A stretch of fillers measures the lean of a chevron's strokes (about half a column per
    # row, either way), not the print's: left out where it leans so far from the others.
    usual = float(np.median([lean for _, lean in leans]))
    return [(centre, lean) for centre, lean in leans if abs(lean - usual) <= LEAN_SPREAD]


def _leaning(leans: list[tuple[float, float]]) -> bool:
    """Whether print measured so (``print_leans``) leans SLANT_LEAST or more anywhere."""
    return any(abs(lean) >= SLANT_LEAST for _, lean in leans)


def _lean(ink: np.ndarray) -> float | None:
    """The shear of SLANTS (a column's move per row, from the middle row) under which the
    print of ``ink`` (True where print) stands most upright: its columns most apart, the sum
    of the squared counts of print in each column largest when every stroke falls in one
    column. None with too little print to tell (under a pixel per column)."""
    height, width = ink.shape
    rows, columns = np.nonzero(ink)
    if len(rows) < width:
        return None
    across = rows - height / 2
    sharpness = np.concatenate(
        [
            _sharpness(columns, across, np.array(SLANTS[first : first + LEAN_GROUP]))
            for first in range(0, len(SLANTS), LEAN_GROUP)
        ]
    )
    return SLANTS[int(np.argmax(sharpness))]  # the first of equals, as ``max`` took


def _sharpness(columns: np.ndarray, across: np.ndarray, slants: np.ndarray) -> np.ndarray:
    """For each of ``slants``, the sum of the squared counts of print in each column of the
    crop sheared by it, print at ``columns`` and ``across`` rows from the middle (``_lean``).
    Where each pixel lands (the sheared crop takes the pixel at ``x + slant * across`` for its
    ``x``) a row per slant, all counted in one bincount: a slant at a time was a fiftieth of a
    sure reading's time. A group of slants at a time keeps the arrays (a row per slant, a
    column per pixel of print) a few MB for the widest band."""
    moved = np.round(columns - slants[:, None] * across).astype(np.int64)
    moved -= moved.min(axis=1, keepdims=True)
    span = int(moved.max()) + 1
    shifted = (moved + span * np.arange(len(slants))[:, None]).ravel()
    counts = np.bincount(shifted, minlength=span * len(slants)).reshape(len(slants), span)
    return (counts.astype(np.float64) ** 2).sum(axis=1)


def _unslant(crop: Image.Image) -> Image.Image:
    """``crop`` unslanted, or as it is when its print stands upright."""
    return unslanted(crop) or crop


def _untried(found: list[locate.Band], tried: list[locate.Band]) -> list[locate.Band]:
    """The bands of ``found`` that no band of ``tried`` covers: one whose centre lies in a tried
    band at least UNTRIED_SHARE as long is the same print; a longer one is not (the plain
    locator stopped at a shadow's edge across the lines, where the relative one went on)."""
    return [
        band
        for band in found
        if not any(
            other.contains(band.cx, band.cy, margin=band.char)
            and other.length >= UNTRIED_SHARE * band.length
            for other in tried
        )
    ]


def _try_bands(
    page: Image.Image,
    bands: list[locate.Band],
    scale: float,
    page_scale: float,
    today: date,
    page_best: "_Reading | None",
) -> "tuple[MrzResult | None, _Reading | None]":
    """OCR the most promising bands; the confirmed result of the first that passes its checks,
    else None and the best reading so far."""
    calls = 0
    first_flip = False  # how the most promising band reads upright
    for position, found in enumerate(bands[:BANDS_PER_PASS]):
        band = found
        upright, _ = locate.cut_band(page, band, scale, flip=False)
        order = (False, True) if _looks_upright(upright) else (True, False)
        if position == 0:
            first_flip = order[0]
        plain: _Reading | None = None  # the band's plain reading the way it reads upright
        for flip in order:
            if calls >= MAX_OCR_CALLS:
                break
            calls += 1
            crop = upright if not flip and band is found else None
            reading = _Reading.take(page, band, scale, flip, page_scale, today, crop=crop)
            if reading is None:
                continue
            if _cut_through(reading):
                # Every later pass over the band reads it as cut: cut it wider for them all.
                calls += 1
                reading = _full_height(page, reading, page_scale, today)
                band = reading.band
            if flip == order[0]:
                plain = reading
            if page_best is None or reading.parsed.score > page_best.parsed.score:
                page_best = reading
            if reading.parsed.valid:
                return _confirmed(page, bands[position + 1 :], reading, today), page_best
        if calls < MAX_OCR_CALLS + BANDS_PER_PASS:
            # A hard shadow edge across the lines, glare or dim light: the band again, each pixel
            # divided by its local paper's brightness (one more call per band, failing ones only).
            calls += 1
            reading = _Reading.take(
                page, band, scale, order[0], page_scale, today, variant={"flatten": True}
            )
            if reading is not None and (
                page_best is None or reading.parsed.score > page_best.parsed.score
            ):
                page_best = reading
            if reading is not None and reading.parsed.valid:
                if plain is not None and _lookalike_read(reading.parsed, plain.parsed):
                    # The plain pass read 4UK7606S's 6 where the flattened one read G, valid:
                    # a check digit cannot tell the two (16 and 6): shown as the plain cut's
                    # cells look, not sure.
                    cut = functools.partial(_plain_cut, page, plain)
                    return _result(reading.parsed, reading.box, valid=False, cut=cut), page_best
                return _confirmed(page, bands[position + 1 :], reading, today), page_best
    if page_best is None and bands:
        # No pass read an MRZ at all: a glare streak may have faded most of a line, and what
        # was left was too short for one. The most promising band, its faint print darkened.
        page_best = _Reading.take(
            page, bands[0], scale, first_flip, page_scale, today, variant={"faded": True}
        )
        if page_best is not None and page_best.parsed.valid:
            return _confirmed(page, bands[1:], page_best, today), page_best
    return None, page_best


def _looks_upright(crop: Image.Image) -> bool:
    """Whether a band's crop cut as found (not turned) is upright: from its ``<`` fillers'
    shape, which a shadow, glare or dim light leaves alone (a hard shadow over one end of the
    band made the ink measure turn 180 degree photos the wrong way, and the band's flattened
    pass read upside down), else from where the ink is heavier."""
    shape = locate.filler_orientation(crop)
    return locate.right_side_is_lighter(crop) if shape is None else shape


def flattened(crop: Image.Image) -> Image.Image:
    """``crop`` divided by its local paper brightness (a grey closing a quarter of its height
    wide), stretched to 0-255: a shadow's or a glare's edge across the lines disappears."""
    gray = np.asarray(crop if crop.mode == "L" else crop.convert("L"), dtype=np.float32)
    flat = _over_paper(gray, max(7, crop.height // 4))
    return Image.fromarray(np.clip(flat * 255, 0, 255).astype(np.uint8))


def _over_paper(gray: np.ndarray, size: int) -> np.ndarray:
    """``gray`` divided by its local paper's brightness (a grey closing ``size`` pixels square,
    wider than the strokes): 1 on paper, lit or shadowed alike, lower on print."""
    return gray / np.maximum(morphology.grey_closing(gray, (size, size)), 1.0)


def normalised(crop: Image.Image) -> Image.Image:
    """``crop`` with its contrast stretched locally, each pixel between the darkest and the
    lightest grey around it (windows NORMALISE_WINDOW character heights, smoothed): a glare
    streak leaves faded print faded after ``flattened`` (the paper is white under it either way)
    and Tesseract's one threshold for the whole crop takes it for paper. Where the window's
    range is under NORMALISE_FLOOR of the crop's usual range (paper only) the noise is not
    stretched to full contrast. For a band cut at CUT_CHAR."""
    gray = np.asarray(crop if crop.mode == "L" else crop.convert("L"), dtype=np.float32)
    window = (round(NORMALISE_WINDOW[0] * CUT_CHAR), round(NORMALISE_WINDOW[1] * CUT_CHAR))
    light = ndimage.uniform_filter(morphology.maximum_filter(gray, window), size=window)
    dark = ndimage.uniform_filter(morphology.minimum_filter(gray, window), size=window)
    spread = light - dark
    floor = NORMALISE_FLOOR * float(np.percentile(spread, 75))
    out = (gray - dark) / np.maximum(spread, max(floor, 1.0)) * 255
    return Image.fromarray(np.clip(out, 0, 255).astype(np.uint8))


def faded(crop: Image.Image) -> Image.Image:
    """``crop`` flattened (``_over_paper``), smoothed a little, and the greys from the paper's
    down to FADED_DEPTH below it stretched over the whole range: print a glare streak faded to
    a grey near the paper's turns as dark as the rest (which turns black), where Tesseract's one
    threshold for the crop took it for paper, and ``normalised``'s windows, two lines high,
    stretched it by the other line's darker print. The paper's level is the crop's median (a
    band is mostly paper) less three times its noise (the spread of the greys above the
    median): the sensor's noise stays white. For a band cut at CUT_CHAR."""
    gray = np.asarray(crop if crop.mode == "L" else crop.convert("L"), dtype=np.float32)
    flat = ndimage.gaussian_filter(_over_paper(gray, max(7, crop.height // 4)), FADED_SMOOTH)
    median = float(np.median(flat))
    above = flat[flat >= median]
    noise = float(np.median(np.abs(above - median))) * 1.4826  # the MAD as a standard deviation
    paper = median - 3 * noise
    out = (flat - (paper - FADED_DEPTH)) / FADED_DEPTH * 255
    return Image.fromarray(np.clip(out, 0, 255).astype(np.uint8))


PREPARED: dict[str, Callable[[Image.Image], Image.Image]] = {
    "flatten": flattened,
    "normalise": normalised,
    "faded": faded,
}


def denoised(
    page: Image.Image, band: locate.Band, scale: float, flip: bool, target_char: float
) -> Image.Image:
    """The band cut at its own size, smoothed over DENOISE_SIGMA of its character height, then
    enlarged (Lanczos) to ``target_char`` and its contrast stretched. Dim light's sensor noise
    and a low JPEG quality's 8-pixel blocks are as large as an 8-12 px character's strokes; a
    zoom keeps them and an unsharp mask sharpens them, and Tesseract reads them as strokes."""
    native = band.char / scale  # character height in ``page`` pixels
    base, _ = locate.cut_band(page, band, scale, flip=flip, target_char=native)
    smooth = base.filter(ImageFilter.GaussianBlur(DENOISE_SIGMA * native))
    factor = target_char / max(native, 1.0)
    larger = smooth.resize(
        (max(1, round(base.width * factor)), max(1, round(base.height * factor))),
        Image.Resampling.LANCZOS,
    )
    return ImageOps.autocontrast(larger, cutoff=1)


def _confirmed_fallback(reading: "_Reading", region: Image.Image, today: date) -> MrzResult:
    parsed = reading.parsed
    if parsed.type == "PN" or parsed.name_confidence < NAME_CONFIDENCE:
        return _result(parsed, reading.box, valid=False)
    # The region is PassportEye's: our OCR of it enlarged is the second reading. It must pass
    # every check with the same fields, not only read the names alike: PassportEye read a
    # number's P as F (worth 25 and 15: no check digit sees it) on small print ours could not read.
    larger = region.resize(
        (round(region.width * 1.3), round(region.height * 1.3)), Image.Resampling.LANCZOS
    )
    lines = tesseract.ocr_symbols(larger)
    again = parse_lines(["".join(symbol.text for symbol in line) for line in lines], today=today)
    agrees = again is not None and again.valid and again.fields == parsed.fields
    if not (agrees and names_alike_in(parsed, lines)):
        return _result(parsed, reading.box, valid=False)
    # Glare fades a letter into another in both readings alike (glare 195/9: AYSE read AYSF
    # by PassportEye and ours): the fades measured on the region enlarged, as ours read it.
    reading.faded_on = larger, tesseract.line_boxes(lines)
    sure = not _faded_misread(reading) and _number_twins_clear(reading, lambda: larger)
    return _result(parsed, reading.box, valid=sure)


# ``straightened`` and ``unslanted``: print is darker than this share of its local paper.
# ``straightened``: a strip holds print in this share of its pixels at least to place the centre
# line; a centre line bowing less than this share of the crop's height at the crop's ends is
# straight; a strip's centre is sought within this share of the height around its neighbour's.
# A bent band is cut wider by BENT_WIDEN_CHARS character heights at each side, as a bow of two
# character heights takes a line's ends out of the straight band.
PRINT_SHARE = 0.75
BENT_STRIP_INK = 0.02
BENT_SHARE = 0.04
BENT_WINDOW = 0.3
BENT_WIDEN_CHARS = 1.5
# ``unslanted``: the shears tried (a column's move per row, from the crop's middle row), and the
# least one taken for a lean (OCR-B's strokes stand upright; 2.4 px over a 24 px character).
SLANTS = tuple(round(step * 0.025, 3) for step in range(-24, 25))
SLANT_LEAST = 0.1
# The stretches of a band whose leans are measured, and the strips the shear is made of.
LEAN_PARTS = 3
LEAN_GROUP = 8  # slants measured at once (``_sharpness``)
SHEAR_STRIPS = 12
# A stretch leaning further than this from the median stretch is one of fillers (``unslanted``).
LEAN_SPREAD = 0.25
# ``deblurred``: a band's print is blurred when its edges take BLURRED_EDGE of a character
# height or more (sharp print takes about a tenth, up to a seventh); its blur is undone as a
# Gaussian's of DEBLUR_SHARE of a character height, regularised by DEBLUR_BALANCE.
BLURRED_EDGE = 1 / 6
# The neighbours' offsets (x, y) a blurred reading's edges are measured along
# (``_blurred_print``): along the lines, across them, down both diagonals. On sharp print the
# four measured alike (within a tenth); a shake's streak softens one of them.
SHAKE_STEPS = ((1, 0), (0, 1), (1, 1), (1, -1))
DEBLUR_SHARE = 0.1
DEBLUR_BALANCE = 0.05
# ``shake_streak``: the directions (x, y) a shake's streak is looked for along, about every 22.5
# degrees, each with the one across it half the list away; how many times softer the print's
# edges must be along it than across; and the streak's length (in character heights) per
# character height its edges are softer by: a streak of 0.25 to 0.5 of a character height over
# a specimen band softened its edges along it by 0.08 to 0.21, a third to a half of its length.
STREAK_STEPS = ((1, 0), (2, 1), (1, 1), (1, 2), (0, 1), (-1, 2), (-1, 1), (-2, 1))
STREAK_RATIO = 1.6
STREAK_LENGTH = 2.5
UNSHAKE_BALANCE = 0.01
UNTRIED_SHARE = 0.85  # of a band's length, that of a tried band around its centre: the same band
USE_FALLBACK = True  # PassportEye's locator when ours finds nothing that passes
# ... unless ours read an MRZ that nearly passes and has already spent this much CPU time:
# PassportEye costs 0.4-1.3 s more, and the photos that keep ours busy longest (glare whitening
# a line) are ones where it finds nothing either. Where it found a valid MRZ in the bench, ours had
# spent 0.7-1.3 s. When ours found nothing at all, PassportEye always gets its try (a real
# passport photo of the samples is found by it alone, after 2.5-4 s of ours).
FALLBACK_AFTER_CPU_SECONDS = 2.0
LOW_RESOLUTION_VARIANTS = (
    {"target_char": 28.0, "contrast": True},
    {"target_char": 36.0, "contrast": True},
)
VARIANTS = (
    {"target_char": 34.0, "contrast": True},
    {"target_char": 18.0, "contrast": True},
    {"target_char": 32.0, "denoise": True},
)
# Of the character height, the Gaussian's radius that smooths a noisy band (``denoised``), for
# print under this height (source pixels).
DENOISE_SIGMA = 0.08
# ``normalised``: the window (height, width) in character heights, and the share of the crop's
# usual spread of greys under which a window's is taken for paper and noise.
NORMALISE_WINDOW = (1.3, 2.0)
NORMALISE_FLOOR = 0.4
DENOISE_MAX_CHAR = 16.0
# How many marks left of the MRZ's first column ``without_stray_names_prefix`` drops from a line:
# placed by their boxes, not by the line's length (a glare streak's edge read "BM1" before a TD3's
# names, glare 256/0); the passes' lines compared by length allow ``vote.STRAY_CHARS``.
STRAY_MARKS = 4
LENGTHEN_CHARS = 6.0  # character heights a band cut short is lengthened by at each end
# ``_line_ends_hidden``: a 36-character line's end must be followed by paper. Its band is cut
# END_LENGTHEN_CHARS character heights longer at each end; the cell from END_GAP of a pitch past
# its last character on is compared, row by row, with the paper of its last END_PAPER_CELLS
# cells (their rows' END_PAPER_LEVEL percentile): paper is END_LIGHT of it or lighter at the
# median and holds print (darker than END_DARK of it) in END_INK of its pixels at most. The
# plain and shadowed bench photos' 36-character readings, sure and right, measured 0.92-1.01
# (degraded, dim, glare alike) and no print; a thumb over an MRV-A's last eight columns 0.81-0.82.
END_LENGTHEN_CHARS = 3.0
END_GAP = 0.25
END_PAPER_CELLS = 3
END_PAPER_LEVEL = 90
END_LIGHT = 0.88
END_DARK = 0.6
END_INK = 0.05
END_LIKENESS = 0.6  # of an OCR line to a reading's line (difflib's ratio), to be taken for it
# The fields check digits cover, on which two readings of the same lines passing every check
# cannot both be right.
CHECKED_FIELDS = (
    "number", "date_of_birth", "expiry_date", "personal_number", "issue_date", "department_code",
)  # fmt: skip
WIDEN_CHARS = 0.5  # character heights a band cut through a line is widened by at each side
CUT_EDGE = 1  # crop pixels from its top or bottom within which a line's box reaches the edge
# The last passes over a band no pass read valid, for glare: contrast stretched locally, then
# faint print darkened (``normalised``, ``faded``).
GLARE_VARIANTS = ({"normalise": True}, {"faded": True})
# ``faded``: how far below the paper's brightness (a share of it) a grey is black, and the
# Gaussian's radius (px) that smooths the band first.
FADED_DEPTH = 0.25
FADED_SMOOTH = 0.8
LOW_RESOLUTION_CHAR = 11.0  # source character height (px) below which the band is read again
# Print just over LOW_RESOLUTION_CHAR, under this source character height (px), reads a
# lookalike no check digit sees alike and wrong in every pass too (degraded 179/4 at 11.1 px:
# BG6G6R9AZ read BG6GGR9AZ by three passes of four; 179/19 at 11.7 px: a PN's ЭЙХЕ, 6QHE, read
# 6GHE by two sizes, the G with Q and B close behind): a sure reading's cells of such pairs, where
# measured, must look like what was read (``vote.shapes_clear``, not strict: smaller print's must
# all be measured), and its names must read clear as small print's (``_small_names_clear``).
SHAPES_CHAR = 14.0
CUT_CHAR = 24.0  # character height (px) a band is first cut at for the OCR
# Cells past a document number's nine a band is cut to when read again for its Ms and Ws
# (``_number_columns``): its check digit and the next, and room for the band's left margin,
# which moves the line's cells right of their share of its width.
NUMBER_COLUMNS_PAST = 4
# Source character height (px) below which a reading is never "valid". Over it small print is
# made sure by re-reads agreeing on every field, its names strip read clear and its lookalikes'
# cells measured (above). From 7 px down to 5: of 186 readings of generated photos shrunk to
# 380-800 px (its print 5-7 px, seeds 401-412) 121 were so made sure, all right; of the public
# samples at half their size, 8 readings at 5.1-6.7 px, all right. Under 5 px (strokes under a
# pixel) too few were measured.
TOO_SMALL_CHAR = 5.0
NAME_CONFIDENCE = 60.0  # Tesseract's word confidence on the names line, below which: not sure
# A second pass over the band (at this character height) must read the names alike, each of their
# characters with at least this confidence (0-100).
SECOND_PASS_CHAR = 31.0
NAME_CHAR_CONFIDENCE = 80.0
# Characters a line may be read long or short by and be measured for its fade all the same
# (``_measured_fades``): a glyph lost in a faded stretch, a stray mark read before it.
LENGTH_SLACK = 2
# Passes over names glare faded, for those shown (``_faded_names_read_again``).
FADED_NAMES_VARIANTS = (
    {"faded": True},
    {"normalise": True},
    {"flatten": True},
    {"target_char": SECOND_PASS_CHAR, "faded": True},
)
# A names character cell whose print takes less than this share of the paper's light than the
# band's best-lit cells do is faded (glare): the names are not sure.
FADED_SHARE = 0.6
# Names whose faintest cell takes under this share, though not under FADED_SHARE, lie under a
# glare streak's edge: sure only if passes over the print prepared otherwise read them alike
# (``_edge_names_read_otherwise``). Of glare 400-407's readings called sure, two with names
# wrong measured 0.62 and 0.64, 22 right ones 0.60 to 0.79.
GLARE_EDGE_SHARE = 0.8
# A faded checked field read by one pass alone is not sure where the passes read it this many
# other ways (``_faded_fields_read_many_ways``).
FADED_READ_OTHERWISE = 2
TD1_OPTIONAL_START = 15  # the column of a TD1's first line its optional data starts at
# Characters of a number two passes may read otherwise and still be compared cell by cell.
DISPUTED_MOST = 2
# Letters a fade makes of others, measured alone: T, of an I whose foot faded. Its lower stroke
# is a stem in the cell's middle, which the cells' grid does not cut (F and P, what a fade makes
# of E and R, have theirs at the cell's left edge: the P of a clean PIETER measured 0.49).
FADE_MADE = "T"
# In a faded stretch of a number, letters a fade makes of others, and what they were made of:
# F of an E whose foot faded, T of an I. Two such misreads cancel in the check digit when they
# are seven weights apart (glare 184/32: 8ERB5RE2 read 8FRB5RF2, +3 and +7, the darkened print
# read alike; a TD1's composite opens with the number). Such a cell must look like what was
# read by FADE_MADE_MARGIN of what sets the two glyphs apart: one of those F's looked like the
# E by 0.03, the other like the F by 0.88; right F's and T's in faded numbers (glare 101-105,
# 175-182) like themselves by 0.16 to 1.07 but for a T measured on its top half (-0.33).
NUMBER_FADE_MADE = {"F": "E", "T": "I"}
FADE_MADE_MARGIN = 0.1
FADED_SLICES = 4  # horizontal slices of a character's print measured apart (``_cell_contrasts``)
# Cells of a kind (fillers, or letters and digits) a band must hold for its best-lit ones to be
# the measure of that kind's fade; else the whole band's are (``_measured_fades``).
KIND_CELLS = 5
# Of the names line's height, above and below it in its strip (the gap to the next line can be
# under half of it).
NAMES_STRIP_MARGIN = 0.15
NAMES_STRIP_PAD = 0.5  # and a plain margin added of this much of its height
PN_NAME_CHAR_CONFIDENCE = 30.0
# Small print's names strip read once more: a letter whose runner-up weighs this share of it
# or more sends the names to the vote (one pass weighed the O of O'NEILL at 0.6 of its D, the
# next pass at under half).
CLEAR_RIVAL = 0.3
CLEAR_TARGETS = (24.0, SECOND_PASS_CHAR)  # the character heights (px) of those strips
PN_CONFUSABLE_WEIGHT = 0.15  # the other one's weight over the passes, at or above which: not sure
PN_NAME_CONFIDENCE = 15.0  # digits inside PN names get low confidences even when right
# Edits (a character changed, dropped or added) at most between a result's number failing its
# check digit and one another pass read passing it, for the result to show that one.
NUMBER_EDITS_MOST = 3
# Checks at most a pass may fail for its number, passing its own as read, to dispute a reading
# called sure (``_number_disputed``): passes misreading much of the band (4 checks of 12
# passing) read numbers passing by chance; one passing 11 of 11 read the right one beside a
# wrong one passing (glare 214/26).
DISPUTING_CHECKS_FAILED = 1
# Fields besides the number a check digit covers, and the characters (of their values as the
# fields hold them: a date as 1948-05-31) at most between two readings of one for the other to
# dispute it (``_fields_disputed``).
DISPUTABLE_FIELDS = tuple(name for name in CHECKED_FIELDS if name != "number")
FIELD_EDITS_MOST = 2


@dataclasses.dataclass
class _PhotoReads:
    """What the passes over the photo being read took, for a result not sure to show the best
    guess of: the numbers passing their check digit, each with its format and check digit
    (``_number_read_elsewhere``), and each pass's names line with its format
    (``_names_most_read``); and those of the numbers passing as read (no repair of the check
    digits' in them) by a pass failing DISPUTING_CHECKS_FAILED checks at most: one such that
    differs disputes a result called sure (``_number_disputed``), as such a pass's dates and
    optional fields do (``_fields_disputed``)."""

    numbers: set[tuple[str, str, str]] = dataclasses.field(default_factory=set)
    names: list[tuple[str, str, int]] = dataclasses.field(default_factory=list)
    numbers_well_read: set[tuple[str, str, str]] = dataclasses.field(default_factory=set)
    # The other fields a check digit covers (DISPUTABLE_FIELDS) as such passes read them passing
    # it, by format and name (``_fields_disputed``).
    fields_well_read: set[tuple[str, str, str]] = dataclasses.field(default_factory=set)
    # Each pass's text of each field a check digit covers (CHECKED_FIELDS: as read, with the
    # check digit after it where one is), with its format, if it passed half of its checks at
    # least (``_faded_fields_read_many_ways``).
    checked_spans: list[tuple[str, dict[str, str]]] = dataclasses.field(default_factory=list)
    # The passes taken over a band cut from the page (``_pass_key``): a pass wanted twice (the
    # darkened one, by a checked line's fade and then by the names') is read and counted once.
    # Each with the format and names line it read (None: nothing), for the names under a glare
    # streak's edge (``_edge_names_read_otherwise``).
    passes: dict[tuple, tuple[str, str] | None] = dataclasses.field(default_factory=dict)

    def saved(self) -> "_PhotoReads":
        """A copy of what the passes took so far, for ``restore``."""
        return copy.deepcopy(self)

    def restore(self, saved: "_PhotoReads") -> None:
        """What the passes took back to ``saved``: passes whose readings are dropped."""
        for f in dataclasses.fields(self):
            setattr(self, f.name, getattr(saved, f.name))


def _pass_key(band: locate.Band, scale: float, flip: bool, variant: dict) -> tuple:
    """What makes two passes of ``_Reading.take`` over a band cut from the page one pass."""
    return band, scale, flip, tuple(sorted(variant.items()))


# Set per photo by ``read_mrz``; a context variable because every pass adds to it
# (``_Reading.take``, ``_Reading.voted``) and the result is made on many paths after.
_photo_reads: ContextVar[_PhotoReads | None] = ContextVar("photo_reads", default=None)


class _Reading:
    def __init__(
        self,
        parsed: Parsed,
        band: locate.Band,
        flip: bool,
        box: tuple[int, int, int, int],
        scale: float,
        page_scale: float,
    ):
        self.parsed, self.band, self.flip, self.box = parsed, band, flip, box
        self.scale = scale
        # The band's own crop as cut (before a flattening or a normalising), and the lines its
        # OCR read: None and empty for a reading of a resized or contrast-stretched variant.
        self.cut: Image.Image | None = None
        self.ocr: list[tuple[str, float, tesseract.Box]] = []
        # What the crop went through before the OCR (``flattened``, ``normalised``), for a
        # second pass over the names to go through it too; None for the crop as cut.
        self.prepare: Callable[[Image.Image], Image.Image] | None = None
        self.denoised = False  # read from the crop smoothed at its own size (``denoised``)
        # The names strip's OCR at each character height it was read again at
        # (``_names_read_again``): its plain check and its clear one read the same strip.
        self.names_read: dict[float, list[list[tesseract.Symbol]]] = {}
        # Valid but for the names' confidence, which was a stray mark's before them too.
        self.stray_names = False
        # A plain crop of the band and its OCR lines, for a reading without its own crop to
        # have its fades measured on (``measured_on``).
        self.faded_on: tuple[Image.Image, list[tuple[str, float, tesseract.Box]]] | None = None
        # ``_faded_cells`` of each line measured, by its index and text.
        self.fades: dict[tuple[int, str], list[float] | None] = {}
        # ``_cell_contrasts`` of each line of the fade source's crop measured, by the crop, the
        # line's box and its text: each line's fades measure the band's other lines too.
        self.contrasts: dict[tuple[int, tesseract.Box, str], list[float]] = {}
        # Character height in the original image's pixels.
        self.char = band.char / scale / page_scale

    @property
    def prepared_as(self) -> dict | None:
        """The variant of ``take`` that prepares a crop as this reading's was (None: plain)."""
        return next(
            ({key: True} for key, prepare in PREPARED.items() if prepare is self.prepare), None
        )

    @classmethod
    def voted(cls, reading: "_Reading", voted: "vote.Voted") -> "_Reading":
        """The combined reading of ``reading``'s band."""
        again = cls(voted.parsed, reading.band, reading.flip, reading.box, reading.scale, 1.0)
        again.char = reading.char
        # What the vote settled, as one more reading (its passes' own lines may hold a stray
        # mark before the names, which a reading's are cleaned of).
        _note_names(voted.parsed)
        _note_number(voted.parsed)
        _note_checked_fields(voted.parsed)
        # The same band: its crop's first OCR lines locate the names for ``_names_faded``.
        again.cut, again.ocr = reading.cut, reading.ocr
        return again

    def measured_on(self, plain: "_Reading") -> "_Reading":
        """This reading of a resized or contrast-stretched crop, its fades measured on the
        plain crop of the same band (``plain``'s, when it kept one): glare's E read F in a PN's
        SERGEEVNA by a larger pass was called sure, the names' fade unmeasured (glare 144/16).
        Only the fades: the names strip of a second pass is placed as before."""
        if self.cut is None and plain.band == self.band and plain.flip == self.flip:
            self.faded_on = plain.cut, plain.ocr
        return self

    @property
    def fade_source(self) -> tuple[Image.Image, list[tuple[str, float, tesseract.Box]]] | None:
        """The crop whose print ``_faded_cells`` measures, and its OCR lines: the reading's own
        crop, else the plain one of its band (``measured_on``); None when neither is known."""
        if self.cut is not None:
            return self.cut, self.ocr
        return self.faded_on

    @classmethod
    def take(
        cls,
        page: Image.Image,
        band: locate.Band,
        scale: float,
        flip: bool,
        page_scale: float,
        today: date,
        *,
        crop: Image.Image | None = None,
        variant: dict | None = None,
    ) -> "_Reading | None":
        variant = variant or {}
        seen = _photo_reads.get()
        key = _pass_key(band, scale, flip, variant) if seen is not None and crop is None else None
        if key is not None:
            seen.passes[key] = None
        target = variant.get("target_char", CUT_CHAR)
        if variant.get("denoise"):
            crop = denoised(page, band, scale, flip, target)
        elif crop is None:
            crop, _ = locate.cut_band(page, band, scale, flip=flip, target_char=target)
        cut = crop
        if variant.get("contrast"):
            crop = ImageOps.autocontrast(crop, cutoff=1)
        prepare = next((PREPARED[key] for key in PREPARED if variant.get(key)), None)
        if prepare is not None:
            crop = prepare(crop)
        ocr = tesseract.ocr_line_boxes(crop)
        parsed = parse_ocr([(text, confidence) for text, confidence, _ in ocr], today=today)
        if parsed is None:
            return None
        cleaned, again = without_stray_names_prefix(ocr, parsed, crop, today)
        stray_names = False
        if again is not parsed and again.valid and again.name_confidence < _names_minimum(again):
            # Tesseract's confidence for the names line is the stray's too (one word with it):
            # this reading could only be "not sure"; other passes get their try first, and it
            # stays the best reading (names right) if none is sure.
            again.valid = False
            stray_names = True
        ocr, parsed = cleaned, again
        # A repaired number or name: valid only if the OCR's alternatives support each change.
        vote.confirm_with_symbols(parsed, crop)
        _note_number(parsed)
        _note_checked_fields(parsed)
        _note_checked_spans(parsed)
        _note_names(parsed)
        if key is not None:
            seen.passes[key] = (parsed.type, parsed.names_line)
        box = locate.band_box(page, band, scale)
        original_box = (
            round(box[0] / page_scale),
            round(box[1] / page_scale),
            round(box[2] / page_scale),
            round(box[3] / page_scale),
        )
        reading = cls(parsed, band, flip, original_box, scale, page_scale)
        if set(variant) <= set(PREPARED):  # the band's own crop, plain, flattened or normalised
            reading.cut, reading.ocr = cut, ocr
        reading.prepare = prepare
        reading.stray_names = stray_names
        reading.denoised = bool(variant.get("denoise"))
        return reading


def without_stray_names_prefix(
    ocr: list[tuple[str, float, tesseract.Box]], parsed: Parsed, crop: Image.Image, today: date
) -> tuple[list[tuple[str, float, tesseract.Box]], Parsed]:
    """The OCR lines of ``crop`` and their reading without stray glyphs read before the names: a
    card's or a shadow's edge just left of the MRZ read as a letter (``BGARCIA``, ``LWO<NEILL``),
    which the names line, having no check digit, cannot reject as the other lines' checks do.

    The MRZ lines are printed in one column grid, so the names start where the other lines start.
    When the names line was read longer than the format, or starting left of the other lines, the
    crop is read again character by character with each one's box: the first column is where
    the first character the checks kept of each other line starts, and the leading characters
    (at most STRAY_MARKS) of the names line, and of every other line, that end left of
    it are not part of the MRZ. The lines are then parsed again without them. Unchanged when nothing is
    suspect, the names line has no such character, no other line is placed, another line read
    long still is, or the reading without them is another format (its lines' count or length)
    or passes fewer checks. The names line's confidence stays Tesseract's for the whole line,
    strays included."""
    names_index = parsed.names_index
    if len(parsed.lines) <= names_index:
        return ocr, parsed
    length = len(parsed.lines[0])
    names_line = parsed.names_line

    def offset(text: str, line: str) -> int | None:
        """How many leading characters of ``text`` the reading ``line`` dropped, if any fit."""
        for extra in range(vote.STRAY_CHARS + 1):
            if len(text) - extra == length and alike(text[extra:], line) >= length - 3:
                return extra
        return None

    others = [line for index, line in enumerate(parsed.lines) if index != names_index]
    found = [
        position
        for position, (text, _, _) in enumerate(ocr)
        if len(text) >= length - 12
        and text not in others
        and alike(text[:length], names_line) >= min(len(text), length) - 3
    ]
    if not found:
        return ocr, parsed
    at = max(found, key=lambda position: alike(ocr[position][0][:length], names_line))
    names_text, confidence, names_box = ocr[at]
    suspect = len(names_text) > length or any(
        names_box[0] < box[0] - 0.5 * (box[2] - box[0]) / length
        for text, _, box in ocr
        if len(text) == length and any(alike(text, line) >= length - 3 for line in others)
    )
    if not suspect:
        return ocr, parsed
    lines = tesseract.ocr_symbols(crop)
    starts = []
    for symbols in lines:
        text = "".join(symbol.text for symbol in symbols)
        for line in others:
            extra = offset(text, line) if text != names_text else None
            if extra is not None and symbols[extra].box is not None:
                starts.append(symbols[extra].box[0])
                break
    if not starts:
        return ocr, parsed
    column = min(starts)

    def strays(symbols: list[tesseract.Symbol]) -> int:
        count = 0
        while (
            count < STRAY_MARKS
            and count < len(symbols) - 1
            and (box := symbols[count].box) is not None
            and box[2] < column
        ):
            count += 1
        return count

    by_text = {"".join(symbol.text for symbol in symbols): symbols for symbols in lines}
    if strays(by_text.get(names_text, [])) == 0:
        return ocr, parsed
    # Every line loses what was read left of the column: a stray before another line too, which
    # its checks could otherwise keep in place of a character without a check digit of its own
    # (``4I<GBD`` read as the document code "4<", taken for "A<").
    cleaned = list(ocr)
    for position, (text, confidence, box) in enumerate(ocr):
        symbols = by_text.get(text, [])
        count = strays(symbols)
        if count:
            left = min((symbol.box[0] for symbol in symbols[count:] if symbol.box), default=box[0])
            kept = "".join(symbol.text for symbol in symbols[count:])
            cleaned[position] = (kept, confidence, (left, box[1], box[2], box[3]))
    if any(
        len(cleaned[position][0]) != length
        for position, (text, _, _) in enumerate(ocr)
        if text != names_text and any(offset(text, line) for line in others)
    ):
        return ocr, parsed  # another line still has more than its characters: left as it was
    again = parse_ocr([(text, confidence) for text, confidence, _ in cleaned], today=today)
    # Another format is another reading; the type within a format may change: a stray before a
    # visa's V made its code 1V, and its reading a passport's (a US visa's public sample at half
    # its size).
    if (
        again is None
        or (len(again.lines), len(again.lines[0])) != (len(parsed.lines), len(parsed.lines[0]))
        or again.checks_passed < parsed.checks_passed
        or again.lines[names_index] == names_line
    ):
        return ocr, parsed
    return cleaned, again


def _around(
    page: Image.Image, reading: _Reading, page_scale: float, today: date
) -> tuple[MrzResult | None, _Reading | None]:
    """The MRZ looked for again in the part of the page around the OCR lines it was read from,
    when the band's crop held more lines than the MRZ: a band that took in other print is cut
    at that print's angle and size, and reads badly."""
    count = len(reading.parsed.lines)
    if reading.cut is None or len(reading.ocr) < count + 2:
        return None, None

    def likeness(start: int) -> int:
        return sum(
            alike(text, line)
            for (text, _, _), line in zip(
                reading.ocr[start : start + count], reading.parsed.lines, strict=True
            )
        )

    start = max(range(len(reading.ocr) - count + 1), key=likeness)
    boxes = [box for _, _, box in reading.ocr[start : start + count]]
    width, height = reading.cut.size
    line = sorted(bottom - top for _, top, _, bottom in boxes)[len(boxes) // 2]
    top = max(0, min(box[1] for box in boxes) - line)
    bottom = min(height, max(box[3] for box in boxes) + line)
    if bottom - top > 0.7 * height:
        return None, None
    corners = [
        locate.crop_point(reading.band, reading.scale, (width, height), (x, y), flip=reading.flip)
        for x in (0, width)
        for y in (top, bottom)
    ]
    region = (
        max(0, int(min(x for x, _ in corners))),
        max(0, int(min(y for _, y in corners))),
        min(page.width, math.ceil(max(x for x, _ in corners))),
        min(page.height, math.ceil(max(y for _, y in corners))),
    )
    if region[2] - region[0] < 20 or region[3] - region[1] < 20:
        return None, None
    part = page.crop(region)
    gray, scale = locate.working_image(part)
    best: _Reading | None = None
    for band in locate.find_bands(gray)[:2]:
        for flip in (False, True):
            again = _Reading.take(part, band, scale, flip, page_scale, today)
            if again is None:
                continue
            left, upper, right, lower = again.box
            dx, dy = region[0] / page_scale, region[1] / page_scale
            again.box = (round(left + dx), round(upper + dy), round(right + dx), round(lower + dy))
            if again.parsed.valid:
                return _confirmed(part, [], again, today), again
            if best is None or again.parsed.score > best.parsed.score:
                best = again
    return None, best


def _names(parsed: Parsed) -> tuple[object, object]:
    return parsed.fields.get("surname"), parsed.fields.get("given_names")


def _confirmed(
    page: Image.Image, others: list[locate.Band], reading: _Reading, today: date
) -> MrzResult:
    """A reading whose checks all pass, made sure of what no check digit covers: the names."""
    reading, disputing = _full_length(page, reading, today)
    # The band as first cut: a result not sure shows its number's lookalikes as their cells look.
    cut = _BandCut(functools.partial(_plain_cut, page, reading))
    # Faint print darkened (``faded``: what glare left of it) makes one glyph of another in
    # every cell alike: 8004288 read 8004266 (glare 138/13), the birth date's last digit and its
    # check digit both 8s read 6, and a field's last digit weighs 1, as its check digit does.
    darkened = reading.prepared_as == {"faded": True}
    if disputing is None and not darkened and _checked_faded(reading):
        disputing = _faded_fields_read_darkened(page, reading, today)
    if disputing is not None:  # its lines read again passed with other values
        _mark_disputed(reading.parsed, [disputing])
        return _result(reading.parsed, reading.box, valid=False, cut=cut)
    upright = _read_upright(page, reading, today)
    if upright is not None:  # leaning print read otherwise stood up: shown as read so
        _mark_disputed(upright.parsed, [reading.parsed])
        return _result(upright.parsed, reading.box, valid=False, cut=cut)
    if _line_ends_hidden(page, reading):
        return _result(reading.parsed, reading.box, valid=False, cut=cut)  # perhaps an MRV-A
    sure = True
    low_resolution = reading.char < LOW_RESOLUTION_CHAR
    # Print just over the low resolution's: checked as small print is (SHAPES_CHAR), below.
    just_over_small = not low_resolution and reading.char < SHAPES_CHAR
    # Blurred print (a phone out of focus or shaken) of any size: every pass reads a lookalike
    # alike and wrong as small print's do (blurred 278/38: a PN's surname ЭЙХЕ, 6QHE, read
    # 6GHE at 40 px by both, valid). Its lookalikes' cells are measured, below.
    blurred = not low_resolution and _blurred_print(page, reading)
    # The band read with a shake's streak undone (``_unshaken_reading``), once, when asked.
    unshaken = functools.cache(functools.partial(_unshaken_reading, page, reading, today, cut))
    # A shake's streak makes lookalikes of glyphs in every pass alike, and two misreads can
    # cancel in a check digit: a card's H4S4TJJW0 read HASATJJW0 (two As for 4s: +18 and +42),
    # valid, its number opening the composite; a passport's 0HJFA2AHS read 0HJFA2AH8 (S and 8
    # alike to it) and its JOSE LUIS read JOBE LUIB, valid. Streaked print is sure only when
    # the band read unshaken passes every check with every field alike; one passing with other
    # checked fields says one is wrong, and is shown (unshaken, the card's number read right).
    streak_unconfirmed = False
    if blurred:
        shaken = unshaken()
        if shaken is not None and _checked_fields_differ(reading.parsed, shaken.parsed):
            _mark_disputed(shaken.parsed, [reading.parsed])
            return _result(shaken.parsed, reading.box, valid=False, cut=cut)
        streak_unconfirmed = shaken is not None and not (
            shaken.parsed.valid and shaken.parsed.fields == reading.parsed.fields
        )
    # Print whose faintest slices measure low unfaded: its names under a glare streak's edge
    # are not read again (``_edge_names_read_otherwise``).
    edge_unmeasured = low_resolution or just_over_small or blurred
    if low_resolution or reading.parsed.dropped or reading.denoised or darkened:
        # Small print, a line read long whose dropped character the check digits chose, a
        # reading of the smoothed band (an extra pass over a near miss, one more chance for a
        # misread number to pass its check digit: a tenth) or of faint print darkened: read the
        # band again at other sizes; the reading is trusted only if another one agrees on
        # every field and none that passes reads any field otherwise (two numbers passing their
        # check digit: one is wrong).
        readings = [reading]
        # Re-reads that pass every check only through repairs the OCR does not support: they
        # cannot confirm a reading, but one that reads other fields says it may be wrong.
        doubts: list[_Reading] = []
        for variant in LOW_RESOLUTION_VARIANTS:
            if reading.denoised:  # read again as it was read: noise smoothed
                variant = {"target_char": variant["target_char"], "denoise": True}
            elif darkened:  # its print darkened, else there is none to read
                variant = {"target_char": variant["target_char"], "faded": True}
            again = _Reading.take(
                page, reading.band, reading.scale, reading.flip, 1.0, today, variant=variant
            )
            # A re-read valid but for a stray mark before the names (its confidence the
            # stray's) still says what it read: it must agree like any other.
            if again is not None and (again.parsed.valid or again.stray_names):
                again.box, again.char = reading.box, reading.char
                readings.append(again)
            elif again is not None and again.parsed.awaiting_support:
                doubts.append(again)
        # Of small print, the names Tesseract is surest of.
        chosen = max(readings, key=lambda item: item.parsed.name_confidence)
        if (
            len(readings) < 2
            # Two readings that each dropped a character the check digits chose are one guess
            # made twice (``8N4LFAEF`` read ``BN4ALFAEF`` at two sizes, both dropping the N:
            # ``B4ALFAEF`` passed); one read at the line's length must agree.
            or all(item.parsed.dropped for item in readings)
            or any(item.parsed.fields != chosen.parsed.fields for item in readings + doubts)
        ):
            # One reading disagrees: with the names, two re-reads at larger sizes agreed on a
            # PN's Й read as B (7RIQ read 7RIB) against the first reading's right one. The
            # fields read otherwise are marked for the customer to check.
            _mark_disputed(chosen.parsed, [item.parsed for item in readings + doubts])
            return _result(chosen.parsed, chosen.box, valid=False, cut=cut)
        if low_resolution:
            # The names strip is placed by the first reading's OCR (a re-read's crop was
            # contrast-stretched, and its lines not kept); every reading has the same fields.
            sure = chosen.char >= TOO_SMALL_CHAR and _small_names_clear(page, readings[0], today)
            # The re-reads are the same print rescaled: an 8 read B (a 6 read G) by one is
            # read so by all.
            sure = sure and vote.shapes_clear(_plain_cut(page, reading), reading.parsed)
            reading = chosen
    # Glare over the checked fields (after the re-reads above, which count as passes: a
    # reading they agree with was read so twice, and one they dispute shows the names the
    # surest of them read).
    many_ways = _faded_fields_read_many_ways(reading)
    if many_ways:  # marked for the customer to check
        reading.parsed.field_valid.update(dict.fromkeys(many_ways, False))
        _faded_names_read_again(page, reading, today)  # the names shown, as not sure's are
        return _result(reading.parsed, reading.box, valid=False, cut=cut)
    names = "".join(str(part) for part in _names(reading.parsed))
    lookalikes = reading.parsed.type == "PN" and any(c in names for c in vote.PN_CONFUSABLE)
    if lookalikes and (sure or not low_resolution):
        # Tesseract reads OCR-B "8" (Я) as "B" (Б) inside names, often the same way twice (small
        # print's re-reads too). Two passes at other sizes: sure only when each reads every 8
        # and B as this reading did, the model hardly weighed the other letter (a clean print)
        # and the cells look like the glyphs read (``_confusables_clear``); else not sure.
        voted = vote.read(
            page,
            reading.band,
            reading.scale,
            reading.flip,
            "PN",
            today,
            targets=vote.PN_TARGETS,
            sharpened=False,
            expected=reading.parsed.lines,
            # Cut as the reading was: plain passes lost a line a hard shadow's edge crossed.
            prepare=reading.prepare,
        )
        if voted is None or not voted.parsed.valid:
            return _result(reading.parsed, reading.box, valid=False, cut=cut)
        again = _Reading.voted(reading, voted)
        sure = (
            voted.parsed.fields == reading.parsed.fields
            and _voted_sure(again, voted)  # with the 8s' and Bs' (``_confusables_clear``)
            and not _another_document(
                page, others, reading.band, reading.scale, voted.parsed, today
            )
        )
        sure = sure and not _faded_misread(reading)
        sure = sure and (edge_unmeasured or not _edge_names_read_otherwise(page, reading, today))
        if sure and just_over_small:
            # The vote's sizes read a Й (Q) as Г (G) alike at 12.1 px too (degraded 200/19:
            # ЭЙХЕ read ЭГХЕ, valid).
            sure = _small_names_clear(page, reading, today) and _lookalikes_clear(
                page, reading, blurred=blurred
            )
        elif sure and blurred:
            sure = _lookalikes_clear(page, reading, blurred=blurred)
        return _result(reading.parsed, reading.box, valid=sure and not streak_unconfirmed, cut=cut)
    if not low_resolution:
        # Names have no check digit: a second pass at another size must read them alike, each
        # of their characters with a high confidence ("ESPANOLA" read "FSPANOLA" once, sure).
        # In PN names digits are letters (8 is Я, B is Б) and read with lower confidences.
        sure = _names_read_again(page, reading)
    parsed = reading.parsed
    if (
        not low_resolution
        and sure
        and (parsed.name_confidence < _names_minimum(parsed) or just_over_small)
    ):
        # The first pass unsure of the names (a hard shadow's edge across them: 4 of 10 shadowed
        # photos read right were not sure so), the second reading them alike, every letter sure:
        # sure when the names strip read at two more sizes has a clear winner for every letter.
        # So for print just over the low resolution's too.
        sure = _small_names_clear(page, reading, today)
    elif parsed.name_confidence < _names_minimum(parsed):
        sure = False  # Tesseract unsure of the names (a letter outside the alphabet, a smudge)
    if not sure:
        # Names not sure on a shaken phone's photo: the band read unshaken, confirmed as any
        # reading is, when it passes every check with the checked fields read alike. A streak
        # down a diagonal smeared GUDRUN's R into an F and VAN's N into an M in every pass
        # (photos 0-19 of seeds 402-403 smeared along a line of 9-17 px: 2 of 38 so, every
        # check passing); unshaken, both read right.
        shaken = None if low_resolution else unshaken()
        if (
            shaken is not None
            and shaken.parsed.valid
            and not _checked_fields_differ(parsed, shaken.parsed)
        ):
            return _confirmed(page, [], shaken, today)
        _faded_names_read_again(page, reading, today)
        return _result(parsed, reading.box, valid=False, cut=cut)
    if _another_document(page, others, reading.band, reading.scale, parsed, today):
        return _result(parsed, reading.box, valid=False, cut=cut)  # two documents: not sure which
    if _faded_misread(reading):
        _faded_names_read_again(page, reading, today)
        return _result(parsed, reading.box, valid=False, cut=cut)  # glare over the names or number
    if not edge_unmeasured and _edge_names_read_otherwise(page, reading, today):
        return _result(parsed, reading.box, valid=False, cut=cut)  # names shown as most read
    if not _number_twins_clear(reading, cut):
        return _result(parsed, reading.box, valid=False, cut=cut)  # the number as its cells look
    if just_over_small or blurred:
        # A second pass reads a lookalike the check digits cannot see alike and wrong (as small
        # print's re-reads do, above).
        sure = _lookalikes_clear(page, reading, blurred=blurred) and not streak_unconfirmed
        return _result(parsed, reading.box, valid=sure, cut=cut)
    return _result(parsed, reading.box, valid=True, cut=cut)


def _unshaken_reading(
    page: Image.Image, reading: _Reading, today: date, cut: Callable[[], Image.Image | None]
) -> _Reading | None:
    """``reading``'s band as ``cut`` gives it plain (the caller's ``_BandCut``: cut once) read
    with a shake's streak undone (``_unshake_plan``), its later cuts unshaken alike; None when
    its print shows no streak, no MRZ was read so, or ``reading`` is already reshaped or
    prepared (``prepare``: its cuts are not the plain band's)."""
    plain = cut() if reading.prepare is None else None
    if plain is None:
        return None
    planned = _unshake_plan(plain, reading.band, reading.scale)
    if planned is None:
        return None
    crop, unshake = planned
    again = _Reading.take(page, reading.band, reading.scale, reading.flip, 1.0, today, crop=crop)
    if again is not None:
        again.prepare, again.box, again.char = unshake, reading.box, reading.char
    return again


def _faded_names_read_again(page: Image.Image, reading: _Reading, today: date) -> None:
    """Names a glare streak faded (``_names_faded``), read again by passes over the band each
    preparing its print another way (``_names_read_prepared_otherwise``): the names they read
    are counted with the others' for those shown (``_names_most_read``). Every pass at one size
    reads a faded I as T alike (MAGNUSDOTTIR read MAGNUSDOTTTR, GARCIA GARCTA), where print
    darkened or stretched against its local paper often shows the foot the streak left faint."""
    if _names_faded(reading):
        _names_read_prepared_otherwise(page, reading, today)


def _names_read_prepared_otherwise(
    page: Image.Image, reading: _Reading, today: date
) -> list[tuple[str, str]]:
    """The format and names line read by each pass over ``reading``'s band preparing its print
    another way (FADED_NAMES_VARIANTS) that read one: passes taken now, or before (the darkened
    pass of a checked line's fade, ``_faded_fields_read_darkened``), whose names are so counted
    once; not the reading's own pass."""
    seen = _photo_reads.get()
    read = []
    for variant in FADED_NAMES_VARIANTS:
        if variant == reading.prepared_as:
            continue
        key = _pass_key(reading.band, reading.scale, reading.flip, variant)
        if seen is None or key not in seen.passes:
            _Reading.take(
                page, reading.band, reading.scale, reading.flip, 1.0, today, variant=variant
            )
        names = seen.passes.get(key) if seen is not None else None
        if names is not None:
            read.append(names)
    return read


def _edge_names_read_otherwise(page: Image.Image, reading: _Reading, today: date) -> bool:
    """Whether names under a glare streak's edge (their faintest cell, with its neighbours, at
    FADED_SHARE to GLARE_EDGE_SHARE of the band's best-lit light, ``_names_fade``) are read
    otherwise by a pass preparing the print another way (``_names_read_prepared_otherwise``:
    darkened, normalised, flattened), its names line read in place (``_names_placed``, after a
    stray mark too). Under the edge every pass at the reading's size read
    alike a faded letter as a lighter one: AYSE read AYSF, its E's cell at 0.73 of the light
    (glare 406/27), PIETER read PTETER at 0.66 to 0.76 (407/27); passes over the print darkened
    read AYSE once, PIETER three times. The names are then not sure, and shown as most passes
    read them. ``_confirmed`` does not ask it of print under SHAPES_CHAR or blurred
    (``_blurred_print``): small print's faintest slice is a pixel or two (``_measured_fades``),
    a blur thins it as a fade does, and passes over such print darkened or normalised misread
    names read right (blurred 286-287: 4 of 16 readings so measured; the 5.5 px specimen
    25_pass-uto; degraded 2026/28 at 12.8 px, MAGNUSDOTTIR read MAGNUSOOTTIR darkened)."""
    if not FADED_SHARE <= _names_fade(reading) < GLARE_EDGE_SHARE:
        return False
    parsed = reading.parsed
    own = names_fields(parsed.type, parsed.names_line)
    for kind, line in _names_read_prepared_otherwise(page, reading, today):
        if kind != parsed.type:
            continue
        placed = _names_placed(line, parsed.names_line)
        if placed is not None and _letters_read_otherwise(names_fields(kind, placed), own):
            return True
    return False


def _letters_read_otherwise(names: dict[str, str], own: dict[str, str]) -> bool:
    """Whether ``names`` (``names_fields``) hold a letter other than ``own`` do in its place, each
    name as long as its own: a glare streak's edge makes a lighter letter of a letter (E of F,
    I of T). A name read longer or shorter is a glyph read as two (DUARDOVI3 read DUARDOV1I3 by
    a pass over a slanted PN's print flattened: slanted 502/19), or one lost, which is no other
    letter in its place."""
    fields = ("surname", "given_names")
    return names != own and all(len(names[field]) == len(own[field]) for field in fields)


def _lookalikes_clear(page: Image.Image, reading: _Reading, *, blurred: bool) -> bool:
    """Print just over small or ``blurred``: its lookalikes' cells, where measured, look like
    what was read (``vote.shapes_clear``, not strict), on the band as first cut; the number's
    8s and Bs only where the print is not blurred."""
    crop = _plain_cut(page, reading)
    return vote.shapes_clear(crop, reading.parsed, strict=False, eights=not blurred)


def _number_twins_clear(reading: _Reading, cut: Callable[[], Image.Image | None]) -> bool:
    """Whether no character of ``reading``'s document number of a NUMBER_TWINS_ANY_SIZE pair (M
    and W, ten apart: no check digit tells them) looks more like its twin's glyph than like
    itself in the band as ``cut`` gives it, flattened (``vote.number_twins_shown``), on print of
    any size: a bowed page's W was read M by every pass at 47.8 px, valid (bent 500/1). The
    band's columns holding the number are read again for its cells (``_number_columns``), a
    pass paid only by numbers holding an M or a W (a strip of the number's line alone took in
    the print of the lines beside it, its cells' boxes stretched to its edges)."""
    return _number_ms_and_ws_shown(reading.parsed, cut) is None


def _number_ms_and_ws_shown(parsed: Parsed, cut: Callable[[], Image.Image | None]) -> str | None:
    """``parsed``'s number with its Ms and Ws (NUMBER_TWINS_ANY_SIZE) as their cells look in the
    band as ``cut`` gives it, flattened, its columns holding the number read again
    (``vote.number_twins_shown``); None when none looks otherwise. One measure for whether a
    reading is sure (``_number_twins_clear``) and for what one not sure shows: measured once
    per band cut and number (``_BandCut``)."""
    band = _BandCut.of(cut)
    line_index, _ = parsed.number_place
    line = parsed.repaired_line(line_index)
    key = (parsed.type, parsed.number_place, line, len(parsed.lines[line_index]))
    if key not in band.ms_and_ws:
        number = _number_columns(_flattened_cut(band), parsed)
        band.ms_and_ws[key] = vote.number_twins_shown(
            number, parsed, pairs=vote.NUMBER_TWINS_ANY_SIZE
        )
    return band.ms_and_ws[key]


class _BandCut:
    """A reading's band as ``cut`` gives it (``_plain_cut``, say), cut when first asked for and
    kept, with its number's Ms and Ws as measured on it (``_number_ms_and_ws_shown``, by the
    number's format, place and line): a reading checked by them (``_number_twins_clear``) and
    then shown not sure (``_number_twins_shown``), or its 6s and Gs shown too, pays for one
    cut and one OCR pass of the number's columns."""

    def __init__(self, cut: Callable[[], Image.Image | None]) -> None:
        self._image = functools.cache(cut)
        self.ms_and_ws: dict[tuple[str, tuple[int, int], str, int], str | None] = {}

    @classmethod
    def of(cls, cut: Callable[[], Image.Image | None]) -> "_BandCut":
        """``cut`` itself when it is one, else ``cut`` kept so."""
        return cut if isinstance(cut, cls) else cls(cut)

    def __call__(self) -> Image.Image | None:
        return self._image()


def _flattened_cut(cut: Callable[[], Image.Image | None]) -> Callable[[], Image.Image | None]:
    """The band as ``cut`` gives it, ``flattened``, when asked for."""

    def flat() -> Image.Image | None:
        image = cut()
        return None if image is None else flattened(image)

    return flat


def _number_columns(
    cut: Callable[[], Image.Image | None], parsed: Parsed
) -> Callable[[], Image.Image | None]:
    """The band as ``cut`` gives it, every line of it, from its left edge to NUMBER_COLUMNS_PAST
    cells past ``parsed``'s document number, when asked for: the number read again for its
    cells at about a third of a TD3 band's OCR (the whole band's put the 3000x2250 photos'
    median up by a fifth), its lines whole in height, so Tesseract boxes its cells as in the
    band. The share of the band's width is the cells' share of the line (OCR-B is monospaced:
    the line, margins aside, spans the band)."""

    def columns() -> Image.Image | None:
        image = cut()
        if image is None:
            return None
        line_index, start = parsed.number_place
        share = (start + 9 + NUMBER_COLUMNS_PAST) / len(parsed.lines[line_index])
        return image.crop((0, 0, min(image.width, round(image.width * share)), image.height))

    return columns


def _plain_cut(page: Image.Image, reading: _Reading) -> Image.Image:
    """``reading``'s band as first cut, plain: its own crop, or (a re-read's, contrast-stretched
    or smoothed, keeps none) the band cut again so."""
    if reading.cut is not None:
        return reading.cut
    crop, _ = locate.cut_band(
        page, reading.band, reading.scale, flip=reading.flip, target_char=CUT_CHAR
    )
    return crop


def _small_names_clear(page: Image.Image, reading: _Reading, today: date) -> bool:
    """Whether small print's names are sure: re-reads cut from contrast-stretched crops can all
    read a letter alike and wrong (SILVA read GILVA at 8 px by both; O'NEILL read D NEILL). The
    names strip read plain at each of CLEAR_TARGETS must have them alike, every letter with a
    runner-up under CLEAR_RIVAL of it among Tesseract's alternatives; failing that (a line read
    otherwise, or a close runner-up), several passes at larger sizes (``vote``) must read every
    field alike and each letter of the names with a clear winner over the passes
    (``vote.name_letter_clear``). The passes cost about half a second: only a doubt pays."""
    if all(_names_read_again(page, reading, clear=True, target=target) for target in CLEAR_TARGETS):
        return True
    voted = vote.read(
        page, reading.band, reading.scale, reading.flip, reading.parsed.type, today,
        targets=vote.TARGETS, expected=reading.parsed.lines, prepare=reading.prepare,
    )  # fmt: skip
    return (
        voted is not None
        and voted.parsed.fields == reading.parsed.fields
        and voted.names_letters_clear(reading.parsed.type)
    )


def _names_read_again(
    page: Image.Image, reading: _Reading, *, clear: bool = False, target: float = SECOND_PASS_CHAR
) -> bool:
    """Whether the band cut again at ``target`` px (prepared as the reading's crop was) reads
    the reading's names alike, each character with a high confidence (``names_alike_in``);
    with ``clear``, each with a clear winner among the model's alternatives too."""
    if target not in reading.names_read:
        crop, _ = locate.cut_band(
            page, reading.band, reading.scale, flip=reading.flip, target_char=target
        )
        crop = reading.prepare(crop) if reading.prepare is not None else crop
        # Only the names line's strip of it: the other lines have check digits, and a line
        # costs Tesseract as much as the whole band's layout (a third of a valid reading's time).
        strip = _names_strip(reading, crop) or crop
        reading.names_read[target] = tesseract.ocr_symbols(strip)
    return names_alike_in(reading.parsed, reading.names_read[target], clear=clear)


def _names_minimum(parsed: Parsed) -> float:
    """Tesseract's confidence on the names line below which they are not sure."""
    return PN_NAME_CONFIDENCE if parsed.type == "PN" else NAME_CONFIDENCE


def _line_read(
    line: str, lines: list[tuple[str, float, tesseract.Box]]
) -> tuple[str, float, tesseract.Box] | None:
    """Of the OCR's ``lines``, the one most like ``line`` (of a reading), their characters
    matched in order: a glyph read as two shifts the rest of the line (glare 184/26: DUPONT read
    DIIPONT, and the names went unmeasured, their faded I read T called sure). None when none
    matches half of ``line``'s characters."""
    if not lines:
        return None
    matched = [(_in_order(read[0], line), read) for read in lines]
    count, best = max(matched, key=lambda item: item[0])
    return best if count * 2 >= len(line) else None


def _in_order(text: str, line: str) -> int:
    """How many characters of ``text`` match ``line``'s in order (wherever they are)."""
    matcher = difflib.SequenceMatcher(None, text, line, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks())


def _names_faded(reading: _Reading) -> bool:
    """Whether part of the names field is faded (a glare streak whitening the print): a
    character cell of it (with its neighbours) whose print, in its faintest slice
    (``_cell_contrasts``), takes less than FADED_SHARE of its paper's light than the band's
    best-lit cells do (``_names_fade``). Glare turns a letter into a lighter, similar one (I
    into T) in every pass alike, so agreeing passes do not make faded names sure; a shadow or
    dim light darkens print and paper alike and does not count. False when the first pass's
    line boxes are not known."""
    return _names_fade(reading) < FADED_SHARE


def _names_fade(reading: _Reading) -> float:
    """The share of the band's best-lit light that the faintest cell of the names field takes
    (each cell with its neighbours, ``_names_faded``); 1.0 when the first pass's line boxes are
    not known."""
    parsed = reading.parsed
    names_line = parsed.names_line
    cells = _faded_cells(reading, parsed.names_index)
    if cells is None:
        return 1.0
    # Each cell with its two neighbours (their median): a glare streak is wider than a letter,
    # while one cell measured low alone is a glyph the cells' grid cuts (the apex of an A). But
    # a letter a fade makes of another (``FADE_MADE``: I's foot gone is a T) counts alone: the
    # streak's edge can fade the last letter of a name only (HIROSHI read HIROSHT, sure).
    names = [
        min(_with_neighbours(cells, at), cells[at] if names_line[at] in FADE_MADE else 1.0)
        for at in range(len(names_line))
    ]
    start = names_start(parsed.type)
    # The names, and the fillers a lost letter becomes; of a line read more than LENGTH_SLACK
    # short, as many more as it was short (a faded run read as nothing, glare 418/29). Not
    # all the fillers put at its end: glare over the fillers past the names, one lost among
    # them, is no fade of the names (glare 404/24).
    short = _names_lost(parsed)
    lost = short if short > LENGTH_SLACK else 0
    end = min(len(names_line), len(names_line.rstrip("<")) + 2 + lost)
    return min(names[start:end], default=1.0)


def _checked_faded(reading: _Reading) -> bool:
    """Whether print of a line holding fields a check digit covers is faded, as ``_number_faded``
    measures the number (each cell with its neighbours): every line but the names line, the
    number's and the dates' and a PN's issue date and department code alike. False when the
    line boxes of ``reading``'s crop are not known."""
    return next(_checked_cells_faded(reading), None) is not None


def _checked_cells_faded(reading: _Reading) -> Iterator[tuple[int, int]]:
    """The cells (line, column) of ``reading``'s lines but the names line whose print, with its
    neighbours', is faded (under FADED_SHARE of the band's best-lit light, ``_faded_cells``);
    none where the line boxes of its crop are not known."""
    parsed = reading.parsed
    for index in range(len(parsed.lines)):
        cells = _faded_cells(reading, index) if index != parsed.names_index else None
        if cells is not None:
            yield from ((index, at) for at in range(len(cells)) if _faded_at(cells, (at,)))


def _faded_fields_read_many_ways(reading: _Reading) -> list[str]:
    """The fields a check digit covers (CHECKED_FIELDS) whose print is faded in ``reading``'s
    crop (a cell with its neighbours under FADED_SHARE of the band's best-lit light,
    ``_faded_cells``) that no other pass over the photo read as ``reading`` did, where passes
    read it FADED_READ_OTHERWISE other ways at least (``_PhotoReads.checked_spans``). A glare
    streak over the checked line fades its glyphs into others, each pass reads the faded
    field otherwise, and a check digit lets a wrong one pass one time in ten: the more ways
    it was read, the likelier one of them passes wrong. A PN's issue date 140826 read 170000,
    102020, 702000 and, darkened, 171020 by four passes, and 140220 by one at 18 px, 8 and 6
    read 2 and 0 (weighing 3 and 7: -60), passing its check digit and the composite (glare
    401/30). A faded field that one pass alone read, or one other read otherwise, stays sure:
    glare fades most of a line to a fifth of the paper's light, and the darkened pass alone
    reads it; so does one another pass read a character off."""
    seen = _photo_reads.get()
    if seen is None:
        return []
    parsed = reading.parsed
    faded = {field_at(parsed.type, line, at) for line, at in _checked_cells_faded(reading)}
    own = _checked_spans(parsed)
    many_ways = []
    for name in CHECKED_FIELDS:
        if name not in faded or name not in own:
            continue
        read = [
            spans[name]
            for kind, spans in seen.checked_spans
            if kind == parsed.type and name in spans
        ]
        others = set(read) - {own[name]}
        if (
            read.count(own[name]) < 2
            and len(others) >= FADED_READ_OTHERWISE
            # A pass a character off read what the check digit mended: one misread it sees,
            # but for lookalikes ten apart (glare 405/30: a birth date's 8 read 2 by six).
            and not any(_edits(other, own[name]) == 1 for other in others)
        ):
            many_ways.append(name)
    return many_ways


def _number_faded(reading: _Reading, *, letters: str | None = None) -> bool:
    """Whether part of the document number or its check digit is faded, as ``_names_faded``
    measures the names (each cell with its neighbours); with ``letters``, only where it was
    read as one of them. False when the line boxes of ``reading``'s crop are not known."""
    line, start = reading.parsed.number_place
    cells = _faded_cells(reading, line)
    if cells is None:
        return False
    text = reading.parsed.lines[line]
    at = range(start, min(start + 10, len(cells), len(text)))
    return _faded_at(cells, [i for i in at if letters is None or text[i] in letters])


def _faded_at(cells: list[float], positions: Iterable[int]) -> bool:
    """Whether a cell at one of ``positions``, with its neighbours (``_with_neighbours``), takes
    less than FADED_SHARE of the paper's light that the band's best-lit cells of its kind take
    (``cells`` as ``_faded_cells`` measures them)."""
    measured = [_with_neighbours(cells, at) for at in positions]
    return min(measured, default=1.0) < FADED_SHARE


def _faded_misread(reading: _Reading) -> bool:
    """Whether glare may have made the reading's names or number of other letters, as every
    pass reads them alike: the names faded (``_names_faded``), or the number faded where it
    holds a letter a fade makes of another (NUMBER_FADE_MADE) that looks little more like
    itself than like that other (``vote.made_letters_clear``)."""
    if _names_faded(reading):
        return True
    if not _number_faded(reading, letters="".join(NUMBER_FADE_MADE)):
        return False
    source = reading.fade_source
    line, start = reading.parsed.number_place
    text = reading.parsed.lines[line]
    number = range(start, min(start + 9, len(text)))
    return source is not None and not vote.made_letters_clear(
        source[0], text, number, NUMBER_FADE_MADE, FADE_MADE_MARGIN
    )


def _with_neighbours(cells: list[float], at: int) -> float:
    """The median of cell ``at``'s measure and its two neighbours': a glare streak is wider than
    a letter, while one cell measured low alone is a glyph the cells' grid cuts."""
    # The median of two or three by hand: ``np.median`` cost 30 times as much, on every cell.
    window = sorted(cells[max(0, at - 1) : at + 2])
    middle = len(window) // 2
    return float(window[middle] if len(window) % 2 else (window[middle - 1] + window[middle]) / 2)


def _faded_cells(reading: _Reading, index: int) -> list[float] | None:
    """The print's contrast in each character cell of line ``index`` of ``reading``'s lines, in
    the crop its OCR read (``_cell_contrasts``), as a share of the band's usual contrast for a
    cell of its kind: that of its best-lit cells, as the streak can fade most of every line (a
    PN's read "IL9I3" as "TL9I3", each line faded from its middle on). None when the crop's line
    boxes are not known or no OCR line is like that line."""
    source = reading.fade_source
    if source is None:
        return None
    # Measured once per line read: the number's fade decides a darkened re-read, then whether
    # its F's and T's are looked at (``_faded_misread``). The source, once known, stays.
    text = reading.parsed.lines[index]
    if (index, text) not in reading.fades:
        # Read short, its fillers put at the end: a faded run read as nothing (glare 418/29:
        # MAGNUSDOTTIR<<JOSE<LUIS read MAGNUSDOTTIR<<<<<<, 12 short).
        short = _read_short(reading.parsed, index)
        reading.fades[index, text] = _measured_fades(
            source, text, short=short, contrasts=reading.contrasts
        )
    return reading.fades[index, text]


def _measured_fades(
    source: tuple[Image.Image, list[tuple[str, float, tesseract.Box]]],
    text: str,
    *,
    short: int = 0,
    contrasts: dict[tuple[int, tesseract.Box, str], list[float]] | None = None,
) -> list[float] | None:
    """``_faded_cells`` of the line read as ``text`` in ``source``, a crop and its OCR lines;
    ``text`` was read ``short`` characters short, fillers put at its end. ``contrasts`` keeps
    the lines' ``_cell_contrasts`` for the next line measured in the crop: each line's measure
    takes in every other line's (measured anew for each line, they were a twentieth of a valid
    reading's time)."""
    crop, ocr = source
    kept = contrasts if contrasts is not None else {}
    length = len(text)
    # The lines read at their length or up to LENGTH_SLACK characters off (a glyph lost in a
    # faded stretch, or a stray mark read before a line, left lines unmeasured, and glare
    # called sure), or as short as ``text`` was: else another line, alike in its fillers, was
    # measured.
    near = [line for line in ocr if -LENGTH_SLACK - short <= len(line[0]) - length <= LENGTH_SLACK]
    read = _line_read(text, near)
    if read is None:
        return None
    box = read[2]
    others = [(other, other_box) for other, _, other_box in near if other_box != box]
    # A line's box clear of its neighbours': Tesseract stretched a names line's box over the
    # line above it and the security printing below it.
    box = _clear_of(box, [other_box for _, other_box in others])
    others = [(other, _clear_of(other_box, [box])) for other, other_box in others]
    gray = np.asarray(crop if crop.mode == "L" else crop.convert("L"), dtype=np.float32)

    def line_contrasts(line_box: tesseract.Box, line: str) -> list[float]:
        key = (id(crop), line_box, line)
        if key not in kept:
            kept[key] = _cell_contrasts(gray, line_box, line)
        return kept[key]

    # The line's cells as the format has them (its box holds all of its print).
    measured = read[0] if len(read[0]) == length else text
    cells = line_contrasts(box, measured)
    band = [*zip(cells, measured, strict=True)] + [
        pair
        for other, other_box in others
        for pair in zip(line_contrasts(other_box, other), other, strict=True)
    ]
    # Each cell against the best-lit of its kind: a letter's or digit's faintest slice, a
    # filler's darkest (``_cell_contrasts``). In small print a slice is a pixel or two tall and
    # blur thins a letter's faintest one: against the fillers, the unfaded 6.4 px letters of
    # Finland's public sample at half its size measured as little as 0.37, and its names
    # faded (so Czechia's at 6.7 px, and the specimen 25_pass-uto at 5.5).
    by_kind: dict[bool, list[float]] = {True: [], False: []}  # fillers, and the rest
    for share, char in band:
        by_kind[char == "<"].append(share)
    whole = float(np.percentile([share for share, _ in band], 90))
    typical = {
        filler: float(np.percentile(shares, 90)) if len(shares) >= KIND_CELLS else whole
        for filler, shares in by_kind.items()
    }
    return [
        share / max(typical[char == "<"], 1e-6) for share, char in zip(cells, measured, strict=True)
    ]


def _clear_of(box: tesseract.Box, others: list[tesseract.Box]) -> tesseract.Box:
    """``box`` with its top below every box of ``others`` above its middle, and its bottom
    above every one below it."""
    left, top, right, bottom = box
    middle = (top + bottom) / 2
    for _, other_top, _, other_bottom in others:
        if (other_top + other_bottom) / 2 < middle:
            top = max(top, other_bottom)
        else:
            bottom = min(bottom, other_top)
    return left, top, right, max(top, bottom)


def _cell_contrasts(gray: np.ndarray, box: tesseract.Box, text: str) -> list[float]:
    """For each character cell of a line read as ``text`` (OCR-B is monospaced; ``box`` is the
    line's box in ``gray``), the print's contrast with its paper, ``(paper - ink) / paper``, in
    the faintest of FADED_SLICES horizontal slices of the character: a glare streak across the
    foot of a line whitens only the lower slices (an I read as T, its foot gone), which the
    darkest ink of the whole cell does not show. The slices divide the print's height (the
    cells' median) from a straight line fitted through the cells' first inked rows: a tilt the
    band kept moves the print up or down the line box by more than a slice over its length.
    A filler's cell counts its darkest slice: the tips of a ``<`` at the top and bottom of
    large print are thin, and security printing behind them is as dark."""
    length = len(text)
    left, top, right, bottom = box  # the union of the line's words, all of its print
    pitch = (right - left) / length
    width = math.floor(pitch)
    if width < 1 or bottom - top < 2 * FADED_SLICES:
        return [1.0] * length
    strip = gray[top:bottom, left:right]
    if strip.shape[1] < right - left:  # the box reaches past the crop's right edge
        return [1.0] * length
    starts = [math.floor(position * pitch) for position in range(length)]  # each + width fits
    # (cell, row, column); the cells as one array, as this runs on every reading that passes.
    cells = np.stack([strip[:, start : start + width] for start in starts])
    papers = np.percentile(cells.reshape(length, -1), 90, axis=1)
    # Where the print is: measured against its local paper (a grey closing half the line high),
    # as a shadow's edge along the line is as dark as print against the lit paper.
    flat = _over_paper(strip, max(3, (bottom - top) // 2))
    darkness = 1.0 - np.stack([flat[:, start : start + width] for start in starts]).min(axis=2)
    # Rows as dark as half the line's print (not a cell's own darkest: a filler's cell in a
    # box Tesseract stretched over security printing has none), in the cells of letters and
    # digits (they fill the print's height; a ``<`` does not quite).
    fillers = np.array([char == "<" for char in text])
    inked = darkness > 0.5 * float(np.median(darkness.max(axis=1)))
    has_ink = inked.any(axis=1) & ~fillers
    if has_ink.sum() < 3:
        return [1.0] * length
    positions = np.flatnonzero(has_ink)
    firsts = inked.argmax(axis=1)[has_ink]
    lasts = (inked.shape[1] - inked[:, ::-1].argmax(axis=1))[has_ink]
    # Theil-Sen: the median of the slopes between every two cells, robust to the cells whose
    # print is faded or cut off.
    first, second = np.triu_indices(len(positions), 1)
    slope = float(
        np.median((firsts[second] - firsts[first]) / (positions[second] - positions[first]))
    )
    intercept = float(np.median(firsts - slope * positions))
    height = max(FADED_SLICES, round(float(np.median(lasts - firsts))))
    # Each cell's print, ``height`` rows from its fitted top: cells of one shape, cut in slices.
    rows = cells.shape[1]
    tops = np.clip(
        np.round(intercept + slope * np.arange(length)).astype(int),
        0,
        max(0, rows - height),
    )
    height = min(height, rows)
    prints = np.stack(
        [cell[first : first + height] for cell, first in zip(cells, tops, strict=True)]
    )
    edges = np.linspace(0, height, FADED_SLICES + 1).round().astype(int)
    inks = np.stack(
        [
            np.percentile(prints[:, start:end].reshape(length, -1), 3, axis=1)
            for start, end in itertools.pairwise(edges)
        ]
    )  # (slice, cell)
    inks = np.where(fillers, inks.min(axis=0), inks.max(axis=0))
    shares = (papers - inks) / np.maximum(papers, 1.0)
    return [float(share) for share in shares]


def _names_strip(reading: _Reading, crop: Image.Image) -> Image.Image | None:
    """The strip of ``crop`` (the reading's band cut again, at another size) that holds the names
    line, as the first OCR placed it in its own crop; None when that OCR's lines are not known or
    none of them looks like the names line."""
    if reading.cut is None:
        return None
    parsed = reading.parsed
    names_line = parsed.names_line
    if len(names_line.rstrip("<")) <= names_start(parsed.type):
        return None
    best = _line_read(names_line, reading.ocr)
    if best is None:
        return None
    left, top, right, bottom = best[2]
    margin = NAMES_STRIP_MARGIN * (bottom - top)
    zoom = crop.height / max(reading.cut.height, 1)
    upper = max(0, math.floor((top - margin) * zoom))
    lower = min(crop.height, math.ceil((bottom + margin) * zoom))
    first, last = left, right
    text = best[0]
    if len(text) == len(names_line):
        # OCR-B is monospaced: when the line was read at its full length, the names (after the
        # country code) and two fillers are where their character positions say. The rest of the
        # line costs Tesseract as much as the names and is not compared.
        pitch = (right - left) / len(text)
        strip_start = 0 if parsed.type == "TD1" else 2  # from the country code
        names_end = min(len(text), len(names_line.rstrip("<")) + 2)
        first = left + (strip_start - 0.5) * pitch
        last = left + (names_end + 0.5) * pitch
    start = max(0, math.floor((first - 2 * margin) * zoom))
    end = min(crop.width, math.ceil((last + 2 * margin) * zoom))
    if lower - upper < 8 or end - start < 8:
        return None
    strip = crop.crop((start, upper, end, lower))
    # Cut close (the lines are near, and a document's edge or a neighbour's descenders would read
    # as stray letters) and given a margin of its paper's grey, as Tesseract wants.
    paper = locate.median_grey(strip)
    pad = round(NAMES_STRIP_PAD * (bottom - top) * zoom)
    return ImageOps.expand(strip, border=pad, fill=paper)


def names_alike_in(
    parsed: Parsed, lines: list[list[tesseract.Symbol]], *, clear: bool = False
) -> bool:
    """Whether a second OCR's ``lines`` (the band cut at another size) read the names exactly as
    ``parsed`` has them (after the same country code; TD1: at the start of a line), every
    character of them with at least NAME_CHAR_CONFIDENCE (PN: its own, lower minimum: digits
    stand for letters there). A stray mark read before or after the line does not count. With
    ``clear``, every character with a clear winner among the model's alternatives too
    (``vote.name_letter_clear``)."""
    line = parsed.names_line.rstrip("<")
    start = names_start(parsed.type)
    names, before = line[start:], line[max(0, start - 3) : start]
    # A document code's second letter has no check digit either (a passport's P< read PE under
    # glare, 167/1; a visa's VC read VO, degraded 147/38): read alike, as surely as the names,
    # with no close runner-up (``vote.CODE_RIVAL``).
    code_letter = vote.code_letter(parsed.type, line)
    if code_letter:
        before = line[1:start]
    minimum = PN_NAME_CHAR_CONFIDENCE if parsed.type == "PN" else NAME_CHAR_CONFIDENCE
    if not names:
        return False
    for symbols in lines:
        text = "".join(symbol.text for symbol in symbols)
        at = text.find(names)
        while at >= 0:
            end = at + len(names)
            starts_right = (
                text[:at].endswith(before) if before else (at == 0 or (at == 1 and len(text) > 30))
            )
            if starts_right and (end == len(text) or text[end] == "<"):
                # Each character checked, with the share its runner-up must stay under (None:
                # confidence only).
                checked = [(symbol, CLEAR_RIVAL if clear else None) for symbol in symbols[at:end]]
                if code_letter:
                    checked.append((symbols[at - len(before)], vote.CODE_RIVAL))
                return all(
                    symbol.confidence >= minimum
                    and (
                        rival is None
                        or vote.name_letter_clear(dict(symbol.choices), parsed.type, rival)
                    )
                    for symbol, rival in checked
                )
            at = text.find(names, at + 1)
    return False


def _voted(
    page: Image.Image, reading: _Reading, today: date
) -> tuple[MrzResult | None, _Reading | None]:
    """Several OCR passes over the reading's band combined (``vote``): the result when they pass
    every check, else None and the combined reading (or None when too few passes read)."""
    targets = vote.SMALL_TARGETS if reading.char < LOW_RESOLUTION_CHAR else vote.TARGETS
    voted = vote.read(
        page,
        reading.band,
        reading.scale,
        reading.flip,
        reading.parsed.type,
        today,
        targets=targets,
        expected=reading.parsed.lines,
    )
    if voted is None:
        return None, None
    again = _Reading.voted(reading, voted)
    if voted.parsed.valid:
        # Glare fades a letter into another alike in every pass (LIAM read LTAM by all).
        sure = _voted_sure(again, voted) and not _faded_misread(again)
        # The vote's passes agreeing is not enough where the band's own passes read the names
        # otherwise: glare split DUPONT's U into II and took PIETER's I for a T in the vote's
        # three passes alike, valid, where passes larger and smaller read PTFTEFR and PTFETER
        # (glare 226/3). Passes over the band read before the vote (``_PhotoReads.names``).
        sure = sure and not _names_read_otherwise(voted.parsed)
        # An M read for a W by every pass: the vote cannot tell.
        plain = functools.cache(functools.partial(_plain_cut, page, reading))
        sure = sure and _number_twins_clear(again, _BandCut(plain))
        if sure and _line_ends_hidden(page, again):
            sure = False  # perhaps an MRV-A under a thumb
        if sure and _read_upright(page, reading, today) is not None:
            sure = False  # leaning print read otherwise stood up
        if sure and reading.char < SHAPES_CHAR:
            # Small print's passes are the same print rescaled: an 8 read B (a 6 read G) by
            # one is read so by all, and the vote cannot tell (as in ``_confirmed``).
            sure = vote.shapes_clear(
                plain(), voted.parsed, strict=reading.char < LOW_RESOLUTION_CHAR
            )
        return _result(again.parsed, again.box, valid=sure), again
    return None, again


def _voted_sure(reading: _Reading, voted: vote.Voted) -> bool:
    """Whether the names of a combined reading can be reported valid: every position of the
    names line had a clear winner, most passes read it so, and the print is not too small."""
    parsed = reading.parsed
    minimum = PN_NAME_CONFIDENCE if parsed.type == "PN" else NAME_CONFIDENCE
    sure = voted.names_clear and reading.char >= TOO_SMALL_CHAR
    sure = sure and parsed.name_confidence >= minimum
    if parsed.type == "PN":
        sure = sure and _confusables_clear(voted)
    return sure


def _confusables_clear(voted: vote.Voted) -> bool:
    """Whether every 8 (Я) and B (Б) of PN names was read alike by every pass, with the other
    one weighing under PN_CONFUSABLE_WEIGHT of it, and its cells looked more like OCR-B's glyph
    of it than of the other, on the passes' average (``vote.Voted.b_over_8``): Tesseract read a
    blurred 8 as B in every pass without weighing 8 at all."""
    line = voted.parsed.lines[0]
    start = names_start("PN")
    for position, char in enumerate(line[start:], start=start):
        if char not in vote.PN_CONFUSABLE:
            continue
        other = vote.PN_CONFUSABLE.replace(char, "")
        weights = voted.name_weights[position]
        if weights.get(other, 0.0) >= PN_CONFUSABLE_WEIGHT * weights.get(char, 0.0):
            return False
        if any(read[position] != char for read in voted.name_reads):
            return False
        shapes = voted.b_over_8.get(position, [])
        if not shapes or any(shape is None for shape in shapes):
            return False  # not measured (no OCR-B font, a cell too small): not sure
        b_over_8 = sum(shape for shape in shapes if shape is not None) / len(shapes)
        if (b_over_8 if char == "B" else -b_over_8) <= 0:
            return False
    return True


def _another_document(
    page: Image.Image,
    others: list[locate.Band],
    found: locate.Band,
    scale: float,
    parsed: Parsed,
    today: date,
) -> bool:
    """Whether a second band of the same size reads as a different valid MRZ."""
    for band in others[:2]:
        if not 0.75 < band.length / found.length < 1.33 or band.score < 0.5 * found.score:
            continue
        for flip in (False, True):
            crop, _ = locate.cut_band(page, band, scale, flip=flip)
            other = parse_ocr(tesseract.ocr_lines(crop), today=today)
            if other is not None and (other.valid or other.awaiting_support):
                return other.lines != parsed.lines
    return False


def _note_number(parsed: Parsed) -> None:
    """Keep ``parsed``'s number for the photo's result if it passes its check digit; where its
    line was read long and another character dropped inside it made a rival reading pass every
    check with a number one character apart (``Parsed.rivals``, ``_one_character_apart``),
    each of them: the check digits chose neither (guilloche 305/1: LUJ6EVVJA's 6 read 6G by the
    plain passes, dropping either passed, 6 and G weighing 6 and 16; a pass at 18 px read the
    G alone, valid, wrong). Not where one of them drops a character at the line's end: a stray
    mark read before the line is the likelier (glare 249/33: 1LAT1C1GHA, the line read in place
    after a stray 1, or 1AT1C1GHA with its L dropped, 1 and L weighing 1 and 21): neither is
    noted then, however far apart the numbers of the readings dropping a character inside the
    line (sample 25_pass-uto: 0L898902C36 read long after a stray 0, dropping its C or its 2
    passed as 0L8989023 and 0L89890C3, C and 2 worth the same modulo 10, and disputed the
    L898902C3 read in place by the other passes)."""
    seen = _photo_reads.get()
    if seen is None:
        return
    same_format = [rival for rival in parsed.rivals if rival.type == parsed.type]
    if parsed.dropped and not all(rival.dropped for rival in same_format):
        return
    own = _number_as_repaired(parsed)
    rivals = [
        rival for rival in same_format if _one_character_apart(_number_as_repaired(rival), own)
    ]
    if not all(reading.dropped for reading in [parsed, *rivals]):
        rivals = []
    for reading in [parsed, *rivals]:
        number = _number_as_repaired(reading) if rivals else _number_field(reading)
        if number is None or not checks.passes(*number):
            continue
        seen.numbers.add((reading.type, *number))
        repaired = reading.number_repaired() & set(range(10))  # its nine characters and digit
        if not repaired and _well_read(reading):
            seen.numbers_well_read.add((reading.type, *number))


def _well_read(parsed: Parsed) -> bool:
    """Whether ``parsed`` fails DISPUTING_CHECKS_FAILED checks at most: a pass whose values
    passing their check digit as read may dispute a reading called sure."""
    return parsed.checks_passed + DISPUTING_CHECKS_FAILED >= parsed.checks_total


def _one_character_apart(number: tuple[str, str] | None, other: tuple[str, str] | None) -> bool:
    """Whether two numbers (each with its check digit) differ in one of their characters only:
    two lookalikes the check digit weighs alike, where two alignments of a blurred line read
    long passing by chance differ in most (1NGJU5U2A and NGJUJ5U2A, degraded 235/22)."""
    if number is None or other is None:
        return False
    return _edits("".join(number), "".join(other)) == 1  # of ten characters each: one changed


def _note_checked_fields(parsed: Parsed) -> None:
    """Keep the fields besides the number a check digit covers (DISPUTABLE_FIELDS) that
    ``parsed`` read passing it as read (no repair in them), if it fails DISPUTING_CHECKS_FAILED
    checks at most (``_PhotoReads.fields_well_read``); not those of a line read long, whose
    realigned fields the check digits chose (a personal number 22U5U6REJUEG08 read
    22U5U6GREJEG08, a G read and a U dropped, passed so: mirrored 2026/25), as its number is
    not noted either (``_number_field``)."""
    seen = _photo_reads.get()
    if seen is None or parsed.dropped or not _well_read(parsed):
        return
    repaired = {field_at(parsed.type, line, column) for line, column, _ in parsed.repairs}
    for name in DISPUTABLE_FIELDS:
        value = parsed.fields.get(name)
        if value and parsed.field_valid.get(name) and name not in repaired:
            seen.fields_well_read.add((parsed.type, name, str(value)))


def _note_checked_spans(parsed: Parsed) -> None:
    """Keep ``parsed``'s text of each field a check digit covers (``_checked_spans``) if it
    passed half of its checks at least: a pass reading much of the band otherwise (a stray
    letter before a line, every field a column off) reads each field otherwise too."""
    seen = _photo_reads.get()
    if seen is not None and 2 * parsed.checks_passed >= parsed.checks_total:
        seen.checked_spans.append((parsed.type, _checked_spans(parsed)))


def _checked_spans(parsed: Parsed) -> dict[str, str]:
    """The text of each field a check digit covers (CHECKED_FIELDS) in ``parsed``'s lines as
    read, with the check digit after it where one is, by name."""
    spans: dict[str, str] = {}
    for index, line in enumerate(parsed.lines):
        for position, char in enumerate(line):
            name = field_at(parsed.type, index, position)
            # ``field_at`` counts a TD1's optional data, after the number's check digit, as
            # the number's (where a long number runs on); here the number's text is its nine
            # characters and check digit, a run-on left out with the optional data.
            optional = parsed.type == "TD1" and index == 0 and position >= TD1_OPTIONAL_START
            if name in CHECKED_FIELDS and not optional:
                spans[name] = spans.get(name, "") + char
    return spans


def _fields_disputed(parsed: Parsed) -> list[str]:
    """The fields besides the number a check digit covers (DISPUTABLE_FIELDS) that another pass
    over the photo read well otherwise, passing it (``_PhotoReads.fields_well_read``), at most
    FIELD_EDITS_MOST characters from ``parsed``'s (not another document's): two misreads in a
    date or an optional field cancel in its check digit one time in ten, as they do in the
    number (glare 248/18: a PN's issue date and department code 121025 832749 read 121023
    632749 by a normalised pass, every check passing, where a darkened pass read them right,
    passing too). Two values passing: one is wrong."""
    seen = _photo_reads.get()
    if seen is None:
        return []
    disputed = []
    for name in DISPUTABLE_FIELDS:
        own = parsed.fields.get(name)
        if not own:
            continue
        if any(
            kind == parsed.type and other_name == name and other != str(own)
            and _edits(other, str(own)) <= FIELD_EDITS_MOST
            for kind, other_name, other in seen.fields_well_read
        ):  # fmt: skip
            disputed.append(name)
    return disputed


def _note_names(parsed: Parsed) -> None:
    """Keep the names line a pass read, with its format and how many characters short it was
    read (the fillers put at its end), for the photo's result."""
    seen = _photo_reads.get()
    if seen is not None:
        seen.names.append((parsed.type, parsed.names_line, _names_lost(parsed)))


def _names_lost(parsed: Parsed) -> int:
    """How many characters short ``parsed``'s names line was read: the fillers put at its end."""
    return _read_short(parsed, parsed.names_index)


def _read_short(parsed: Parsed, index: int) -> int:
    """How many characters short ``parsed``'s line ``index`` was read: the fillers put at its
    end (``Parsed.inserted``)."""
    return sum(1 for line, _ in parsed.inserted if line == index)


def _names_most_read(parsed: Parsed) -> Parsed:
    """``parsed`` (a reading not sure) with the surname, and the given names, more passes over
    the photo read in its format (``_PhotoReads.names``) than read its own, itself counted once
    more, if any; else ``parsed``. The reading passing the most checks is not the one reading
    the names best: of degraded 175/7's, the one passing most read MARCO as MAR0O, four others
    MARCO; of 175/2's, three read JOAO and the one shown JOAD. Names have no check digit: which
    way most passes read them is the better guess, and the customer still checks it. Each
    field is counted apart: passes misread one or the other (degraded 256/29: VAN DER BERG
    read VAN DERSBERG by two passes, LIAM read LIAN by two others). A pass (or the reading)
    that read the names short, a faded run of them lost, counts for the pass that read them
    whole (``_lost_from``); one read after a stray mark, as if without it."""
    kind = parsed.type
    reads = _names_read_in_place(parsed, realigned=True)
    own_lost = _names_lost(parsed)
    whole = {line for line, lost in [*reads, (parsed.names_line, own_lost)] if not lost}
    # The line each read counts for: itself, or the whole line it is with a faded run lost.
    line_of = {(line, lost): _lost_from(line, lost, whole, kind) or line for line, lost in reads}
    own_line = _lost_from(parsed.names_line, own_lost, whole, kind) or parsed.names_line
    # Each line's names as the fields hold them (a 0 read in a name is an O), worked out once.
    names_of = {line: names_fields(kind, line) for line in {*line_of.values(), own_line}}
    chosen: dict[str, str] = {}
    for name in ("surname", "given_names"):
        counted = collections.Counter(names_of[line_of[read]][name] for read in reads)
        own = names_of[own_line][name]
        # Its own reading counts once more (it may not be among the passes noted: a crop around
        # its lines, PassportEye's), as the one passing most checks: a tie keeps it.
        counted[own] += 1
        value, count = counted.most_common(1)[0]
        chosen[name] = own if count <= counted[own] else value
    as_read = names_fields(kind, parsed.names_line)
    if all(chosen[name] == as_read[name] for name in chosen):
        return parsed
    candidates = [*(line_of[read] for read in reads), own_line]
    line = next(
        (line for line in candidates if all(names_of[line][n] == v for n, v in chosen.items())),
        None,
    ) or _names_line_of(kind, parsed.names_line, chosen)
    if line is None:
        return parsed
    index = parsed.names_index
    return dataclasses.replace(
        parsed,
        lines=[*parsed.lines[:index], line, *parsed.lines[index + 1 :]],
        fields={**parsed.fields, **names_fields(kind, line)},
    )


def _names_line_of(kind: str, line: str, names: dict[str, str]) -> str | None:
    """``line`` (a names line of ``kind``) holding ``names`` (a surname and given names as the
    fields hold them) in place of its own; None when they do not fit."""
    made = line[: names_start(kind)] + compose.names_field(names["surname"], names["given_names"])
    if len(made.rstrip("<")) > len(line):
        return None
    made = made.ljust(len(line), "<")[: len(line)]
    held = names_fields(kind, made)
    return made if all(held[name] == value for name, value in names.items()) else None


def _lost_from(line: str, lost: int, whole: set[str], kind: str) -> str | None:
    """The one line of ``whole`` (names lines read at their length) that ``line``, read ``lost``
    characters short and filled at its end, is with two or more characters inside its names
    taken out: where a glare streak faded part of the names, passes read ``KOITER`` and
    ``KOWALSITER`` for ``KOWALSKA<<PIETER``, read whole by one pass of the band stretched (glare
    256/0); others lost the fillers between the names (``SILVAJOSE<LUIS``, glare 256/24). The
    OCR drops faded print; it does not put letters in the right place of a run it never saw.
    Not one character only (a letter the short pass dropped and one the whole pass put in are
    alike likely), nor where ``line``'s names end before the other's (a stray mark read as a
    letter in the fillers after them), nor when lines with other names are such. None if
    none."""
    if not lost:
        return None
    read = _names_text(kind, line)
    found = {
        tuple(names_fields(kind, other).items()): other
        for other in whole
        if len(other) == len(line) and _inside(read, _names_text(kind, other), lost)
    }
    return next(iter(found.values())) if len(found) == 1 else None


def _names_text(kind: str, line: str) -> str:
    """The names of a names line as its fields hold them (a 0 read in a name is an O), joined
    as printed: ``KOWALSKA<<PIETER``."""
    names = names_fields(kind, line)
    return compose.names_field(names["surname"], names["given_names"]).rstrip("<")


def _inside(read: str, whole: str, lost: int) -> bool:
    """Whether ``read`` is ``whole`` with two to ``lost`` characters taken out before its last
    one."""
    if not read or not whole or read[-1] != whole[-1] or not 2 <= len(whole) - len(read) <= lost:
        return False
    rest = iter(whole[:-1])
    return all(char in rest for char in read[:-1])


def _names_read_otherwise(parsed: Parsed) -> bool:
    """Whether a pass over the photo read names in ``parsed``'s names' place that differ from its
    own (``_names_read_in_place``)."""
    own = names_fields(parsed.type, parsed.names_line)
    return any(names_fields(parsed.type, line) != own for line, _ in _names_read_in_place(parsed))


def _names_read_in_place(parsed: Parsed, *, realigned: bool = False) -> list[tuple[str, int]]:
    """The names lines passes over the photo read (``_PhotoReads.names``) in ``parsed``'s format
    where its names are (``_names_in_place``: not another band's print, not shifted), each with
    how many characters short it was read; with ``realigned``, those read after a stray mark
    too, as if without it (``_without_strays``)."""
    seen = _photo_reads.get()
    own = parsed.names_line
    found = []
    for kind, line, lost in seen.names if seen else []:
        placed = _names_placed(line, own, realigned=realigned) if kind == parsed.type else None
        if placed is not None:
            found.append((placed, lost))
    return found


def _names_placed(line: str, own: str, *, realigned: bool = True) -> str | None:
    """A pass's names ``line`` as it reads ``own``'s names in place (``_names_in_place``): the
    line itself; with ``realigned``, else the line without a stray mark read before it
    (``_without_strays``); None when it reads them in no such place."""
    if _names_in_place(line, own):
        return line
    return _without_strays(line, own) if realigned else None


def _without_strays(line: str, own: str) -> str | None:
    """``line`` without the first characters, up to ``vote.STRAY_CHARS``, filled at its end,
    when so it reads ``own``'s names in place (a stray mark read before it: JNP<USAVAN); None
    if it does not."""
    for shift in range(1, vote.STRAY_CHARS + 1):
        moved = line[shift:] + "<" * shift
        if _names_in_place(moved, own):
            return moved
    return None


def _names_in_place(line: str, own: str) -> bool:
    """Whether a pass's names ``line`` reads the names of ``own``'s print where ``own`` has
    them: like it in at least half its places (not another band's print), and no more like it
    shifted by up to STRAY_CHARS (a stray mark read before the line: 0P<POLLEE, whose names
    would be LLEE)."""
    here = alike(line, own)
    shifted = (
        max(alike(line[shift:], own), alike(line, own[shift:]))
        for shift in range(1, vote.STRAY_CHARS + 1)
    )
    return here * 2 >= len(own) and all(here > other for other in shifted)


def _number_disputed(parsed: Parsed) -> bool:
    """Whether another pass over the photo read well a number of ``parsed``'s format passing its
    check digit as read (``_PhotoReads.numbers_well_read``) other than ``parsed``'s, at most
    NUMBER_EDITS_MOST edits from it (not another document's). Two misreads cancel in the check
    digit one time in ten, and the composite opens with the number: glare 214/26, AC2CM4RGX
    read AB2BM4RGX (C as B twice, -3 and -7) by a plain pass over the photo decoded whole, every
    check passing, where the vote over the first decode's band had read AC2CM4RGX, passing too
    (its names not sure). Two numbers passing: one is wrong. Not one that passed through a
    repair (glare 210/9's 0TL988AD4, read right, was disputed by a pass's 0T19ZRAD4, which
    passed only with a 2 the check digits made a Z), nor one of a pass misreading much of the
    band (glare 206/9: W854CCN17 by passes failing 8 checks of 12)."""
    own = _number_as_repaired(parsed)
    seen = _photo_reads.get()
    if own is None or seen is None:
        return False
    return bool(_numbers_near(parsed.type, own[0], seen.numbers_well_read) - {own})


def _numbers_near(kind: str, number: str, read: set[tuple[str, str, str]]) -> set[tuple[str, str]]:
    """Of the numbers passes read (``_PhotoReads``: format, number, check digit), those of format
    ``kind`` at most NUMBER_EDITS_MOST edits from ``number``, each with its check digit: that
    number misread, not another document's."""
    return {
        (other, digit)
        for other_kind, other, digit in read
        if other_kind == kind and _edits(other, number) <= NUMBER_EDITS_MOST
    }


def _number_read_elsewhere(parsed: Parsed) -> Parsed:
    """``parsed`` (a reading not sure) with the number another pass over the photo read in place
    passing its check digit (``_PhotoReads.numbers``), where its own fails it or passes only as the
    check digits chose a character to drop from a line read long, if exactly one such number of
    its format is at most NUMBER_EDITS_MOST edits from it; else ``parsed``. Blurred print's best
    reading is the one passing the most checks, its number perhaps a guess: LZ18D5FT7 read
    LZ18BD5F7 in a line read long (degraded 151/29), where a pass that failed another check read
    it right. The number stays marked for the customer to check. (Not a PN's: its series is split.)"""
    own = _number_as_repaired(parsed)
    if parsed.type == "PN" or own is None:
        return parsed
    if own[1] == "<" or (checks.passes(*own) and not parsed.dropped):
        return parsed  # ("<": a long number going on in the optional data)
    seen = _photo_reads.get()
    near = _numbers_near(parsed.type, own[0], seen.numbers if seen else set())
    if len(near) != 1:
        return parsed
    [(number, digit)] = near
    return _with_number(parsed, number, digit)


def _number_twins_shown(parsed: Parsed, cut: Callable[[], Image.Image | None] | None) -> Parsed:
    """``parsed`` (a reading not sure) with its number's 6s and Gs shown as their cells look
    (``vote.number_twins_shown``) in the band as ``cut`` gives it, its Ms and Ws as they look in
    it flattened, where the number passes its check digit (the two are worth the same to it): a
    G read for a 6 by the passes, or by one against another's 6 (glare 257/13), is shown a 6
    when its cell plainly is one; a bowed page's W read M, a W (bent 500/1). The number
    stays marked for the customer to check; ``parsed`` when no cell says otherwise."""
    own = _number_as_repaired(parsed)
    if cut is None or own is None or not checks.passes(*own):
        return parsed
    cut = _BandCut.of(cut)  # cut once for the 6s and Gs and the Ms and Ws
    shown = vote.number_twins_shown(cut, parsed)
    parsed = parsed if shown is None else _with_number(parsed, shown, own[1])
    shown = _number_ms_and_ws_shown(parsed, cut)  # as ``_number_twins_clear`` measures them
    return parsed if shown is None else _with_number(parsed, shown, own[1])


def _passport_code_shown(parsed: Parsed) -> Parsed:
    """``parsed`` (a reading not sure) with a passport's P where its document code was read F or
    E (FADED_P: the P's bowl blurred shut, its stem faded; degraded 261/0, every other field
    right): ICAO 9303 opens a TD3 with a P (a passport) or a V (a visa, MRV-A), so no other
    letter is the code. Shown only, marked for the customer to check: made a repair that counts
    as a check passed, passes reading an F would outrank others when the best reading is chosen
    (a wrong number won so, degraded 255/6)."""
    code = str(parsed.fields.get("document_code") or "")
    if parsed.type != "TD3" or not code or code[0] not in FADED_P:
        return parsed
    first = parsed.lines[0]
    return dataclasses.replace(
        parsed,
        lines=["P" + first[1:], *parsed.lines[1:]],
        fields={**parsed.fields, "document_code": "P" + code[1:]},
        field_valid={**parsed.field_valid, "document_code": False},
    )


def _with_number(parsed: Parsed, number: str, digit: str) -> Parsed:
    """``parsed`` with its number's nine characters and check digit made ``number`` and
    ``digit`` (another pass's, or its own lookalikes told by their cells): marked for the
    customer to check, none of ``parsed``'s repairs of them kept (they would undo it)."""
    line, start = parsed.number_place
    lines = list(parsed.lines)
    lines[line] = lines[line][:start] + number + digit + lines[line][start + 10 :]
    return dataclasses.replace(
        parsed,
        lines=lines,
        fields={**parsed.fields, "number": number.replace("<", "")},
        field_valid={**parsed.field_valid, "number": False},
        repairs=[
            (at_line, column, to)
            for at_line, column, to in parsed.repairs
            if at_line != line or not start <= column < start + 10
        ],
    )


def _edits(first: str, second: str) -> int:
    """The characters to change, drop or add to make one text the other (Levenshtein)."""
    previous = list(range(len(second) + 1))
    for row, a in enumerate(first, 1):
        current = [row]
        for column, b in enumerate(second, 1):
            current.append(
                min(previous[column] + 1, current[-1] + 1, previous[column - 1] + (a != b))
            )
        previous = current
    return previous[-1]


def _result(
    parsed: Parsed,
    box: tuple[int, int, int, int],
    *,
    valid: bool,
    cut: Callable[[], Image.Image | None] | None = None,
) -> MrzResult:
    """What ``parsed``, found in ``box``, returns; ``cut`` gives the band it was read from, cut
    plain, for a reading not sure to have its number's lookalikes shown as their cells look
    (paid only then: a cut and an OCR pass)."""
    if valid and parsed.valid and russian_names.misread(parsed):
        valid = False  # a PN's names the dictionary says the passes all misread alike
    if valid and parsed.valid and _number_disputed(parsed):
        valid = False  # marked for the customer to check
        parsed = dataclasses.replace(parsed, field_valid={**parsed.field_valid, "number": False})
    disputed = _fields_disputed(parsed) if valid and parsed.valid else []
    if disputed:
        valid = False  # each marked for the customer to check
        field_valid = {**parsed.field_valid, **dict.fromkeys(disputed, False)}
        parsed = dataclasses.replace(parsed, field_valid=field_valid)
    if not (valid and parsed.valid):
        # Names not sure: as most passes read them; where a lookalike misread makes no name, the
        # one that does (a PN's and a CIS passport's by the Russian dictionary, others' by the
        # names lexicon).
        parsed = latin_names.respelled(russian_names.respelled(_names_most_read(parsed)))
        parsed = _number_read_elsewhere(_number_twins_shown(parsed, cut))
        parsed = _passport_code_shown(parsed)
    fields = dict(parsed.fields)
    for name in FORM_FIELDS:
        fields.setdefault(name, None)
    fields.setdefault("personal_number", fields.get("optional_data") or None)
    field_valid = {name: bool(value) for name, value in parsed.field_valid.items()}
    return MrzResult(
        found=True,
        valid=valid and parsed.valid,
        type=parsed.type,
        fields=fields,
        field_valid=field_valid,
        mrz=list(parsed.lines),
        box=box,
        name_confidence=parsed.name_confidence,
    )
