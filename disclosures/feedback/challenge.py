"""A text arithmetic challenge for the public forms: no JavaScript, no image, no third party.

The question ("7 加 5 等于几？") travels in a hidden field as a token signed with Django's
signing (TimestampSigner), so the server keeps no state until the answer arrives; the token
expires after FEEDBACK_CHALLENGE_MAX_AGE seconds and each token is accepted only once (its
nonce is remembered in the shared cache until it would have expired anyway).
"""

import secrets

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils.translation import gettext as _

SALT = "gongkai.feedback.challenge"
NUMERALS = "零一二三四五六七八九十"


def max_age():
    return getattr(settings, "FEEDBACK_CHALLENGE_MAX_AGE", 30 * 60)


def _spoken(number):
    """Small numbers in Chinese characters (0–20), so the question is text, not a plain sum."""
    if number <= 10:
        return NUMERALS[number]
    if number < 20:
        return "十" + NUMERALS[number - 10]
    return "二十"


def new():
    """(question, token) for a fresh challenge."""
    a, b = secrets.randbelow(9) + 2, secrets.randbelow(9) + 1
    if secrets.randbelow(2):
        op, text = "+", _("%(a)s 加 %(b)s 等于几？（请填阿拉伯数字）")
    else:
        a, b = max(a, b) + 1, min(a, b)
        op, text = "-", _("%(a)s 减 %(b)s 等于几？（请填阿拉伯数字）")
    token = signing.TimestampSigner(salt=SALT).sign_object({"a": a, "b": b, "op": op, "n": secrets.token_hex(8)})
    return text % {"a": _spoken(a), "b": _spoken(b)}, token


def question(token):
    """The question of a token (to show it again after a failed submit), or None."""
    try:
        data = signing.TimestampSigner(salt=SALT).unsign_object(token, max_age=max_age())
    except (signing.BadSignature, TypeError, ValueError):
        return None
    template = (
        _("%(a)s 加 %(b)s 等于几？（请填阿拉伯数字）")
        if data["op"] == "+"
        else _("%(a)s 减 %(b)s 等于几？（请填阿拉伯数字）")
    )
    return template % {"a": _spoken(data["a"]), "b": _spoken(data["b"])}


def check(token, answer):
    """None when the answer is right (and the token fresh and unused), else a message in Chinese."""
    try:
        data = signing.TimestampSigner(salt=SALT).unsign_object(token or "", max_age=max_age())
    except signing.SignatureExpired:
        return _("验证题已过期，请回答新的验证题。")
    except (signing.BadSignature, TypeError, ValueError):
        return _("验证题无效，请回答新的验证题。")
    text = str(answer or "").strip().translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    expected = data["a"] + data["b"] if data["op"] == "+" else data["a"] - data["b"]
    if not text.lstrip("-").isdigit() or int(text) != expected:
        return _("验证题答案不正确，请重新计算。")
    try:
        fresh = cache.add(f"feedback:challenge:{data['n']}", 1, timeout=max_age() + 60)
    except Exception:  # noqa: BLE001 - a broken cache must not block citizens
        fresh = True
    if not fresh:
        return _("验证题已使用过，请回答新的验证题。")
    return None
