"""Staff sign-in: password, then a one-time code; enrolment with a QR code and backup codes;
failed-login throttling, strict passwords and sessions that end when idle."""

import re
import time

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP

from portal.security import STAFF_LAST_SEEN
from portal.two_factor_services import BACKUP_CODE_COUNT, totp_device_create
from tests.conftest import login
from uploads.models import BackupCode, BackupCodeDevice
from uploads.models import StaffTOTPDevice as TOTPDevice

BACKUP_CODE = re.compile(r"<code>([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})</code>")

TWO_FACTOR = reverse("admin:two_factor")
QR = reverse("admin:two_factor_qr")
CHANGELIST = reverse("admin:uploads_uploadrequest_changelist")


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def password_only(client: Client, user) -> Client:  # type: ignore[no-untyped-def]
    """A session that passed the password but no second factor yet."""
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def enrol(client: Client, user) -> TOTPDevice:  # type: ignore[no-untyped-def]
    client.get(TWO_FACTOR)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(TWO_FACTOR, {"token": current_code(device)})
    assert response.status_code == 200
    device.refresh_from_db()
    device.shown_codes = BACKUP_CODE.findall(response.content.decode())  # type: ignore[attr-defined]
    return device


# --- a password alone is not enough ---------------------------------------------------------------


def test_it_sends_a_password_only_session_to_the_second_factor(client, alice):
    response = password_only(client, alice).get(CHANGELIST, follow=True)
    assert response.redirect_chain[-1][0].startswith(TWO_FACTOR)
    assert "next=" in response.redirect_chain[-1][0]


@pytest.mark.parametrize("name", ["change", "image"])
def test_it_shows_no_passport_to_a_password_only_session(client, alice, uploaded_request, name):
    url = reverse(f"admin:uploads_uploadrequest_{name}", args=[uploaded_request.pk])
    response = password_only(client, alice).get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_it_requires_the_second_factor_from_superusers_too(client, django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@example.com", "password")
    response = password_only(client, root).get(reverse("admin:index"))
    assert response.status_code == 302


def test_it_lets_a_verified_session_in(client, alice, uploaded_request):
    response = login(client, alice).get(CHANGELIST)
    assert response.status_code == 200


def test_it_sends_an_anonymous_visitor_to_the_password_page(client, db):
    for url in (TWO_FACTOR, QR):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


# --- enrolment ------------------------------------------------------------------------------------


def test_it_shows_a_qr_code_and_the_key_to_a_user_without_a_device(client, alice):
    response = password_only(client, alice).get(TWO_FACTOR)
    page = response.content.decode()
    assert response.status_code == 200
    assert QR in page
    device = TOTPDevice.objects.get(user=alice, confirmed=False)
    from base64 import b32encode

    assert b32encode(device.bin_key).decode() in page


def test_it_draws_the_qr_code_as_svg_without_caching(client, alice):
    password_only(client, alice).get(TWO_FACTOR)
    response = client.get(QR)
    assert response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content
    assert "no-store" in response["Cache-Control"]


def test_it_keeps_the_same_secret_across_reloads(client, alice):
    password_only(client, alice).get(TWO_FACTOR)
    client.get(TWO_FACTOR)
    assert TOTPDevice.objects.filter(user=alice).count() == 1


def test_it_refuses_a_wrong_enrolment_code(client, alice):
    password_only(client, alice).get(TWO_FACTOR)
    response = client.post(TWO_FACTOR, {"token": "000000"})
    assert response.status_code == 400
    assert "The code is wrong" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=alice, confirmed=True).exists()
    assert client.get(CHANGELIST).status_code == 302


def test_it_enrols_with_a_right_code_and_shows_backup_codes_once(client, alice):
    password_only(client, alice)
    device = enrol(client, alice)
    assert device.confirmed
    codes = BackupCode.objects.filter(device__user=alice)
    assert codes.count() == BACKUP_CODE_COUNT
    assert len(set(device.shown_codes)) == BACKUP_CODE_COUNT
    assert client.get(CHANGELIST).status_code == 200
    # The secret is never shown again once enrolled.
    assert client.get(QR).status_code == 404


# --- signing in with an enrolled device -----------------------------------------------------------


def test_it_lets_in_with_the_current_code_and_follows_next(client, alice):
    device = totp_device_create(user=alice, name="app")
    password_only(client, alice)
    response = client.post(TWO_FACTOR, {"token": current_code(device), "next": CHANGELIST})
    assert response.status_code == 302
    assert response["Location"] == CHANGELIST
    assert client.get(CHANGELIST).status_code == 200


