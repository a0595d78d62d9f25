"""Two-factor sign-in for staff (django-otp): nobody reaches a passport with a password alone.

The admin site lets a user in only once their session is verified by a one-time code. After the
password, a staff user either types the code from their authenticator app (or a backup code), or,
the first time, enrols: scans a QR code, proves it works with one code, and gets backup codes.
Superusers can delete a lost device in admin (TOTP / static devices) so the user enrols again.
"""

from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import admin
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models.base import ModelBase
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods
from django_otp import devices_for_user, user_has_device, verify_token
from django_otp import login as otp_login

from portal import two_factor_services
from uploads.models import StaffTOTPDevice

_UNUSED_OTP_APPS = {"otp_totp", "otp_static"}


def is_verified(user: AbstractBaseUser) -> bool:
    return bool(getattr(user, "is_verified", lambda: False)())


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_token(self) -> str:
        return "".join(self.cleaned_data["token"].split())


class PortalAdminSite(admin.AdminSite):
    """The admin, open only to active staff whose session passed a one-time code."""

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and is_verified(request.user)

    def register(self, model_or_iterable, admin_class=None, **options):  # type: ignore[no-untyped-def]
        """django-otp's TOTP and static-token admins are left out: their tables are no longer
        used (a device there would hold its secret in clear); ``uploads.admin.two_factor`` shows
        the portal's own devices."""
        models = (
            [model_or_iterable] if isinstance(model_or_iterable, ModelBase) else model_or_iterable
        )
        kept = [model for model in models if model._meta.app_label not in _UNUSED_OTP_APPS]
        if kept:
            super().register(kept, admin_class, **options)

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        user = request.user
        if user.is_authenticated and user.is_active and user.is_staff and not is_verified(user):
            target = reverse("admin:two_factor", current_app=self.name)
            next_url = request.GET.get("next", "")
            return redirect(f"{target}?{urlencode({'next': next_url})}" if next_url else target)
        return super().login(request, extra_context)

    def get_urls(self):  # type: ignore[no-untyped-def]
        own = [
            # Before Django's own "logout/", which only a session with every right may use: a
            # session past the password but not the code must be able to end itself too.
            path("logout/", self._signed_in_only(self.logout), name="logout"),
            path("two-factor/", self._staff_only(self.two_factor_view), name="two_factor"),
            path("two-factor/qr.svg", self._staff_only(self.qr_code_view), name="two_factor_qr"),
            path(
                "two-factor/backup-codes/",
                self.admin_view(self.backup_codes_view),
                name="two_factor_backup_codes",
            ),
        ]
        return own + super().get_urls()

    def _staff_only(self, view):  # type: ignore[no-untyped-def]
        """Signed in with a password but not yet verified: the only pages such a session sees."""

        @never_cache
        @csrf_protect
        def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            user = request.user
            if not (user.is_authenticated and user.is_active and user.is_staff):
                return redirect(reverse("admin:login", current_app=self.name))
            return view(request, *args, **kwargs)

        return wrapper

    def _signed_in_only(self, view):  # type: ignore[no-untyped-def]
        """Any signed-in session, verified or not (signing out); others go to the admin's index,
        as Django's own logout does for them."""

        @never_cache
        @csrf_protect
        def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect(reverse("admin:index", current_app=self.name))
            return view(request, *args, **kwargs)

        return wrapper

    def _context(self, request: HttpRequest, **extra: object) -> dict[str, object]:
        return {**self.each_context(request), **extra}

    @staticmethod
    def _next_url(request: HttpRequest) -> str:
        candidate = request.POST.get("next") or request.GET.get("next") or ""
        if url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return candidate
        return reverse("admin:index")

    @method_decorator(require_http_methods(["GET", "POST"]))
    def two_factor_view(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if is_verified(user):
            return HttpResponseRedirect(self._next_url(request))
        enrolling = not user_has_device(user, confirmed=True)
        form = TokenForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            token = form.cleaned_data["token"]
            if enrolling:
                device = two_factor_services.totp_device_enrolling(user)
                with transaction.atomic():
                    if device.verify_token(token):
                        two_factor_services.totp_device_confirm(device=device)
                        codes = two_factor_services.backup_codes_replace(user=user)
                        otp_login(request, device)
                        return TemplateResponse(
                            request,
                            "admin/two_factor/backup_codes.html",
                            self._context(
                                request,
                                title=_("Backup codes"),
                                codes=codes,
                                next_url=self._next_url(request),
                            ),
                        )
            else:
                device = _verify_any(user, token)
                if device is not None:
                    otp_login(request, device)
                    return HttpResponseRedirect(self._next_url(request))
            form.add_error("token", _("The code is wrong or has expired. Try the current one."))
        context = self._context(
            request,
            title=_("Set up two-factor sign-in") if enrolling else _("Two-factor sign-in"),
            form=form,
            enrolling=enrolling,
            next_url=request.POST.get("next") or request.GET.get("next") or "",
        )
        if enrolling:
            context["secret"] = _base32(two_factor_services.totp_device_enrolling(user))
        status = 400 if request.method == "POST" else 200
        return TemplateResponse(request, "admin/two_factor/verify.html", context, status=status)

    def qr_code_view(self, request: HttpRequest) -> HttpResponse:
        """The enrolment QR code, drawn here as SVG: the secret never goes to another service."""
        if user_has_device(request.user, confirmed=True):
            return HttpResponse(status=404)  # enrolled: the secret is never shown again
        device = two_factor_services.totp_device_enrolling(request.user)
        image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
        response = HttpResponse(image.to_string(), content_type="image/svg+xml")
        response["Cache-Control"] = "no-store, private"
        return response

    @method_decorator(require_http_methods(["GET", "POST"]))
    def backup_codes_view(self, request: HttpRequest) -> HttpResponse:
        """A verified user replaces their backup codes (the old ones stop working)."""
        codes = (
            two_factor_services.backup_codes_replace(user=request.user)
            if request.method == "POST"
            else None
        )
        return TemplateResponse(
            request,
            "admin/two_factor/backup_codes.html",
            self._context(
                request, title=_("Backup codes"), codes=codes, next_url=reverse("admin:index")
            ),
        )


def _verify_any(user: AbstractBaseUser, token: str):  # type: ignore[no-untyped-def]
    """Try the code on each of the user's devices, each with its own throttling."""
    for device in devices_for_user(user, confirmed=True):
        verified = verify_token(user, device.persistent_id, token)
        if verified is not None:
            return verified
    return None


def _base32(device: StaffTOTPDevice) -> str:
    return device.base32_seed
