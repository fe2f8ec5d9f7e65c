"""``make faults``: the site under load while PostgreSQL, Redis or Elasticsearch fail, and kill -9 mid-write.

Subcommands (``all`` runs them in this order); each prints a JSON line ``FAULT_JSON {...}`` and the
figures are saved under ``var/reliability/faults-latest.json``:

- ``postgres``: ``pg_ctlcluster --skip-systemctl-redirect <version> main restart`` under load. Every
  answer must be 200 or a 503 with Retry-After (never a 500 or a dropped connection), and the site
  must recover by itself: seconds from PostgreSQL accepting connections again to the last non-200.
  PostgreSQL is started again at the end whatever happens.
- ``redis``: the cache on Redis (``REDIS_URL``), then ``redis-cli shutdown nosave`` under load and a
  restart with the machine's command: every answer must stay 200 (served uncached). Redis is
  started again at the end whatever happens.
- ``elasticsearch``: the recommendations on the Elasticsearch backend pointed (a) at a closed port,
  (b) at the test stand-in (``tests/recommendations/es_standin.py``) made to hang: related and
  support requests must answer 200 from the database fallback within the client timeout, no 500.
- ``engine``: the recommendations on a real OpenSearch node of their own (``scripts/search-engine.sh``
  on ``--engine-port``), API response cache off so every request reaches the engine: (1) a fresh
  node: ``check_recommendations`` reports drift, ``--fix`` creates the indexes with their mappings
  and analyzers, then finds nothing; (2) two ``rebuild_recommendations`` alias swaps while readers
  read: every answer 200, none empty, none from the fallback; (3) ``kill -9`` of the node under
  load: every answer still 200 (database fallback, circuit open), a listing withdrawn while the
  node is down, then a restart on the same data (``SEARCH_ENGINE_KEEP_DATA=1``: the indexes are
  still there), ``check_recommendations`` naming what the node missed, ``--fix`` catching it up,
  nothing left to fix, and the engine answering again.
- ``kill``: ``kill -9`` of ``import_content`` (a content package exported from a generated corpus) and of
  ``rebuild_recommendations`` while their transaction is open: row counts must equal those before
  (nothing half-written), and the next run must complete with complete data.

Loopback only; the load is a Python poller (16 threads) so every answer is timed and kept.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reliability.common import (  # noqa: E402
    PG_ADMIN_URL,
    ROOT,
    VAR,
    Server,
    base_env,
    build_corpus,
    free_port,
    get_json,
    http_get,
    loadavg,
    log,
    other_activity,
    port_open,
    postgres_reachable,
)

REDIS_START = [
    "redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379", "--save", "",
    "--appendonly", "no", "--dir", "/var/lib/redis", "--logfile", "/var/log/redis/ci.log",
]  # fmt: skip
REDIS_URL = "redis://127.0.0.1:6379/14"
CORPUS_DB = "reliability_faults"


def say(message: str) -> None:
    log(message, "faults")


# --- Load ---------------------------------------------------------------------------------------------


class Poller:
    """Threads that GET a list of paths in turn and keep ``(t0, t1, status, path, retry_after)``."""

    def __init__(
        self, port: int, paths: list[str], threads: int = 16, timeout: float = 30, count_empty: bool = False
    ):
        self.port, self.paths, self.threads, self.timeout = port, paths, threads, timeout
        self.records: list[tuple[float, float, object, str, str | None]] = []
        # With count_empty, 200 answers whose "results" list is empty (a suggestion endpoint that
        # found nothing: what a reader would see during a half-built index) are kept here.
        self.count_empty = count_empty
        self.empty: list[tuple[float, str]] = []
        self.lock = threading.Lock()
        self.stop_event = threading.Event()
        self.workers: list[threading.Thread] = []

    def _work(self, index: int) -> None:
        i = index
        while not self.stop_event.is_set():
            path = self.paths[i % len(self.paths)]
            i += self.threads
            t0 = time.time()
            try:
                status, body, headers = http_get(self.port, path, timeout=self.timeout)
                retry = headers.get("retry-after")
                if self.count_empty and status == 200 and not json.loads(body).get("results"):
                    with self.lock:
                        self.empty.append((t0, path))
            except Exception as e:  # a dropped or refused connection is a failure to record
                status, retry = f"error:{type(e).__name__}", None
            with self.lock:
                self.records.append((t0, time.time(), status, path, retry))

    def __enter__(self) -> Poller:
        self.workers = [
            threading.Thread(target=self._work, args=(i,), daemon=True) for i in range(self.threads)
        ]
        for w in self.workers:
            w.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop_event.set()
        for w in self.workers:
            w.join(timeout=self.timeout + 5)

    def statuses(self, since: float = 0.0, until: float = float("inf")) -> dict[str, int]:
        return dict(Counter(str(r[2]) for r in self.records if since <= r[0] <= until))


def mixed_paths(port: int, with_pages: bool = True) -> list[str]:
    cards = get_json(port, "/api/v1/articles/?limit=20")["results"]
    paths = ["/api/v1/articles/", "/api/v1/listings/", "/api/v1/sections/"]
    for card in cards[:10]:
        paths += [
            f"/api/v1/articles/{card['slug']}/",
            f"/api/v1/articles/{card['slug']}/related/",
            f"/api/v1/articles/{card['slug']}/support/?country=DE&language=de",
        ]
        if with_pages:
            paths.append(card["url_path"])
    if with_pages:
        paths += ["/", cards[0]["section"]["url_path"]]
    return paths


_corpus_url: list[str] = []


def corpus(args) -> str:
    """The fault runs' corpus database, built once per invocation (the scenarios only read it)."""
    if not postgres_reachable():
        raise SystemExit("PostgreSQL is not reachable on 127.0.0.1:5432; the fault runs need it.")
    if not _corpus_url:
        _corpus_url.append(build_corpus(CORPUS_DB, args.articles, args.listings, args.seed, "postgres")[0])
    return _corpus_url[0]


