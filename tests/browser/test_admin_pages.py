"""The seller's admin in a desktop Chromium at 1366x900: every page in Chinese shows no English or
Russian text that is not data, the request list fits the screen, and a request's page shows the
passport and the decision controls in the first screen (issue #16, items 11-14).

Screenshots go to artifacts/screenshots/ (git-ignored); the README's come from there (docs/).
"""

import contextlib
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import NoReverseMatch, reverse

from tests.conftest import login
from uploads.api import services as api_services
from uploads.models import (
    CarrierMapping,
    CustomsSettings,
    Feedback,
    Shop,
    UploadRequest,
    WebhookEndpoint,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.ocr,  # the passport is read inline (immediate task backend)
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
SELLER_SCREEN = {"viewport": {"width": 1366, "height": 900}}
# A seller in China: the browser's clock is not the server's, which brings the admin's
# "enter times in the server's timezone" note onto date-time fields.
CHINESE_SELLER = {**SELLER_SCREEN, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}

# Every visible text node (and what a control shows: button values, a select's options), with
# where it sits, so a failure names the place.
VISIBLE_TEXTS_JS = """() => {
    const out = [];
    const visible = el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
    const where = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
        + (typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const node = walker.currentNode;
        const text = node.textContent.trim();
        const el = node.parentElement;
        if (!text || !el || el.closest('script, style, noscript, template, svg, textarea')) continue;
        // Content written for one customer language (a consent text's Kazakh version...): data.
        const row = el.closest('.form-row');
        if (row && /field-\\w+_(ru|en|kk|uz|ky|hy|be|zh_hans)\\b/.test(row.className)) continue;
        if (!visible(el)) continue;
        // Written in another language on purpose, and marked so (what the customer will read).
        const marked = el.closest('[lang]');
        if (marked && marked !== document.documentElement && marked.lang !== document.documentElement.lang) continue;
        out.push([text, where(el)]);
    }
    for (const el of document.querySelectorAll('input[type=submit], input[type=button]')) {
        if (visible(el) && el.value.trim()) out.push([el.value.trim(), where(el)]);
    }
    for (const el of document.querySelectorAll('select')) {
        if (!visible(el)) continue;
        for (const option of el.options) if (option.text.trim()) out.push([option.text.trim(), where(el)]);
    }
    for (const el of document.querySelectorAll('[placeholder], [title]')) {
        if (!visible(el)) continue;
        for (const name of ['placeholder', 'title']) {
            const value = (el.getAttribute(name) || '').trim();
            if (value) out.push([value, where(el) + '@' + name]);
        }
    }
    return out;
}"""

LATIN = re.compile(r"[A-Za-z]")
CYRILLIC = re.compile(r"[\u0400-\u04FF]")
CHINESE = re.compile(r"[\u3400-\u9FFF\uF900-\uFAFF]")
# Not words to translate: what the seller or customer typed (the data of the fixtures below),
# codes and names that stay as they are in Chinese too.
DATA = {
    "A-100",
    "Anna Eriksson",
    "anna@example.com",
    "Alice's Goods",
    "alice-shop@example.com",
    "boss",
    "Carrier X",
    "ERIKSSON",
    "ANNA MARIA",
    "L898902C3",
    "UTO",
    "Great",
    "orders",
    "staff-alice",
    "alice, boss",  # the shop's members
    "A-100 5/5",  # a rating's name: order number and stars
}
ALLOWED = [
    re.compile(pattern)
    for pattern in (
        r"https?://\S+",  # addresses (the customer's link, a webhook's URL)
        r"[\w.+-]+@[\w.-]+",  # e-mail addresses
        r"(JPEG|PNG|PDF|CSV|XLSX|MRZ|INN|API|HTML|TOTP|SHA-256|UTC|ID|OK)",  # formats and codes
        r"CDEK",  # a carrier's brand
        r"(orders \()?pp_[\w-]+…?\)?",  # an API token's name and prefix (URL-safe: letters, digits, - and _)
        r"[A-Z]{2,3}",  # country codes in passport data (UTO, RUS)
        r"Django.*",  # Django's own name in its footer/title
        r"#\d+",
        r"[\w-]+\.(jpg|png|csv|xlsx)",
        r"Asia/Shanghai|Europe/Moscow",  # a timezone's name inside the translated note
        r"\d.*",  # numbers, dates, times ("10:00", "2026-11-02")
        r"[a-z_]+ \| .*",  # a carrier mapping's columns: field keys the seller types
        r"English|Русский|Қазақша|O‘zbekcha|Кыргызча|Հայերեն|Беларуская|简体中文",  # each language in its own name
    )
]


def needs_translation(text: str) -> bool:
    text = text.lstrip("›» ").strip()  # a breadcrumb's separator before a shop's name
    if CHINESE.search(text):
        return False  # a Chinese sentence around a name or a code is translated
    if not (LATIN.search(text) or CYRILLIC.search(text)):
        return False  # signs, digits, stars
    if text in DATA:
        return False
    return not any(pattern.fullmatch(text) for pattern in ALLOWED)


def shoot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


@pytest.fixture
def boss(shop: Shop, alice: User) -> User:
    """The shop's head seller: every right on the portal's own models (not a superuser: the
    sign-in throttling, second-factor devices and user accounts are the operator's, in English)."""
    user = User.objects.create_user(username="boss", password="password", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="uploads"))
    shop.members.add(user)
    return user


