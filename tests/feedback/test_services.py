"""The customer's rating service: 1-5, an optional comment, only after sending, one per request."""

import pytest

from uploads.core.errors import ServiceError
from uploads.feedback.services import feedback_submit
from uploads.models import Feedback


def test_it_keeps_the_rating_and_the_comment(uploaded_request):
    feedback = feedback_submit(
        upload_request=uploaded_request,
        rating=4,
        comment="  The camera button helped.  ",
        language="ru",
    )
    assert (feedback.rating, feedback.comment, feedback.language) == (
        4,
        "The camera button helped.",
        "ru",
    )


def test_it_replaces_an_earlier_rating(uploaded_request):
    feedback_submit(upload_request=uploaded_request, rating=2, comment="hard")
    feedback_submit(upload_request=uploaded_request, rating=5)
    assert Feedback.objects.get().rating == 5
    assert Feedback.objects.get().comment == ""


@pytest.mark.parametrize("rating", [0, 6, -1])
def test_it_refuses_a_rating_outside_1_to_5(uploaded_request, rating):
    with pytest.raises(ServiceError):
        feedback_submit(upload_request=uploaded_request, rating=rating)
    assert not Feedback.objects.exists()


def test_it_refuses_a_comment_too_long(uploaded_request):
    with pytest.raises(ServiceError):
        feedback_submit(upload_request=uploaded_request, rating=3, comment="x" * 1001)


def test_it_refuses_a_rating_before_the_passport_is_sent(upload_request):
    with pytest.raises(ServiceError):
        feedback_submit(upload_request=upload_request, rating=5)
    assert not Feedback.objects.exists()
