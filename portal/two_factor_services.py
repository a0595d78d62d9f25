"""Writes of the staff's second factor: enrolling an authenticator app, backup codes."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

BACKUP_CODE_COUNT = 10
_TOTP_NAME = "authenticator"
_BACKUP_NAME = "backup codes"


def totp_device_enrolling(user: AbstractBaseUser) -> TOTPDevice:
    """The device being enrolled: the same secret until confirmed, so reloading keeps the QR."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_TOTP_NAME, confirmed=False)
    return device


def totp_device_confirm(*, device: TOTPDevice) -> None:
    """The staff member typed a right code from the app: the device now signs them in."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])


def backup_codes_replace(*, user: AbstractBaseUser) -> list[str]:
    """New single-use backup codes for the user; the previous ones stop working."""
    with transaction.atomic():
        device, _created = StaticDevice.objects.get_or_create(
            user=user, name=_BACKUP_NAME, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _index in range(BACKUP_CODE_COUNT)]
        StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes
