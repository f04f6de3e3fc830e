"""Media on S3-compatible storage is configured from the environment alone (docs/deploy.md §6)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, django
django.setup()
from django.core.files.storage import storages
default_storage = storages["default"]
print(json.dumps({
    "class": type(default_storage).__name__,
    "bucket": default_storage.bucket_name,
    "location": default_storage.location,
    "querystring_auth": default_storage.querystring_auth,
    "addressing_style": default_storage.addressing_style,
    "url": default_storage.url("documents/表格.pdf"),
}))
"""


def test_s3_media_settings_come_from_the_environment():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "MEDIA_STORAGE": "storages.backends.s3.S3Storage",
        "AWS_STORAGE_BUCKET_NAME": "gongkai-media",
        "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9",
        "AWS_S3_CUSTOM_DOMAIN": "media.example.test",
        "AWS_LOCATION": "site-a",
        "AWS_QUERYSTRING_AUTH": "false",
        "AWS_S3_ADDRESSING_STYLE": "path",
        "AWS_ACCESS_KEY_ID": "test-key",
        "AWS_SECRET_ACCESS_KEY": "test-secret",
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    storage = json.loads(result.stdout.strip().splitlines()[-1])
    assert storage["class"] == "S3Storage"
    assert storage["bucket"] == "gongkai-media"
    assert storage["location"] == "site-a"
    assert storage["querystring_auth"] is False
    assert storage["addressing_style"] == "path"
    # A CDN domain and no signing: a plain, stable URL under the key prefix, no network needed.
    assert storage["url"].startswith("https://media.example.test/site-a/documents/")
