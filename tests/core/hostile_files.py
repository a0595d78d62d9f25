"""Files built to burn a decoder's CPU or memory while staying small (issue #20): PDFs whose page
repeats ``0 0 m 595 842 l S`` (~1 KB, ~5 KB, ~500 KB) and pictures of 7000x7000 that weigh a few
KB (RGBA PNG, palette PNG with transparency, RGBA HEIC). Built here, in memory, in well under a
second each; no Django, so the benchmark imports them too.
"""

import io
import struct
import zlib
from collections.abc import Callable

from PIL import Image
from pillow_heif import from_pillow

STROKE = b"0 0 m 595 842 l S\n"
HUGE_SIDE = 7000


def pdf(objects: list[bytes]) -> bytes:
    """A well-formed PDF (with a cross-reference table) from numbered object bodies."""
    out = b"%PDF-1.7\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer<</Size {len(objects) + 1}/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF".encode()
    return out


def flate_repeated(unit: bytes, times: int) -> bytes:
    """The zlib stream of ``unit * times`` without building it: ``unit`` is compressed once and
    ended with a full flush (which empties the compressor's history), so every further copy
    compresses to the same bytes; then an empty final block and the checksum of the whole."""
    compressor = zlib.compressobj(9)
    first = compressor.compress(unit) + compressor.flush(zlib.Z_FULL_FLUSH)
    header, block = first[:2], first[2:]
    checksum = 1
    for _copy in range(times):
        checksum = zlib.adler32(unit, checksum)
    return header + block * times + b"\x03\x00" + checksum.to_bytes(4, "big")


def pdf_of_strokes(unit_strokes: int, times: int = 1) -> bytes:
    """One A4 page drawing the same diagonal ``unit_strokes * times`` times."""
    content = flate_repeated(STROKE * unit_strokes, times)
    return pdf(
        [
            b"<</Type/Catalog/Pages 2 0 R>>",
            b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
            b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R>>",
            b"<</Length %d/Filter/FlateDecode>>\nstream\n" % len(content)
            + content
            + b"\nendstream",
        ]
    )


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _uniform_png(colour_type: int, pixel: bytes, extra_chunks: bytes = b"") -> bytes:
    side = HUGE_SIDE
    row = b"\0" + pixel * side  # filter byte "none", then the row's pixels
    rows_per_unit = 70
    header = struct.pack(">IIBBBBB", side, side, 8, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + extra_chunks
        + _png_chunk(b"IDAT", flate_repeated(row * rows_per_unit, side // rows_per_unit))
        + _png_chunk(b"IEND", b"")
    )


def pdf_strokes_1kb() -> bytes:
    return pdf_of_strokes(15_000)  # ~1.1 KB; 270 KB of drawing instructions


def pdf_strokes_5kb() -> bytes:
    return pdf_of_strokes(100_000)  # ~4.8 KB; 1.8 MB


def pdf_strokes_500kb() -> bytes:
    return pdf_of_strokes(50_000, 225)  # ~500 KB; 200 MB


def rgba_png_7000() -> bytes:
    """~200 KB; 7000x7000 RGBA: 196 MB as pixels, over 400 MB through a naive pipeline."""
    return _uniform_png(6, bytes((20, 120, 20, 128)))


def palette_png_7000() -> bytes:
    """~20 KB; 7000x7000 of a two-colour palette with a transparent entry: 1 byte a pixel on
    disk, 4 once expanded."""
    palette = _png_chunk(b"PLTE", bytes((0, 0, 0, 255, 0, 0)))
    transparency = _png_chunk(b"tRNS", b"\x00")
    return _uniform_png(3, b"\x01", palette + transparency)


def rgba_heic_7000() -> bytes:
    """~22 KB; a real 7000x7000 RGBA HEIC. libheif takes 5 s (35 s on a loaded machine) to encode
    it: the benchmark uses it, the tests use ``rgba_heic_claiming_7000``."""
    out = io.BytesIO()
    picture = Image.new("RGBA", (HUGE_SIDE, HUGE_SIDE), (20, 120, 20, 128))
    from_pillow(picture).save(out, quality=10, enc_params={"preset": "ultrafast"})
    return out.getvalue()


def rgba_heic_claiming_7000() -> bytes:
    """A 64x64 RGBA HEIC whose header (its ``ispe`` box) says 7000x7000: what decides whether the
    file is decoded at all, built in a tenth of a second."""
    out = io.BytesIO()
    from_pillow(Image.new("RGBA", (64, 64), (20, 120, 20, 128))).save(out, quality=10)
    before, after = out.getvalue().split(b"ispe", 1)
    claimed = struct.pack(">II", HUGE_SIDE, HUGE_SIDE)
    return before + b"ispe" + after[:4] + claimed + after[12:]


# name, builder: each must be refused, in well under 5 s, whatever the machine's memory.
DECODER_BOMBS: list[tuple[str, Callable[[], bytes]]] = [
    ("strokes-1kb.pdf", pdf_strokes_1kb),
    ("strokes-5kb.pdf", pdf_strokes_5kb),
    ("strokes-500kb.pdf", pdf_strokes_500kb),
    ("rgba-7000.png", rgba_png_7000),
    ("palette-7000.png", palette_png_7000),
    ("rgba-7000.heic", rgba_heic_claiming_7000),
]
