import re
from datetime import timedelta

from django.utils import timezone, translation
from django.utils.translation import gettext

from uploads.models import UploadRequest
from uploads.requests import services as request_services


def _in(language: str, text: str) -> str:
    with translation.override(language):
        return gettext(text)


def test_it_trades_the_token_for_a_session_and_a_token_free_address(client, link):
    response = client.get(f"/u/{link.token}/")
    assert response.status_code == 302
    assert response["Location"] == "/upload/"
    assert link.token not in response["Location"]
    assert response["Referrer-Policy"] == "no-referrer"
    page = client.get("/upload/")
    assert page["Referrer-Policy"] == "same-origin"
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


def test_it_shows_a_friendly_page_for_an_unknown_link(client, db):
    response = client.get("/u/" + "A" * 43 + "/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert b"This link does not work" in response.content
    assert b'lang="en"' in response.content


def test_it_answers_the_same_for_unknown_and_expired_links(client, link):
    unknown = client.get("/u/" + "B" * 43 + "/")
    UploadRequest.objects.filter(pk=link.upload_request.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    expired = client.get(f"/u/{link.token}/")
    assert expired.status_code == unknown.status_code == 404

    def without_per_request_values(content: bytes) -> bytes:
        # The CSRF token and the language switcher's return address differ per request.
        return re.sub(
            rb'name="(csrfmiddlewaretoken|next)" (type="hidden" )?value="[^"]+"', b"", content
        )

    assert without_per_request_values(expired.content) == without_per_request_values(
        unknown.content
    )


def test_it_speaks_the_visitors_language_on_the_invalid_link_page(client, db):
    response = client.get("/u/nonsense/", HTTP_ACCEPT_LANGUAGE="ru")
    expected = _in("ru", "This link does not work")
    assert expected != "This link does not work"
    assert expected in response.content.decode()
    assert b'lang="ru"' in response.content


def test_it_stops_the_session_when_the_seller_replaces_the_link(client, link):

    client.get(f"/u/{link.token}/")
    assert client.get("/upload/").status_code == 200
    request_services.upload_link_issue(upload_request=link.upload_request)
    assert client.get("/upload/").status_code == 404


def test_it_refuses_the_upload_pages_without_a_session(client, db):
    assert client.get("/upload/").status_code == 404
    assert client.get("/upload/review/").status_code == 404
    assert client.post("/upload/", {"consent": "on"}).status_code == 404
