"""The connection to a search engine: Elasticsearch 8/9 or OpenSearch 2/3, through its own client.

Request bodies are built once, as plain dicts (``elasticsearch.dsl`` in ``queries`` and
``documents``); what differs between the two engines is only the client library and its calling
convention. The elasticsearch-py 8 client refuses any server that is not Elasticsearch (it checks a
product header on every answer and sends a ``compatible-with=8`` media type that OpenSearch answers
with 406), so OpenSearch is spoken to with opensearch-py. ``EngineClient`` is the small surface the
recommendations backend and reader search use; each engine has one subclass that maps it onto its
library, and errors come out as one type, ``EngineError``, carrying the HTTP status when there was
one.

Which engine: the ``kind`` argument ("elasticsearch", "opensearch"), or "auto", in which case the
cluster's root endpoint says (``version.distribution`` is "opensearch" on OpenSearch; Elasticsearch
has no such field). Detection is one plain HTTP GET, done when a client is first built.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

KINDS = ("elasticsearch", "opensearch")


class EngineError(Exception):
    """The engine did not answer, or answered with an error (``status`` is None if it never answered)."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


class EngineNotFound(EngineError):
    """A 404: no such index, alias or document."""


def detect_kind(url: str, timeout: float) -> str:
    """ "opensearch" or "elasticsearch", from the root endpoint of the cluster at ``url``.

    Raises ``EngineError`` if the root endpoint does not answer with an engine's JSON.
    """
    try:
        with urllib.request.urlopen(url.rstrip("/") + "/", timeout=timeout) as response:
            info = json.load(response)
    except (OSError, ValueError, urllib.error.URLError) as e:
        raise EngineError(f"could not read the engine's root endpoint at {url}: {e}") from e
    version = info.get("version") if isinstance(info, dict) else None
    if not isinstance(version, dict) or "number" not in version:
        raise EngineError(f"{url} does not look like Elasticsearch or OpenSearch (no version.number)")
    return "opensearch" if version.get("distribution") == "opensearch" else "elasticsearch"