@pytest.fixture
def a_bit_of_everything(shop: Shop, uploaded_request: UploadRequest, boss: User) -> None:
    """One row of each model, so each change form and list has something on it."""
    Feedback.objects.create(
        upload_request=uploaded_request, rating=5, comment="Great", language="ru"
    )
    WebhookEndpoint.objects.create(shop=shop, url="https://orders.example.com/hook")
    api_services.api_token_create(shop_id=shop.pk, name="orders", actor=boss)
    CarrierMapping.objects.create(
        shop=shop, name="Carrier X", country="CN", columns=[["surname", "Фамилия"]]
    )
    CustomsSettings.objects.get_or_create(shop=shop)


def admin_pages() -> list[str]:
    """The index, every registered model's list, add form and first object's change form, and the
    seller's own pages (a shop's dashboard, the order import)."""
    pages = [reverse("admin:index")]
    for model in admin.site._registry:
        if model._meta.app_label != "uploads":
            continue  # the operator's (superusers'): users, devices, sign-in throttling
        info = (model._meta.app_label, model._meta.model_name)
        pages.append(reverse("admin:{}_{}_changelist".format(*info)))
        with contextlib.suppress(NoReverseMatch):
            pages.append(reverse("admin:{}_{}_add".format(*info)))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            pages.append(reverse("admin:{}_{}_change".format(*info), args=[first.pk]))
    shop = Shop.objects.order_by("pk").first()
    pages += [
        reverse("admin:uploads_shop_dashboard", args=[shop.pk]),
        reverse("admin:uploads_order_import"),
    ]
    return pages


def seller_context(browser, live_server, user: User, **options):  # type: ignore[no-untyped-def]
    session = login(Client(), user).cookies[settings.SESSION_COOKIE_NAME].value
    context = browser.new_context(base_url=live_server.url, **options)
    context.set_default_timeout(15_000)
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )
    return context


