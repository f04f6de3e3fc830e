"""Security headers on every kind of public page, production transport settings (HSTS, secure
cookies, HTTPS behind the proxy) and the dependency audit run by `make lint`.

The home page's headers and the basic production switches (refusing a missing or placeholder
SECRET_KEY, secure session cookie) are tested in test_foundation.py; this file covers the rest.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def public_urls():
    """One URL of each kind of public page in the demo site."""
    from disclosures.models import BulletinIndexPage, BulletinPage
    from guides.models import GuidePage, LifeEventPage
    from portal.models import NoticePage

    # Catalog folders (/guides/city/scjg/) redirect to the filtered browse page listed here.
    urls = ["/guides/", "/guides/?center=city&department=scjg", "/guides/themes/person/", "/life-events/"]
    urls += ["/search/?q=营业执照", "/fees/", "/notices/", "/no-such-page/"]  # the 404 page too
    for pages in (
        GuidePage.objects,
        LifeEventPage.objects,
        NoticePage.objects,
        BulletinIndexPage.objects,
        BulletinPage.objects,
    ):
        page = pages.live().order_by("pk").first()
        assert page is not None, f"the demo site has no live {pages.model.__name__}"
        urls.append(page.url)
    return urls


def directives(policy):
    """{'script-src': ["'self'"], …} from a Content-Security-Policy header."""
    result = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            result[words[0]] = words[1:]
    return result


def test_public_pages_have_a_strict_csp_and_the_other_headers(client, db):
    for url in public_urls():
        response = client.get(url)
        assert response.status_code in (200, 404), (url, response.status_code)
        policy = directives(response["Content-Security-Policy"])
        for name in ("default-src", "script-src", "style-src"):
            assert policy[name] == ["'self'"], (url, name, policy.get(name))
        assert "'unsafe-inline'" not in response["Content-Security-Policy"], url
        assert "'unsafe-eval'" not in response["Content-Security-Policy"], url
        assert policy["frame-ancestors"] == ["'none'"], url
        assert policy["object-src"] == ["'none'"], url
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert response["Referrer-Policy"] == "strict-origin-when-cross-origin", url
        assert response["X-Frame-Options"] == "DENY", url
        # With script-src/style-src 'self' a browser would block inline code: there must be none.
        html = response.content.decode()
        # (JSON-LD data blocks are not scripts: browsers never run them, CSP does not apply.)
        inline = r"<script(?![^>]*\bsrc=)(?![^>]*\btype=\"application/(?:ld\+)?json\")[^>]*>"
        assert not re.search(inline, html), url
        assert not re.search(r"<style[\s>]", html), url
        assert not re.search(r"\sstyle\s*=", html), url
        assert not re.search(r"\son[a-z]+\s*=\s*[\"']", html), url  # onclick= and the like


@pytest.mark.parametrize("url", ["/api/search/?q=x", "/api/suggest/?q=x", "/api/items/", "/api/fees/", "/healthz"])
def test_json_endpoints_have_the_headers_too(client, db, url):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_the_editors_admin_is_the_only_place_without_the_csp(client, db):
    from django.conf import settings

    assert settings.CONTENT_SECURITY_POLICY["EXCLUDE_URL_PREFIXES"] == ["/admin/", "/django-admin/"]
    response = client.get("/admin/login/")
    assert "Content-Security-Policy" not in response
    assert response["X-Frame-Options"] == "DENY"  # still not framable


PRODUCTION_PROBE = (
    "import django, json, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'portal.settings.production'; django.setup(); "
    "from django.conf import settings as s; print(json.dumps({name: getattr(s, name) for name in ["
    "'PRODUCTION', 'DEBUG', 'TESTING', 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', "
    "'SESSION_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', 'CSRF_COOKIE_SECURE', 'SECURE_SSL_REDIRECT', "
    "'SECURE_PROXY_SSL_HEADER', 'SECURE_CONTENT_TYPE_NOSNIFF', 'X_FRAME_OPTIONS', 'SECURE_REFERRER_POLICY']}))"
)


def probe_settings(**overrides):
    """The settings as a production process sees them: no pytest, no GONGKAI_LOCAL, no DEBUG."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTEST_VERSION", "GONGKAI_LOCAL", "DEBUG", "SECRET_KEY", "GONGKAI_TESTING"}
        and not key.startswith("SECURE_")
    }
    env.update({"GONGKAI_LOCAL": "0", "DEBUG": "0", "SECRET_KEY": "a-real-production-secret-" + "k" * 40})
    env.update(overrides)
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_settings_turn_on_hsts_secure_cookies_and_https_behind_the_proxy():
    prod = probe_settings()
    assert prod["PRODUCTION"] is True and prod["DEBUG"] is False and prod["TESTING"] is False
    assert prod["SECURE_HSTS_SECONDS"] >= 31536000
    assert prod["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert prod["SESSION_COOKIE_SECURE"] is True and prod["SESSION_COOKIE_HTTPONLY"] is True
    assert prod["CSRF_COOKIE_SECURE"] is True
    # HTTPS is terminated by the reverse proxy, which says so in X-Forwarded-Proto (docs/deploy.md);
    # Django can also redirect itself with SECURE_SSL_REDIRECT=1.
    assert prod["SECURE_SSL_REDIRECT"] or prod["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert prod["SECURE_CONTENT_TYPE_NOSNIFF"] is True and prod["X_FRAME_OPTIONS"] == "DENY"
    assert prod["SECURE_REFERRER_POLICY"] == "strict-origin-when-cross-origin"
    assert probe_settings(SECURE_SSL_REDIRECT="1")["SECURE_SSL_REDIRECT"] is True


def test_local_use_is_not_production():
    local = probe_settings(GONGKAI_LOCAL="1")
    assert local["PRODUCTION"] is False
    assert local["SECURE_HSTS_SECONDS"] == 0
    assert local["SESSION_COOKIE_SECURE"] is False and local["CSRF_COOKIE_SECURE"] is False


@override_settings(SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True)
def test_hsts_header_on_https_requests_only(client, db):
    response = client.get("/", secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    # behind the proxy: plain HTTP to Django, X-Forwarded-Proto: https from the proxy
    response = client.get("/", HTTP_X_FORWARDED_PROTO="https")
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    # HSTS over plain HTTP means nothing to browsers and Django does not send it
    assert "Strict-Transport-Security" not in client.get("/")


@override_settings(SECURE_SSL_REDIRECT=True)
def test_ssl_redirect_sends_plain_http_to_https(client, db):
    response = client.get("/guides/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/guides/"
    assert client.get("/guides/", secure=True).status_code == 200


@override_settings(SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True)
def test_cookies_are_marked_secure_in_production(client, db):
    # A page with a form sets the CSRF cookie (public pages carry no token: portal.pagecache).
    response = client.get(reverse("feedback_lookup"), secure=True)
    cookie = response.cookies["csrftoken"]
    assert cookie["secure"] is True
    assert cookie["samesite"] == "Lax"


# --- the dependency audit in `make lint` (scripts/audit_pins.py) ---

VULNERABLE = {
    "dependencies": [
        {"name": "django", "version": "4.2.0", "vulns": [{"id": "PYSEC-2023-100", "fix_versions": ["4.2.2"]}]},
        {"name": "jieba", "version": "0.42.1", "vulns": []},
    ],
    "fixes": [],
}
CLEAN = {"dependencies": [{"name": "django", "version": "5.2.19", "vulns": []}], "fixes": []}
UNAUDITED = {
    "dependencies": [
        {"name": "django", "skip_reason": "Dependency not found on PyPI and could not be audited: django (5.2.19)"}
    ],
    "fixes": [],
}


def run_audit(tmp_path, stdout="", stderr="", code=0, requirements="Django==5.2.19\n"):
    """scripts/audit_pins.py with a stand-in pip-audit that answers as the real one does."""
    fake = tmp_path / "pip-audit"
    fake.write_text(
        f"#!{sys.executable}\nimport sys\nsys.stdout.write({stdout!r})\nsys.stderr.write({stderr!r})\nsys.exit({code})\n"
    )
    fake.chmod(0o755)
    pins = tmp_path / "requirements.txt"
    pins.write_text(requirements)
    env = {**os.environ, "PIP_AUDIT": str(fake)}
    return subprocess.run(
        [sys.executable, "scripts/audit_pins.py", str(pins)], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_audit_fails_on_a_known_vulnerability(tmp_path):
    result = run_audit(tmp_path, json.dumps(VULNERABLE), code=1)
    assert result.returncode == 1
    assert "django==4.2.0  PYSEC-2023-100  (fixed in: 4.2.2)" in result.stdout
    assert "jieba" not in result.stdout


def test_audit_fails_on_a_vulnerability_even_when_other_pins_were_skipped(tmp_path):
    report = {"dependencies": VULNERABLE["dependencies"] + UNAUDITED["dependencies"], "fixes": []}
    assert run_audit(tmp_path, json.dumps(report), code=1).returncode == 1


def test_audit_passes_quietly_when_every_pin_is_clean(tmp_path):
    result = run_audit(tmp_path, json.dumps(CLEAN))
    assert result.returncode == 0
    assert "no known vulnerabilities in the 1 pins" in result.stdout and "WARNING" not in result.stdout


def test_audit_warns_without_failing_when_the_service_cannot_be_reached(tmp_path):
    unreachable = "requests.exceptions.ConnectionError: Max retries exceeded (Name or service not known)\n"
    result = run_audit(tmp_path, "", "Traceback (most recent call last):\n" + unreachable, code=1)
    assert result.returncode == 0
    assert "WARNING" in result.stdout and "NOT audited" in result.stdout and "ConnectionError" in result.stdout
    result = run_audit(tmp_path, json.dumps(UNAUDITED))
    assert result.returncode == 0
    assert "could not audit 1 of 1 pins" in result.stdout and "NOT audited" in result.stdout


def test_audit_of_the_real_pins_with_the_real_pip_audit(tmp_path):
    """The project's own pins and the installed pip-audit against the real service; its answer is
    replayed to scripts/audit_pins.py, whose verdict must be exactly what the answer says: every
    pin accounted for, audited pins clean (else exit 1 naming them), unaudited ones counted and
    reported NOT audited, an unreachable service reported as such. Never a silent pass."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from audit_pins import run_pip_audit
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    requirements = (ROOT / "requirements.txt").read_text()

    def canonical(name):  # PEP 503
        return re.sub(r"[-_.]+", "-", name).lower()

    pins = {canonical(line.split("==")[0]) for line in requirements.splitlines() if "==" in line}
    code, stdout, stderr = run_pip_audit(ROOT / "requirements.txt", timeout=400)
    result = run_audit(tmp_path, stdout, stderr, code if code is not None else 1, requirements)
    try:
        dependencies = json.loads(stdout)["dependencies"]
    except (ValueError, KeyError):
        assert result.returncode == 0 and "NOT audited" in result.stdout and "could not check" in result.stdout
        return
    answered = {canonical(dependency["name"]) for dependency in dependencies}
    assert answered == pins  # pip-audit answered for every pin, audited or not
    vulnerable = [d for d in dependencies if d.get("vulns") and not d.get("skip_reason")]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    if vulnerable:
        assert result.returncode == 1
        for dependency in vulnerable:
            assert f"{dependency['name']}=={dependency['version']}" in result.stdout
    elif skipped:
        assert result.returncode == 0
        assert f"could not audit {len(skipped)} of {len(pins)} pins" in result.stdout
        assert "NOT audited" in result.stdout
    else:
        assert result.returncode == 0
        assert f"no known vulnerabilities in the {len(pins)} pins" in result.stdout
        assert "WARNING" not in result.stdout
