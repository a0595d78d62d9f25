"""End to end in headless Chromium: a customer on a phone uploads a passport, the seller sees it.

The live server runs in a thread of this process and shares the test database, so every test is
transactional; ``serialized_rollback`` brings back the consent text the migrations publish, which
the flush after each test would otherwise remove.
"""

from pathlib import Path

import pytest
from django_otp.oath import TOTP

from uploads.models import StaffTOTPDevice as TOTPDevice

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

UPLOAD_FORM = "form[enctype='multipart/form-data']"
REVIEW_FORM = "form:has([name=surname])"

# The widest elements that stick out past the right edge, to say what to fix when a page scrolls.
OVERFLOWING_JS = """() => [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > window.innerWidth + 0.5)
    .slice(0, 5)
    .map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : '')
        + ' right=' + Math.round(el.getBoundingClientRect().right))"""


def link_path(link) -> str:  # type: ignore[no-untyped-def]
    # link.url is built from SITE_URL ("http://testserver"), not the live server's address.
    return f"/u/{link.token}/"


def screenshot(page, tmp_path: Path, name: str) -> Path:  # type: ignore[no-untyped-def]
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return path


def assert_no_horizontal_scroll(page) -> None:  # type: ignore[no-untyped-def]
    scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert scroll_width <= inner_width, (
        f"{page.url} scrolls sideways: scrollWidth {scroll_width} > innerWidth {inner_width}; "
        f"sticking out: {page.evaluate(OVERFLOWING_JS)}"
    )


def open_link_and_upload(page, link, passport_jpeg: bytes, tmp_path: Path | None = None) -> None:  # type: ignore[no-untyped-def]
    """Open the customer's link, agree, pick the photo from the gallery and send it."""
    response = page.goto(link_path(link))
    assert response is not None
    assert response.ok
    assert page.url.endswith("/upload/")
    if tmp_path is not None:
        screenshot(page, tmp_path, "1-upload")
    page.check(f"{UPLOAD_FORM} input[name=consent]")
    # The gallery input, not the camera one (capture=environment); both are visually hidden.
    page.set_input_files(
        f"{UPLOAD_FORM} input[type=file][name=file]:not([capture])",
        files=[{"name": "passport.jpg", "mimeType": "image/jpeg", "buffer": passport_jpeg}],
    )
    assert page.text_content("#chosen") == "passport.jpg"
    # The MRZ is read inside the request (immediate task backend), about a second.
    submit(page, UPLOAD_FORM, "/upload/review/")


def submit(page, form: str, expected_path: str, button: str = "button[type=submit]") -> None:  # type: ignore[no-untyped-def]
    """Press the form's button; fail with what the server answered if it did not go on."""
    with page.expect_navigation() as navigation:
        page.click(f"{form} {button}")
    response = navigation.value
    assert response is not None
    assert response.ok and page.url.endswith(expected_path), (
        f"sending the form ended at {page.url} with HTTP {response.status}, not at {expected_path}:\n"
        + page.inner_text("main")[:500]
    )


@pytest.mark.ocr
def test_it_takes_a_passport_from_a_phone_to_the_sellers_list(
    link, alice, passport_jpeg, tmp_path, live_server, phone, desktop
):  # type: ignore[no-untyped-def]
    open_link_and_upload(phone, link, passport_jpeg, tmp_path)

    assert phone.input_value(f"{REVIEW_FORM} [name=surname]") == "ERIKSSON"
    assert phone.input_value(f"{REVIEW_FORM} [name=given_names]") == "ANNA MARIA"
    assert phone.input_value(f"{REVIEW_FORM} [name=number]") == "L898902C3"
    # The customer's own photo is shown next to the fields.
    assert phone.evaluate("document.querySelector('img.preview').naturalWidth") > 0
    screenshot(phone, tmp_path, "2-review")

    submit(phone, REVIEW_FORM, "/upload/done/")
    assert "Thank you" in phone.inner_text("h1")
    assert "A-100" in phone.inner_text("dl.facts")
    screenshot(phone, tmp_path, "3-done")

    desktop.goto("/admin/")
    desktop.fill("#id_username", "alice")
    desktop.fill("#id_password", "password")
    # First sign-in: the password leads to enrolling a second factor (QR code, then a code).
    two_factor = "/admin/two-factor/?next=%2Fadmin%2F"
    submit(desktop, "#login-form", two_factor, button="input[type=submit]")
    assert desktop.evaluate("document.querySelector('img.two-factor-qr').naturalWidth") > 0
    device = TOTPDevice.objects.get(user=alice, confirmed=False)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    desktop.fill("#id_token", f"{totp.token():06d}")
    submit(desktop, "#two-factor-form", two_factor, button="input[type=submit]")
    assert desktop.locator(".backup-codes li").count() == 10
    with desktop.expect_navigation():
        desktop.click("#content-main a.button")
    assert desktop.url.endswith("/admin/")
    response = desktop.goto("/admin/uploads/uploadrequest/")
    assert response is not None
    assert response.ok
    row = desktop.locator("#result_list tbody tr", has_text="A-100")
    assert row.count() == 1
    assert row.locator(".status-badge").inner_text() == "Uploaded"


@pytest.mark.ocr
def test_it_fits_a_phone_screen_without_sideways_scrolling(link, passport_jpeg, phone):  # type: ignore[no-untyped-def]
    phone.goto(link_path(link))
    assert phone.url.endswith("/upload/")
    assert_no_horizontal_scroll(phone)

    open_link_and_upload(phone, link, passport_jpeg)
    phone.wait_for_load_state("load")  # the preview image is in, at its final size
    assert_no_horizontal_scroll(phone)


def test_it_shows_the_friendly_page_for_an_invalid_link(live_server, phone):  # type: ignore[no-untyped-def]
    response = phone.goto("/u/nonsense/")
    assert response is not None
    assert response.status == 404
    assert phone.inner_text("h1") == "This link does not work"
    assert_no_horizontal_scroll(phone)
