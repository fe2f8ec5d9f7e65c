"""``make bench``: serve the corpus with gunicorn, drive it with wrk, write docs/benchmarks.md and a chart.

Steps for each database asked for (SQLite, PostgreSQL or both):

1. install what is missing (the ``bench`` extra into the virtualenv, ``wrk`` from Debian);
2. build the corpus database once per size, seed and schema (SQLite file cached under ``var/bench/``,
   PostgreSQL database ``bench_<size>``), then ``rebuild_recommendations`` when that command exists;
3. in-process (``bench.measure``): choose the request paths and count queries per request;
4. start gunicorn (``bench/gunicorn.conf.py``, ``website.settings.bench``) on 127.0.0.1 and, for each
   endpoint, check one request, warm up, then run ``wrk --latency`` at fixed concurrency for a fixed
   time with ``bench/wrk/rotate.lua``; read the workers' peak RSS from ``/proc``;
5. save the figures (``docs/benchmarks.json``, merged with earlier runs of other sizes/databases) and
   rewrite the generated part of ``docs/benchmarks.md`` and ``docs/benchmarks.png``.

Endpoints that do not exist yet (404) are skipped with a message, not failed.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import hashlib
import http.client
import json
import os
import platform
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.report import render_chart, render_markdown  # noqa: E402

SIZES = {"small": (1000, 500), "medium": (10000, 5000)}
VAR = ROOT / "var" / "bench"
RESULTS = ROOT / "docs" / "benchmarks.json"
DOC = ROOT / "docs" / "benchmarks.md"
CHART = ROOT / "docs" / "benchmarks.png"
LUA = ROOT / "bench" / "wrk" / "rotate.lua"
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/13"
# The engine backend's server keeps its own shared response cache: both servers answer the same URLs
# for the same content, so with one cache the engine twin of an endpoint would be served the
# database server's cached answers.
ENGINE_REDIS_URL = "redis://127.0.0.1:6379/14"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- Tools ------------------------------------------------------------------------------------------


def ensure_tools(skip_install: bool) -> None:
    missing = []
    for module in ("gunicorn", "matplotlib"):
        try:
            __import__(module)
        except ImportError:
            missing.append(module)
    if missing:
        if skip_install:
            raise SystemExit(f"Missing Python packages {missing}: run `pip install -e '.[bench]'`.")
        log(f"installing the bench extra ({', '.join(missing)} missing)")
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[bench]"], check=True
        )
    if shutil.which("wrk") is None:
        if skip_install:
            raise SystemExit("wrk is missing: `apt-get install -y wrk`.")
        log("installing wrk from Debian")
        prefix = [] if os.geteuid() == 0 else ["sudo", "-n"]
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        if subprocess.run([*prefix, "apt-get", "install", "-y", "wrk"], env=env).returncode != 0:
            subprocess.run([*prefix, "apt-get", "update"], env=env, check=True)
            subprocess.run([*prefix, "apt-get", "install", "-y", "wrk"], env=env, check=True)


def redis_available() -> bool:
    try:
        import redis  # noqa: F401
    except ImportError:
        return False
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
        return True
    return False


def flush_redis(url: str = REDIS_URL) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


# --- Corpus databases ----------------------------------------------------------------------------------


def corpus_key(size: str, seed: int) -> str:
    """Changes when the corpus code or any migration changes, so a cached database is never stale."""
    digest = hashlib.sha256(f"{size}:{seed}:{SIZES[size]}".encode())
    skipped = {".venv", "var", "node_modules", "build", "dist"}  # copies (``pip wheel`` leaves build/)
    ours = [p for p in ROOT.glob("**/migrations/*.py") if not skipped & set(p.relative_to(ROOT).parts)]
    for path in sorted(ours) + [ROOT / "bench" / "corpus.py"]:
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


# The code that writes the recommendation tables (profiles and neighbours) a corpus stores: when it
# changes, a reused corpus gets its tables rebuilt, so that the benchmark never reads stale ones.
TABLE_SOURCES = (
    "recommendations/profiles.py",
    "recommendations/text.py",
    "recommendations/scoring.py",
    "recommendations/concepts.py",
    "recommendations/formats.py",
    "recommendations/backends/database.py",
    "articles/text.py",
)


def tables_key() -> str:
    digest = hashlib.sha256()
    for name in TABLE_SOURCES:
        digest.update(name.encode())
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()[:16]


def refresh_tables(db_url: str, meta: dict, index: bool) -> bool:
    """Rebuilds a reused corpus's recommendation tables when the code that writes them changed
    since they were built (``meta["tables_key"]``); True when it did."""
    if not index or meta.get("tables_key") == tables_key():
        return False
    log("the recommendation code changed since these tables were built: rebuild_recommendations")
    meta["rebuild_recommendations_s"] = round(manage(db_url, "rebuild_recommendations"), 1)
    meta["tables_key"] = tables_key()
    return True


def manage(db_url: str, *args: str, settings: str = "website.settings.bench", **extra_env: str) -> float:
    started = time.monotonic()
    env = {**os.environ, "DATABASE_URL": db_url, "DJANGO_SETTINGS_MODULE": settings, **extra_env}
    env.pop("REDIS_URL", None)
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, check=True)
    return time.monotonic() - started


def has_command(db_url: str, name: str) -> bool:
    env = {**os.environ, "DATABASE_URL": db_url, "DJANGO_SETTINGS_MODULE": "website.settings.bench"}
    out = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "help", "--commands"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return name in out.stdout.split()


def build_corpus(db_url: str, size: str, seed: int, index: bool = True) -> dict:
    articles, listings = SIZES[size]
    log(f"building the {size} corpus ({articles} articles, {listings} listings, seed {seed})")
    timings = {"migrate_s": round(manage(db_url, "migrate", "--noinput", "-v0"), 1)}
    timings["generate_s"] = round(
        manage(
            db_url,
            "generate_corpus",
            "--articles",
            str(articles),
            "--listings",
            str(listings),
            "--seed",
            str(seed),
        ),
        1,
    )
    if not index:
        timings["recommendations_index"] = "not built (--skip-recommendations-index)"
    elif has_command(db_url, "rebuild_recommendations"):
        log("rebuild_recommendations")
        timings["rebuild_recommendations_s"] = round(manage(db_url, "rebuild_recommendations"), 1)
        timings["tables_key"] = tables_key()
    # Reader search on the database reads Wagtail's search index, which the generator does not fill.
    log("update_index (Wagtail's database search index, read by reader search)")
    timings["update_index_s"] = round(manage(db_url, "update_index", "-v0"), 1)
    return timings


def prepare_sqlite(size: str, seed: int, rebuild: bool, index: bool = True) -> tuple[str, dict]:
    VAR.mkdir(parents=True, exist_ok=True)
    key = corpus_key(size, seed)
    variant = "" if index else "-noindex"
    path = VAR / f"corpus-{size}-seed{seed}-{key}{variant}.sqlite3"
    meta_path = path.with_suffix(".json")
    if path.exists() and meta_path.exists() and not rebuild:
        log(f"reusing {path.relative_to(ROOT)}")
        manage(f"sqlite:///{path}", "migrate", "--noinput", "-v0")  # migrations added since it was built
        meta = json.loads(meta_path.read_text())
        if refresh_tables(f"sqlite:///{path}", meta, index):
            meta_path.write_text(json.dumps(meta))
        return f"sqlite:///{path}", meta
    for old in VAR.glob(f"corpus-{size}-seed{seed}-*"):
        if old.name.removesuffix(old.suffix).endswith("-noindex") == (not index):
            old.unlink()
    building = VAR / f"building-{size}-{seed}{variant}.sqlite3"
    for leftover in VAR.glob(f"{building.name}*"):
        leftover.unlink()
    meta = build_corpus(f"sqlite:///{building}", size, seed, index)
    with contextlib.closing(sqlite3.connect(building)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    building.rename(path)
    for suffix in ("-wal", "-shm"):
        Path(f"{building}{suffix}").unlink(missing_ok=True)
    meta_path.write_text(json.dumps(meta))
    return f"sqlite:///{path}", meta


def prepare_postgres(size: str, seed: int, rebuild: bool, index: bool = True) -> tuple[str, dict]:
    import psycopg

    name = f"bench_{size}"
    key = corpus_key(size, seed)
    meta_path = VAR / f"postgres-{name}.json"
    VAR.mkdir(parents=True, exist_ok=True)
    with psycopg.connect(PG_ADMIN_URL.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None
        meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
        if exists and meta.get("key") == key and meta.get("seed") == seed and not rebuild:
            log(f"reusing PostgreSQL database {name}")
            db_url = f"postgres://postgres@127.0.0.1:5432/{name}"
            manage(db_url, "migrate", "--noinput", "-v0")
            if refresh_tables(db_url, meta, index):
                meta_path.write_text(json.dumps(meta))
            return db_url, meta
        if exists:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    db_url = f"postgres://postgres@127.0.0.1:5432/{name}"
    meta = {**build_corpus(db_url, size, seed, index), "key": key, "seed": seed}
    meta_path.write_text(json.dumps(meta))
    return db_url, meta


# --- Server and load ------------------------------------------------------------------------------------


def free_port(preferred: int) -> int:
    """``preferred`` if nothing listens there, else a free port the kernel picks."""
    for port in (preferred, 0):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise SystemExit("no free port on 127.0.0.1")


@contextlib.contextmanager
def gunicorn(
    db_url: str,
    port: int,
    workers: int,
    payload: Path,
    use_redis: bool,
    redis_url: str = REDIS_URL,
    **extra_env: str,
):
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "DJANGO_SETTINGS_MODULE": "website.settings.bench",
        "BENCH_PORT": str(port),
        "BENCH_WORKERS": str(workers),
        "BENCH_STATIC_PAYLOAD": str(payload),
        **extra_env,
    }
    env.pop("REDIS_URL", None)
    if use_redis:
        env["REDIS_URL"] = redis_url
        flush_redis(redis_url)
    log(f"starting gunicorn ({workers} sync workers) on 127.0.0.1:{port}")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            str(ROOT / "bench" / "gunicorn.conf.py"),
            "website.wsgi:application",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError):
                if http_get(port, "/bench/static/")[0] == 200 and len(worker_pids(process.pid)) >= workers:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("gunicorn did not start; see its log above.")
            time.sleep(0.3)
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def http_get(port: int, path: str, headers: dict | None = None) -> tuple[int, bytes, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read(), {k.lower(): v for k, v in response.getheaders()}
    finally:
        conn.close()


def worker_pids(master: int) -> list[int]:
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        return []
    return [int(pid) for pid in children]


def memory_kb(pid: int) -> dict:
    out = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(("VmHWM:", "VmRSS:")):
                key, value = line.split(":", 1)
                out[key] = int(value.split()[0])
    return out


def parse_wrk(output: str) -> dict:
    """The JSON line ``rotate.lua`` prints in ``done()``."""
    for line in output.splitlines():
        if line.startswith("BENCH_JSON "):
            return json.loads(line[len("BENCH_JSON ") :])
    raise ValueError("wrk printed no BENCH_JSON line:\n" + output)


def wrk(
    port: int, requests_file: Path, seconds: float, connections: int, threads: int, offset: int = 0
) -> dict:
    """Runs wrk; ``offset``: requests already sent from this file (rotate.lua goes on from there)."""
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--latency",
        "--timeout",
        "10s",
        "-s",
        str(LUA),
        f"http://127.0.0.1:{port}",
        "--",
        str(requests_file),
        str(offset),
        str(threads),
    ]
    out = subprocess.run(command, capture_output=True, text=True, check=True)
    return parse_wrk(out.stdout)


def drive(endpoint: dict, port: int, args, workdir: Path, sent: dict[str, int]) -> dict:
    """Check, warm up and load one endpoint; returns its figures (or why it was skipped).

    ``sent`` counts the requests sent so far per endpoint, over warm-ups and rounds: each wrk run
    starts where the last one stopped, so an endpoint with distinct URLs repeats none of them until
    its list is used up (``repeated_urls`` in the figures says when it was)."""
    if endpoint.get("skip"):
        return {"skipped": endpoint["skip"]}
    first = endpoint["paths"][0]
    status, body, headers = http_get(port, first)
    if status == 404:
        return {"skipped": f"{first} answered 404 (endpoint not available yet)"}
    if status != 200:
        return {"skipped": f"{first} answered {status}: {body[:200].decode(errors='replace')}"}
    lines = []
    if endpoint["etag_from_server"]:
        for path in endpoint["paths"]:
            _, _, h = http_get(port, path)
            if not h.get("etag"):
                return {"skipped": f"{path} sent no ETag"}
            lines.append(f"{path}\t{h['etag']}")
        conditional, _, _ = http_get(port, endpoint["paths"][0], {"If-None-Match": lines[0].split("\t")[1]})
        if conditional != 304:
            return {"skipped": f"If-None-Match with the ETag answered {conditional}, not 304"}
    else:
        lines = endpoint["paths"]
    requests_file = workdir / f"{endpoint['name']}.txt"
    requests_file.write_text("\n".join(lines) + "\n")
    name = endpoint["name"]
    # rotate.lua reports where the next run must start to repeat nothing (``next_offset``).
    warm = wrk(port, requests_file, args.warmup, args.connections, args.threads, sent.get(name, 0))
    sent[name] = warm.get("next_offset", sent.get(name, 0) + warm["requests"])
    load_before = os.getloadavg()[0]
    result = wrk(port, requests_file, args.duration, args.connections, args.threads, sent[name])
    sent[name] = result.get("next_offset", sent[name] + result["requests"])
    result["repeated_urls"] = sent[name] > len(lines)
    result["loadavg_1m"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    if result["requests"] == 0:
        return {"skipped": f"no request completed within {args.duration:g} s"}
    result["live_body_bytes"] = len(body)
    expected = str(endpoint["expect"])
    result["unexpected"] = sum(n for code, n in result["statuses"].items() if code != expected)
    return result


def median_of_rounds(runs: list[dict]) -> dict:
    """One endpoint's figures over several rounds: medians of latencies and req/s, sums of counts,
    and each round's own figures under ``rounds``. A skipped round makes the endpoint skipped."""
    skipped = [r for r in runs if "skipped" in r]
    if skipped or len(runs) == 1:
        return skipped[0] if skipped else runs[0]
    merged = dict(runs[-1])
    merged["latency_ms"] = {
        key: statistics.median(r["latency_ms"][key] for r in runs) for key in runs[0]["latency_ms"]
    }
    merged["rps"] = statistics.median(r["rps"] for r in runs)
    merged["requests"] = sum(r["requests"] for r in runs)
    merged["unexpected"] = sum(r["unexpected"] for r in runs)
    merged["repeated_urls"] = any(r.get("repeated_urls") for r in runs)
    statuses: dict[str, int] = {}
    for r in runs:
        for code, n in r["statuses"].items():
            statuses[code] = statuses.get(code, 0) + n
    merged["statuses"] = statuses
    merged["loadavg_1m"] = [value for r in runs for value in r["loadavg_1m"]]
    merged["rounds"] = [
        {"p50": r["latency_ms"]["p50"], "p95": r["latency_ms"]["p95"], "rps": r["rps"]} for r in runs
    ]
    return merged


