"""The rating form on the thank-you page."""

import pytest
from django.conf import settings

from uploads.models import Feedback


@pytest.fixture
def done(customer, uploaded_request):
    """A customer (browsing in English) who has sent the passport."""
    customer.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return customer


def test_it_shows_the_rating_form_on_the_thank_you_page(done):
    page = done.get("/upload/done/").content.decode()
    assert 'action="/upload/feedback/"' in page
    for value in range(1, 6):
        assert f'name="rating" value="{value}"' in page
    assert "<legend>How easy was it to send your passport?</legend>" in page
    assert '<label for="id_comment">' in page


def test_it_saves_the_rating_and_thanks(done, uploaded_request):
    response = done.post("/upload/feedback/", {"rating": "2", "comment": "The photo was hard"})
    assert response.status_code == 302
    assert response["Location"] == "/upload/done/"
    feedback = Feedback.objects.get(upload_request=uploaded_request)
    assert (feedback.rating, feedback.comment, feedback.language) == (2, "The photo was hard", "en")
    page = done.get("/upload/done/").content.decode()
    assert "Thank you for your answer!" in page
    assert 'value="2" id="id_rating_1" required checked' in page  # the earlier answer, to change
    assert "Thank you for your answer!" not in done.get("/upload/done/").content.decode()


@pytest.mark.parametrize("rating", ["", "0", "6", "five"])
def test_it_explains_a_missing_or_bad_rating(done, rating):
    response = done.post("/upload/feedback/", {"rating": rating})
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert not Feedback.objects.exists()


def test_it_refuses_a_comment_too_long(done):
    response = done.post("/upload/feedback/", {"rating": "3", "comment": "x" * 1001})
    assert response.status_code == 400
    assert not Feedback.objects.exists()


def test_it_does_not_take_a_rating_before_sending(customer, upload_request):
    response = customer.post("/upload/feedback/", {"rating": "5"})
    assert response.status_code == 302
    assert response["Location"] == "/upload/"
    assert not Feedback.objects.exists()


def test_it_needs_the_link(client):
    assert client.post("/upload/feedback/", {"rating": "5"}).status_code == 404


def test_it_only_accepts_posts(done):
    assert done.get("/upload/feedback/").status_code == 405
