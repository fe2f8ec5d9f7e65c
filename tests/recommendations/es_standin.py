"""A local stand-in for an Elasticsearch 8 server, for testing the HTTP side of the backend.

It answers the endpoints the backend uses (index create/delete, ``_bulk``, ``_aliases``,
``_alias``, ``_doc``, ``_refresh``, ``_search``) with Elasticsearch-shaped JSON and the
``X-Elastic-Product: Elasticsearch`` header the 8.x client insists on. It keeps documents in memory
and records every request so tests can assert what was sent. Knobs simulate trouble: ``delay``
(seconds before any answer), ``search_status`` (an error status for searches), ``reject_429``
(``"<index prefix>/<id>"`` refused with 429 that many times in bulk requests).
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse


def _find(obj, key):
    """Every value stored under ``key`` anywhere in ``obj``."""
    out = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == key:
                out.append(v)
            out += _find(v, key)
    elif isinstance(obj, list):
        for v in obj:
            out += _find(v, key)
    return out


class StandInElasticsearch:
    def __init__(self):
        self.indices: dict[str, dict[str, dict]] = {}
        self.aliases: dict[str, set[str]] = {}
        self.requests: list[tuple[str, str, object]] = []
        self.delay = 0.0
        self.search_status: int | None = None
        self.reject_429: dict[str, int] = {}
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> StandInElasticsearch:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def paths(self, method: str | None = None) -> list[str]:
        return [p for m, p, _ in self.requests if method is None or m == method]

    def resolve(self, name: str) -> list[str]:
        if name in self.aliases:
            return sorted(self.aliases[name])
        return [name] if name in self.indices else []

    # --- request handling ------------------------------------------------------------------------

    def handle(self, method: str, path: str, body: bytes):
        parts = [p for p in urlparse(path).path.split("/") if p]
        text = body.decode() if body else ""
        if parts and parts[0] == "_bulk":
            payload = [json.loads(line) for line in text.splitlines() if line.strip()]
        else:
            payload = json.loads(text) if text else None
        with self.lock:
            self.requests.append((method, urlparse(path).path, payload))
        if self.delay:
            time.sleep(self.delay)
        with self.lock:
            return self.route(method, parts, payload)

    def route(self, method, parts, payload):
        if not parts:
            return 200, {
                "name": "stand-in",
                "cluster_name": "test",
                "version": {"number": "8.15.0"},
                "tagline": "You Know, for Search",
            }
        head = parts[0]
        if head == "_bulk":
            return self.bulk(payload)
        if head == "_aliases":
            return self.update_aliases(payload["actions"])
        if head == "_alias":
            found = {index: {"aliases": {parts[1]: {}}} for index in sorted(self.aliases.get(parts[1], ()))}
            if not found:
                return 404, {"error": f"alias [{parts[1]}] missing", "status": 404}
            return 200, found
        if len(parts) == 1:
            if method == "PUT":
                if head in self.indices:
                    return 400, {"error": {"type": "resource_already_exists_exception"}, "status": 400}
                self.indices[head] = {}
                return 200, {"acknowledged": True, "shards_acknowledged": True, "index": head}
            if method == "DELETE":
                for name in head.split(","):
                    self.indices.pop(name, None)
                    for members in self.aliases.values():
                        members.discard(name)
                return 200, {"acknowledged": True}
        action = parts[1]
        if action == "_refresh":
            return 200, {"_shards": {"total": 1, "successful": 1, "failed": 0}}
        if action == "_search":
            return self.search(head, payload or {})
        if action == "_doc":
            targets = self.resolve(head)
            if len(targets) != 1:
                return 404, {"error": {"type": "index_not_found_exception"}, "status": 404}
            docs = self.indices[targets[0]]
            if method in ("PUT", "POST"):
                docs[parts[2]] = payload
                return 201, {"_index": targets[0], "_id": parts[2], "result": "created", "_version": 1}
            if method == "DELETE":
                if docs.pop(parts[2], None) is None:
                    return 404, {"_index": targets[0], "_id": parts[2], "result": "not_found"}
                return 200, {"_index": targets[0], "_id": parts[2], "result": "deleted"}
        return 400, {"error": {"type": "unsupported", "reason": f"{method} {'/'.join(parts)}"}, "status": 400}

    def bulk(self, lines):
        items = []
        for meta, doc in zip(lines[::2], lines[1::2], strict=True):
            op = meta["index"]
            doc_id, index = op["_id"], op["_index"]
            key = next(
                (
                    k
                    for k in self.reject_429
                    if index.startswith(k.split("/")[0]) and k.endswith(f"/{doc_id}")
                ),
                None,
            )
            if key and self.reject_429[key] > 0:
                self.reject_429[key] -= 1
                items.append(
                    {
                        "index": {
                            "_index": index,
                            "_id": doc_id,
                            "status": 429,
                            "error": {
                                "type": "es_rejected_execution_exception",
                                "reason": "rejected execution",
                            },
                        }
                    }
                )
                continue
            targets = self.resolve(index)
            if len(targets) != 1:
                items.append(
                    {
                        "index": {
                            "_index": index,
                            "_id": doc_id,
                            "status": 404,
                            "error": {"type": "index_not_found_exception", "reason": "no such index"},
                        }
                    }
                )
                continue
            self.indices[targets[0]][doc_id] = doc
            items.append({"index": {"_index": targets[0], "_id": doc_id, "status": 201, "result": "created"}})
        errors = any(next(iter(i.values()))["status"] >= 300 for i in items)
        return 200, {"took": 1, "errors": errors, "items": items}

    def update_aliases(self, actions):
        for action in actions:
            ((kind, spec),) = action.items()
            if spec["index"] not in self.indices:
                return 404, {"error": {"type": "index_not_found_exception"}, "status": 404}
        for action in actions:
            ((kind, spec),) = action.items()
            members = self.aliases.setdefault(spec["alias"], set())
            (members.add if kind == "add" else members.discard)(spec["index"])
        return 200, {"acknowledged": True}

    def search(self, name, body):
        if self.search_status:
            return self.search_status, {
                "error": {"type": "search_phase_execution_exception"},
                "status": self.search_status,
            }
        excluded = {v for ids in _find(body, "ids") for v in ids.get("values", [])}
        wanted_topics = {
            t for terms in _find(body, "terms") if isinstance(terms, dict) for t in terms.get("topic_ids", [])
        }
        hits = []
        for index in self.resolve(name):
            for doc_id, doc in self.indices[index].items():
                if doc_id in excluded:
                    continue
                score = 1.0 + len(wanted_topics & set(doc.get("topic_ids") or []))
                hits.append({"_index": index, "_id": doc_id, "_score": score, "_source": doc})
        hits.sort(key=lambda h: (-h["_score"], h["_id"]))
        size = body.get("size", 10)
        return 200, {
            "took": 1,
            "timed_out": False,
            "hits": {
                "total": {"value": len(hits), "relation": "eq"},
                "max_score": hits[0]["_score"] if hits else None,
                "hits": hits[:size],
            },
        }

    def _handler(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, payload = standin.handle(self.command, self.path, body)
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("X-Elastic-Product", "Elasticsearch")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _serve

            def log_message(self, *args):
                pass

        return Handler


class SilentServer:
    """Accepts connections and never answers: a cluster that hangs."""

    def __init__(self):
        import socket

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.connections = []
        self.running = True
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _accept(self):
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections.append(conn)

    def stop(self):
        self.running = False
        for conn in self.connections:
            conn.close()
        self.sock.close()


def closed_port_url() -> str:
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}"
