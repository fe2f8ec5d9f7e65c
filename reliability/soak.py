"""``make soak``: the site under 64 connections for 5 minutes while an editor changes content.

Steps (everything on 127.0.0.1, every child stopped at the end, whatever happens):

1. build a fresh corpus database (``generate_corpus`` + ``rebuild_recommendations``) on PostgreSQL
   when it is reachable (concurrent writers), else SQLite;
2. serve it with gunicorn (``bench/gunicorn.conf.py``, ``reliability.settings``: DEBUG off);
3. choose the plan over HTTP: probe articles, the churn set (articles found in the probes' related
   results, so those checks have teeth), churn listings (found in the probes' support results);
4. run, for ``--duration`` seconds: ``wrk`` on the stable mix (article bundles, lists, support with a
   reader context, related, article and section HTML pages; every answer must be 200) and a second
   ``wrk`` on the churn articles and listings (200 or 404); ``reliability.churn`` (the editor,
   until ``--duration`` minus a tail); ``reliability.checker`` (the reader who logs what it saw);
5. time the catch-up after the last edit (the related results and support results that must show
   it, and the database backend's tables), sample the workers' RSS, judge the checker's log
   (``reliability.verdict``) and print the figures; they are saved under ``var/reliability/``.

Exit status 1 when a 5xx, a wrong answer or a failed change was seen.
"""

from __future__ import annotations

import argparse
import datetime
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reliability.common import (  # noqa: E402
    ROOT,
    VAR,
    Server,
    background,
    base_env,
    build_corpus,
    free_port,
    get_json,
    http_get,
    loadavg,
    log,
    other_activity,
    parse_wrk,
    wrk_command,
)
from reliability.verdict import judge  # noqa: E402

CONTEXTS = [
    "country=DE&language=de",
    "country=GB&language=en",
    "country=US&language=en",
    "country=FR&language=fr",
]


def say(message: str) -> None:
    log(message, "soak")


def make_plan(port: int, churn_articles: int, churn_listings: int) -> dict:
    sections = get_json(port, "/api/v1/sections/")["results"]
    cards = []
    for offset in (0, 50, 100):
        cards += get_json(port, f"/api/v1/articles/?limit=50&offset={offset}")["results"]
    by_slug = {c["slug"]: c for c in cards}
    probes = cards[:8]
    probe_slugs = {p["slug"] for p in probes}
    churn: list[str] = []
    related_of: dict[str, str] = {}
    for probe in probes:
        for item in get_json(port, f"/api/v1/articles/{probe['slug']}/related/?limit=12")["results"]:
            slug = item["slug"]
            if slug not in probe_slugs and slug not in churn and len(churn) < churn_articles:
                churn.append(slug)
                related_of.setdefault(slug, probe["slug"])
    for card in cards[8:]:  # top up from the list if the related results were short
        if len(churn) >= churn_articles:
            break
        if card["slug"] not in churn and card["slug"] not in probe_slugs:
            churn.append(card["slug"])
    articles = []
    for slug in churn:
        card = by_slug.get(slug) or get_json(port, f"/api/v1/articles/{slug}/")
        related_path = (
            f"/api/v1/articles/{related_of[slug]}/related/?limit=12" if slug in related_of else None
        )
        articles.append(
            {"slug": slug, "id": card["id"], "url_path": card["url_path"], "related_path": related_path}
        )
    support_paths, listings, listing_path = [], [], {}
    for probe, context in zip(probes[:4], CONTEXTS, strict=True):
        path = f"/api/v1/articles/{probe['slug']}/support/?{context}&count=12"
        support_paths.append(path)
        for item in get_json(port, path)["results"][:4]:
            if item["slug"] not in listings and len(listings) < churn_listings:
                listings.append(item["slug"])
                listing_path.setdefault(item["slug"], path)
    catchup_article = next(slug for slug in churn if slug in related_of)
    return {
        "sections": [{"slug": s["slug"], "url_path": s["url_path"]} for s in sections],
        "probe_articles": [{"slug": p["slug"], "url_path": p["url_path"]} for p in probes],
        "articles": articles,
        "listings": listings,
        "support_paths": support_paths,
        "listing_support_path": listing_path,
        "stable_cards": [c for c in cards if c["slug"] not in churn][:40],
        "catchup": {
            "article": catchup_article,
            "related_path": f"/api/v1/articles/{related_of[catchup_article]}/related/?limit=12",
            "listing": listings[0],
            "support_path": listing_path[listings[0]],
        },
    }


