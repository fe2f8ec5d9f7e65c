"""The reader who checks answers during the soak: polls the server and logs what it was shown.

Run as ``python -m reliability.checker --plan plan.json --port P --out observations.jsonl --duration S``.
Plain HTTP, no Django. A few threads pick probes at random from the plan and write one JSON line
per request: ``t0`` (sent), ``t1`` (answer read), ``probe``, ``status`` and ``claims`` about churn
articles and listings (what ``reliability.verdict`` judges afterwards):

- the API bundle and HTML page of each churn article: visible or not (404), and the revision number
  in its title (the editor writes ``(rev N)`` into titles);
- bundles, ``related/`` and section lists of other articles, the section HTML pages: any churn
  article they link to (its ``url_path``) is a claim that it is visible;
- ``support/`` results of probe articles and listing detail requests: churn listings shown or 404.

With ``--events`` it also tails the editor's log and probes each changed entity right after the
change (its bundle and page, the related results it was found in; a listing's detail and support).
"""

from __future__ import annotations

import argparse
import http.client
import json
import queue
import random
import re
import sys
import threading
import time
from pathlib import Path

REV = re.compile(r"\(rev (\d+)\)")
TITLE_HTML = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)
URL_PATH_JSON = re.compile(r'"url_path":\s*"([^"]+)"')
HREF = re.compile(r'href="([^"]+)"')


def revision_of(title: str) -> int:
    match = REV.search(title)
    return int(match.group(1)) if match else 0


def linked_churn(paths: set[str], churn_by_path: dict[str, str], own: str | None = None) -> list[dict]:
    """Claims that the churn articles whose ``url_path`` is among ``paths`` are visible."""
    return [
        {"entity": f"article:{slug}", "visible": True}
        for path, slug in churn_by_path.items()
        if path in paths and slug != own
    ]


def claims_for(
    probe: dict, status: int, body: bytes, churn_by_path: dict[str, str], churn_listings: set[str]
):
    """What a response says about churn entities (see the module docstring)."""
    kind = probe["kind"]
    text = body.decode("utf-8", errors="replace")
    claims: list[dict] = []
    if kind in ("article_api", "article_html"):
        slug = probe["slug"]
        if status == 404:
            return [{"entity": f"article:{slug}", "visible": False}]
        if status != 200:
            return []
        if kind == "article_api":
            data = json.loads(text)
            title = data["title"]
            paths = set(URL_PATH_JSON.findall(text))
        else:
            match = TITLE_HTML.search(text)
            title = match.group(1) if match else ""
            paths = set(HREF.findall(text))
        own = probe.get("churn") and slug
        if probe.get("churn"):
            claims.append({"entity": f"article:{slug}", "visible": True, "rev": revision_of(title)})
        return claims + linked_churn(paths, churn_by_path, own)
    if status != 200:
        if kind == "listing_api" and status == 404:
            return [{"entity": f"listing:{probe['slug']}", "visible": False}]
        return []
    if kind in ("related", "article_list"):
        return linked_churn(set(URL_PATH_JSON.findall(text)), churn_by_path)
    if kind == "section_html":
        return linked_churn(set(HREF.findall(text)), churn_by_path)
    if kind == "support":
        shown = {r.get("slug") for r in json.loads(text).get("results", [])}
        return [{"entity": f"listing:{s}", "visible": True} for s in sorted(shown & churn_listings)]
    if kind == "listing_api":
        return [{"entity": f"listing:{probe['slug']}", "visible": True}]
    return claims


def probes_from_plan(plan: dict) -> list[dict]:
    probes = []
    for article in plan["articles"]:
        probes.append(
            {
                "kind": "article_api",
                "slug": article["slug"],
                "churn": True,
                "path": f"/api/v1/articles/{article['slug']}/",
            }
        )
        probes.append(
            {"kind": "article_html", "slug": article["slug"], "churn": True, "path": article["url_path"]}
        )
    for article in plan["probe_articles"]:
        probes.append(
            {"kind": "article_api", "slug": article["slug"], "path": f"/api/v1/articles/{article['slug']}/"}
        )
        probes.append({"kind": "related", "path": f"/api/v1/articles/{article['slug']}/related/?limit=12"})
    for section in plan["sections"]:
        probes.append(
            {"kind": "article_list", "path": f"/api/v1/articles/?section={section['slug']}&limit=50"}
        )
        probes.append({"kind": "section_html", "path": section["url_path"]})
    for path in plan["support_paths"]:
        probes.append({"kind": "support", "path": path})
    for slug in plan["listings"]:
        probes.append({"kind": "listing_api", "slug": slug, "path": f"/api/v1/listings/{slug}/"})
    return probes


