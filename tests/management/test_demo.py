import re
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client

from tests.conftest import login
from uploads.models import Order, UploadRequest


def _run() -> str:
    out = StringIO()
    call_command("demo", site_url="http://127.0.0.1:8000", stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def demo_settings(settings):
    settings.DEBUG = True


def test_it_prints_the_admin_line_and_a_link_per_request(db, demo_settings):
    lines = _run().splitlines()
    assert re.fullmatch(r"admin: http://127\.0\.0\.1:8000/admin/ \S+ \S+", lines[0])
    links = [line for line in lines if line.startswith("upload link: ")]
    assert len(links) == UploadRequest.objects.count() == 5


def test_it_loads_requests_in_every_state(db, demo_settings):
    _run()
    states = set(UploadRequest.objects.values_list("status", flat=True))
    assert {"waiting", "uploaded", "accepted", "rejected"} <= states


def test_it_is_idempotent(db, demo_settings):
    first = _run()
    second = _run()
    assert Order.objects.count() == 5
    assert first == second  # same users, same working links


def test_its_links_and_login_work(db, demo_settings):
    lines = _run().splitlines()
    _, _url, username, password = lines[0].split(" ")
    browser = Client()
    signed_in = browser.post(
        "/admin/login/",
        {"username": username, "password": password, "next": "/admin/"},
        follow=True,
    )
    # The password works; the second factor comes next (enrolment on the first sign-in).
    assert signed_in.redirect_chain[-1][0].startswith("/admin/two-factor/")
    page = login(browser, User.objects.get(username=username)).get("/admin/uploads/uploadrequest/")
    assert page.status_code == 200
    assert b"DEMO-1001" in page.content
    link = lines[1].removeprefix("upload link: ").removeprefix("http://127.0.0.1:8000")
    assert Client().get(link).status_code == 302


def test_it_refuses_to_run_in_production(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        _run()