# --- One run -------------------------------------------------------------------------------------------


# Endpoints measured again on a second server whose recommendations and reader search run on the
# engine (``--engine``), in the same rounds as the database ones, so the two are side by side.
ENGINE_ENDPOINTS = ("find_support", "related", "search")


def prepare_engine(db_url: str, db: str, size: str, args) -> dict[str, str]:
    """Starts the engine if it is ours and not running, fills this corpus's indexes; the server env."""
    from urllib.parse import urlparse

    port = urlparse(args.engine_url).port or 9200
    start = subprocess.run(
        [str(ROOT / "scripts" / "search-engine.sh"), "start"],
        env={**os.environ, "SEARCH_ENGINE_KIND": args.engine, "SEARCH_ENGINE_PORT": str(port)},
        cwd=ROOT,
    )
    if start.returncode != 0:
        raise SystemExit(f"{args.engine} did not start on {args.engine_url}")
    env = {
        "SEARCH_ENGINE_URL": args.engine_url,
        "SEARCH_ENGINE": args.engine,
        "SEARCH_INDEX_PREFIX": f"bench_{size}_{db}",
    }
    log(f"filling the {args.engine} indexes for {db}/{size} (prefix {env['SEARCH_INDEX_PREFIX']})")
    manage(db_url, "rebuild_recommendations", "--backend", "elasticsearch", **env)
    if has_command(db_url, "rebuild_search"):
        manage(db_url, "rebuild_search", **env)
    return env


