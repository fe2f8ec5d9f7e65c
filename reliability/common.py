"""What the soak and fault runs share: the corpus database, a gunicorn server, HTTP and /proc helpers.

Pieces of the benchmark harness are imported from ``bench.run`` (``free_port``, ``worker_pids``,
``memory_kb``, ``manage``) and its gunicorn configuration is used as is. The server launcher is our
own small copy of ``bench.run.gunicorn``: that one waits on ``/bench/static/`` and always drops or
forces ``REDIS_URL``, while the fault runs need to choose the cache and the recommendations backend
per scenario through the environment.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.run import free_port, memory_kb, worker_pids  # noqa: E402

VAR = ROOT / "var" / "reliability"
PG_HOST, PG_PORT = "127.0.0.1", 5432
PG_ADMIN_URL = f"postgresql://postgres@{PG_HOST}:{PG_PORT}/postgres"
SETTINGS = "reliability.settings"
GUNICORN_CONF = ROOT / "bench" / "gunicorn.conf.py"

__all__ = ["free_port", "memory_kb", "worker_pids"]


def log(message: str, tag: str = "reliability") -> None:
    print(f"[{tag} {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=timeout):
        return True
    return False


def postgres_reachable() -> bool:
    if not port_open(PG_HOST, PG_PORT):
        return False
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            return True
    except Exception:
        return False


def base_env(db_url: str, **extra: str) -> dict[str, str]:
    """Environment for a Django process on ``db_url``: our settings, no Redis unless asked."""
    env = {**os.environ, "DATABASE_URL": db_url, "DJANGO_SETTINGS_MODULE": SETTINGS, "PYTHONUNBUFFERED": "1"}
    for name in (
        "REDIS_URL",
        "SEARCH_ENGINE_URL",
        "ELASTICSEARCH_URL",
        "OPENSEARCH_URL",
        "SEARCH_ENGINE",
        "RELIABILITY_ES_URL",
        "RECOMMENDATIONS_BACKEND",
    ):
        env.pop(name, None)
    env.update(extra)
    return env


def manage(db_url: str, *args: str, check: bool = True, **popen) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args], env=base_env(db_url), cwd=ROOT, check=check, **popen
    )


def recreate_postgres_db(name: str) -> str:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgres://postgres@{PG_HOST}:{PG_PORT}/{name}"


def build_corpus(
    name: str, articles: int, listings: int, seed: int, db: str = "auto", rebuild: bool = False
) -> tuple[str, str]:
    """A fresh corpus database; returns ``(database URL, "postgresql" | "sqlite")``.

    PostgreSQL when reachable (``db="auto"``), else an SQLite file under ``var/reliability/``. The
    database is rebuilt every run: the soak edits it, so a cached copy would not be the same corpus.
    """
    VAR.mkdir(parents=True, exist_ok=True)
    use_pg = db == "postgres" or (db == "auto" and postgres_reachable())
    if use_pg:
        db_url, engine = recreate_postgres_db(name), "postgresql"
    else:
        path = VAR / f"{name}.sqlite3"
        for leftover in VAR.glob(f"{name}.sqlite3*"):
            leftover.unlink()
        db_url, engine = f"sqlite:///{path}", "sqlite"
    log(f"building the corpus on {engine}: {articles} articles, {listings} listings, seed {seed}")
    started = time.monotonic()
    manage(db_url, "migrate", "--noinput", "-v0")
    manage(
        db_url,
        "generate_corpus",
        "--articles",
        str(articles),
        "--listings",
        str(listings),
        "--seed",
        str(seed),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    manage(db_url, "rebuild_recommendations", stdout=subprocess.DEVNULL)
    log(f"corpus ready in {time.monotonic() - started:.0f} s")
    return db_url, engine


class Server:
    """A gunicorn master on 127.0.0.1 (bench/gunicorn.conf.py, our settings), started and stopped by us."""

    def __init__(self, db_url: str, port: int, workers: int = 2, log_path: Path | None = None, **env: str):
        self.port, self.workers = port, workers
        self.env = base_env(db_url, BENCH_PORT=str(port), BENCH_WORKERS=str(workers), **env)
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 90) -> Server:
        out = open(self.log_path, "ab") if self.log_path else None  # noqa: SIM115 (closed in stop)
        self._log = out
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONF), "website.wsgi:application"],
            env=self.env,
            cwd=ROOT,
            stdout=out,
            stderr=out,
        )
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(OSError):
                if (
                    http_get(self.port, "/api/v1/sections/")[0] == 200
                    and len(self.worker_pids()) >= self.workers
                ):
                    return self
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise SystemExit(f"gunicorn did not start; see {self.log_path or 'its output'}.")
            time.sleep(0.3)

    def worker_pids(self) -> list[int]:
        return worker_pids(self.process.pid) if self.process else []

    def worker_rss_mb(self) -> dict[int, float]:
        return {pid: round(memory_kb(pid).get("VmRSS", 0) / 1024, 1) for pid in self.worker_pids()}

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if getattr(self, "_log", None):
            self._log.close()

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def http_get(
    port: int, path: str, timeout: float = 30, headers: dict | None = None
) -> tuple[int, bytes, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read(), {k.lower(): v for k, v in response.getheaders()}
    finally:
        conn.close()


def get_json(port: int, path: str) -> dict:
    status, body, _ = http_get(port, path)
    if status != 200:
        raise RuntimeError(f"GET {path} answered {status}: {body[:300]!r}")
    return json.loads(body)


def wrk_command(
    port: int, requests_file: Path, seconds: float, connections: int, threads: int = 2, timeout: int = 30
) -> list[str]:
    """wrk with the benchmark's rotating script (``bench/wrk/rotate.lua``: counts statuses, prints JSON)."""
    return [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--latency",
        "--timeout",
        f"{timeout}s",
        "-s",
        str(ROOT / "bench" / "wrk" / "rotate.lua"),
        f"http://127.0.0.1:{port}",
        "--",
        str(requests_file),
    ]


def parse_wrk(output: str) -> dict:
    for line in output.splitlines():
        if line.startswith("BENCH_JSON "):
            return json.loads(line[len("BENCH_JSON ") :])
    raise ValueError("wrk printed no BENCH_JSON line:\n" + output[-2000:])


def loadavg() -> float:
    return round(os.getloadavg()[0], 2)


def other_activity() -> list[str]:
    """A short description of the busiest other processes, for the report (what else ran)."""
    out = subprocess.run(
        ["ps", "-eo", "pcpu,etimes,args", "--sort=-pcpu", "--no-headers"], capture_output=True, text=True
    ).stdout
    lines = []
    me = str(os.getpid())
    for line in out.splitlines()[:12]:
        parts = line.split(None, 2)
        if len(parts) < 3 or float(parts[0]) < 5 or me in line:
            continue
        lines.append(f"{parts[0]}% {parts[2][:110]}")
    return lines


@contextlib.contextmanager
def background(command: list[str], env: dict, log_path: Path) -> Iterator[subprocess.Popen]:
    """A child process whose output goes to ``log_path``; terminated (then killed) on exit."""
    with open(log_path, "ab") as out:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=out)
        try:
            yield process
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
