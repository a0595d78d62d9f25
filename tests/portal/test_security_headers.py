"""Headers and cookies: a strict CSP with nothing inline, frame denial, no Referer carrying a
token, HSTS and secure cookies in production, and `check --deploy` clean with the README's
production settings."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from portal.keys import new_master_key_text
from tests.conftest import login

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> block"),
    (re.compile(r"\sstyle\s*=", re.I), 'style="" attribute'),
    (re.compile(r"\son[a-z]+\s*=", re.I), "event handler attribute"),
]


# Files handed over as downloads, opened from the customer's disk where no CSP applies: they carry
# their own styles so that they read well alone; scripts and handlers stay forbidden in them too.
DOWNLOADED_DOCUMENTS = {"uploads/own_copy.html"}


def _csp(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    header = response["Content-Security-Policy"]
    directives = [part.strip().partition(" ") for part in header.split(";") if part.strip()]
    return {name: value for name, _space, value in directives}


@pytest.mark.parametrize(
    "path", sorted(str(path.relative_to(TEMPLATES)) for path in TEMPLATES.rglob("*.html"))
)
def test_it_keeps_scripts_and_styles_out_of_page_templates(path):
    if path.startswith("emails/"):
        pytest.skip("emails are not served under the CSP (mail clients need inline styles)")
    text = (TEMPLATES / path).read_text()
    found = [what for pattern, what in INLINE if pattern.search(text)]
    if path in DOWNLOADED_DOCUMENTS:
        found = [what for what in found if what == "inline <script>" or "handler" in what]
    assert not found, f"{path}: {found}"


def test_the_downloaded_documents_are_downloads(customer, uploaded_request):
    # The exemption above holds only while the copy is served as an attachment.
    response = customer.get("/upload/my-data/")
    assert response["Content-Disposition"].startswith("attachment")


def test_it_sends_a_strict_csp_on_customer_pages(customer):
    response = customer.get("/upload/")
    policy = _csp(response)
    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    page = response.content.decode()
    assert not any(pattern.search(page) for pattern, _what in INLINE)


def test_it_sends_the_csp_on_the_admin_too(client, alice, uploaded_request):
    login(client, alice)
    response = client.get(reverse("admin:uploads_uploadrequest_change", args=[uploaded_request.pk]))
    assert _csp(response)["script-src"] == "'self'"
    page = response.content.decode()
    assert "uploads/admin.css" in page and "uploads/admin.js" in page
    # Django's own admin markup holds no inline script either.
    assert not INLINE[0][0].search(page)


def test_it_denies_framing(customer):
    assert customer.get("/upload/")["X-Frame-Options"] == "DENY"


def test_it_sends_no_referrer_from_a_page_under_a_token_address(client, db):
    response = client.get("/u/" + "A" * 43 + "/")
    assert response["Referrer-Policy"] == "no-referrer"
    page = response.content.decode()
    assert '<meta name="referrer" content="no-referrer">' in page
    # No form on that page: with no-referrer, browsers post "Origin: null" and CSRF would fail.
    assert "<form" not in page


def test_it_keeps_same_origin_referrers_where_forms_post(customer):
    response = customer.get("/upload/")
    assert response["Referrer-Policy"] == "same-origin"
    assert '<meta name="referrer" content="same-origin">' in response.content.decode()


def test_it_marks_cookies_http_only(customer):
    customer.post(reverse("set_language"), {"language": "en", "next": "/upload/"})
    assert customer.cookies["sessionid"]["httponly"]
    assert customer.cookies["django_language"]["httponly"]


def _production_env(tmp_path: Path) -> dict[str, str]:
    """The production settings the README documents (see its Settings table)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "passports.example.com",
            "SITE_URL": "https://passports.example.com",
            "PASSPORT_ENCRYPTION_KEYS": new_master_key_text(),
            "EMAIL_HOST": "smtp.example.com",
            "DATA_DIR": str(tmp_path),
        }
    )
    return env


def test_it_passes_check_deploy_with_the_production_settings(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_sets_hsts_and_secure_cookies_in_production(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.LANGUAGE_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.X_FRAME_OPTIONS)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["31536000", "True", "True", "True", "True", "True", "DENY"]
