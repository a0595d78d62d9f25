"""The files one upload request may send per day, counted by one conditional UPDATE each."""

import threading
from datetime import timedelta

import pytest
from django.db import connection

from uploads.models import UploadRequest
from uploads.requests import services as request_services

pytestmark = pytest.mark.usefixtures("clock")


def _count(upload_request: UploadRequest, limit: int = 3) -> bool:
    return request_services.upload_request_count_file(
        upload_request_id=upload_request.pk, daily_limit=limit
    )


def test_it_counts_files_up_to_the_daily_limit(upload_request):
    assert [_count(upload_request) for _ in range(5)] == [True, True, True, False, False]
    upload_request.refresh_from_db()
    assert upload_request.files_counted == 3


def test_it_starts_again_the_next_day(upload_request, clock):
    assert [_count(upload_request) for _ in range(4)] == [True, True, True, False]
    clock.shift(timedelta(days=1))
    assert _count(upload_request)
    upload_request.refresh_from_db()
    assert upload_request.files_counted == 1


def test_it_leaves_a_request_that_no_longer_exists_to_the_view(db):
    assert request_services.upload_request_count_file(upload_request_id=10**9, daily_limit=1)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="threads need a server database's row locks"
)
# serialized_rollback: a transactional test that flushes without it re-creates the content types,
# and the next serialized test on this worker then fails to load its own copy of them.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_holds_the_limit_for_files_posted_at_the_same_moment(shop):
    link = request_services.order_create(shop_id=shop.pk, number="T-1", customer_name="Anna")
    posts, limit = 20, 5
    start = threading.Barrier(posts)
    allowed: list[bool] = []

    def post() -> None:
        try:
            start.wait()
            allowed.append(_count(link.upload_request, limit))
        finally:
            connection.close()  # each thread had its own connection

    threads = [threading.Thread(target=post) for _ in range(posts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert allowed.count(True) == limit and len(allowed) == posts
    assert UploadRequest.objects.get(pk=link.upload_request.pk).files_counted == limit
