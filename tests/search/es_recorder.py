"""A tiny HTTP server that records Elasticsearch requests and answers with canned ES-shaped JSON."""

import contextlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Recorder:
    def __init__(self):
        self.requests = []
        self.aliases = {}  # alias -> [index]
        self.search_response = None

    def find(self, method, fragment):
        return [r for r in self.requests if r["method"] == method and fragment in r["path"]]


def _handler(recorder):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _reply(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("X-Elastic-Product", "Elasticsearch")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        def _handle(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode() if length else ""
            path = self.path.split("?")[0]
            entry = {"method": self.command, "path": self.path, "raw": raw}
            if raw and "_bulk" not in path:
                with contextlib.suppress(ValueError):
                    entry["body"] = json.loads(raw)
            if "_bulk" in path:
                entry["lines"] = [json.loads(line) for line in raw.splitlines() if line.strip()]
            recorder.requests.append(entry)
            if path == "/" and self.command in ("HEAD", "GET"):
                return self._reply(200, {"version": {"number": "9.0.0"}, "tagline": "You Know, for Search"})
            if "_bulk" in path:
                items = []
                for line in entry["lines"]:
                    op = next(iter(line))
                    if op in ("index", "delete", "create", "update"):
                        items.append(
                            {
                                op: {
                                    "_index": line[op].get("_index", "x"),
                                    "_id": line[op]["_id"],
                                    "status": 200,
                                    "result": "ok",
                                }
                            }
                        )
                return self._reply(200, {"took": 1, "errors": False, "items": items})
            if path.startswith("/_alias/"):
                alias = path.rsplit("/", 1)[-1]
                if alias not in recorder.aliases:
                    return self._reply(404, {"error": "alias not found", "status": 404})
                return self._reply(200, {index: {"aliases": {alias: {}}} for index in recorder.aliases[alias]})
            if path == "/_aliases":
                for action in entry["body"]["actions"]:
                    ((kind, spec),) = action.items()
                    indices = recorder.aliases.setdefault(spec["alias"], [])
                    if kind == "add":
                        indices.append(spec["index"])
                    elif spec["index"] in indices:
                        indices.remove(spec["index"])
                return self._reply(200, {"acknowledged": True})
            if path.endswith("/_search"):
                body = recorder.search_response or {
                    "took": 1,
                    "timed_out": False,
                    "hits": {"total": {"value": 0, "relation": "eq"}, "hits": []},
                    "aggregations": {},
                }
                return self._reply(200, body)
            if path.endswith("/_refresh"):
                return self._reply(200, {"_shards": {"total": 1, "successful": 1, "failed": 0}})
            if path.endswith("/_count"):
                return self._reply(200, {"count": 0})
            return self._reply(200, {"acknowledged": True, "index": path.strip("/")})

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

    return Handler


@contextlib.contextmanager
def recording_server():
    recorder = Recorder()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(recorder))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        recorder.url = f"http://127.0.0.1:{server.server_address[1]}"
        yield recorder
    finally:
        server.shutdown()
        server.server_close()