# --- PostgreSQL restart ---------------------------------------------------------------------------------


def pg_version() -> str:
    versions = sorted(os.listdir("/etc/postgresql"))
    return versions[-1]


def pg_ready() -> bool:
    return subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"]).returncode == 0


def ensure_postgres() -> None:
    if pg_ready():
        return
    say("PostgreSQL is down: starting it")
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", pg_version(), "main", "start"], check=False)
    for _ in range(60):
        if pg_ready():
            return
        time.sleep(1)
    raise SystemExit("PostgreSQL did not come back within 60 s: start it by hand (see MACHINE-NOTES).")


def other_postgres_clients() -> dict[str, int]:
    """Connections of other databases (other engineers' test runs), to wait for a quiet moment and report."""
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT datname, count(*) FROM pg_stat_activity WHERE datname IS NOT NULL AND datname <> %s"
            " AND pid <> pg_backend_pid() AND state = 'active' GROUP BY datname",
            (CORPUS_DB,),
        ).fetchall()
    return dict(rows)


def fault_postgres(args) -> dict:
    db_url = corpus(args)
    port = free_port(args.port)
    result: dict = {"fault": "postgres restart"}
    try:
        with Server(db_url, port, args.workers, log_path=VAR / "faults-postgres-gunicorn.log") as server:
            paths = mixed_paths(port)
            with Poller(port, paths) as poller:
                time.sleep(args.baseline)
                waited = 0
                while other_postgres_clients() and waited < args.quiet_wait:
                    time.sleep(1)
                    waited += 1
                result["other_databases_active_at_restart"] = other_postgres_clients()
                result["waited_for_quiet_s"] = waited
                t_restart = time.time()
                say("restarting PostgreSQL under load")
                restart = subprocess.run(
                    ["pg_ctlcluster", "--skip-systemctl-redirect", pg_version(), "main", "restart"],
                    capture_output=True,
                    text=True,
                )
                t_returned = time.time()
                while not pg_ready() and time.time() - t_restart < 60:
                    time.sleep(0.1)
                t_ready = time.time()
                time.sleep(args.after)
                result["worker_pids"] = server.worker_pids()
            records = sorted(poller.records)
    finally:
        ensure_postgres()
    bad = [r for r in records if r[2] != 200]
    outage = [r for r in records if r[0] >= t_restart - 1]
    not_ok = [r for r in outage if r[2] != 200]
    failures = [r for r in records if r[2] not in (200, 503)]
    missing_retry_after = [r for r in records if r[2] == 503 and not r[4]]
    last_bad = max((r[1] for r in not_ok), default=None)
    ok_after = [r for r in records if r[0] > (last_bad or t_ready)]
    result.update(
        {
            "restart_command_rc": restart.returncode,
            "restart_took_s": round(t_returned - t_restart, 2),
            "postgres_ready_after_s": round(t_ready - t_restart, 2),
            "requests": len(records),
            "statuses": dict(Counter(str(r[2]) for r in records)),
            "non_200": len(bad),
            "failures_not_503": len(failures),
            "failure_examples": [(r[2], r[3]) for r in failures[:10]],
            "503_without_retry_after": len(missing_retry_after),
            "first_non_200_after_restart_s": round(not_ok[0][0] - t_restart, 2) if not_ok else None,
            "recovered_s_after_postgres_ready": round(max(0.0, last_bad - t_ready), 2) if last_bad else 0.0,
            "reader_outage_s": round(last_bad - not_ok[0][0], 2) if not_ok else 0.0,
            "requests_ok_after_recovery": len(ok_after),
        }
    )
    result["passed"] = not failures and not missing_retry_after and restart.returncode == 0 and bool(ok_after)
    return result