class EngineClient:
    """The operations we use, with plain-dict bodies and answers, on one engine.

    ``timeout`` bounds reads and single-document writes (a reader or a publish waits on them);
    ``write_timeout`` bounds the operations of rebuilds and repairs (index creation, bulk loads,
    alias swaps, refreshes), which a busy node can take several seconds to acknowledge.
    """

    kind = ""

    def __init__(self, url: str, timeout: float, write_timeout: float = 30.0):
        self.url = url
        self.timeout = timeout
        self.write_timeout = max(timeout, write_timeout)

    # Every method below is implemented by the subclass for its library.
    def info(self) -> dict:
        raise NotImplementedError

    def search(self, index: str, body: dict) -> dict:
        raise NotImplementedError

    def bulk(self, operations: list[dict]) -> dict:
        raise NotImplementedError

    def create_index(self, name: str, *, settings: dict, mappings: dict) -> None:
        raise NotImplementedError

    def delete_index(self, name: str) -> None:
        """Deletes one index by its exact name (never a pattern: Elasticsearch 8 refuses those)."""
        raise NotImplementedError

    def index_names(self, pattern: str) -> list[str]:
        """Names of the indexes matching ``pattern`` (a wildcard is fine here: it only reads)."""
        raise NotImplementedError

    def refresh(self, index: str) -> None:
        raise NotImplementedError

    def alias_targets(self, alias: str) -> list[str]:
        """The indexes ``alias`` points at; [] when there is no such alias."""
        raise NotImplementedError

    def update_aliases(self, actions: list[dict]) -> None:
        raise NotImplementedError

    def put(self, index: str, doc_id: str, document: dict) -> None:
        raise NotImplementedError

    def delete_document(self, index: str, doc_id: str) -> None:
        """Deletes a document; one that is not there is not an error."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def _error(self, e: Exception) -> EngineError:
        raise NotImplementedError

    def call(self, fn, *args, **kwargs) -> Any:
        """Calls the library, turning its exceptions into ``EngineError``."""
        try:
            return fn(*args, **kwargs)
        except EngineError:
            raise
        except Exception as e:
            raise self._error(e) from e


class ElasticsearchClient(EngineClient):
    kind = "elasticsearch"

    def __init__(self, url: str, timeout: float, write_timeout: float = 30.0):
        from elasticsearch import Elasticsearch

        super().__init__(url, timeout, write_timeout)
        self.es = Elasticsearch(url, request_timeout=timeout, max_retries=0, retry_on_timeout=False)
        self.es_slow = self.es.options(request_timeout=self.write_timeout)

    def _error(self, e: Exception) -> EngineError:
        from elasticsearch import NotFoundError

        status = getattr(getattr(e, "meta", None), "status", None)
        if not isinstance(status, int):
            status = getattr(e, "status_code", None)
        cls = EngineNotFound if isinstance(e, NotFoundError) else EngineError
        return cls(f"{type(e).__name__}: {e}", status if isinstance(status, int) else None)

    def info(self):
        return self.call(self.es.info).body

    def search(self, index, body):
        return self.call(self.es.search, index=index, **body).body

    def bulk(self, operations):
        return self.call(self.es_slow.bulk, operations=operations).body

    def create_index(self, name, *, settings, mappings):
        self.call(self.es_slow.indices.create, index=name, settings=settings, mappings=mappings)

    def delete_index(self, name):
        self.call(self.es_slow.indices.delete, index=name)

    def index_names(self, pattern):
        return sorted(self.call(self.es.indices.get, index=pattern, allow_no_indices=True).body)

    def refresh(self, index):
        self.call(self.es_slow.indices.refresh, index=index)

    def alias_targets(self, alias):
        try:
            return sorted(self.call(self.es.indices.get_alias, name=alias).body)
        except EngineNotFound:
            return []

    def update_aliases(self, actions):
        self.call(self.es_slow.indices.update_aliases, actions=actions)

    def put(self, index, doc_id, document):
        self.call(self.es.index, index=index, id=doc_id, document=document)

    def delete_document(self, index, doc_id):
        try:
            self.call(self.es.delete, index=index, id=doc_id)
        except EngineNotFound:
            pass

    def close(self):
        self.es.close()


class OpenSearchClient(EngineClient):
    kind = "opensearch"

    def __init__(self, url: str, timeout: float, write_timeout: float = 30.0):
        from opensearchpy import OpenSearch

        super().__init__(url, timeout, write_timeout)
        self.os = OpenSearch([url], timeout=timeout, max_retries=0, retry_on_timeout=False)

    def _error(self, e: Exception) -> EngineError:
        from opensearchpy import NotFoundError

        status = getattr(e, "status_code", None)
        cls = EngineNotFound if isinstance(e, NotFoundError) else EngineError
        return cls(f"{type(e).__name__}: {e}", status if isinstance(status, int) else None)

    def info(self):
        return self.call(self.os.info)

    def search(self, index, body):
        return self.call(self.os.search, index=index, body=body)

    def bulk(self, operations):
        return self.call(self.os.bulk, body=operations, request_timeout=self.write_timeout)

    def create_index(self, name, *, settings, mappings):
        self.call(
            self.os.indices.create,
            index=name,
            body={"settings": settings, "mappings": mappings},
            request_timeout=self.write_timeout,
        )

    def delete_index(self, name):
        self.call(self.os.indices.delete, index=name, request_timeout=self.write_timeout)

    def index_names(self, pattern):
        return sorted(self.call(self.os.indices.get, index=pattern, params={"allow_no_indices": "true"}))

    def refresh(self, index):
        self.call(self.os.indices.refresh, index=index, request_timeout=self.write_timeout)

    def alias_targets(self, alias):
        try:
            return sorted(self.call(self.os.indices.get_alias, name=alias))
        except EngineNotFound:
            return []

    def update_aliases(self, actions):
        self.call(
            self.os.indices.update_aliases, body={"actions": actions}, request_timeout=self.write_timeout
        )

    def put(self, index, doc_id, document):
        self.call(self.os.index, index=index, id=doc_id, body=document)

    def delete_document(self, index, doc_id):
        try:
            self.call(self.os.delete, index=index, id=doc_id)
        except EngineNotFound:
            pass

    def close(self):
        self.os.close()


CLIENTS: dict[str, type[EngineClient]] = {
    "elasticsearch": ElasticsearchClient,
    "opensearch": OpenSearchClient,
}


def connect(
    url: str, *, kind: str = "auto", timeout: float = 2.0, write_timeout: float = 30.0
) -> EngineClient:
    """A client for the engine at ``url``; ``kind`` "auto" asks the cluster which engine it is."""
    if not url:
        raise EngineError("no search engine URL is set (SEARCH_ENGINE_URL)")
    if kind == "auto":
        kind = detect_kind(url, timeout)
    if kind not in CLIENTS:
        raise ValueError(f"Unknown search engine {kind!r}: expected one of {', '.join(KINDS)} or 'auto'")
    return CLIENTS[kind](url, timeout, write_timeout)
