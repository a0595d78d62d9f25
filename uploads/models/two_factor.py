"""Staff's second factor, as a copy of the database must not give it (#20 item 9): the
authenticator's seed sealed under the master keys, backup codes kept only as salted slow hashes.

Both are django-otp devices (``devices_for_user``, ``otp_login`` and the middleware find them like
the plugins' own); the TOTP arithmetic is django-otp's (``TOTPDevice``'s methods, reading the
seed through ``bin_key``).
"""

import hashlib
import hmac
import secrets
from base64 import b32encode

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.plugins.otp_totp.models import TOTPDevice

from uploads.core import crypto

TOTP_SEED_BYTES = 20


def totp_seed_context(user_id: int) -> bytes:
    """What a sealed seed is and whose it is (a seed copied to another user does not open)."""
    return f"staff totp seed of user {user_id}".encode()


class StaffTOTPDevice(TimestampMixin, ThrottlingMixin, Device):
    """An authenticator app; its seed is stored sealed (``crypto.seal``), never in clear."""

    seed_sealed = models.BinaryField(editable=False)
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    last_t = models.BigIntegerField(default=-1)

    class Meta(Device.Meta):
        verbose_name = _("authenticator app")
        verbose_name_plural = _("authenticator apps")

    def seed_set(self, seed: bytes) -> None:
        self.seed_sealed = crypto.seal(seed, context=totp_seed_context(self.user_id))

    @property
    def bin_key(self) -> bytes:
        return crypto.unseal(bytes(self.seed_sealed), context=totp_seed_context(self.user_id))

    @property
    def base32_seed(self) -> str:
        return b32encode(self.bin_key).decode()

    # django-otp's TOTP arithmetic, throttling and enrolment URL, reading the seed above.
    verify_token = TOTPDevice.verify_token
    get_throttle_factor = TOTPDevice.get_throttle_factor
    config_url = TOTPDevice.config_url
    _read_str_from_settings = TOTPDevice._read_str_from_settings


# PBKDF2 rounds for a backup code: about 10 ms a try, with a salt per device; the codes have 60
# random bits, so a database copy gives no code within reach of any guessing.
BACKUP_CODE_ROUNDS = 100_000
BACKUP_CODE_GROUPS = 3  # "abcd-efgh-ijkm": three groups of four base32 letters


def backup_code_normalised(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


class BackupCodeDevice(ThrottlingMixin, Device):
    """Single-use backup codes, stored as salted PBKDF2 hashes."""

    salt = models.BinaryField(editable=False)

    class Meta(Device.Meta):
        verbose_name = _("backup codes")
        verbose_name_plural = _("backup codes")

    def code_hash(self, code: str) -> str:
        return hashlib.pbkdf2_hmac(
            "sha256",
            backup_code_normalised(code).encode(),
            bytes(self.salt),
            BACKUP_CODE_ROUNDS,
        ).hex()

    @staticmethod
    def random_code() -> str:
        letters = b32encode(secrets.token_bytes(10)).decode().lower()[: 4 * BACKUP_CODE_GROUPS]
        return "-".join(letters[index : index + 4] for index in range(0, len(letters), 4))

    def verify_token(self, token: str) -> bool:
        allowed, _reason = self.verify_is_allowed()
        if not allowed:
            return False
        wanted = self.code_hash(token)
        match = next(
            (code for code in self.codes.all() if hmac.compare_digest(code.code_hash, wanted)),
            None,
        )
        if match is None:
            self.throttle_increment(commit=True)
            return False
        match.delete()
        self.throttle_reset(commit=True)
        return True

    def get_throttle_factor(self) -> int:
        return 1


class BackupCode(models.Model):
    device = models.ForeignKey(BackupCodeDevice, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64, editable=False)

    class Meta:
        verbose_name = _("backup code")
        verbose_name_plural = _("backup codes")

    def __str__(self) -> str:
        return f"{self.device} #{self.pk}"
