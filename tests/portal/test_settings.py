"""Production start-up refuses a missing or malformed setting, and says which one."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from portal.keys import new_master_key_text

ROOT = Path(__file__).resolve().parents[2]
GOOD = {
    "DEBUG": "0",
    "SECRET_KEY": "x" * 60,
    "ALLOWED_HOSTS": "passports.example.com",
    "SITE_URL": "https://passports.example.com",
    "PASSPORT_ENCRYPTION_KEYS": new_master_key_text(),
    "EMAIL_HOST": "smtp.example.com",
}


def _start(tmp_path: Path, **overrides: str | None) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in GOOD}
    env.update({"DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "portal.settings"})
    for key, value in {**GOOD, **overrides}.items():
        if value is not None:
            env[key] = value
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_it_starts_with_a_complete_production_configuration(tmp_path):
    result = _start(tmp_path)
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"PASSPORT_ENCRYPTION_KEYS": None}, "PASSPORT_ENCRYPTION_KEYS must be set"),
        ({"PASSPORT_ENCRYPTION_KEYS": "not base64 at all!"}, "not url-safe base64"),
        ({"PASSPORT_ENCRYPTION_KEYS": "c2hvcnQ"}, "decodes to 5 bytes"),
        ({"SECRET_KEY": None}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS"),
        ({"SITE_URL": "http://passports.example.com"}, "SITE_URL must be an https://"),
        ({"EMAIL_HOST": None}, "EMAIL_HOST"),
        ({"DEBUG": "maybe"}, "DEBUG must be one of"),
        ({"STORAGE_BACKEND": "ftp"}, "STORAGE_BACKEND must be one of"),
        ({"STORAGE_BACKEND": "s3"}, "S3_BUCKET"),
        ({"UPLOAD_LINK_TTL_DAYS": "thirty"}, "UPLOAD_LINK_TTL_DAYS must be an integer"),
        ({"HEALTH_ALLOWED_IPS": "10.0.0.7,lb.internal"}, "HEALTH_ALLOWED_IPS"),
    ],
)
def test_it_refuses_to_start_with_a_bad_production_setting(tmp_path, overrides, message):
    result = _start(tmp_path, **overrides)
    assert result.returncode != 0
    assert message in result.stderr


def test_it_never_prints_the_key_it_refuses(tmp_path):
    bad_key = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo"  # 26 bytes: valid base64, wrong length
    result = _start(tmp_path, PASSPORT_ENCRYPTION_KEYS=bad_key)
    assert result.returncode != 0
    assert bad_key not in result.stderr


def test_it_keeps_a_private_development_key_in_the_data_folder(tmp_path):
    result = _start(
        tmp_path, DEBUG="1", PASSPORT_ENCRYPTION_KEYS=None, SECRET_KEY=None, EMAIL_HOST=None
    )
    assert result.returncode == 0, result.stderr
    key_file = tmp_path / "dev-encryption.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    first = key_file.read_text()
    _start(tmp_path, DEBUG="1", PASSPORT_ENCRYPTION_KEYS=None, SECRET_KEY=None, EMAIL_HOST=None)
    assert key_file.read_text() == first
