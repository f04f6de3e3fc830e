"""nginx (Debian's package, config deploy/nginx/gongkai.conf.template) in front of gunicorn:
a cached hit, the purge on publish through Wagtail's frontend-cache backend, static files
served by nginx itself. Both processes are started here and stopped by their PIDs.

nginx comes from `scripts/services.sh start nginx` (or apt); without it the test is skipped on a
developer's machine and fails under CI (CI=true), like the live Elasticsearch tests.
"""

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.test import override_settings

from guides.models import GuidePage
from tests.conftest import subprocess_env

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


def nginx_binary():
    path = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if path:
        return path
    message = "no nginx: scripts/services.sh start nginx (installs Debian's package as root)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_port(port, process, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            pytest.fail(f"process {process.pid} exited with {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    pytest.fail(f"nothing answered on port {port} within {timeout} s")


def stop(pid):
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    for _ in range(100):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)


def get(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class Stack(str):
    """nginx's base URL, with the folder of its logs."""

    def __new__(cls, url, log_dir):
        value = super().__new__(cls, url)
        value.log_dir = log_dir
        return value


@pytest.fixture
def stack(tmp_path):
    """gunicorn (one worker, this test's database) behind a fresh nginx; yields nginx's base URL."""
    from django.conf import settings
    from django.core.management import call_command

    binary = nginx_binary()
    if not GuidePage.objects.live().exists():  # an earlier transactional test flushed the demo data
        call_command("seed_demo", "--small", verbosity=0)
    app_port, proxy_port = free_port(), free_port()
    static = tmp_path / "static"
    static.mkdir()
    (static / "probe.css").write_text("body{color:#123456}\n" * 100, encoding="utf-8")
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import nginx_conf
    finally:
        sys.path.pop(0)
    user = "root" if os.geteuid() == 0 else ""
    conf = nginx_conf.render(
        tmp_path / "nginx", proxy_port, f"127.0.0.1:{app_port}", static, settings.MEDIA_ROOT, user=user
    )
    log = open(tmp_path / "gunicorn.log", "wb")  # noqa: SIM115 - closed below
    app = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "portal.wsgi", "--bind", f"127.0.0.1:{app_port}", "--workers", "1"],
        cwd=ROOT,
        env=subprocess_env(PAGE_CACHE_SECONDS=600, PAGE_CACHE_SHARED_SECONDS=60, MEDIA_ACCEL_REDIRECT="/_media/"),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    nginx_pid = None
    try:
        wait_port(app_port, app)
        subprocess.run([binary, "-c", str(conf), "-p", str(conf.parent)], check=True, timeout=30)
        wait_port(proxy_port, None, timeout=15)
        nginx_pid = int((conf.parent / "nginx.pid").read_text())
        yield Stack(f"http://127.0.0.1:{proxy_port}", conf.parent)
    finally:
        if nginx_pid is None and (conf.parent / "nginx.pid").exists():
            nginx_pid = int((conf.parent / "nginx.pid").read_text())
        if nginx_pid:
            stop(nginx_pid)
        stop(app.pid)
        app.wait(timeout=30)
        log.close()


def test_nginx_caches_purges_on_publish_and_serves_static(stack):
    item = GuidePage.objects.live().order_by("pk").first()
    url = stack + item.url
    status, headers, first = get(url)
    assert status == 200 and headers["X-Proxy-Cache"] in ("MISS", "EXPIRED"), headers
    status, headers, body = get(url)
    assert status == 200 and headers["X-Proxy-Cache"] == "HIT" and body == first
    # A repeat visit with the validator: 304 from nginx.
    status, _headers, body = get(url, {"If-None-Match": headers["ETag"]})
    assert status == 304 and body == b""
    # gzip (and brotli when Debian's module is installed).
    _status, headers, _body = get(url, {"Accept-Encoding": "gzip"})
    assert headers.get("Content-Encoding") == "gzip"
    # A signed-in editor's session cookie goes straight to the app.
    _status, headers, _body = get(url, {"Cookie": "sessionid=nobody"})
    assert headers["X-Proxy-Cache"] == "BYPASS"
    # So does a visitor with a chosen language, center or reading mode: the app's own page cache
    # (exactly invalidated) answers, so a publish is seen at once in every variant.
    for cookie in ("reading_mode=large", "gk_center=city", "django_language=en"):
        _status, headers, _body = get(url, {"Cookie": cookie})
        assert headers["X-Proxy-Cache"] == "BYPASS", cookie

    # Publishing purges nginx's copy through Wagtail's frontend cache (PURGE from 127.0.0.1).
    with override_settings(
        WAGTAILFRONTENDCACHE={
            "nginx": {"BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend", "LOCATION": stack}
        }
    ):
        page = GuidePage.objects.get(pk=item.pk)
        page.hours = "反向代理清除测试"
        page.save_revision().publish()
    status, headers, body = get(url)
    time.sleep(1.2)  # the access log's flush interval
    access_log = (stack.log_dir / "access.log").read_text(encoding="utf-8")
    assert f"PURGE {item.url}" in access_log, access_log
    assert status == 200 and "反向代理清除测试" in body.decode(), access_log
    assert headers["X-Proxy-Cache"] == "HIT", "the purge stored the new page"
    _status, _headers, large = get(url, {"Cookie": "reading_mode=large"})
    assert "反向代理清除测试" in large.decode()

    # PURGE from another address (here 127.0.0.2, still this machine's loopback) is refused.
    port = int(stack.rsplit(":", 1)[1])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=("127.0.0.2", 0))
    connection.request("PURGE", item.url)
    assert connection.getresponse().status == 405
    connection.close()

    # Media: the app checks the file is public and hands it to nginx (X-Accel-Redirect), which
    # sends it from MEDIA_ROOT; a private collection's file stays a 404.
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model
    from wagtail.models import Collection, CollectionViewRestriction

    Document = get_document_model()
    public = Document(title="代理公开表格")
    public.file.save("nginx-public.txt", ContentFile(b"served by nginx " * 10), save=True)
    status, headers, body = get(stack + "/media/" + public.file.name)
    assert status == 200 and body == b"served by nginx " * 10 and "X-Accel-Redirect" not in headers
    private = Collection.get_first_root_node().add_child(name="代理内部资料")
    CollectionViewRestriction.objects.create(collection=private, restriction_type="login")
    hidden = Document(title="内部", collection=private)
    hidden.file.save("nginx-internal.txt", ContentFile(b"internal"), save=True)
    assert get(stack + "/media/" + hidden.file.name)[0] == 404
    assert get(stack + "/_media/" + hidden.file.name)[0] == 404, "the internal location is not reachable"
    public.file.delete(save=False)
    hidden.file.delete(save=False)

    # Static files: nginx itself (no app round trip), with a long lifetime.
    status, headers, body = get(stack + "/static/probe.css")
    assert status == 200 and body.startswith(b"body{color:#123456}")
    assert "X-Proxy-Cache" not in headers and "max-age=604800" in headers.get("Cache-Control", "")
