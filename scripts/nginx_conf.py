#!/usr/bin/env python3
"""Render deploy/nginx/gongkai.conf.template into a runnable nginx.conf (stdlib only).

    scripts/nginx_conf.py --state DIR --port 8080 --upstream 127.0.0.1:8000 \
        --static-root var/static --media-root var/media [--user NAME] [--max-body 20m]

Creates DIR (pid, logs, temp and cache folders) and writes DIR/nginx.conf; prints its path.
Brotli is switched on when Debian's module (libnginx-mod-http-brotli-filter) is installed.
Used by scripts/services.sh (service `nginx`) and by the live nginx test.
"""

import argparse
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy" / "nginx" / "gongkai.conf.template"
BROTLI_MODULE = Path("/usr/lib/nginx/modules/ngx_http_brotli_filter_module.so")
BROTLI = (
    "brotli on;\n    brotli_comp_level 5;\n    brotli_min_length 1024;\n"
    "    brotli_types text/css application/javascript application/json application/xml "
    "application/atom+xml image/svg+xml text/csv text/plain;"
)


def default_max_body():
    """The app's upload limit (MAX_UPLOAD_BYTES, 20 MiB by default) plus room for the form."""
    limit = int(os.environ.get("MAX_UPLOAD_BYTES", str(20 * 1024 * 1024)))
    return f"{limit // (1024 * 1024) + 1}m"


def render(state, port, upstream, static_root, media_root, user="", max_body=None, brotli=None):
    state = Path(state).resolve()
    for sub in ("tmp/body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi", "cache"):
        (state / sub).mkdir(parents=True, exist_ok=True)
    brotli = BROTLI_MODULE.exists() if brotli is None else brotli
    values = {
        "@BROTLI_LOAD@": f"load_module {BROTLI_MODULE};" if brotli else "",
        "@BROTLI@": BROTLI if brotli else "",
        "@USER_LINE@": f"user {user};" if user else "",
        "@STATE@": str(state),
        "@PORT@": str(port),
        "@UPSTREAM@": upstream,
        "@STATIC_ROOT@": str(Path(static_root).resolve()),
        "@MEDIA_ROOT@": str(Path(media_root).resolve()),
        "@MAX_BODY@": max_body or default_max_body(),
    }
    text = TEMPLATE.read_text(encoding="utf-8")
    for name, value in values.items():
        text = text.replace(name, value)
    target = state / "nginx.conf"
    target.write_text(text, encoding="utf-8")
    return target


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--state", required=True)
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--upstream", default="127.0.0.1:8000")
    parser.add_argument("--static-root", default=str(ROOT / "var" / "static"))
    parser.add_argument("--media-root", default=str(ROOT / "var" / "media"))
    parser.add_argument("--user", default="")
    parser.add_argument("--max-body", default=None)
    args = parser.parse_args()
    print(render(args.state, args.port, args.upstream, args.static_root, args.media_root, args.user, args.max_body))


if __name__ == "__main__":
    main()
