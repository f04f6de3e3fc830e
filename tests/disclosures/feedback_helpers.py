"""Helpers for the public-form tests: answer the text challenge from the question on the page
(as a person would: the hidden token does not reveal the answer), read hidden fields."""

import html as html_lib
import re

NUMERALS = {c: i for i, c in enumerate("零一二三四五六七八九十")}
QUESTION = re.compile(r"(\S+) (加|减|plus|minus) (\S+?)(?: 等于几|\?)")


def token_in(html):
    match = re.search(r'name="challenge_token" value="([^"]+)"', html)
    assert match, "no challenge token in the form"
    return match.group(1)


def question_in(html):
    match = re.search(r'<label for="id_challenge_answer">([^<]+)', html)
    assert match, "no challenge question in the form"
    return html_lib.unescape(match.group(1))


def spoken_number(text):
    if text.isdigit():
        return int(text)
    if text in NUMERALS:
        return NUMERALS[text]
    if text.startswith("十"):
        return 10 + NUMERALS[text[1:]]
    return NUMERALS[text[0]] * 10 + NUMERALS.get(text[2:], 0)


def answer_of(question):
    """The answer to a challenge question, Chinese ("七 加 五 等于几？") or English ("What is 7 plus 5?")."""
    match = QUESTION.search(question)
    assert match, question
    a, b = spoken_number(match.group(1)), spoken_number(match.group(3))
    return str(a + b if match.group(2) in ("加", "plus") else a - b)


def form_data(client, url, **fields):
    """POST data for the feedback form at `url`, with the challenge answered as a person would."""
    html = client.get(url).content.decode()
    data = {
        "kind": "complaint",
        "content": "我在窗口排了两个小时，被告知还要去消防部门盖章，但指南里没有写明。",
        "contact_name": "",
        "contact_phone": "13912345678",
        "challenge_token": token_in(html),
        "challenge_answer": answer_of(question_in(html)),
        "website": "",
    }
    data.update(fields)
    return data
