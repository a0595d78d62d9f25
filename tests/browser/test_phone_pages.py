"""The customer's pages on a 390x844 phone (issue 16): the first screen of the upload page in
every language, errors at the top with the focus on them, checks before sending, the preview, two
tabs, Back after sending, e-mails at 360 px, the favicon.

Screenshots go to artifacts/screenshots/ (git-ignored); docs/ holds copies for the README.
"""

from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import submit_and_confirm
from uploads.documents import specimens
from uploads.messaging.emails import build_customer_email
from uploads.models import EmailTemplate, PassportDocument, UploadRequest
from uploads.requests import services as request_services

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
UPLOAD_FORM = "form.upload"
CAMERA = f"{UPLOAD_FORM} input[type=file][capture]"
GALLERY = f"{UPLOAD_FORM} input[type=file][name=file]:not([capture])"
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
LANGUAGES = [code for code, _name in settings.LANGUAGES]
# The top of the first photo button, in CSS pixels from the top of the page.
CAMERA_TOP_JS = """() => document.querySelector('form.upload input[capture]')
    .parentElement.getBoundingClientRect().top + window.scrollY"""


def shoot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def new_phone(browser, live_server, *, javascript: bool = True):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live_server.url, java_script_enabled=javascript, **PHONE)
    context.set_default_timeout(15_000)
    return context, context.new_page()


def order_in(shop, language: str):  # type: ignore[no-untyped-def]
    return request_services.order_create(
        shop_id=shop.pk,
        number=f"2026-{language}-00417",
        customer_name="Anna Eriksson",
        email="anna@example.com",
        language=language,
        send_invitation=False,
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_shows_the_photo_buttons_on_the_first_screen(browser, live_server, shop, language):  # type: ignore[no-untyped-def]
    link = order_in(shop, language)
    context, page = new_phone(browser, live_server)
    try:
        page.goto(f"/u/{link.token}/")
        assert page.get_attribute("html", "lang") == language
        top = page.evaluate(CAMERA_TOP_JS)
        print(f"{language}: first photo button at {top:.0f} px")
        assert top + 40 <= 844, f"{language}: the first photo button starts at {top:.0f} px"
        # The consent: the whole text one tap away, right above the box that agrees to it.
        details = page.locator("details.consent-text")
        assert not details.evaluate("d => d.open")
        details.locator("summary").click()
        assert details.evaluate("d => d.open")
        assert page.locator("details.consent-text .consent-body").inner_text().strip()
        # The withdrawal is there, below the upload itself, the last link of the page.
        withdraw = page.locator("main a[href='/upload/withdraw/']").bounding_box()
        upload = page.locator(f"{UPLOAD_FORM} button[type=submit]").bounding_box()
        assert withdraw is not None and upload is not None
        assert withdraw["y"] > upload["y"]
        assert page.locator("main a").last.get_attribute("href") == "/upload/withdraw/"
        details.locator("summary").click()
        shoot(page, f"phone-upload-{language}")
    finally:
        context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_it_lists_errors_at_the_top_and_moves_the_focus_there(
    browser, live_server, link, javascript
):  # type: ignore[no-untyped-def]
    context, page = new_phone(browser, live_server, javascript=javascript)
    try:
        page.goto(f"/u/{link.token}/")
        with page.expect_navigation() if not javascript else _nothing():
            page.click(f"{UPLOAD_FORM} button[type=submit]")
        summary = page.wait_for_selector("#error-summary")
        assert page.evaluate("document.activeElement.id") == "error-summary"
        box = summary.bounding_box()
        assert box is not None and box["y"] < 844
        # Each message links to its field.
        page.click("#error-summary a[href='#id_consent']")
        assert page.evaluate("document.activeElement.name") == "consent"
        shoot(page, f"phone-upload-errors-{'js' if javascript else 'no-js'}")
    finally:
        context.close()


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *args: object) -> None:
        return None