def run_one(db: str, size: str, args, use_redis: bool) -> dict:
    prepare = prepare_sqlite if db == "sqlite" else prepare_postgres
    db_url, corpus_meta = prepare(size, args.seed, args.rebuild, not args.skip_recommendations_index)
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        workdir = Path(tmp)
        plan_path, payload = workdir / "plan.json", workdir / "payload.json"
        log("counting queries per request in-process")
        env = {**os.environ, "DATABASE_URL": db_url, "DJANGO_SETTINGS_MODULE": "website.settings.bench"}
        env.pop("REDIS_URL", None)
        subprocess.run(
            [sys.executable, "-m", "bench.measure", "--out", str(plan_path), "--payload", str(payload)],
            env=env,
            cwd=ROOT,
            check=True,
        )
        plan = json.loads(plan_path.read_text())
        if args.only:
            plan = [e for e in plan if e["name"] in args.only]
        results = []
        port = free_port(args.port)
        engine_env = prepare_engine(db_url, db, size, args) if args.engine != "none" else None
        with contextlib.ExitStack() as servers:
            server = servers.enter_context(gunicorn(db_url, port, args.workers, payload, use_redis))
            engine_server = None
            if engine_env:
                engine_port = free_port(0)
                engine_server = servers.enter_context(
                    gunicorn(
                        db_url, engine_port, args.workers, payload, use_redis, ENGINE_REDIS_URL, **engine_env
                    )
                )
                # Each engine twin right after its database endpoint, in every round.
                paired = []
                for e in plan:
                    paired.append(e)
                    if e["name"] in ENGINE_ENDPOINTS:
                        paired.append(
                            {
                                **e,
                                "name": f"{e['name']}_engine",
                                "label": f"{e['label']} — {args.engine}",
                                "queries": None,
                                "cpu_ms": None,
                                "note": f"the same requests, answered from {args.engine}",
                                "skip": "",
                                "engine_port": engine_port,
                            }
                        )
                plan = paired
            # Rounds are interleaved (every endpoint once, then again), so that a burst of load from
            # elsewhere on the machine lands on several endpoints' single rounds rather than on all
            # of one endpoint's; each figure is the median over the rounds.
            rounds: dict[str, list[dict]] = {e["name"]: [] for e in plan}
            sent: dict[str, int] = {}
            for number in range(1, args.rounds + 1):
                for endpoint in plan:
                    suffix = f" (round {number} of {args.rounds})" if args.rounds > 1 else ""
                    log(f"{db}/{size}: {endpoint['name']}{suffix}")
                    figures = drive(endpoint, endpoint.get("engine_port") or port, args, workdir, sent)
                    if "skipped" in figures:
                        log(f"  skipped: {figures['skipped']}")
                    else:
                        lat = figures["latency_ms"]
                        log(
                            f"  p50 {lat['p50']:.2f} ms  p95 {lat['p95']:.2f} ms  {figures['rps']:.0f} req/s"
                            f"  unexpected statuses {figures['unexpected']}"
                        )
                    answering = engine_server if endpoint.get("engine_port") else server
                    memory = [memory_kb(pid) for pid in worker_pids(answering.pid)]
                    figures["worker_rss_mb"] = [round(m.get("VmRSS", 0) / 1024, 1) for m in memory]
                    rounds[endpoint["name"]].append(figures)
            for endpoint in plan:
                figures = median_of_rounds(rounds[endpoint["name"]])
                results.append(
                    {
                        **{
                            k: endpoint[k]
                            for k in (
                                "name",
                                "label",
                                "group",
                                "queries",
                                "cpu_ms",
                                "status",
                                "body_bytes",
                                "note",
                                "expect",
                            )
                        },
                        **figures,
                    }
                )
            peak = [round(memory_kb(pid).get("VmHWM", 0) / 1024, 1) for pid in worker_pids(server.pid)]
    articles, listings = SIZES[size]
    return {
        "db": db,
        "size": size,
        "articles": articles,
        "listings": listings,
        "seed": args.seed,
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cache": "redis" if use_redis else "locmem (per worker)",
        "load": {
            "tool": "wrk",
            "threads": args.threads,
            "connections": args.connections,
            "warmup_s": args.warmup,
            "duration_s": args.duration,
            "rounds": args.rounds,
            "workers": args.workers,
        },
        "corpus_build": corpus_meta,
        "engine": {"name": args.engine, "url": args.engine_url} if args.engine != "none" else None,
        "peak_rss_mb_per_worker": peak,
        "endpoints": results,
    }


