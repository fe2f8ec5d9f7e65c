"""On PostgreSQL: each process learns the content generation from notifications, not per request.

Every API response's validators include the content generation (``website.freshness.generation``), and a
304 or a cache hit otherwise costs exactly one query: reading it. On PostgreSQL that round trip
to the database server was most of such a response's cost. Here, ``content_changed`` also
sends ``NOTIFY wellness_content_generation`` inside the writer's transaction, which PostgreSQL
delivers when (and only if) the transaction commits. Each process keeps one extra connection that
``LISTEN``s on that channel from a background thread and re-reads the token after each
notification, so the token it holds is the committed one.

What this trades, precisely: a request that reaches *another* process in the moment between a
commit and that process re-reading the token (normally well under a millisecond; longer only if
the process is starved of CPU) is answered as if it had arrived just before the commit. The
process that made the change refreshes its own copy when the transaction commits, so an editor
never sees their own change missing. Whenever the listening connection is not up (starting, or
reconnecting after an error or a database restart), ``known`` returns None and callers read the
token from the database as before.

Both readers (the listener thread after a notification, and this process after its own commit)
read and store the token under one lock, so a slower read can never overwrite a newer one, and the
token is never blanked while a notification is processed (a reader could otherwise get None right
after its own commit, which is the case the refresh exists for).

Off by default; ``WELLNESS["API_GENERATION_LISTENER"] = True`` turns it on (PostgreSQL only; one
extra connection per process). Tests that run inside a transaction never see notifications, so the
test settings leave it off and ``tests/api/test_generation_watch.py`` turns it on with real commits.
"""

from __future__ import annotations

import datetime
import logging
import os
import threading
import time

from django.db import connection

logger = logging.getLogger(__name__)

CHANNEL = "wellness_content_generation"
RECONNECT_DELAY = 1.0
MAX_RECONNECT_DELAY = 16.0
WAIT_SECONDS = 0.5
IDLE_CHECK_SECONDS = 30.0


def enabled() -> bool:
    from website.conf import wellness_settings

    return bool(wellness_settings.API_GENERATION_LISTENER) and connection.vendor == "postgresql"


class GenerationWatcher:
    """This process's listening connection and the last token it read after a notification."""

    def __init__(self):
        self._lock = threading.Lock()
        self._current: tuple[str, datetime.datetime] | None = None
        self._pid: int | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._conn = None

    # --- what callers use ------------------------------------------------------------------------

    def known(self) -> tuple[str, datetime.datetime] | None:
        """``(token, changed_at)`` while the listener is up to date, else None (read the database)."""
        if not enabled():
            return None
        self._start_once_per_process()
        return self._current

    def refresh(self) -> None:
        """Re-reads the token through Django's connection (after this process's own commit)."""
        from .generation import read_generation

        with self._lock:
            if self._current is None:  # the listener is not up: callers read the database anyway
                return
            self._current = read_generation()

    def stop(self) -> None:
        """Stops the listener and forgets the token (tests; a process exiting needs nothing)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._thread, self._pid, self._current, self._conn = None, None, None, None
        self._stop = threading.Event()

    # --- the listener ----------------------------------------------------------------------------

    def _start_once_per_process(self) -> None:
        # A forked worker (gunicorn) inherits no thread: each process starts its own.
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            self._pid, self._current = os.getpid(), None
            params = connection.get_connection_params()
            self._thread = threading.Thread(
                target=self._run, args=(params, self._stop), name="generation-listener", daemon=True
            )
            self._thread.start()

    def _run(self, params: dict, stop: threading.Event) -> None:
        import psycopg

        from .generation import GENERATION_PK, as_datetime, generation_table

        params = {k: v for k, v in params.items() if k not in ("cursor_factory", "context")}
        select = f"SELECT token, changed_at FROM {generation_table()} WHERE id = %s"
        delay = RECONNECT_DELAY
        while not stop.is_set():
            try:
                with psycopg.connect(**params, autocommit=True) as conn:
                    self._conn = conn
                    delay = RECONNECT_DELAY
                    conn.execute(f"LISTEN {CHANNEL}")

                    def read() -> None:
                        with self._lock:  # serialised with refresh(): the later read is stored last
                            row = conn.execute(select, [GENERATION_PK]).fetchone()
                            self._current = (row[0], as_datetime(row[1])) if row else None

                    read()  # after LISTEN: nothing committed from here on can be missed
                    checked = time.monotonic()
                    while not stop.is_set():
                        # Short waits so that ``stop`` is seen; a health check now and then.
                        if any(True for _ in conn.notifies(timeout=WAIT_SECONDS, stop_after=1)):
                            read()
                            checked = time.monotonic()
                        elif time.monotonic() - checked > IDLE_CHECK_SECONDS:
                            conn.execute("SELECT 1")  # a dead connection raises here
                            checked = time.monotonic()
            except Exception as e:  # never let the thread die: fall back to reads and retry
                self._forget()
                if not stop.is_set():
                    logger.warning(
                        "generation listener: %r; reading the database, retrying in %g s", e, delay
                    )
                    stop.wait(delay)
                    delay = min(delay * 2, MAX_RECONNECT_DELAY)  # a long outage: fewer attempts
            finally:
                self._forget()
                self._conn = None

    def _forget(self) -> None:
        with self._lock:
            self._current = None


watcher = GenerationWatcher()