def test_it_keeps_the_chosen_photo_when_the_consent_is_missing(
    browser, live_server, link, upload_request, passport_jpeg
):  # type: ignore[no-untyped-def]
    context, page = new_phone(browser, live_server)
    posted: list[int] = []
    page.on(
        "request",
        lambda request: (
            posted.append(len(request.post_data_buffer or b""))
            if request.method == "POST"
            else None
        ),
    )
    try:
        page.goto(f"/u/{link.token}/")
        page.set_input_files(
            GALLERY,
            files=[{"name": "passport.jpg", "mimeType": "image/jpeg", "buffer": passport_jpeg}],
        )
        page.click(f"{UPLOAD_FORM} button[type=submit]")
        page.wait_for_selector("#error-summary")
        assert page.evaluate("document.activeElement.id") == "error-summary"
        # The photo did not go up with a form that could not be accepted, and is still chosen.
        assert posted and posted[0] < len(passport_jpeg) // 2
        assert page.text_content("#chosen") == "passport.jpg"
        assert page.evaluate(f'document.querySelector("{GALLERY}").files.length') == 1
        page.check(f"{UPLOAD_FORM} input[name=consent]")
        page.click(f"{UPLOAD_FORM} button[type=submit]")
        page.wait_for_url("**/upload/review/")
        assert PassportDocument.objects.filter(upload_request=upload_request).count() == 1
    finally:
        context.close()


def test_it_checks_size_and_type_before_sending(browser, live_server, link, settings):  # type: ignore[no-untyped-def]
    settings.PASSPORT_MAX_UPLOAD_BYTES = 1024 * 1024  # the page is served with this limit
    context, page = new_phone(browser, live_server)
    posted: list[str] = []
    page.on(
        "request", lambda request: posted.append(request.url) if request.method == "POST" else None
    )
    try:
        page.goto(f"/u/{link.token}/")
        page.check(f"{UPLOAD_FORM} input[name=consent]")
        # A PDF the browser cannot shrink, over the limit: one message, nothing sent.
        too_big = b"%PDF-1.4\n" + b"0" * (settings.PASSPORT_MAX_UPLOAD_BYTES + 1)
        page.set_input_files(
            GALLERY, files=[{"name": "scan.pdf", "mimeType": "application/pdf", "buffer": too_big}]
        )
        message = page.locator("#file-check")
        assert message.is_visible()
        assert "1 MB" in message.inner_text() or "1 МБ" in message.inner_text()
        page.click(f"{UPLOAD_FORM} button[type=submit]")
        assert page.locator(".errorlist:visible, .file-check:visible").count() == 1
        assert posted == []
        # A file type the server refuses: said at once too.
        page.set_input_files(
            GALLERY, files=[{"name": "photo.gif", "mimeType": "image/gif", "buffer": b"GIF89a"}]
        )
        assert "JPEG" in message.inner_text()
        page.click(f"{UPLOAD_FORM} button[type=submit]")
        assert posted == []
        shoot(page, "phone-upload-too-big")
    finally:
        context.close()


@pytest.mark.ocr
def test_it_shows_a_small_preview_and_fetches_the_review_page_once(browser, live_server, link):  # type: ignore[no-untyped-def]
    context, page = new_phone(browser, live_server)
    reviews: list[str] = []
    page.on(
        "request",
        lambda request: (
            reviews.append(request.method) if request.url.endswith("/upload/review/") else None
        ),
    )
    try:
        page.goto(f"/u/{link.token}/")
        page.check(f"{UPLOAD_FORM} input[name=consent]")
        big = specimens.render_jpeg(specimens.ERIKSSON, width=3000, quality=92)
        page.set_input_files(
            GALLERY, files=[{"name": "IMG_1.jpg", "mimeType": "image/jpeg", "buffer": big}]
        )
        # While it goes up the button is disabled and looks it.
        colours = page.evaluate(
            """() => { const b = document.querySelector('form.upload button[type=submit]');
                const before = getComputedStyle(b).backgroundColor; b.disabled = true;
                const after = getComputedStyle(b).backgroundColor; b.disabled = false;
                return [before, after]; }"""
        )
        assert colours[0] != colours[1]
        page.click(f"{UPLOAD_FORM} button[type=submit]")
        page.wait_for_url("**/upload/review/")
        page.wait_for_load_state("load")
        assert reviews == ["GET"], reviews
        size = page.evaluate(
            "() => { const i = document.querySelector('img.preview'); return [i.naturalWidth, i.naturalHeight]; }"
        )
        assert 0 < max(size) <= 1000
        shoot(page, "phone-review-preview")
    finally:
        context.close()


