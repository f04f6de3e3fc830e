"""gunicorn settings, read by every gunicorn started from the checkout (gunicorn loads
./gunicorn.conf.py by itself): the Procfile (`make run`), scripts/run-scaled.sh and the benches.

Memory (docs/deploy.md, "Memory per worker"): the application is loaded once in the master
(`preload_app`), which also loads what every worker would otherwise build for itself — jieba
(search; its dictionary is a memory-mapped trie, search/segmenter.py) and the compiled
templates — and then freezes the garbage collector's view of those objects (gc.freeze), so the
forked workers share those pages instead of copying them. The pinyin tables, WeasyPrint and the
Elasticsearch client are not preloaded: most workers never need them. Database connections opened while warming are closed before the fork.
Command-line options (--workers, --bind, ...) still apply on top of these.
"""

import gc
import os

preload_app = True
# The master's warm-up: GUNICORN_WARM=0 leaves it out (e.g. to measure its effect).
WARM = os.environ.get("GUNICORN_WARM", "1") != "0"


def when_ready(server):
    """In the master, after the application is loaded and before any worker is forked."""
    if WARM:
        from portal.warmup import warm

        warm()
    from django.db import connections

    connections.close_all()
    gc.collect()
    gc.freeze()  # objects loaded so far are never touched by the workers' collections
