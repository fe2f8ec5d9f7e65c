"""Gunicorn for the benchmark: loopback only, N sync workers, no access log (it would cost CPU)."""

import os

bind = f"127.0.0.1:{os.environ.get('BENCH_PORT', '8765')}"
workers = int(os.environ.get("BENCH_WORKERS", "2"))
worker_class = os.environ.get("BENCH_WORKER_CLASS", "sync")
threads = int(os.environ.get("BENCH_THREADS", "1"))
backlog = 2048
timeout = 60
accesslog = None
errorlog = "-"
loglevel = "warning"
proc_name = "wellness-bench"
