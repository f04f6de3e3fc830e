"""Helpers for the public-form tests: answer the text challenge, read hidden fields."""

import re

from django.core import signing

from disclosures.feedback import challenge


def token_in(html):
    match = re.search(r'name="challenge_token" value="([^"]+)"', html)
    assert match, "no challenge token in the form"
    return match.group(1)


def answer_of(token):
    data = signing.TimestampSigner(salt=challenge.SALT).unsign_object(token)
    return str(data["a"] + data["b"] if data["op"] == "+" else data["a"] - data["b"])


def form_data(client, url, **fields):
    """POST data for the feedback form at `url`, with the challenge answered as a person would."""
    html = client.get(url).content.decode()
    token = token_in(html)
    data = {
        "kind": "complaint",
        "content": "我在窗口排了两个小时，被告知还要去消防部门盖章，但指南里没有写明。",
        "contact_name": "",
        "contact_phone": "13912345678",
        "challenge_token": token,
        "challenge_answer": answer_of(token),
        "website": "",
    }
    data.update(fields)
    return data