def wrk_files(plan: dict, workdir: Path) -> tuple[Path, Path]:
    """The stable mix (every answer must be 200) and the churn mix (200 or 404)."""
    cards = plan["stable_cards"]
    stable = [
        "/",
        "/api/v1/articles/",
        "/api/v1/articles/?limit=50",
        "/api/v1/listings/",
        "/api/v1/sections/",
    ]
    for i, card in enumerate(cards[:20]):
        stable.append(f"/api/v1/articles/{card['slug']}/")
        stable.append(card["url_path"])
        stable.append(f"/api/v1/articles/{card['slug']}/support/?{CONTEXTS[i % len(CONTEXTS)]}")
        if i < 10:
            stable.append(f"/api/v1/articles/{card['slug']}/related/")
    for section in plan["sections"]:
        stable.append(section["url_path"])
        stable.append(f"/api/v1/articles/?section={section['slug']}")
    churn = []
    for article in plan["articles"]:
        churn += [f"/api/v1/articles/{article['slug']}/", article["url_path"]]
    churn += [f"/api/v1/listings/{slug}/" for slug in plan["listings"]]
    stable_file, churn_file = workdir / "wrk-stable.txt", workdir / "wrk-churn.txt"
    stable_file.write_text("\n".join(stable) + "\n")
    churn_file.write_text("\n".join(churn) + "\n")
    return stable_file, churn_file


def check_paths(port: int, path_file: Path, allowed: set[int]) -> list[str]:
    bad = []
    for path in path_file.read_text().split():
        status = http_get(port, path)[0]
        if status not in allowed:
            bad.append(f"{path} → {status}")
    return bad


def churn_report(log_path: Path) -> dict:
    for line in log_path.read_text(errors="replace").splitlines():
        if line.startswith("CHURN_JSON "):
            return json.loads(line[len("CHURN_JSON ") :])
    return {"errors": ["the churn process printed no report; see " + str(log_path)]}