# --- Redis down -----------------------------------------------------------------------------------------


def redis_up() -> bool:
    return subprocess.run(
        ["redis-cli", "-h", "127.0.0.1", "-p", "6379", "ping"], capture_output=True
    ).returncode == 0 and port_open("127.0.0.1", 6379)


def ensure_redis() -> None:
    if redis_up():
        return
    say("Redis is down: starting it")
    subprocess.run(REDIS_START, check=False)
    for _ in range(30):
        if redis_up():
            return
        time.sleep(0.5)
    raise SystemExit("Redis did not come back: start it by hand with: " + " ".join(REDIS_START))


def fault_redis(args) -> dict:
    db_url = corpus(args)
    port = free_port(args.port)
    result: dict = {"fault": "redis down", "cache": REDIS_URL}
    try:
        ensure_redis()
        with Server(
            db_url, port, args.workers, log_path=VAR / "faults-redis-gunicorn.log", REDIS_URL=REDIS_URL
        ):
            paths = mixed_paths(port)
            with Poller(port, paths) as poller:
                time.sleep(args.baseline)
                t_down = time.time()
                say("redis-cli shutdown nosave under load")
                subprocess.run(
                    ["redis-cli", "-h", "127.0.0.1", "-p", "6379", "shutdown", "nosave"], check=False
                )
                result["redis_stopped"] = not redis_up()
                time.sleep(args.down)
                t_up = time.time()
                say("starting Redis again")
                subprocess.run(REDIS_START, check=False)
                time.sleep(args.after)
            records = sorted(poller.records)
    finally:
        ensure_redis()
    down = [r for r in records if t_down <= r[0] <= t_up]
    result.update(
        {
            "requests": len(records),
            "statuses": dict(Counter(str(r[2]) for r in records)),
            "requests_while_down": len(down),
            "statuses_while_down": dict(Counter(str(r[2]) for r in down)),
            "p50_ms_before": percentile([r[1] - r[0] for r in records if r[0] < t_down], 50),
            "p50_ms_while_down": percentile([r[1] - r[0] for r in down], 50),
            "p50_ms_after": percentile([r[1] - r[0] for r in records if r[0] > t_up], 50),
        }
    )
    result["passed"] = bool(down) and result["redis_stopped"] and all(r[2] == 200 for r in records)
    return result