@pytest.mark.ocr
def test_it_refuses_the_confirmation_of_a_photo_replaced_in_another_tab(
    browser, live_server, link, upload_request, passport_jpeg
):  # type: ignore[no-untyped-def]
    context, first = new_phone(browser, live_server)
    try:
        first.goto(f"/u/{link.token}/")
        first.check(f"{UPLOAD_FORM} input[name=consent]")
        first.set_input_files(
            GALLERY, files=[{"name": "a.jpg", "mimeType": "image/jpeg", "buffer": passport_jpeg}]
        )
        first.click(f"{UPLOAD_FORM} button[type=submit]")
        first.wait_for_url("**/upload/review/")
        second = context.new_page()  # another tab, the same session
        second.goto("/upload/")
        second.check(f"{UPLOAD_FORM} input[name=consent]")
        other = specimens.render_jpeg(specimens.ERIKSSON, width=1400)
        second.set_input_files(
            GALLERY, files=[{"name": "b.jpg", "mimeType": "image/jpeg", "buffer": other}]
        )
        second.click(f"{UPLOAD_FORM} button[type=submit]")
        second.wait_for_url("**/upload/review/")
        with first.expect_navigation():
            first.click("form.review button[type=submit]")
        assert first.locator("#error-summary").is_visible()
        assert first.evaluate("document.activeElement.id") == "error-summary"
        upload_request.refresh_from_db()
        assert upload_request.status == UploadRequest.Status.WAITING
        shoot(first, "phone-review-newer-photo")
        # The tab that shows the newer photo confirms it.
        with second.expect_navigation():
            second.click("form.review button[type=submit]")
        assert second.url.endswith("/upload/done/")
        # Back from the thank-you page: the review page is gone, the status is shown.
        second.go_back()
        assert second.url.endswith("/upload/status/"), second.url
        assert second.locator(".status-submitted").is_visible()
    finally:
        context.close()


def test_it_takes_back_and_the_link_to_the_status_after_sending(
    browser, live_server, link, upload_request, passport_jpeg
):  # type: ignore[no-untyped-def]
    submit_and_confirm(upload_request, passport_jpeg)
    context, page = new_phone(browser, live_server)
    try:
        page.goto(f"/u/{link.token}/")
        assert page.url.endswith("/upload/status/")
        page.goto("/upload/review/")  # where Back leads after sending
        assert page.url.endswith("/upload/status/")
        assert page.locator(".status-submitted").is_visible()
    finally:
        context.close()


@pytest.mark.parametrize("kind", EmailTemplate.Kind.values)
def test_it_fits_the_emails_on_a_360_px_phone(browser, link, kind):  # type: ignore[no-untyped-def]
    upload_request = link.upload_request
    upload_request.rejection_reason = "Blurred"
    message = build_customer_email(
        kind=kind,
        upload_request=upload_request,
        link_url="https://portal.example.com/u/" + "x" * 43 + "/",
    )
    context = browser.new_context(viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        page.set_content(message.alternatives[0][0])
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{kind}: {width} px wide"
    finally:
        context.close()


def test_it_serves_a_favicon(browser, live_server, db):  # type: ignore[no-untyped-def]
    context, page = new_phone(browser, live_server)
    try:
        response = page.goto("/favicon.ico")
        assert response is not None and response.ok
        assert response.headers["content-type"].startswith("image/")
    finally:
        context.close()
