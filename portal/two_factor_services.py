"""Writes of the staff's second factor: enrolling an authenticator app, backup codes.

The app's seed is stored sealed under the master keys and the backup codes only as salted hashes
(``uploads.models.two_factor``): a copy of the database gives neither.
"""

import secrets

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from uploads.models import BackupCode, BackupCodeDevice, StaffTOTPDevice
from uploads.models.two_factor import TOTP_SEED_BYTES

BACKUP_CODE_COUNT = 10
_TOTP_NAME = "authenticator"
_BACKUP_NAME = "backup codes"


def totp_device_enrolling(user: AbstractBaseUser) -> StaffTOTPDevice:
    """The device being enrolled: the same secret until confirmed, so reloading keeps the QR."""
    device = StaffTOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = StaffTOTPDevice(user=user, name=_TOTP_NAME, confirmed=False)
        device.seed_set(secrets.token_bytes(TOTP_SEED_BYTES))
        device.save()
    return device


def totp_device_create(
    *, user: AbstractBaseUser, name: str = _TOTP_NAME, confirmed: bool = True
) -> StaffTOTPDevice:
    """A new authenticator device with a fresh sealed seed (tools and tests)."""
    device = StaffTOTPDevice(user=user, name=name, confirmed=confirmed)
    device.seed_set(secrets.token_bytes(TOTP_SEED_BYTES))
    device.save()
    return device


def totp_device_confirm(*, device: StaffTOTPDevice) -> None:
    """The staff member typed a right code from the app: the device now signs them in."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])


def backup_codes_replace(*, user: AbstractBaseUser) -> list[str]:
    """New single-use backup codes for the user; the previous ones stop working. Only their
    hashes are stored: the codes are shown this once."""
    with transaction.atomic():
        device = BackupCodeDevice.objects.filter(user=user, name=_BACKUP_NAME).first()
        if device is None:
            device = BackupCodeDevice.objects.create(
                user=user, name=_BACKUP_NAME, confirmed=True, salt=secrets.token_bytes(16)
            )
        device.codes.all().delete()
        codes = [BackupCodeDevice.random_code() for _index in range(BACKUP_CODE_COUNT)]
        BackupCode.objects.bulk_create(
            [BackupCode(device=device, code_hash=device.code_hash(code)) for code in codes]
        )
    return codes