def percentile(values: list[float], p: int) -> float | None:
    if not values:
        return None
    values = sorted(values)
    return round(values[min(len(values) - 1, int(len(values) * p / 100))] * 1000, 1)


# --- Elasticsearch down or hanging -----------------------------------------------------------------------


def closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fault_elasticsearch(args) -> dict:
    from tests.recommendations.es_standin import StandInElasticsearch

    db_url = corpus(args)
    results = {"fault": "elasticsearch down or hanging", "timeout_s": args.es_timeout, "cases": {}}
    hanging = StandInElasticsearch().start()
    hanging.delay = 3600.0  # accepts connections and never answers within any timeout
    try:
        for case, url in (("closed port", f"http://127.0.0.1:{closed_port()}"), ("hanging", hanging.url)):
            port = free_port(args.port)
            log_path = VAR / f"faults-es-{case.replace(' ', '-')}-gunicorn.log"
            with Server(
                db_url,
                port,
                args.workers,
                log_path=log_path,
                RELIABILITY_ES_URL=url,
                RELIABILITY_ES_ENGINE="elasticsearch",  # neither case can be asked which engine it is
                RELIABILITY_ES_TIMEOUT=str(args.es_timeout),
            ):
                paths = [
                    p for p in mixed_paths(port, with_pages=False) if "/related/" in p or "/support/" in p
                ]
                paths += [p for p in mixed_paths(port, with_pages=True) if not p.startswith("/api/")][:5]
                # One request at a time first: each must come back within the client timeout plus the
                # request's own work, until the worker's circuit breaker opens and skips the cluster.
                sequential = []
                for path in paths[:8]:
                    t0 = time.time()
                    status = http_get(port, path, timeout=args.es_timeout * 10)[0]
                    sequential.append((status, round((time.time() - t0) * 1000)))
                say(f"Elasticsearch {case} ({url}): {args.es_seconds:.0f} s of related/support/pages")
                with Poller(port, paths, threads=8, timeout=args.es_timeout * 10) as poller:
                    time.sleep(args.es_seconds)
                records = poller.records
                gunicorn_log = log_path.read_text(errors="replace")
            durations = sorted(r[1] - r[0] for r in records)
            results["cases"][case] = {
                "sequential_status_ms": sequential,
                "requests": len(records),
                "statuses": dict(Counter(str(r[2]) for r in records)),
                "p50_ms": percentile(durations, 50),
                "max_ms": round(durations[-1] * 1000, 1) if durations else None,
                "slower_than_timeout": sum(d > args.es_timeout for d in durations),
                "circuit_opened_in_log": "circuit open" in gunicorn_log,
                "fallback_warnings_in_log": gunicorn_log.count("answering from the database"),
                "server_errors_in_log": gunicorn_log.count("Internal Server Error"),
            }
    finally:
        hanging.stop()
    results["passed"] = all(
        c["requests"] > 0
        and set(c["statuses"]) == {"200"}
        and all(status == 200 for status, _ in c["sequential_status_ms"])
        for c in results["cases"].values()
    )
    return results


# --- A real search-engine node: killed, restarted, rebuilt under load -----------------------------------

ENGINE_SCRIPT = ROOT / "scripts" / "search-engine.sh"


def engine_script(action: str, port: int, *, keep_data: bool = False) -> subprocess.CompletedProcess:
    env = {**os.environ, "SEARCH_ENGINE_KIND": "opensearch", "SEARCH_ENGINE_PORT": str(port)}
    env["SEARCH_ENGINE_KEEP_DATA"] = "1" if keep_data else "0"
    return subprocess.run([str(ENGINE_SCRIPT), action], env=env, capture_output=True, text=True)


def engine_pid(port: int) -> int:
    return int((ROOT / "var" / "search-engine" / f"opensearch-{port}" / "pid").read_text())


def engine_json(port: int, path: str) -> dict:
    return json.loads(http_get(port, path, timeout=10)[1])


