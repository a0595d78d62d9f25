"""The customer's pages weigh under 100 KB before the photo, with nothing from other sites.

Counted without compression (what a slow phone connection carries at worst): the HTML plus every
stylesheet, script, image and icon it references, once each, and what the stylesheets reference.
"""

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import consent_shown_to, submit_and_confirm

BUDGET = 100 * 1024
# The customer's own photo is what the budget comes before.
PHOTO_PATHS = ("/upload/review/image/",)  # followed by the document's id
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)")


class References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "link" and attributes.get("href"):
            self.urls.append(attributes["href"] or "")
        if tag in (
            "script",
            "img",
            "iframe",
            "source",
            "audio",
            "video",
            "embed",
        ) and attributes.get("src"):
            self.urls.append(attributes["src"] or "")
        if attributes.get("style"):
            self.urls.extend(CSS_URL.findall(attributes["style"] or ""))


def static_bytes(url: str) -> bytes:
    path = urlsplit(url).path
    assert path.startswith("/" + settings.STATIC_URL.strip("/") + "/"), f"not a static file: {url}"
    found = finders.find(path.split("/", 2)[2])
    assert found, f"{url} is referenced but missing"
    with open(found, "rb") as handle:
        return handle.read()


def page_weight(client, path: str) -> tuple[int, list[str]]:  # type: ignore[no-untyped-def]
    response = client.get(path)
    assert response.status_code in (200, 404), f"{path}: HTTP {response.status_code}"
    return weigh(path, response.content)


def weigh(path: str, html: bytes) -> tuple[int, list[str]]:
    """The page's bytes plus those of every asset it references, and the assets' addresses."""
    parser = References()
    parser.feed(html.decode())
    total, seen = len(html), set()
    queue = list(parser.urls)
    while queue:
        url = queue.pop()
        assert not re.match(r"^(https?:)?//", url), f"{path} loads {url} from another site"
        if url in seen or urlsplit(url).path.startswith(PHOTO_PATHS) or url.startswith("data:"):
            continue
        seen.add(url)
        data = static_bytes(url)
        total += len(data)
        if url.endswith(".css"):
            text = data.decode()
            assert "@import" not in text or "//" not in text, f"{url} imports from another site"
            base = url.rsplit("/", 1)[0]
            for ref in CSS_URL.findall(text):
                queue.append(
                    ref if ref.startswith(("/", "data:", "http", "//")) else f"{base}/{ref}"
                )
    return total, sorted(seen)


@pytest.fixture
def english(customer):
    customer.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return customer


def assert_light(client, path: str) -> list[str]:  # type: ignore[no-untyped-def]
    total, assets = page_weight(client, path)
    assert total < BUDGET, f"{path} weighs {total} bytes with {assets}"
    return assets


def test_the_upload_page_is_light_and_loads_its_own_assets(english):
    assets = assert_light(english, "/upload/")
    assert any(asset.endswith("portal.css") for asset in assets)
    assert any(asset.endswith("portal.js") for asset in assets)
    assert any(asset.endswith("good.svg") for asset in assets)


def test_the_review_page_is_light_before_the_photo(english, upload_request, passport_jpeg):
    english.post(
        "/upload/",
        {
            "consent": "on",
            "consent_document_id": consent_shown_to(english),
            "file": SimpleUploadedFile("p.jpg", passport_jpeg),
        },
    )
    assert_light(english, "/upload/review/")


def test_the_done_and_status_pages_are_light(english, upload_request, passport_jpeg):
    submit_and_confirm(upload_request, passport_jpeg)
    assert_light(english, "/upload/done/")
    assert_light(english, "/upload/status/")


def test_the_invalid_link_page_is_light(client):
    assert_light(client, "/u/nonsense/")


@pytest.mark.parametrize(
    "html",
    [
        b'<link rel="stylesheet" href="https://fonts.example.com/a.css">',
        b'<script src="//cdn.example.com/tracker.js"></script>',
        b'<img src="http://example.com/pixel.gif">',
    ],
)
def test_it_refuses_anything_from_another_site(html):
    with pytest.raises(AssertionError, match="another site"):
        weigh("/x/", html)


def test_it_counts_what_a_page_references(english):
    with pytest.raises(AssertionError, match="missing"):
        weigh("/x/", b'<script src="/static/uploads/nothing-here.js"></script>')
    total, _ = page_weight(english, "/upload/")
    html_only = len(english.get("/upload/").content)
    assert total > html_only + 5000  # the stylesheet and the script are counted
