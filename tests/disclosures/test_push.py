"""POST /api/cases/: bearer token per center, limits, validation, all-or-nothing, CSRF exemption."""

import io
import json

import pytest
from django.core.management import call_command
from django.test import Client

from disclosures import api
from disclosures.models import Case, CenterApiToken

from .helpers_cases import make_center, make_department, make_item, pushed_case


@pytest.fixture
def setup(db):
    center = make_center()
    department = make_department(center)
    make_item(center, department, "T-001", promised_days=3)
    other = make_center("tother", "其他中心")
    make_item(other, make_department(other), "O-1")
    _obj, token = CenterApiToken.issue(center, name="审批系统")
    return token


def post(client, body, token=None, raw=False):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    data = body if raw else json.dumps(body)
    return client.post("/api/cases/", data=data, content_type="application/json", **headers)


def test_push_creates_then_updates(setup):
    client = Client(enforce_csrf_checks=True)  # no CSRF token: the endpoint is exempt
    response = post(
        client, {"cases": [pushed_case(), pushed_case(case_no="P-2", completed_at=None, status="received")]}, setup
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"created": 2, "updated": 0, "dry_run": False}
    response = post(client, {"cases": [pushed_case(case_no="P-2", status="completed")]}, setup)
    assert response.json()["updated"] == 1
    assert Case.objects.get(case_no="P-2").status == "completed"
    assert Case.objects.filter(case_no__startswith="P-").count() == 2
    assert CenterApiToken.objects.get(prefix=setup[:8]).last_used_at is not None


def test_token_is_required_and_stored_hashed(client, setup):
    assert post(client, {"cases": [pushed_case()]}).status_code == 401
    response = post(client, {"cases": [pushed_case()]}, "not-a-token")
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")
    assert not CenterApiToken.objects.filter(token_hash=setup).exists()
    CenterApiToken.objects.update(active=False)
    assert post(client, {"cases": [pushed_case()]}, setup).status_code == 401
    assert client.get("/api/cases/").status_code == 405


def test_case_for_another_center_is_refused(client, setup):
    response = post(
        client, {"cases": [pushed_case(), pushed_case(case_no="P-9", center="tother", item_code="O-1")]}, setup
    )
    assert response.status_code == 400
    problems = response.json()["problems"]
    assert problems == [{"row": 2, "column": "center", "reason": problems[0]["reason"]}]
    assert "只能推送" in problems[0]["reason"]
    assert not Case.objects.filter(case_no__in=["P-1", "P-9"]).exists()  # all-or-nothing


def test_validation_errors_name_row_and_field(client, setup):
    body = {
        "cases": [
            pushed_case(),
            pushed_case(case_no="P-1"),
            pushed_case(case_no="P-3", received_at="2026-02-30"),
            {"x": 1},
        ]
    }
    response = post(client, body, setup)
    assert response.status_code == 400
    data = response.json()
    assert "未写入" in data["error"]
    assert {"row": 4, "column": "x", "reason": "未知的字段"} in data["problems"]
    response = post(client, {"cases": body["cases"][:3]}, setup)
    reasons = {(p["row"], p["column"]) for p in response.json()["problems"]}
    assert (2, "case_no") in reasons and (3, "received_at") in reasons
    assert not Case.objects.filter(case_no="P-1").exists()


@pytest.mark.parametrize(
    "body, status",
    [
        ("{not json", 400),
        ("[]", 400),
        ('{"cases": []}', 400),
        ('{"cases": "x"}', 400),
        ("\xff", 400),
    ],
)
def test_malformed_bodies(client, setup, body, status):
    response = post(client, body, setup, raw=True)
    assert response.status_code == status
    assert response.json()["error"]


def test_batch_and_body_limits(client, setup, monkeypatch):
    too_many = {"cases": [pushed_case(case_no=f"L-{n}") for n in range(api.MAX_PUSH_CASES + 1)]}
    response = post(client, too_many, setup)
    assert response.status_code == 413 and "分批" in response.json()["error"]
    monkeypatch.setattr(api, "MAX_PUSH_BYTES", 200)
    response = post(client, {"cases": [pushed_case(), pushed_case(case_no="P-2")]}, setup)
    assert response.status_code == 413
    assert not Case.objects.filter(case_no__startswith="L-").exists()


def test_dry_run(client, setup):
    response = client.post(
        "/api/cases/?dry_run=1",
        data=json.dumps({"cases": [pushed_case()]}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {setup}",
    )
    assert response.json() == {"created": 1, "updated": 0, "dry_run": True}
    assert not Case.objects.filter(case_no="P-1").exists()


def test_create_case_token_command(setup):
    out, err = io.StringIO(), io.StringIO()
    call_command("create_case_token", "tcenter", "--name", "测试", stdout=out, stderr=err)
    token = out.getvalue().strip()
    assert len(token) >= 40 and "只显示这一次" in err.getvalue()
    found = CenterApiToken.authenticate(token)
    assert found is not None and found.center.code == "tcenter" and found.name == "测试"
