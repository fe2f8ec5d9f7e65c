"""The editor of the soak run: publishes, unpublishes and edits articles, edits and (de)activates listings.

Run as ``python -m reliability.churn --plan plan.json --events events.jsonl --duration S`` with
``DJANGO_SETTINGS_MODULE`` and ``DATABASE_URL`` set. It works only on the articles and listings the
plan names (the "churn set"), one change at a time, and writes one JSON line per change::

    {"entity": "article:<slug>", "action": "unpublish", "t_start": …, "t_commit": …, "t_done": …,
     "state": {"live": false, "rev": 3}}

``t_start`` is taken before the change begins, ``t_commit`` by an on-commit callback registered
before any other (so it runs first after the commit, before the recommendation tasks), ``t_done``
when everything the change triggered has returned. ``state`` is what a reader must see once the
change has committed. Times are ``time.time()`` (one clock for every process on the machine).

At the end every churn article is published again and every listing reactivated, then it times how
long the database backend's precomputed tables take to be current (``drift()`` empty) after the last
change, and prints ``CHURN_JSON {...}`` with the counts.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

import django


def now() -> float:
    return time.time()


class Churn:
    def __init__(self, plan: dict, events_path: Path, seed: int):
        from articles.models import ArticlePage
        from experts.models import Listing

        self.ArticlePage, self.Listing = ArticlePage, Listing
        self.rng = random.Random(seed)
        self.events = open(events_path, "a", buffering=1)  # noqa: SIM115 (closed in close())
        self.articles = {a["slug"]: {"pk": a["id"], "live": True, "rev": 0} for a in plan["articles"]}
        self.listings = {slug: {"active": True, "edits": 0} for slug in plan["listings"]}
        self.counts: dict[str, int] = {}

    def close(self) -> None:
        self.events.close()

    def _record(self, entity: str, action: str, state: dict, change) -> None:
        from django.db import transaction

        marks: dict[str, float] = {}
        t_start = now()
        with transaction.atomic():
            transaction.on_commit(lambda: marks.setdefault("t_commit", now()))
            change()
        t_done = now()
        event = {
            "entity": entity,
            "action": action,
            "t_start": t_start,
            "t_commit": marks.get("t_commit", t_done),
            "t_done": t_done,
            "state": state,
        }
        self.events.write(json.dumps(event) + "\n")
        self.counts[action] = self.counts.get(action, 0) + 1
        self.last_event = event

    # --- Articles ---------------------------------------------------------------------------------

    def _page(self, slug: str):
        return self.ArticlePage.objects.get(pk=self.articles[slug]["pk"])

    def unpublish(self, slug: str) -> None:
        page = self._page(slug)
        self._record(f"article:{slug}", "unpublish", {"live": False}, lambda: page.unpublish(user=None))
        self.articles[slug]["live"] = False

    def publish(self, slug: str) -> None:
        page = self._page(slug)
        state = self.articles[slug]
        self._record(
            f"article:{slug}",
            "publish",
            {"live": True, "rev": state["rev"]},
            lambda: page.save_revision().publish(),
        )
        state["live"] = True

    def edit(self, slug: str) -> None:
        page = self._page(slug)
        state = self.articles[slug]
        rev = state["rev"] + 1
        base = page.title.split(" (rev ")[0]
        page.title = f"{base} (rev {rev})"
        self._record(
            f"article:{slug}", "edit", {"live": True, "rev": rev}, lambda: page.save_revision().publish()
        )
        state["rev"] = rev

    # --- Listings ---------------------------------------------------------------------------------

    def _save_listing(self, slug: str, **fields) -> None:
        listing = self.Listing.objects.get(slug=slug)
        for name, value in fields.items():
            setattr(listing, name, value)
        listing.save()

    def edit_listing(self, slug: str) -> None:
        state = self.listings[slug]
        state["edits"] += 1
        summary = f"Soak edit {state['edits']}: sessions in person and online."
        self._record(
            f"listing:{slug}",
            "edit_listing",
            {"active": state["active"]},
            lambda: self._save_listing(slug, summary=summary),
        )

    def set_active(self, slug: str, active: bool) -> None:
        self._record(
            f"listing:{slug}",
            "reactivate" if active else "deactivate",
            {"active": active},
            lambda: self._save_listing(slug, is_active=active),
        )
        self.listings[slug]["active"] = active

    # --- Loop ---------------------------------------------------------------------------------------

    def step(self) -> None:
        live = [s for s, a in self.articles.items() if a["live"]]
        down = [s for s, a in self.articles.items() if not a["live"]]
        active = [s for s, v in self.listings.items() if v["active"]]
        inactive = [s for s, v in self.listings.items() if not v["active"]]
        choices = []
        if len(live) > len(self.articles) // 2:
            choices += [("unpublish", live)] * 3
        if down:
            choices += [("publish", down)] * 3
        if live:
            choices += [("edit", live)] * 2
        if active:
            choices += [("edit_listing", active)]
            if len(active) > len(self.listings) // 2:
                choices += [("deactivate", active)] * 2
        if inactive:
            choices += [("reactivate", inactive)] * 2
        action, pool = self.rng.choice(choices)
        slug = self.rng.choice(sorted(pool))
        if action == "deactivate":
            self.set_active(slug, False)
        elif action == "reactivate":
            self.set_active(slug, True)
        else:
            getattr(self, action)(slug)

    def restore(self, catchup: dict) -> None:
        """Everything published and active again, then the two changes whose catch-up is timed.

        The plan's catch-up listing is deactivated and reactivated (readers must find it in support
        results again), then the catch-up article is edited: the last change of the run (readers
        must see its new title in another article's related results).
        """
        for slug, state in self.listings.items():
            if not state["active"]:
                self.set_active(slug, True)
        for slug, state in self.articles.items():
            if not state["live"]:
                self.publish(slug)
        self.set_active(catchup["listing"], False)
        self.set_active(catchup["listing"], True)
        self.last_listing_event = self.last_event
        self.edit(catchup["article"])


def http_catchup(port: int, path: str, pattern: str, since: float, timeout: float = 90) -> dict:
    """Polls ``path`` from the moment of the change: when did the first request show ``pattern``?

    ``seconds_after_commit`` is when that request was *sent*, relative to the commit; ``misses``
    counts requests sent after the commit that still did not show it (0: caught up at once).
    """
    import http.client
    import re

    rx = re.compile(pattern)
    misses = 0
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sent = now()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            status, body = response.status, response.read().decode("utf-8", errors="replace")
        except (OSError, http.client.HTTPException):
            status, body = 0, ""
        finally:
            conn.close()
        if status == 200 and rx.search(body):
            return {
                "path": path,
                "seconds_after_commit": round(sent - since, 3),
                "answered_after_s": round(now() - since, 3),
                "misses": misses,
            }
        misses += 1
        time.sleep(0.05)
    return {"path": path, "seconds_after_commit": None, "misses": misses}


def catchup_all(port: int, plan: dict, last: dict, last_listing: dict) -> dict:
    """The three reader-side catch-up probes, polled at the same time from the last changes' commits."""
    import re
    from concurrent.futures import ThreadPoolExecutor

    rev = last["state"]["rev"]
    listing = re.escape(plan["catchup"]["listing"])
    jobs = {
        "related_shows_last_edit": (plan["catchup"]["related_path"], rf"\(rev {rev}\)", last["t_commit"]),
        "bundle_shows_last_edit": (
            f"/api/v1/articles/{plan['catchup']['article']}/",
            rf"\(rev {rev}\)",
            last["t_commit"],
        ),
        "support_shows_reactivated_listing": (
            plan["catchup"]["support_path"],
            rf'"slug":\s*"{listing}"',
            last_listing["t_commit"],
        ),
    }
    with ThreadPoolExecutor(len(jobs)) as pool:
        futures = {name: pool.submit(http_catchup, port, *job) for name, job in jobs.items()}
        return {name: f.result() for name, f in futures.items()}


def tables_current_after(last: dict, timeout: float) -> dict:
    """Seconds from the last change's commit until the database backend reports no drift."""
    from recommendations.backends import get_backend

    backend = get_backend("database")
    deadline = time.monotonic() + timeout
    polls = 0
    while True:
        polls += 1
        began = now()
        drift = backend.store.drift()
        checked = now()
        if not any(drift.values()):
            return {
                "check_began_after_commit_s": round(began - last["t_commit"], 3),
                "check_ended_after_commit_s": round(checked - last["t_commit"], 3),
                "polls": polls,
                "entity": last["entity"],
            }
        if time.monotonic() > deadline:
            return {
                "seconds_after_commit": None,
                "polls": polls,
                "drift": {k: v[:10] for k, v in drift.items()},
            }
        time.sleep(0.2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--plan", type=Path, required=True)
    parser.add_argument("--events", type=Path, required=True)
    parser.add_argument("--duration", type=float, required=True, help="Seconds of changes.")
    parser.add_argument("--pause", type=float, default=0.5, help="Seconds between changes.")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--port", type=int, default=0, help="Server port for the reader-side catch-up probes."
    )
    args = parser.parse_args(argv)
    django.setup()
    churn = Churn(json.loads(args.plan.read_text()), args.events, args.seed)
    started = time.monotonic()
    errors = []
    try:
        while time.monotonic() - started < args.duration:
            try:
                churn.step()
            except Exception as e:  # counted and reported: an editor's change that failed
                errors.append(repr(e)[:300])
                print(f"churn step failed: {e!r}", file=sys.stderr, flush=True)
            time.sleep(args.pause)
        plan = json.loads(args.plan.read_text())
        churn.restore(plan["catchup"])
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(1) as pool:
            readers = (
                pool.submit(catchup_all, args.port, plan, churn.last_event, churn.last_listing_event)
                if args.port
                else None
            )
            catch_up = {"tables": tables_current_after(churn.last_event, timeout=120)}
            if readers is not None:
                catch_up.update(readers.result())
    finally:
        churn.close()
    report = {
        "changes": churn.counts,
        "errors": errors,
        "last_change": churn.last_event,
        "last_listing_change": churn.last_listing_event,
        "catchup": catch_up,
    }
    print("CHURN_JSON " + json.dumps(report), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