def engine_searches(port: int) -> int:
    """Search requests the node has answered on the recommendation indexes (its own counter)."""
    stats = engine_json(port, "/wellness_reco_*/_stats/search")
    return stats["_all"]["primaries"]["search"]["query_total"]


def log_since(path: Path, offset: int) -> str:
    return path.read_text(errors="replace")[offset:]


# Run in ``manage.py shell`` while the node is down: an editor withdraws one active listing. Its
# document stays in the node's index until check_recommendations --fix removes it.
WITHDRAW_ONE_LISTING = (
    "from experts.models import Listing\n"
    "listing = Listing.objects.filter(is_active=True, verified=True).order_by('pk').first()\n"
    "listing.is_active = False\n"
    "listing.save()\n"
    "print('withdrew', listing.slug)\n"
)


def fault_engine(args) -> dict:
    """The recommendations on a real OpenSearch node (built and started by scripts/search-engine.sh)."""
    db_url = corpus(args)
    port = args.engine_port
    url = f"http://127.0.0.1:{port}"
    result: dict = {"fault": "real search-engine node", "engine_url": url}
    engine_script("stop", port)  # a fresh node: no data from an earlier run
    t0 = time.monotonic()
    started = engine_script("start", port)
    if started.returncode != 0:
        raise SystemExit("the search engine did not start:\n" + started.stdout + started.stderr)
    result["node_start_s"] = round(time.monotonic() - t0, 1)
    result["version"] = engine_json(port, "/")["version"]["number"]
    env = {"RELIABILITY_ES_URL": url, "RELIABILITY_ES_TIMEOUT": str(args.es_timeout)}

    def manage_on_engine(*command: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *command],
            env=base_env(db_url, **env),
            cwd=ROOT,
            capture_output=True,
            text=True,
        )

    try:
        # 1. A fresh node: check finds everything missing, --fix creates the indexes with their
        # mappings and analyzers, then check finds nothing.
        fresh = manage_on_engine("check_recommendations")
        fixed = manage_on_engine("check_recommendations", "--fix")
        clean = manage_on_engine("check_recommendations")
        (index,) = engine_json(port, "/_alias/wellness_reco_articles")
        analyzed = json.loads(
            subprocess.run(
                ["curl", "-s", "-H", "Content-Type: application/json", f"{url}/{index}/_analyze",
                 "-d", json.dumps({"analyzer": "reco_text", "text": "Cafés Rebuilding"})],
                capture_output=True, text=True, check=True,
            ).stdout
        )  # fmt: skip
        result["fresh_node"] = {
            "check_exit_before": fresh.returncode,
            "check_output_before": fresh.stdout.strip()[-200:],
            "fix_exit": fixed.returncode,
            "check_exit_after": clean.returncode,
            "analyzer_tokens": [t["token"] for t in analyzed.get("tokens", [])],
        }
        server_port = free_port(args.port)
        log_path = VAR / "faults-engine-gunicorn.log"
        with Server(
            db_url,
            server_port,
            args.workers,
            log_path=log_path,
            RELIABILITY_BREAKER_COOLDOWN=str(args.engine_cooldown),
            RELIABILITY_NO_RESPONSE_CACHE="1",
            **env,
        ):
            paths = [
                p for p in mixed_paths(server_port, with_pages=False) if "/related/" in p or "/support/" in p
            ]
            # 2. Alias swaps while readers read: two full rebuilds under load.
            offset = len(log_path.read_text(errors="replace"))
            searches = engine_searches(port)
            with Poller(server_port, paths, threads=8, count_empty=True) as poller:
                time.sleep(3)
                rebuilds = [
                    manage_on_engine("rebuild_recommendations", "--backend", "elasticsearch") for _ in "12"
                ]
                time.sleep(3)
            swap_log = log_since(log_path, offset)
            result["alias_swap_under_reads"] = {
                "rebuild_exits": [r.returncode for r in rebuilds],
                "requests": len(poller.records),
                "statuses": poller.statuses(),
                "empty_answers": len(poller.empty),
                "engine_searches": engine_searches(port) - searches,
                "fallbacks_in_log": swap_log.count("answering from the database"),
            }
            say(f"engine: alias swaps under reads: {result['alias_swap_under_reads']}")
            # 3. kill -9 of the node under load; while it is down an editor's change (a listing
            # withdrawn) cannot reach it; then a restart on the same data directory (the node's
            # indexes kept, as after a crash), check_recommendations naming what the node missed,
            # --fix catching it up, and the circuit closing again.
            offset = len(log_path.read_text(errors="replace"))
            with Poller(server_port, paths, threads=8, timeout=args.es_timeout * 10) as poller:
                time.sleep(args.baseline)
                t_kill = time.time()
                os.kill(engine_pid(port), signal.SIGKILL)
                say(f"engine: node killed; {args.down:.0f} s of reads on the database fallback")
                withdrawn = manage_on_engine("shell", "-c", WITHDRAW_ONE_LISTING)
                time.sleep(args.down)
                t_restart = time.time()
                restarted = engine_script("start", port, keep_data=True)
                t_up = time.time()
                indexes_kept = sorted(engine_json(port, "/_alias/wellness_reco_*"))
                missed = manage_on_engine("check_recommendations")
                caught_up = manage_on_engine("check_recommendations", "--fix")
                t_fixed = time.time()
                time.sleep(args.engine_cooldown + args.after)
                final_searches_from = engine_searches(port)
                time.sleep(5)
                final_searches = engine_searches(port) - final_searches_from
            kill_log = log_since(log_path, offset)
            after_fix = manage_on_engine("check_recommendations")
            records = poller.records
            server_errors = [r for r in records if not str(r[2]).startswith("2")]
            result["kill_and_restart"] = {
                "requests": len(records),
                "statuses": dict(Counter(str(r[2]) for r in records)),
                "statuses_while_down": poller.statuses(t_kill, t_up),
                "non_200": len(server_errors),
                "circuit_opened_in_log": "circuit open" in kill_log,
                "fallbacks_in_log": kill_log.count("answering from the database"),
                "write_while_down_exit": withdrawn.returncode,
                "write_while_down": withdrawn.stdout.strip()[-200:],
                "restart_exit": restarted.returncode,
                "restart_kept_data": "keeping the data" in restarted.stdout,
                "restart_s": round(t_up - t_restart, 1),
                "indexes_after_restart": indexes_kept,
                "check_before_fix_exit": missed.returncode,
                "check_before_fix_output": missed.stdout.strip()[-300:],
                "fix_exit": caught_up.returncode,
                "fix_output": caught_up.stdout.strip()[-300:],
                "fix_s": round(t_fixed - t_up, 1),
                "check_after_fix_exit": after_fix.returncode,
                "check_after_fix_output": after_fix.stdout.strip()[-200:],
                "engine_searches_in_last_5_s": final_searches,
                "server_errors_in_log": kill_log.count("Internal Server Error"),
            }
            say(f"engine: kill and restart: {result['kill_and_restart']}")
    finally:
        engine_script("stop", port)
    swap, kill = result["alias_swap_under_reads"], result["kill_and_restart"]
    result["passed"] = (
        result["fresh_node"]["check_exit_before"] != 0
        and result["fresh_node"]["fix_exit"] == 0
        and result["fresh_node"]["check_exit_after"] == 0
        and result["fresh_node"]["analyzer_tokens"] == ["cafe", "rebuild"]
        and swap["rebuild_exits"] == [0, 0]
        and swap["requests"] > 0
        and set(swap["statuses"]) == {"200"}
        and swap["empty_answers"] == 0
        and swap["fallbacks_in_log"] == 0
        and swap["engine_searches"] > 0
        and kill["requests"] > 0
        and kill["non_200"] == 0
        and kill["circuit_opened_in_log"]
        and kill["write_while_down_exit"] == 0
        and kill["restart_exit"] == 0
        and kill["restart_kept_data"]
        and len(kill["indexes_after_restart"]) >= 2
        and kill["check_before_fix_exit"] != 0
        and kill["fix_exit"] == 0
        and kill["check_after_fix_exit"] == 0
        and kill["engine_searches_in_last_5_s"] > 0
        and kill["server_errors_in_log"] == 0
    )
    return result


