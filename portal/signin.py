"""Sign-in protection for the editors' admin: lockout after repeated failures, two-factor sign-in.

- django-axes counts failed sign-ins per (user name, client address); after
  settings.AXES_FAILURE_LIMIT failures that pair is locked out for AXES_COOLOFF_TIME, with a
  Chinese page (HTTP 429).
- django-otp: any editor can set up a TOTP device (/admin/two-factor/); once a device is
  confirmed, the admin asks for its 6-digit code after the password. With
  settings.OTP_REQUIRED_FOR_STAFF every signed-in editor must set one up first.
"""

import base64
import ipaddress

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off, get_failure_limit
from django import forms
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

PROTECTED_PREFIXES = ("/admin/", "/django-admin/")


class LoginGuardBackend(AxesStandaloneBackend):
    """Axes' lockout check, skipped for calls without a request (management commands, tests'
    client.login()); every sign-in through a web form carries its request and is counted."""

    def authenticate(self, request=None, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_ip(request):
    """The client address as the rate limits see it, or None when it is not an IP address
    (axes stores it in an IP field, which PostgreSQL checks)."""
    from core.ratelimit import client_id

    value = client_id(request)
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def lockout_response(request, original_response=None, credentials=None):
    """The Chinese lockout page (HTTP 429), used by axes as AXES_LOCKOUT_CALLABLE."""
    cool_off = get_cool_off(request)
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "cooloff_minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
    }
    return render(request, "portal/lockout.html", context, status=429)


# Two-factor sign-in -------------------------------------------------------------------------


def _verify_url():
    return reverse("portal_two_factor_verify")


def _setup_url():
    return reverse("portal_two_factor_setup")


def _safe_next(request, default):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


class TwoFactorMiddleware:
    """Ask for the one-time code before any admin page, for users who have a confirmed device
    (or for every editor when settings.OTP_REQUIRED_FOR_STAFF). Runs after OTPMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        redirect_to = self.required_step(request)
        if redirect_to:
            return redirect(f"{redirect_to}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    def required_step(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not request.path.startswith(PROTECTED_PREFIXES):
            return None
        if getattr(user, "is_verified", lambda: False)():
            return None
        path = request.path
        exempt = (
            reverse("wagtailadmin_logout"),
            reverse("wagtailadmin_login"),
            "/admin/jsi18n/",
            _verify_url(),
        )
        if path.startswith(exempt):
            return None
        if user_has_device(user, confirmed=True):
            return _verify_url()
        if getattr(settings, "OTP_REQUIRED_FOR_STAFF", False):
            return None if path.startswith(_setup_url()) else _setup_url()
        return None


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("验证码"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
        error_messages={"required": gettext_lazy("请输入验证器应用显示的 6 位验证码。")},
    )

    def clean_token(self):
        token = self.cleaned_data["token"].strip().replace(" ", "")
        if not token.isdigit():
            raise forms.ValidationError(_("验证码只包含数字。"))
        return token


def verify_view(request):
    """Second step of signing in: the code from the user's authenticator app."""
    if not request.user.is_authenticated:
        return redirect(reverse("wagtailadmin_login"))
    next_url = _safe_next(request, reverse("wagtailadmin_home"))
    if request.user.is_verified():
        return redirect(next_url)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        for device in devices_for_user(request.user, confirmed=True):
            allowed, _info = device.verify_is_allowed()
            if allowed and device.verify_token(form.cleaned_data["token"]):
                otp_login(request, device)
                return redirect(next_url)
        form.add_error("token", _("验证码不正确或已过期，请重新输入；多次输错将被暂时禁止验证。"))
    return render(request, "portal/two_factor_verify.html", {"form": form, "next": next_url})


def setup_view(request):
    """Set up a TOTP device: show its secret and otpauth URI, confirm it with a first code."""
    user = request.user
    if user_has_device(user, confirmed=True) and not user.is_verified():
        return redirect(f"{_verify_url()}?{urlencode({'next': request.get_full_path()})}")
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if confirmed is not None:
        return render(request, "portal/two_factor_setup.html", {"confirmed": confirmed})
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("验证器应用"), confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            messages.success(request, _("两步验证已启用，以后登录时需要输入验证码。"))
            return redirect(_safe_next(request, reverse("wagtailadmin_home")))
        form.add_error("token", _("验证码不正确，请确认手机时间准确后重新输入。"))
    context = {
        "form": form,
        "device": device,
        "secret": base64.b32encode(device.bin_key).decode(),
        "config_url": device.config_url,
        "next": _safe_next(request, ""),
    }
    return render(request, "portal/two_factor_setup.html", context)