def test_every_admin_page_speaks_chinese(browser, live_server, boss, a_bit_of_everything):  # type: ignore[no-untyped-def]
    context = seller_context(browser, live_server, boss, **CHINESE_SELLER)
    untranslated: dict[str, set[str]] = {}
    try:
        page = context.new_page()
        for url in admin_pages():
            response = page.goto(url)
            if response.status == 403:
                continue  # a page the model's admin closes to everyone (adding a request)
            if response.status == 302 and "/two-factor/" in page.url:
                pytest.fail(f"{url}: signed out")
            assert response.status == 200, url
            assert page.locator("html").get_attribute("lang") == "zh-hans", url
            page.wait_for_load_state("load")
            # The calendar and clock pop-ups and the timezone notes are built by the admin's
            # scripts: open the calendar so its "today / yesterday / tomorrow" are on the page.
            calendar = page.locator("a[id^=calendarlink]")
            if calendar.count():
                calendar.first.click()
            for text, where in page.evaluate(VISIBLE_TEXTS_JS):
                if needs_translation(text):
                    untranslated.setdefault(f"{text!r} ({where})", set()).add(url)
    finally:
        context.close()
    assert not untranslated, "Untranslated in the Chinese admin:\n" + "\n".join(
        f"{text} on {', '.join(sorted(urls)[:3])}" for text, urls in sorted(untranslated.items())
    )


def test_the_request_list_fits_a_1366_px_screen(browser, live_server, alice, a_bit_of_everything):  # type: ignore[no-untyped-def]
    for language, options in (
        ("zh-hans", CHINESE_SELLER),
        ("ru", {**SELLER_SCREEN, "locale": "ru-RU"}),
    ):
        context = seller_context(browser, live_server, alice, **options)
        try:
            page = context.new_page()
            page.goto(reverse("admin:uploads_uploadrequest_changelist"))
            fit = page.evaluate(
                """() => {
                const table = document.querySelector('#result_list');
                const box = table.closest('.results') || table.parentElement;
                const number = document.querySelector('#result_list tbody .field-order_number');
                return {table: table.scrollWidth, box: box.clientWidth,
                        page: document.documentElement.scrollWidth, screen: window.innerWidth,
                        numberLines: (number.querySelector('a') || number).getClientRects().length};
            }"""
            )
            shoot(page, f"seller-list-{language}")
            assert fit["table"] <= fit["box"], (language, fit)
            assert fit["page"] <= fit["screen"], (language, fit)
            assert fit["numberLines"] == 1, (language, fit)  # the order number on one line
        finally:
            context.close()


def test_a_requests_page_shows_the_passport_and_the_decision_in_the_first_screen(  # type: ignore[no-untyped-def]
    browser, live_server, alice, uploaded_request, a_bit_of_everything
):
    context = seller_context(browser, live_server, alice, **CHINESE_SELLER)
    try:
        page = context.new_page()
        page.goto(reverse("admin:uploads_uploadrequest_change", args=[uploaded_request.pk]))
        image = page.wait_for_selector("img.passport-image")
        page.wait_for_load_state("load")
        assert image.evaluate("img => img.naturalWidth") > 0
        shoot(page, "seller-request-zh-hans")
        for selector in (
            "img.passport-image",
            "button[form=accept-form]",
            "input[name=code][value=blurred]",
            "button[form=reject-form]",
        ):
            box = page.locator(selector).bounding_box()
            assert box is not None and box["y"] + box["height"] <= 900, (selector, box)
        # Beside the fields, not under them.
        fields = page.locator(".request-main").bounding_box()
        side = page.locator(".request-side").bounding_box()
        assert side["x"] >= fields["x"] + fields["width"] - 1

        page.goto(reverse("admin:index"))
        shoot(page, "seller-index-zh-hans")
        page.goto(reverse("admin:uploads_order_changelist"))
        shoot(page, "seller-orders-zh-hans")

        page.goto(reverse("admin:uploads_uploadrequest_change", args=[uploaded_request.pk]))
        page.check("input[name=code][value=glare]")
        with page.expect_navigation():
            page.click("button[form=reject-form]")
        # Confirmed like an acceptance, in the seller's language.
        assert page.locator(".messagelist li").all_inner_texts() == [
            "订单 A-100 的护照已被退回；已请顾客重新上传。"
        ]
        uploaded_request.refresh_from_db()
        assert (uploaded_request.status, uploaded_request.rejection_code) == ("rejected", "glare")

    finally:
        context.close()
