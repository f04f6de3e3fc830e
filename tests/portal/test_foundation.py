"""The foundation: settings, home page, health check, error pages, security headers."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_settings(env_overrides):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTEST_VERSION", "GONGKAI_LOCAL", "DEBUG", "SECRET_KEY", "GONGKAI_TESTING"}
    }
    env.update(env_overrides)
    code = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='portal.settings.production'; django.setup(); from django.conf import settings; print(settings.SESSION_COOKIE_SECURE, settings.SECURE_HSTS_SECONDS)"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_production_refuses_to_start_without_secret_key():
    result = run_settings({})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_refuses_the_development_placeholder_key():
    result = run_settings({"SECRET_KEY": "dev-insecure-key-only-for-local-use"})
    assert result.returncode != 0
    assert "placeholder" in result.stderr


def test_production_with_real_key_has_secure_cookies_and_hsts():
    result = run_settings({"SECRET_KEY": "a-real-secret-" + "x" * 40})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "31536000"]


def test_production_settings_do_not_sniff_the_test_runner():
    """Test isolation lives in portal.settings.test only: pytest's variables change nothing here."""
    result = run_settings({"PYTEST_VERSION": "8.0", "GONGKAI_TEST_RUN_ID": "12345"})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='portal.settings.production'; django.setup(); "
        "from django.conf import settings; print(settings.TESTING, settings.Q_CLUSTER['name'], "
        "settings.DATABASES['default'].get('TEST', {}).get('NAME'))"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"GONGKAI_LOCAL", "DEBUG", "SECRET_KEY", "GONGKAI_TESTING"}}
    env.update({"PYTEST_VERSION": "8.0", "SECRET_KEY": "a-real-secret-" + "x" * 40, "Q_CLUSTER_NAME": "site"})
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "site", "None"]


def test_the_test_overlay_isolates_each_run():
    from django.conf import settings

    from portal.settings import default_settings_module

    assert settings.SETTINGS_MODULE == "portal.settings.test"
    assert settings.TESTING and not settings.PRODUCTION
    assert settings.TEST_RUN_ID in settings.Q_CLUSTER["name"]
    assert settings.TEST_RUN_ID in str(settings.DATABASES["default"]["TEST"]["NAME"])
    assert settings.TEST_RUN_ID in settings.SEARCH_INDEX_PATH
    assert default_settings_module({}) == "portal.settings.production"
    assert default_settings_module({"GONGKAI_TESTING": "1"}) == "portal.settings.test"


def test_environment_switches_database_cache_and_broker():
    from django.conf import settings

    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    else:
        assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    if os.environ.get("REDIS_URL"):
        assert settings.CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache"
        assert settings.Q_CLUSTER["redis"] == os.environ["REDIS_URL"]
    else:
        assert settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")
        assert settings.Q_CLUSTER["orm"] == "default"


def test_home_page_is_chinese_with_search_and_audiences(client, demo_site):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-CN">' in html
    assert '<h1 id="home-title">临江市政务服务中心</h1>' in html
    assert 'action="/search/"' in html
    assert "个人办事" in html and "法人办事" in html
    assert 'href="#main"' in html  # skip link
    assert "临ICP备" in html  # site settings in the footer


def test_home_page_in_english_through_i18n(client, demo_site):
    client.cookies["django_language"] = "en"
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Services for individuals" in html


def test_not_found_page_is_chinese(client, demo_site):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "抱歉，您访问的页面不存在" in response.content.decode()


def test_server_error_page_is_chinese(client, demo_site):
    from portal.views import server_error

    response = server_error(client.get("/").wsgi_request)
    assert response.status_code == 500
    assert "服务暂时不可用" in response.content.decode()


def test_healthz_reports_database_and_search(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["search"]["ok"] is True


def test_healthz_is_503_when_search_cannot_answer(client, db, settings, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    settings.SEARCH_INDEX_PATH = str(blocker / "index.sqlite3")
    response = client.get("/healthz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["checks"]["search"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


def test_security_headers_and_strict_csp(client, demo_site):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "<script>" not in response.content.decode()  # no inline scripts


def test_static_files_use_hashed_compressed_storage_outside_tests():
    from django.conf import settings

    # Tests use plain storage (no collectstatic needed); production uses WhiteNoise's manifest storage.
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='portal.settings.production'; django.setup(); "
        "from django.conf import settings; print(settings.STORAGES['staticfiles']['BACKEND'])"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"PYTEST_VERSION", "GONGKAI_LOCAL", "DEBUG"}}
    env["SECRET_KEY"] = "a-real-secret-" + "x" * 40
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "whitenoise.storage.CompressedManifestStaticFilesStorage", out.stderr
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in settings.MIDDLEWARE


@pytest.mark.django_db
def test_seed_demo_is_idempotent():
    from django.core.management import call_command
    from wagtail.models import Page

    from portal.models import Department, HomePage, ServiceCenter

    call_command("seed_demo", "--small")
    counts = (ServiceCenter.objects.count(), Department.objects.count(), Page.objects.count())
    call_command("seed_demo", "--small")
    assert (ServiceCenter.objects.count(), Department.objects.count(), Page.objects.count()) == counts
    assert ServiceCenter.objects.count() == 8
    assert Department.objects.count() >= 30
    assert HomePage.objects.count() == 1
    assert ServiceCenter.objects.get(code="dongcheng").parent.code == "city"


@pytest.mark.django_db
def test_api_root_and_favicon_lead_somewhere(client):
    api = client.get("/api/")
    assert api.status_code == 302 and api["Location"] == "/api/docs/"
    icon = client.get("/favicon.ico")
    assert icon.status_code == 301 and icon["Location"].endswith(".svg")
