"""A text arithmetic challenge for the public forms: no JavaScript, no image, no third party.

The question ("七 加 五 等于几？", in English "What is 7 plus 5?") is shown on the page; the
hidden field carries an opaque token signed with Django's signing (TimestampSigner): a random
nonce and a keyed hash (salted HMAC with the site's SECRET_KEY) of nonce and answer. The numbers,
the operator and the answer are not in the token, so a bot cannot read the answer from the page's
hidden field; the server keeps no state until the answer arrives. The token expires after
FEEDBACK_CHALLENGE_MAX_AGE seconds and each token is accepted only once (its nonce is remembered
in the shared cache until it would have expired anyway). After a failed submit the form asks a
new question (forms.ChallengeMixin.fresh_challenge), so the question never has to be read back
from a token.
"""

import secrets

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import get_language
from django.utils.translation import gettext as _

SALT = "gongkai.feedback.challenge"
NUMERALS = "零一二三四五六七八九十"
FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def max_age():
    return getattr(settings, "FEEDBACK_CHALLENGE_MAX_AGE", 30 * 60)


def _spoken(number):
    """Small numbers in Chinese characters (0–20), so the question is text, not a plain sum."""
    if number <= 10:
        return NUMERALS[number]
    if number < 20:
        return "十" + NUMERALS[number - 10]
    return "二十"


def _shown(number):
    """The number as the question shows it: Chinese characters in Chinese, digits otherwise."""
    language = (get_language() or "zh-hans").lower()
    return _spoken(number) if language.startswith("zh") else str(number)


def _digest(nonce, answer):
    return salted_hmac(SALT, f"{nonce}:{answer}").hexdigest()


def new():
    """(question, token) for a fresh challenge, the question in the active language."""
    a, b = secrets.randbelow(9) + 2, secrets.randbelow(9) + 1
    if secrets.randbelow(2):
        text, answer = _("%(a)s 加 %(b)s 等于几？（请填阿拉伯数字）"), a + b
    else:
        a, b = max(a, b) + 1, min(a, b)
        text, answer = _("%(a)s 减 %(b)s 等于几？（请填阿拉伯数字）"), a - b
    nonce = secrets.token_hex(16)
    token = signing.TimestampSigner(salt=SALT).sign_object({"n": nonce, "h": _digest(nonce, answer)})
    return text % {"a": _shown(a), "b": _shown(b)}, token


def check(token, answer):
    """None when the answer is right (and the token fresh and unused), else a message in Chinese."""
    try:
        data = signing.TimestampSigner(salt=SALT).unsign_object(token or "", max_age=max_age())
        nonce, digest = str(data["n"]), str(data["h"])
    except signing.SignatureExpired:
        return _("验证题已过期，请回答新的验证题。")
    except (signing.BadSignature, TypeError, ValueError, KeyError):
        return _("验证题无效，请回答新的验证题。")
    text = str(answer or "").strip().translate(FULL_WIDTH_DIGITS)
    if not text.lstrip("-").isdigit() or not constant_time_compare(_digest(nonce, int(text)), digest):
        return _("验证题答案不正确，请重新计算。")
    try:
        fresh = cache.add(f"feedback:challenge:{nonce}", 1, timeout=max_age() + 60)
    except Exception:  # noqa: BLE001 - a broken cache must not block citizens
        fresh = True
    if not fresh:
        return _("验证题已使用过，请回答新的验证题。")
    return None