# --- kill -9 during writes --------------------------------------------------------------------------------

COUNT_TABLES = [
    "wagtailcore_page",
    "wagtailcore_revision",
    "articles_articlepage",
    "experts_listing",
    "experts_person",
    "recommendations_articleprofile",
    "recommendations_relatedscore",
]


def db_name(db_url: str) -> str:
    return db_url.rsplit("/", 1)[1]


def counts(db_url: str) -> dict[str, int]:
    import psycopg

    out = {}
    with psycopg.connect(PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + db_name(db_url), autocommit=True) as conn:
        for table in COUNT_TABLES:
            with contextlib.suppress(psycopg.errors.UndefinedTable):
                out[table] = conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
    return out


def open_transaction_for(db: str, pid_hint: int | None = None) -> float:
    """Seconds the oldest open transaction on ``db`` (other than ours) has been running; 0 if none."""
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        row = conn.execute(
            "SELECT coalesce(max(extract(epoch FROM now() - xact_start)), 0) FROM pg_stat_activity"
            " WHERE datname = %s AND xact_start IS NOT NULL AND pid <> pg_backend_pid()",
            (db,),
        ).fetchone()
    return float(row[0])


def kill_mid_write(db_url: str, command: list[str], label: str, min_open_s: float, limit_s: float) -> dict:
    """Start ``manage.py <command>``, kill -9 it once its transaction has been open ``min_open_s``."""
    before = counts(db_url)
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), *command],
        env=base_env(db_url),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    started = time.monotonic()
    killed_at = None
    try:
        while process.poll() is None and time.monotonic() - started < limit_s:
            if open_transaction_for(db_name(db_url)) >= min_open_s:
                os.kill(process.pid, signal.SIGKILL)
                killed_at = round(time.monotonic() - started, 2)
                break
            time.sleep(0.2)
    finally:
        if process.poll() is None and killed_at is None:
            os.kill(process.pid, signal.SIGKILL)
            killed_at = round(time.monotonic() - started, 2)
        process.wait()
    time.sleep(1)  # PostgreSQL notices the dead client and rolls its transaction back
    after = counts(db_url)
    return {
        "command": label,
        "killed_after_s": killed_at,
        "exit": process.returncode,
        "counts_before": before,
        "counts_after_kill": after,
        "unchanged": before == after,
    }


