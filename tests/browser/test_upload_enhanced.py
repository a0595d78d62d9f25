"""The upload form with JavaScript: preview, progress, shrinking big photos in the browser; and without.

Same set-up as test_upload_flow.py: a live server thread sharing a transactional test database.
"""

import io

import pytest
from PIL import Image

from uploads.documents import specimens
from uploads.models import PassportDocument
from uploads.web.customer import DOWNSCALE_LONG_SIDE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.ocr,  # every upload is read inline (immediate task backend)
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

UPLOAD_FORM = "form.upload"
GALLERY = f"{UPLOAD_FORM} input[type=file][name=file]:not([capture])"

# Progress events are dispatched on the form; keep them in sessionStorage, which outlives the
# navigation to the next step, so the test can read them there.
RECORD_PROGRESS_JS = """() => {
    sessionStorage.setItem('progress', '');
    document.addEventListener('portal:progress', event => sessionStorage.setItem(
        'progress', sessionStorage.getItem('progress') + ' ' + event.detail));
}"""


def open_link(page, link) -> None:  # type: ignore[no-untyped-def]
    response = page.goto(f"/u/{link.token}/")
    assert response is not None
    assert response.ok
    page.check(f"{UPLOAD_FORM} input[name=consent]")


def choose(page, name: str, mime: str, data: bytes) -> None:  # type: ignore[no-untyped-def]
    page.set_input_files(GALLERY, files=[{"name": name, "mimeType": mime, "buffer": data}])


def send(page, expected_path: str) -> None:  # type: ignore[no-untyped-def]
    page.click(f"{UPLOAD_FORM} button[type=submit]")
    page.wait_for_url(f"**{expected_path}")


def only_document(upload_request) -> PassportDocument:  # type: ignore[no-untyped-def]
    documents = list(PassportDocument.objects.filter(upload_request=upload_request))
    assert len(documents) == 1
    return documents[0]


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def test_it_previews_shows_progress_and_shrinks_a_big_photo_that_still_reads(
    link, upload_request, phone
):  # type: ignore[no-untyped-def]
    big = specimens.render_jpeg(specimens.ERIKSSON, width=4000, quality=95)
    open_link(phone, link)
    phone.evaluate(RECORD_PROGRESS_JS)
    choose(phone, "IMG_0001.jpg", "image/jpeg", big)
    phone.wait_for_selector("#photo-preview:not([hidden])")
    assert phone.evaluate("document.querySelector('#photo-preview').width") > 0

    send(phone, "/upload/review/")
    progress = [int(value) for value in phone.evaluate("sessionStorage.progress").split()]
    assert progress[0] == 0
    assert progress[-1] == 100
    document = only_document(upload_request)
    assert max(document.width, document.height) == DOWNSCALE_LONG_SIDE
    assert phone.input_value("[name=number]") == "L898902C3"


def test_it_sends_a_photo_that_is_small_enough_as_it_is(link, upload_request, phone):  # type: ignore[no-untyped-def]
    page = specimens.render_page(specimens.ERIKSSON, width=1200).convert("RGB")
    open_link(phone, link)
    choose(phone, "scan.png", "image/png", png(page))
    send(phone, "/upload/review/")
    document = only_document(upload_request)
    assert document.original_format == "PNG"  # not re-encoded by the browser
    assert (document.width, document.height) == page.size


def test_it_sends_a_pdf_untouched(link, upload_request, phone):  # type: ignore[no-untyped-def]
    page = specimens.render_page(specimens.ERIKSSON, width=1200).convert("RGB")
    buffer = io.BytesIO()
    page.save(buffer, "PDF", resolution=150)
    open_link(phone, link)
    choose(phone, "passport.pdf", "application/pdf", buffer.getvalue())
    assert phone.is_hidden("#photo-preview")
    send(phone, "/upload/review/")
    assert only_document(upload_request).original_format == "PDF"


def test_it_sends_a_big_heic_photo_untouched(link, upload_request, phone):  # type: ignore[no-untyped-def]
    # The browser cannot decode HEIC: it goes as it is, however big, and the server converts it.
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    # Just over the size the browser would shrink a JPEG to.
    page = specimens.render_page(specimens.ERIKSSON, width=DOWNSCALE_LONG_SIDE + 100).convert("RGB")
    buffer = io.BytesIO()
    page.save(buffer, "HEIF", quality=60)
    open_link(phone, link)
    choose(phone, "IMG_0002.HEIC", "image/heic", buffer.getvalue())
    send(phone, "/upload/review/")
    document = only_document(upload_request)
    assert document.original_format == "HEIF"
    assert (document.width, document.height) == page.size


def test_it_shows_the_message_for_a_file_that_is_not_a_picture_in_place(link, phone):  # type: ignore[no-untyped-def]
    open_link(phone, link)
    choose(phone, "passport.jpg", "image/jpeg", b"this is not a picture at all" * 10)
    phone.click(f"{UPLOAD_FORM} button[type=submit]")
    error = phone.wait_for_selector(f"{UPLOAD_FORM} .errorlist")
    assert error.inner_text()
    assert phone.url.endswith("/upload/")
    # The page shown in place is enhanced again: the next try goes through.
    phone.check(f"{UPLOAD_FORM} input[name=consent]")
    choose(phone, "passport.jpg", "image/jpeg", specimens.render_jpeg(specimens.ERIKSSON))
    send(phone, "/upload/review/")


def test_it_uploads_with_javascript_turned_off(browser, live_server, link, upload_request):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        open_link(page, link)
        assert page.is_visible("form.langs .langs-go")  # the language switcher's own button
        choose(page, "passport.jpg", "image/jpeg", specimens.render_jpeg(specimens.ERIKSSON))
        with page.expect_navigation():
            page.click(f"{UPLOAD_FORM} button[type=submit]")
        assert page.url.endswith("/upload/review/")
        assert only_document(upload_request).original_format == "JPEG"
    finally:
        context.close()
