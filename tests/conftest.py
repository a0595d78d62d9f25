"""Shared fixtures: a shop with named people, orders, and a known encryption key for every test."""

import base64
import copy
import hashlib
import os
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group, Permission, User
from django.core.cache import cache
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from hypothesis import settings as hypothesis_settings

from portal import two_factor_services
from uploads.documents import selectors as document_selectors
from uploads.documents import services as document_services
from uploads.documents import specimens
from uploads.models import MasterKey, Shop, StaffTOTPDevice, UploadRequest
from uploads.mrz import read_mrz
from uploads.mrz.result import MrzResult
from uploads.papers import services as papers_services
from uploads.requests import links
from uploads.requests import services as request_services
from uploads.retention.services import master_keys

pytest_plugins = ["tests.clock"]

# Property tests (hypothesis) draw the same examples on every run, a seed per test: a run of CI
# does not fail on a draw the next one misses (the century test met a birth on 29 February 2000
# no rule could place once in many runs). To explore: HYPOTHESIS_PROFILE=explore.
hypothesis_settings.register_profile("repeatable", derandomize=True, database=None)
hypothesis_settings.register_profile("explore", max_examples=2000)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

TEST_MASTER_KEY = bytes(range(32))
# The review form as a customer fills it in for the ERIKSSON specimen (uploads/specimens.py).
ERIKSSON_FIELDS = {
    "surname": "ERIKSSON",
    "given_names": "ANNA MARIA",
    "number": "L898902C3",
    "nationality": "UTO",
    "date_of_birth": "1974-08-12",
    "sex": "F",
    "expiry_date": "2034-04-15",
}
SAMPLES_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "mrz" / "samples"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A transactional test must also roll back serialized: its flush otherwise re-creates the
    content types and drops the migrations' consent texts, and whichever test the worker runs next
    breaks (on PostgreSQL, with a duplicate content type), depending on the order xdist chose."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is None or not marker.kwargs.get("transaction"):
            continue
        if not marker.kwargs.get("serialized_rollback"):
            raise pytest.UsageError(
                f"{item.nodeid}: django_db(transaction=True) needs serialized_rollback=True"
            )


@pytest.fixture(autouse=True)
def _isolated_settings(settings, tmp_path: Path) -> Iterator[None]:
    """Every test gets its own passport folder and a fixed master key."""
    settings.PASSPORT_ENCRYPTION_KEYS = [TEST_MASTER_KEY]
    passport_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "passports"), "base_url": None},
    }
    settings.STORAGES = {
        **settings.STORAGES,
        "default": passport_storage,
        "passports": passport_storage,
    }
    settings.SITE_URL = "http://testserver"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins
    # Webhook calls inline, so a test sees them at once (and on its own transaction's rows);
    # tests/webhooks/test_background.py covers the background threads production uses.
    settings.WEBHOOK_BACKGROUND_THREADS = 0
    cache.clear()  # rate-limit counters start from zero in every test
    # Django's setting_changed signal makes `storages` forget its cached backends.
    yield


# The same photo read on the same day gives the same reading. The documents' flow, which hundreds
# of tests take the same specimen through, reads each stored photo once per test process: the
# reader's own tests (tests/mrz) are where reading is tested; here it is a step of the flow, and
# it took a quarter of those tests' time. A test that puts its own reader in place replaces this.
_readings: dict[tuple[bytes, date], MrzResult] = {}


def _read_once(photo: bytes) -> MrzResult:
    key = (hashlib.sha256(photo).digest(), date.today())
    if key not in _readings:
        _readings[key] = read_mrz(photo)
    return copy.deepcopy(_readings[key])


@pytest.fixture(autouse=True)
def _each_photo_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(document_services, "read_mrz", _read_once)


MOSCOW = ZoneInfo("Europe/Moscow")


def keys_registered(keys: list[bytes] | None = None) -> None:
    """The installation's register of master keys holds exactly ``keys`` (default: the ones in
    settings), as ``register_encryption_key`` would leave it on a fresh installation."""
    MasterKey.objects.all().delete()
    master_keys.master_key_register(keys=keys)


@pytest.fixture
def registered_keys(db) -> None:
    """The test's master key is registered for the installation (and nothing else is)."""
    keys_registered()


@pytest.fixture
def clock_start() -> datetime:
    """Where the `clock` fixture starts; a module overrides it to tell its own story."""
    return datetime(2026, 11, 2, 10, 0, tzinfo=MOSCOW)


@pytest.fixture
def clock(clock_start: datetime) -> Iterator[time_machine.Traveller]:
    """The clock of a whole scenario, standing still at `clock_start` until moved.

    A test that depends on the date takes it first (or its module says
    `pytestmark = pytest.mark.usefixtures("clock")`), so that everything it makes, from the shop
    on, happens on the same moved clock; `clock.move_to(moment)` moves it on. Never mix it with the
    real clock: a test that made its order at a fixed date and uploads "now" breaks a month later.
    """
    with time_machine.travel(clock_start, tick=False) as traveller:
        yield traveller