def fault_kill(args) -> dict:
    source_url = corpus(args)
    work = VAR / "faults-kill"
    work.mkdir(parents=True, exist_ok=True)
    package = work / "package.json"
    say("exporting the corpus as a content package")
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "export_content", str(package)],
        env=base_env(source_url),
        cwd=ROOT,
        check=True,
        stderr=subprocess.DEVNULL,
    )
    result: dict = {"fault": "kill -9 mid-write", "package_bytes": package.stat().st_size}
    from reliability.common import recreate_postgres_db

    target = recreate_postgres_db(CORPUS_DB + "_import")
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v0"],
        env=base_env(target),
        cwd=ROOT,
        check=True,
    )
    say("import_content, killed with -9 mid-transaction")
    result["import_killed"] = kill_mid_write(
        target, ["import_content", str(package)], "import_content", args.kill_after, 600
    )
    say("import_content again, to completion")
    started = time.monotonic()
    rerun = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "import_content", str(package)],
        env=base_env(target),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    source_counts, target_counts = counts(source_url), counts(target)
    same = {
        t: (source_counts.get(t), target_counts.get(t)) for t in ("articles_articlepage", "experts_listing")
    }
    result["import_rerun"] = {
        "exit": rerun.returncode,
        "seconds": round(time.monotonic() - started, 1),
        "stderr_tail": rerun.stderr[-400:],
        "counts_after": target_counts,
        "articles_and_listings_source_vs_imported": same,
    }
    say("rebuild_recommendations, killed with -9 mid-transaction")
    result["rebuild_killed"] = kill_mid_write(
        source_url, ["rebuild_recommendations"], "rebuild_recommendations", args.kill_after, 600
    )
    check_after_kill = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check_recommendations"],
        env=base_env(source_url),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    result["rebuild_killed"]["check_after_kill"] = {
        "exit": check_after_kill.returncode,
        "output": check_after_kill.stdout.strip()[-300:],
    }
    say("rebuild_recommendations again, then check_recommendations")
    rebuild = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "rebuild_recommendations"],
        env=base_env(source_url),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    check = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check_recommendations"],
        env=base_env(source_url),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    result["rebuild_rerun"] = {
        "exit": rebuild.returncode,
        "check_exit": check.returncode,
        "check_output": check.stdout.strip()[-300:],
        "counts_after": counts(source_url),
    }
    result["passed"] = (
        result["import_killed"]["unchanged"]
        and result["import_killed"]["exit"] == -signal.SIGKILL
        and rerun.returncode == 0
        and all(a == b for a, b in same.values())
        and result["rebuild_killed"]["unchanged"]
        and result["rebuild_killed"]["exit"] == -signal.SIGKILL
        and check_after_kill.returncode == 0
        and rebuild.returncode == 0
        and check.returncode == 0
    )
    return result


