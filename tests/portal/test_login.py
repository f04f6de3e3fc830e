"""Sign-in protection: lockout after repeated failures (django-axes) and two-factor sign-in (django-otp)."""

import pytest
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-horse-42"


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_user("signin_editor", "signin@example.org", PASSWORD, is_superuser=True)


def login(client, username, password):
    return client.post(reverse("wagtailadmin_login"), {"username": username, "password": password})


def code_for(device, drift=0):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift):06d}"


def test_five_failures_lock_the_account_out_with_a_chinese_message(client, editor):
    for _ in range(4):
        response = login(client, "signin_editor", "wrong")
        assert response.status_code == 200  # the login form again, with Wagtail's error
    response = login(client, "signin_editor", "wrong")
    assert response.status_code == 429
    body = response.content.decode()
    assert "登录已被暂时锁定" in body and "15 分钟" in body
    # Even the right password is refused while locked out, and nothing is signed in.
    response = login(client, "signin_editor", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another account from the same address is not affected.
    other = type(editor).objects.create_user("signin_other", "o@example.org", PASSWORD, is_superuser=True)
    assert login(client, other.username, PASSWORD).status_code == 302


def test_success_resets_the_failure_count(client, editor):
    for _ in range(4):
        login(client, "signin_editor", "wrong")
    assert login(client, "signin_editor", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert login(client, "signin_editor", "wrong").status_code == 200


def test_user_with_a_device_must_enter_the_code(client, editor):
    device = TOTPDevice.objects.create(user=editor, name="手机", confirmed=True)
    assert login(client, "signin_editor", PASSWORD).status_code == 302
    response = client.get("/admin/pages/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal_two_factor_verify"))

    verify = reverse("portal_two_factor_verify")
    response = client.post(
        verify, {"token": "000000" if code_for(device) != "000000" else "111111", "next": "/admin/pages/"}
    )
    assert response.status_code == 200
    assert "验证码不正确" in response.content.decode()
    assert client.get("/admin/").status_code == 302  # still not verified

    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    response = client.post(verify, {"token": code_for(device), "next": "/admin/pages/"})
    assert response.status_code == 302 and response["Location"] == "/admin/pages/"
    assert client.get("/admin/").status_code == 200


def test_verify_refuses_open_redirects(client, editor):
    device = TOTPDevice.objects.create(user=editor, name="手机", confirmed=True)
    login(client, "signin_editor", PASSWORD)
    response = client.post(
        reverse("portal_two_factor_verify"), {"token": code_for(device), "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")


def test_setting_up_a_device(client, editor):
    client.force_login(editor)
    response = client.get(reverse("portal_two_factor_setup"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "otpauth://totp/" in body
    device = TOTPDevice.objects.get(user=editor, confirmed=False)
    response = client.post(reverse("portal_two_factor_setup"), {"token": "12ab56"})
    assert "验证码只包含数字" in response.content.decode()
    response = client.post(reverse("portal_two_factor_setup"), {"token": code_for(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    # From now on a new session needs the code.
    client.logout()
    login(client, "signin_editor", PASSWORD)
    assert client.get("/admin/").status_code == 302


@override_settings(OTP_REQUIRED_FOR_STAFF=True)
def test_required_for_staff_sends_users_without_a_device_to_set_one_up(client, editor):
    client.force_login(editor)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal_two_factor_setup"))
    assert client.get(reverse("portal_two_factor_setup")).status_code == 200


def test_public_pages_are_not_affected(client, editor):
    TOTPDevice.objects.create(user=editor, name="手机", confirmed=True)
    client.force_login(editor)
    response = client.get("/notices/")
    assert response.status_code == 200  # no two-factor step on the public site, even signed in
    assert "两步验证" not in response.content.decode()