def key_text(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).decode().rstrip("=")


# What a shop must tell about itself as a personal-data operator before it may send links.
OPERATOR_DETAILS = {
    "operator_name": "Alice Trading Co., Ltd.",
    "operator_address": "1 Market Street, Yiwu, Zhejiang, China",
    "operator_registration": "USCC 91330782MA2EXAMPLE",
    "operator_rkn_number": "77-26-000000",
    "operator_contact": "Li Wei, privacy@alice.example",
}


@pytest.fixture
def shop(db) -> Shop:
    return Shop.objects.create(
        name="Alice's Goods", contact_email="alice-shop@example.com", **OPERATOR_DETAILS
    )


@pytest.fixture
def other_shop(db) -> Shop:
    return Shop.objects.create(
        name="Bob's Bazaar", contact_email="bob-shop@example.com", **OPERATOR_DETAILS
    )


def _staff(username: str, shop: Shop, *, may_view_passport: bool = True) -> User:
    user = User.objects.create_user(username=username, password="password", is_staff=True)
    codenames = [
        "view_uploadrequest",
        "change_uploadrequest",
        "view_order",
        "add_order",
        "change_order",
        "view_shop",
        "view_auditevent",
        "decide_uploadrequest",
    ]
    if may_view_passport:
        codenames += [
            "view_passport_image",
            "view_passport_fields",
            "export_passport",
            "view_upload_link",
        ]
    group, _ = Group.objects.get_or_create(name=f"staff-{username}")
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="uploads", codename__in=codenames)
    )
    user.groups.add(group)
    shop.members.add(user)
    return user


@pytest.fixture
def alice(shop: Shop) -> User:
    """Alice works for Alice's Goods and may view passports."""
    return _staff("alice", shop)


@pytest.fixture
def charlie(shop: Shop) -> User:
    """Charlie works for Alice's Goods too, without the permission to view passports."""
    return _staff("charlie", shop, may_view_passport=False)


@pytest.fixture
def bob(other_shop: Shop) -> User:
    """Bob works for another shop."""
    return _staff("bob", other_shop)


@pytest.fixture
def link(shop: Shop) -> links.IssuedLink:
    return request_services.order_create(
        shop_id=shop.pk,
        number="A-100",
        customer_name="Anna Eriksson",
        email="anna@example.com",
        language="ru",
    )


@pytest.fixture
def upload_request(link: links.IssuedLink) -> UploadRequest:
    return link.upload_request


@pytest.fixture
def passport_jpeg() -> bytes:
    return specimens.render_jpeg(specimens.ERIKSSON)


@pytest.fixture
def customer(client: Client, link: links.IssuedLink) -> Client:
    """A browser that has opened the upload link."""
    response = client.get(f"/u/{link.token}/")
    assert response.status_code == 302
    return client


def consent_document_id(upload_request: UploadRequest, language: str = "ru") -> int:
    """The consent document the upload page shows for this request in ``language`` (its shop's)."""
    return papers_services.consent_document_shown(
        shop=upload_request.order.shop, language=language
    ).pk


def consent_shown_to(client: Client) -> int:
    """The consent document the upload page shows a browser that opened a link, in its order's
    language (the service takes any version of the request's shop)."""
    upload_request = UploadRequest.objects.select_related("order__shop").get(
        pk=client.session["upload_request_id"]
    )
    # An order without a language is shown in the site's default, Russian.
    return consent_document_id(upload_request, upload_request.order.language or "ru")


def submit_and_confirm(upload_request: UploadRequest, jpeg: bytes) -> None:
    """Take a request through upload, MRZ reading and the customer's confirmation."""
    document = document_services.document_submit(
        upload_request=upload_request,
        data=jpeg,
        consent_document_id=consent_document_id(upload_request, "ru"),
    )
    document_services.document_read_mrz(document_id=document.pk)
    document.refresh_from_db()
    document_services.document_confirm(
        document=document, fields=document_selectors.document_fields(document=document)
    )
    upload_request.refresh_from_db()


@pytest.fixture
def uploaded_request(upload_request: UploadRequest, passport_jpeg: bytes) -> UploadRequest:
    submit_and_confirm(upload_request, passport_jpeg)
    return upload_request


def login(client: Client, user: User) -> Client:
    """Log in as a seller using the admin in English (Django's own texts are then predictable).

    The session is verified by a second factor too (an enrolled authenticator), as the admin
    requires; tests of the sign-in itself live in tests/admin/test_two_factor.py.
    """
    client.force_login(user)
    device = StaffTOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = two_factor_services.totp_device_create(user=user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