# --- Main -------------------------------------------------------------------------------------------------

FAULTS = {
    "postgres": fault_postgres,
    "redis": fault_redis,
    "elasticsearch": fault_elasticsearch,
    "engine": fault_engine,
    "kill": fault_kill,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fault runs against the site on loopback.")
    parser.add_argument(
        "faults",
        choices=[*FAULTS, "all"],
        nargs="*",
        default=["all"],
        metavar="FAULT",
        help=f"One or more of {', '.join(FAULTS)}, or all (default).",
    )
    parser.add_argument("--articles", type=int, default=150)
    parser.add_argument("--listings", type=int, default=80)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument("--baseline", type=float, default=10, help="Seconds of load before the fault.")
    parser.add_argument("--after", type=float, default=20, help="Seconds of load after the service is back.")
    parser.add_argument("--down", type=float, default=20, help="Seconds Redis stays down.")
    parser.add_argument("--quiet-wait", type=int, default=30, help="Seconds to wait for other PG clients.")
    parser.add_argument("--es-timeout", type=float, default=2.0)
    parser.add_argument("--es-seconds", type=float, default=25)
    parser.add_argument("--engine-port", type=int, default=9290, help="Port of the fault run's own node.")
    parser.add_argument(
        "--engine-cooldown", type=float, default=5, help="Seconds the circuit stays open (engine fault)."
    )
    parser.add_argument(
        "--kill-after", type=float, default=1.5, help="Seconds of open transaction, then kill."
    )
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally blocks (restarts) on `kill`
    names = list(FAULTS) if "all" in args.faults else list(dict.fromkeys(args.faults))
    summary = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "loadavg_start": loadavg(),
        "other_processes_at_start": other_activity(),
        "results": {},
    }
    VAR.mkdir(parents=True, exist_ok=True)
    latest = VAR / "faults-latest.json"
    saved = json.loads(latest.read_text()) if latest.exists() else {"results": {}}
    try:
        for name in names:
            started = time.monotonic()
            outcome = FAULTS[name](args)
            outcome["run_s"] = round(time.monotonic() - started)
            summary["results"][name] = outcome
            print("FAULT_JSON " + json.dumps({name: outcome}), flush=True)
            say(f"{name}: {'PASSED' if outcome.get('passed') else 'FAILED'}")
    finally:
        ensure_postgres()
        ensure_redis()
        summary["loadavg_end"] = loadavg()
        saved["results"].update(summary["results"])
        saved.update({k: v for k, v in summary.items() if k != "results"})
        latest.write_text(json.dumps(saved, indent=1))
    return 0 if all(r.get("passed") for r in summary["results"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