class Checker:
    def __init__(self, plan: dict, port: int, out: Path, seed: int):
        self.port = port
        self.probes = probes_from_plan(plan)
        self.churn_by_path = {a["url_path"]: a["slug"] for a in plan["articles"]}
        self.churn_listings = set(plan["listings"])
        self.out = open(out, "a", buffering=1)  # noqa: SIM115 (closed in run())
        self.lock = threading.Lock()
        self.seed = seed
        self.targeted: queue.Queue[dict] = queue.Queue()
        self.by_entity: dict[str, list[dict]] = {}
        for probe in self.probes:
            if probe["kind"] in ("article_api", "article_html") and probe.get("churn"):
                self.by_entity.setdefault(f"article:{probe['slug']}", []).append(probe)
            elif probe["kind"] == "listing_api":
                self.by_entity.setdefault(f"listing:{probe['slug']}", []).append(probe)
        for article in plan["articles"]:
            for probe in self.probes:
                if probe["kind"] == "related" and probe["path"] == article.get("related_path"):
                    self.by_entity[f"article:{article['slug']}"].append(probe)
        for slug, path in plan.get("listing_support_path", {}).items():
            self.by_entity.setdefault(f"listing:{slug}", []).append({"kind": "support", "path": path})

    def request(self, conn: http.client.HTTPConnection, probe: dict) -> dict:
        t0 = time.time()
        try:
            conn.request("GET", probe["path"])
            response = conn.getresponse()
            body = response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as e:
            conn.close()
            return {
                "t0": t0,
                "t1": time.time(),
                "probe": probe["path"],
                "status": f"error:{type(e).__name__}",
                "claims": [],
            }
        t1 = time.time()
        try:
            claims = claims_for(probe, status, body, self.churn_by_path, self.churn_listings)
        except (ValueError, KeyError) as e:
            claims = []
            status = f"unparsable:{status}:{type(e).__name__}"
        return {"t0": t0, "t1": t1, "probe": probe["path"], "status": status, "claims": claims}

    def worker(self, index: int, deadline: float) -> None:
        rng = random.Random(self.seed * 100 + index)
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=90)
        while time.monotonic() < deadline:
            try:
                probe = self.targeted.get_nowait()
            except queue.Empty:
                probe = rng.choice(self.probes)
            record = self.request(conn, probe)
            with self.lock:
                self.out.write(json.dumps(record) + "\n")

    def follow(self, events: Path, deadline: float) -> None:
        """Tails the editor's log: right after each change, probe the entity it changed.

        Requests sent just after a commit are where a stale answer would show, so they are queued
        ahead of the random probes.
        """
        position = 0
        while time.monotonic() < deadline:
            if events.exists():
                with open(events) as fh:
                    fh.seek(position)
                    lines = fh.readlines()
                    position = fh.tell()
                for line in lines:
                    if not line.endswith("\n"):
                        position -= len(line.encode())
                        break
                    entity = json.loads(line)["entity"]
                    for probe in self.by_entity.get(entity, ()):
                        self.targeted.put(probe)
            time.sleep(0.1)

    def run(self, duration: float, threads: int, events: Path | None = None) -> None:
        deadline = time.monotonic() + duration
        workers = [threading.Thread(target=self.worker, args=(i, deadline)) for i in range(threads)]
        if events is not None:
            workers.append(threading.Thread(target=self.follow, args=(events, deadline), daemon=True))
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        self.out.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--plan", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--duration", type=float, required=True)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--events", type=Path, help="The editor's log, to probe each change right after it.")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args(argv)
    Checker(json.loads(args.plan.read_text()), args.port, args.out, args.seed).run(
        args.duration, args.threads
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