def run(args) -> dict:
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
    workdir = VAR / f"soak-{stamp}"
    workdir.mkdir(parents=True, exist_ok=True)
    say(f"working directory {workdir.relative_to(ROOT)}; load average {loadavg()}")
    before = other_activity()
    db_url, engine = build_corpus("reliability_soak", args.articles, args.listings, args.seed, args.db)
    port = free_port(args.port)
    result: dict = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "database": engine,
        "corpus": {"articles": args.articles, "listings": args.listings, "seed": args.seed},
        "duration_s": args.duration,
        "connections": args.connections,
        "workers": args.workers,
        "other_processes_at_start": before,
    }
    with Server(db_url, port, args.workers, log_path=workdir / "gunicorn.log") as server:
        plan = make_plan(port, args.churn_articles, args.churn_listings)
        (workdir / "plan.json").write_text(json.dumps(plan, indent=1))
        stable_file, churn_file = wrk_files(plan, workdir)
        bad = check_paths(port, stable_file, {200}) + check_paths(port, churn_file, {200})
        if bad:
            raise SystemExit("before the run, these paths did not answer 200:\n" + "\n".join(bad))
        churn_conns = max(2, args.connections // 8)
        stable_conns = args.connections - churn_conns
        tail = min(60.0, max(15.0, args.duration * 0.2))
        events, observations = workdir / "events.jsonl", workdir / "observations.jsonl"
        env = base_env(db_url)
        py = sys.executable
        say(
            f"load: wrk {stable_conns}+{churn_conns} connections for {args.duration:.0f} s; "
            f"editor for {args.duration - tail:.0f} s; {args.workers} gunicorn workers on port {port}"
        )
        started = time.monotonic()
        wrk_stable = subprocess.Popen(
            wrk_command(port, stable_file, args.duration, stable_conns), stdout=subprocess.PIPE, text=True
        )
        wrk_churn = subprocess.Popen(
            wrk_command(port, churn_file, args.duration, churn_conns, threads=1),
            stdout=subprocess.PIPE,
            text=True,
        )
        rss_samples = []
        with (
            background(
                [
                    py,
                    "-m",
                    "reliability.checker",
                    "--plan",
                    str(workdir / "plan.json"),
                    "--port",
                    str(port),
                    "--out",
                    str(observations),
                    "--duration",
                    str(args.duration - 3),
                    "--threads",
                    str(args.checker_threads),
                    "--events",
                    str(events),
                ],
                env,
                workdir / "checker.log",
            ),
            background(
                [
                    py,
                    "-m",
                    "reliability.churn",
                    "--plan",
                    str(workdir / "plan.json"),
                    "--events",
                    str(events),
                    "--duration",
                    str(args.duration - tail),
                    "--pause",
                    str(args.pause),
                    "--port",
                    str(port),
                ],
                env,
                workdir / "churn.log",
            ) as churn,
        ):
            time.sleep(min(10, args.duration / 10))
            rss_samples.append((round(time.monotonic() - started), server.worker_rss_mb()))
            start_pids = sorted(server.worker_pids())
            next_sample = time.monotonic() + 30
            churn_deadline = started + args.duration + 150
            while churn.poll() is None and time.monotonic() < churn_deadline:
                if time.monotonic() >= next_sample:
                    rss_samples.append((round(time.monotonic() - started), server.worker_rss_mb()))
                    next_sample += 30
                time.sleep(0.5)
            churn_result = churn_report(workdir / "churn.log")
            catchup = churn_result.get("catchup")
            while time.monotonic() < started + args.duration - 3:
                if time.monotonic() >= next_sample:
                    rss_samples.append((round(time.monotonic() - started), server.worker_rss_mb()))
                    next_sample += 30
                time.sleep(0.5)
            rss_samples.append((round(time.monotonic() - started), server.worker_rss_mb()))
            end_pids = sorted(server.worker_pids())
        stable_out = parse_wrk(wrk_stable.communicate(timeout=120)[0])
        churn_out = parse_wrk(wrk_churn.communicate(timeout=120)[0])
        result["loadavg_end"] = loadavg()
    result["other_processes_at_end"] = other_activity()
    event_list = [json.loads(line) for line in events.read_text().splitlines()] if events.exists() else []
    obs_list = (
        [json.loads(line) for line in observations.read_text().splitlines()] if observations.exists() else []
    )
    verdict = judge(event_list, obs_list)
    wrk_5xx = sum(
        n for out in (stable_out, churn_out) for code, n in out["statuses"].items() if code.startswith("5")
    )
    stable_not_200 = sum(n for code, n in stable_out["statuses"].items() if code != "200")
    churn_unexpected = sum(n for code, n in churn_out["statuses"].items() if code not in ("200", "404"))
    result.update(
        {
            "wrk_stable": stable_out,
            "wrk_churn": churn_out,
            "requests_total": stable_out["requests"] + churn_out["requests"] + verdict["requests"],
            "rps": round(stable_out["rps"] + churn_out["rps"], 1),
            "http_5xx": wrk_5xx + verdict["server_errors"],
            "stable_not_200": stable_not_200,
            "churn_unexpected_status": churn_unexpected,
            "socket_errors": {
                k: stable_out["errors"][k] + churn_out["errors"][k] for k in stable_out["errors"]
            },
            "checker": verdict,
            "changes": churn_result.get("changes"),
            "change_errors": churn_result.get("errors"),
            "catchup": catchup,
            "rss_mb": rss_samples,
            "worker_pids": {"start": start_pids, "end": end_pids},
            "workdir": str(workdir.relative_to(ROOT)),
        }
    )
    (workdir / "result.json").write_text(json.dumps(result, indent=1))
    (VAR / "soak-latest.json").write_text(json.dumps(result, indent=1))
    return result


def summary(r: dict) -> str:
    rss_start, rss_end = r["rss_mb"][0][1], r["rss_mb"][-1][1]
    c, lat = r["checker"], r["wrk_stable"]["latency_ms"]
    return "\n".join(
        [
            f"soak on {r['database']}: {r['duration_s']:.0f} s, {r['connections']} connections,"
            f" {r['workers']} workers",
            f"  requests: {r['requests_total']} ({r['rps']} req/s from wrk;"
            f" stable mix p50 {lat['p50']:.0f} ms, p99 {lat['p99']:.0f} ms)",
            f"  5xx: {r['http_5xx']}   stable mix not 200: {r['stable_not_200']}"
            f"   churn mix not 200/404: {r['churn_unexpected_status']}   socket errors: {r['socket_errors']}",
            f"  checker: {c['requests']} requests, {c['claims_checked']} claims checked,"
            f" {c['claims_ambiguous']} ambiguous,"
            f" wrong answers {c['wrong_answers']} {c['wrong_by_kind'] or ''}",
            f"  changes: {r['changes']}  failed changes: {len(r['change_errors'] or [])}",
            f"  worker RSS MB start {rss_start} end {rss_end}"
            f" (pids {r['worker_pids']['start']} -> {r['worker_pids']['end']})",
            f"  catch-up: {json.dumps(r['catchup'])}",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Soak run: load, an editor and a checker at the same time.")
    parser.add_argument("--duration", type=float, default=300, help="Seconds of load (default 300).")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (default 4).")
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--listings", type=int, default=150)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", choices=("auto", "postgres", "sqlite"), default="auto")
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument("--pause", type=float, default=0.5, help="Seconds between the editor's changes.")
    parser.add_argument(
        "--checker-threads", type=int, default=16, help="Checker connections (besides wrk's)."
    )
    parser.add_argument("--churn-articles", type=int, default=12)
    parser.add_argument("--churn-listings", type=int, default=8)
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the clean-ups on `kill`
    if args.duration < 30:
        parser.error("--duration must be at least 30 seconds")
    result = run(args)
    print(summary(result))
    failed = result["http_5xx"] or result["checker"]["wrong_answers"] or result["change_errors"]
    failed = failed or result["stable_not_200"] or result["churn_unexpected_status"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
