"""Where the live search-engine tests find their node, and how they name their indexes."""

from __future__ import annotations

import os


def live_engine_url() -> str:
    """The node the live tests use: ``SEARCH_ENGINE_URL`` (or ``ELASTICSEARCH_URL``/``OPENSEARCH_URL``)."""
    return (
        os.environ.get("SEARCH_ENGINE_URL")
        or os.environ.get("OPENSEARCH_URL")
        or os.environ.get("ELASTICSEARCH_URL")
        or ""
    )


def live_prefix(worker_id: str, purpose: str) -> str:
    """An index prefix of this test worker's own, so parallel workers never touch each other's."""
    return f"test_live_{worker_id}_{purpose}".lower()


def live_engine_kind() -> str:
    """``SEARCH_ENGINE`` when set (needed for a node without ``GET /``), else "auto"."""
    return os.environ.get("SEARCH_ENGINE") or "auto"