def test_it_never_redirects_to_another_site_after_the_code(client, alice):
    device = totp_device_create(user=alice, name="app")
    password_only(client, alice)
    response = client.post(
        TWO_FACTOR, {"token": current_code(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("admin:index")


def test_it_accepts_a_backup_code_once(client, alice):
    password_only(client, alice)
    code = enrol(client, alice).shown_codes[0]
    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    other.force_login(alice)
    assert other.post(TWO_FACTOR, {"token": code}).status_code == 302
    third = Client(HTTP_ACCEPT_LANGUAGE="en")
    third.force_login(alice)
    assert third.post(TWO_FACTOR, {"token": code}).status_code == 400


def test_it_links_to_the_backup_codes_from_every_admin_page(client, alice):
    login(client, alice)
    page = client.get(reverse("admin:index")).content.decode()
    assert f'href="{reverse("admin:two_factor_backup_codes")}"' in page
    assert "Backup codes" in page


def test_it_replaces_the_backup_codes_on_request(client, alice):
    login(client, alice)
    response = client.post(reverse("admin:two_factor_backup_codes"))
    assert response.status_code == 200
    codes = BACKUP_CODE.findall(response.content.decode())
    assert len(set(codes)) == BACKUP_CODE_COUNT
    device = BackupCodeDevice.objects.get(user=alice)
    assert BackupCode.objects.filter(device=device).count() == BACKUP_CODE_COUNT
    client.post(reverse("admin:two_factor_backup_codes"))
    assert not any(device.verify_token(code) for code in codes)


def test_it_refuses_the_code_page_to_non_staff(client, django_user_model):
    user = django_user_model.objects.create_user("mallory", password="password")
    client.force_login(user)
    assert client.get(TWO_FACTOR).status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()


# --- signing out --------------------------------------------------------------------------------


LOGOUT = reverse("admin:logout")


@pytest.mark.parametrize("enrolled", [False, True])
def test_a_password_only_session_can_sign_out(client, alice, enrolled):
    if enrolled:
        totp_device_create(user=alice, name="phone")
    password_only(client, alice)
    assert "_auth_user_id" in client.session

    response = client.post(LOGOUT)

    assert response.status_code == 200
    assert "Logged out" in response.content.decode()
    assert "_auth_user_id" not in client.session
    after = client.get(TWO_FACTOR)
    assert after.status_code == 302
    assert after["Location"].startswith(reverse("admin:login"))


def test_the_code_page_offers_to_sign_out(client, alice):
    page = password_only(client, alice).get(TWO_FACTOR).content.decode()
    assert f'action="{LOGOUT}"' in page
    assert "Log out" in page


def test_signing_out_still_needs_a_post_with_the_csrf_token(alice):
    client = Client(enforce_csrf_checks=True)
    password_only(client, alice)
    assert client.get(LOGOUT).status_code == 405
    assert client.post(LOGOUT).status_code == 403
    assert "_auth_user_id" in client.session


def test_a_verified_session_still_signs_out(client, alice):
    response = login(client, alice).post(LOGOUT)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_signing_out_without_a_session_goes_to_the_admin(client, db):
    response = client.post(LOGOUT)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


# --- passwords --------------------------------------------------------------------------------------


def test_it_locks_sign_in_after_repeated_wrong_passwords(client, alice, settings):
    settings.AXES_FAILURE_LIMIT = 3
    url = reverse("admin:login")
    for _attempt in range(3):
        client.post(url, {"username": "alice", "password": "wrong"})
    response = client.post(
        url, {"username": "alice", "password": "password"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_sends_the_right_password_on_to_the_second_factor(client, alice):
    response = client.post(
        reverse("admin:login"),
        {"username": "alice", "password": "password", "next": "/admin/"},
        follow=True,
    )
    assert response.redirect_chain[-1][0].startswith(TWO_FACTOR)


@pytest.mark.parametrize(
    "password", ["short-Pw1", "123456789012345", "password1234", "alice12345678"]
)
def test_it_refuses_weak_staff_passwords(alice, password):
    with pytest.raises(ValidationError):
        validate_password(password, user=alice)


def test_it_accepts_a_long_unusual_password(alice):
    validate_password("Tea-kettle-on-Saturn-42", user=alice)


# --- idle sessions ------------------------------------------------------------------------------


def test_it_ends_a_staff_session_idle_too_long(client, alice, settings):
    settings.STAFF_SESSION_IDLE_MINUTES = 30
    login(client, alice)
    session = client.session
    session[STAFF_LAST_SEEN] = time.time() - 31 * 60
    session.save()
    response = client.get(CHANGELIST)
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_it_keeps_an_active_staff_session(client, alice, settings):
    settings.STAFF_SESSION_IDLE_MINUTES = 30
    login(client, alice)
    session = client.session
    session[STAFF_LAST_SEEN] = time.time() - 29 * 60
    session.save()
    assert client.get(CHANGELIST).status_code == 200
    assert client.session.get_expiry_age() == 30 * 60


def test_it_leaves_customer_sessions_their_own_length(customer):
    response = customer.get("/upload/")
    assert response.status_code == 200
    assert STAFF_LAST_SEEN not in customer.session