def machine_facts() -> dict:
    facts = {"python": platform.python_version(), "kernel": platform.release()}
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        for line in lscpu.splitlines():
            key, _, value = line.partition(":")
            if key.strip() in ("Model name", "CPU(s)", "Thread(s) per core", "Architecture"):
                facts[key.strip()] = value.strip()
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        free = subprocess.run(["free", "-m"], capture_output=True, text=True, check=True).stdout.splitlines()
        facts["memory_mb"] = int(free[1].split()[1])
    with contextlib.suppress(Exception):
        import django
        import gunicorn as gunicorn_module
        import wagtail

        facts.update(
            django=django.get_version(), wagtail=wagtail.__version__, gunicorn=gunicorn_module.__version__
        )
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        facts["wrk"] = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split(
            "\n"
        )[0]
    return facts


def save_results(runs: list[dict], command: str) -> dict:
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {"runs": {}}
    for run in runs:
        data["runs"][f"{run['db']}-{run['size']}"] = {**run, "command": command}
    data["machine"] = machine_facts()
    RESULTS.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Benchmark the API against Wagtail's APIs and the static limit."
    )
    parser.add_argument("--size", choices=sorted(SIZES), default=os.environ.get("BENCH_SIZE", "small"))
    parser.add_argument(
        "--medium", action="store_const", const="medium", dest="size", help="Same as --size medium."
    )
    parser.add_argument(
        "--db", choices=("sqlite", "postgres", "both"), default=os.environ.get("BENCH_DB", "sqlite")
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--duration", type=float, default=float(os.environ.get("BENCH_DURATION", "8")))
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument(
        "--rounds",
        type=int,
        default=int(os.environ.get("BENCH_ROUNDS", "1")),
        help="Interleaved rounds per endpoint; figures are medians over them (default 1).",
    )
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=0, help="Default: a free port the kernel picks.")
    parser.add_argument("--only", nargs="*", help="Endpoint names to run (default: all).")
    parser.add_argument("--rebuild", action="store_true", help="Regenerate the corpus even if cached.")
    parser.add_argument("--skip-install", action="store_true")
    parser.add_argument(
        "--skip-recommendations-index",
        action="store_true",
        help="Build the corpus without rebuild_recommendations (about 10 min at medium size, SQLite).",
    )
    parser.add_argument("--no-docs", action="store_true", help="Save figures but leave docs/ untouched.")
    parser.add_argument(
        "--engine",
        choices=("none", "opensearch", "elasticsearch"),
        default=os.environ.get("BENCH_ENGINE") or "none",
        help="Also run find support, related and search with the engine at --engine-url, side by side.",
    )
    parser.add_argument("--engine-url", default=os.environ.get("BENCH_ENGINE_URL", "http://127.0.0.1:9200"))
    args = parser.parse_args(argv)
    started = time.monotonic()
    ensure_tools(args.skip_install)
    use_redis = redis_available()
    if not use_redis:
        log("Redis not reachable: each worker gets its own local-memory cache")
    dbs = ("sqlite", "postgres") if args.db == "both" else (args.db,)
    runs = [run_one(db, args.size, args, use_redis) for db in dbs]
    command = " ".join(["bench/run.py", *(sys.argv[1:] if argv is None else argv)])
    if args.no_docs:
        log(f"done in {time.monotonic() - started:.0f}s (docs left untouched)")
        return 0
    data = save_results(runs, command)
    render_markdown(data, DOC, CHART.name)
    render_chart(data, CHART)
    log(f"wrote {DOC.relative_to(ROOT)} and {CHART.relative_to(ROOT)} in {time.monotonic() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
