"""Memory per web worker (issue 18, docs/deploy.md "Memory per worker"): a process that serves
public pages with the embedded search backend never imports WeasyPrint, the Elasticsearch client
or pypinyin, and holds jieba's dictionary in the compact trie (search/segmenter.py). The figure
itself (RSS after 1,000 mixed requests) is measured by bench/bench_pagecache.py, section 4."""

import json
import subprocess
import sys

import pytest

LARGE = ("weasyprint", "elasticsearch", "elastic_transport", "pypinyin")

SCRIPT = """
import json, sys
from portal.wsgi import application  # what gunicorn loads
from django.conf import settings
from django.test import Client
from guides.models import GuidePage
from search import analysis, segmenter

LARGE = %(large)r
item = GuidePage.objects.live().order_by("pk").first().url
client = Client()
statuses = {}
for url in [
    "/", "/guides/", "/guides/?audience=person", item, "/fees/",
    "/search/?q=营业执照", "/search/?q=营业执照+变更", "/search/?q=营业执照&page=2", "/api/search/?q=办营业执照",
    "/api/suggest/?q=yyzz", "/api/suggest/?q=营业",
    # Latin letters: the pinyin of the synonyms' words is stored with them (dibao → 低保).
    "/search/?q=yyzz", "/search/?q=dibao",
]:
    statuses[url] = client.get(url).status_code
dibao = client.get("/search/?q=dibao").content.decode()
out = {
    "dibao": "最低生活保障" in dibao,
    "backend": settings.SEARCH_BACKEND,
    "statuses": statuses,
    "loaded": [name for name in LARGE if name in sys.modules],
    "jieba": "jieba" in sys.modules,
    "compact": isinstance(analysis._jieba().FREQ, segmenter.CompactFrequencies),
}
# A homophone typo matches nothing as written: its pinyin is computed, loading pypinyin then.
typo = client.get("/search/?q=营业值照")
out["typo"] = [typo.status_code, "营业执照" in typo.content.decode()]
out["after_typo"] = [name for name in LARGE if name in sys.modules]
print(json.dumps(out, ensure_ascii=False))
"""


@pytest.mark.django_db
def test_a_web_process_serving_public_pages_loads_no_pdf_es_or_pinyin_library():
    from django.conf import settings

    from tests.conftest import subprocess_env

    # The test settings on this test's database and index (production's would want collectstatic).
    env = subprocess_env(DJANGO_SETTINGS_MODULE="portal.settings.test")
    env.pop("ELASTICSEARCH_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT % {"large": LARGE}],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["backend"] == "embedded"
    assert set(out["statuses"].values()) == {200}, out["statuses"]
    assert out["loaded"] == [], f"a public page imported {out['loaded']}"
    assert out["jieba"] and out["compact"]
    assert out["dibao"]  # the Latin-letter query found its phrase's items through stored pinyin
    # The query side still has its pinyin fallback: loaded when a typo needs it, and it finds.
    assert out["typo"] == [200, True]
    assert out["after_typo"] == ["pypinyin"]
