"""``recommendations.engine``'s client against a real node: the same calls on Elasticsearch and
OpenSearch, each through its own library, with plain index settings (no analysis plugins), so it
also runs on an Elasticsearch node built without the analysis-common module (search-engine/README.md).

Run: ``SEARCH_ENGINE_URL=http://127.0.0.1:9200 .venv/bin/pytest -m engine_live``; add
``SEARCH_ENGINE=elasticsearch`` for a node that does not serve ``GET /``.
"""

from __future__ import annotations

import socket

import pytest

from recommendations.engine import EngineError, EngineNotFound, connect, detect_kind

from .live import live_engine_kind, live_engine_url, live_prefix

pytestmark = pytest.mark.engine_live

MAPPINGS = {"properties": {"title": {"type": "text"}, "section": {"type": "keyword"}}}


@pytest.fixture
def client(worker_id):
    client = connect(live_engine_url(), kind=live_engine_kind(), timeout=10)
    prefix = live_prefix(worker_id, "client")
    names = lambda: client.index_names(f"{prefix}_*")  # noqa: E731
    for name in names():
        client.delete_index(name)
    client.prefix = prefix
    yield client
    for name in names():
        client.delete_index(name)
    client.close()


def load(client, index: str, docs: dict[str, dict]) -> dict:
    operations = []
    for doc_id, doc in docs.items():
        operations += [{"index": {"_index": index, "_id": doc_id}}, doc]
    response = client.bulk(operations)
    client.refresh(index)
    return response


def test_each_engine_gets_its_own_library(client):
    """Why there are two clients: elasticsearch-py 8 refuses any server that is not Elasticsearch."""
    from recommendations.engine import ElasticsearchClient

    if live_engine_kind() == "auto":
        assert client.kind == detect_kind(live_engine_url(), 5)
    if client.kind == "opensearch":
        with pytest.raises(EngineError, match="UnsupportedProductError|406"):
            ElasticsearchClient(live_engine_url(), 5).search("anything", {"query": {"match_all": {}}})


def test_index_bulk_search_highlight_and_facets(client):
    index = f"{client.prefix}_a"
    client.create_index(index, settings={"number_of_shards": 1}, mappings=MAPPINGS)
    response = load(
        client,
        index,
        {
            "1": {"title": "Rebuilding trust in couples therapy", "section": "relationships"},
            "2": {"title": "Sleep and stress", "section": "habits"},
            "3": {"title": "Trust after an affair", "section": "relationships"},
        },
    )
    assert response["errors"] is False and len(response["items"]) == 3
    answer = client.search(
        index,
        {
            "query": {"match": {"title": {"query": "trsut", "fuzziness": "AUTO"}}},
            "highlight": {"fields": {"title": {}}},
            "aggs": {"sections": {"terms": {"field": "section"}}},
        },
    )
    hits = answer["hits"]["hits"]
    assert sorted(hit["_id"] for hit in hits) == ["1", "3"]
    assert all("<em>" in hit["highlight"]["title"][0] for hit in hits)
    assert answer["aggregations"]["sections"]["buckets"] == [{"key": "relationships", "doc_count": 2}]


def test_alias_swap_and_single_documents(client):
    alias = f"{client.prefix}_alias"
    old, new = f"{alias}_1", f"{alias}_2"
    assert client.alias_targets(alias) == []
    for name in (old, new):
        client.create_index(name, settings={"number_of_shards": 1}, mappings=MAPPINGS)
    client.update_aliases([{"add": {"index": old, "alias": alias}}])
    assert client.alias_targets(alias) == [old]
    client.update_aliases(
        [{"add": {"index": new, "alias": alias}}, {"remove": {"index": old, "alias": alias}}]
    )
    assert client.alias_targets(alias) == [new]
    client.put(alias, "7", {"title": "Seven", "section": "habits"})
    client.refresh(alias)
    assert [h["_id"] for h in client.search(alias, {"query": {"match_all": {}}})["hits"]["hits"]] == ["7"]
    client.delete_document(alias, "7")
    client.delete_document(alias, "7")  # already gone: not an error
    client.refresh(alias)
    assert client.search(alias, {"query": {"match_all": {}}})["hits"]["total"]["value"] == 0
    assert client.index_names(f"{alias}_*") == [old, new]


def test_errors_come_out_as_one_type_with_the_status(client):
    with pytest.raises(EngineNotFound) as missing:
        client.search(f"{client.prefix}_nothing_here", {"query": {"match_all": {}}})
    assert missing.value.status == 404
    index = f"{client.prefix}_b"
    client.create_index(index, settings={"number_of_shards": 1}, mappings=MAPPINGS)
    with pytest.raises(EngineError) as bad:
        client.search(index, {"query": {"no_such_query": {}}})
    assert bad.value.status == 400 and not isinstance(bad.value, EngineNotFound)


def test_wildcard_deletes_are_never_needed(client):
    """Elasticsearch 8 refuses ``DELETE /prefix_*`` by default; names are looked up, then deleted."""
    for suffix in ("x", "y"):
        client.create_index(f"{client.prefix}_{suffix}", settings={"number_of_shards": 1}, mappings=MAPPINGS)
    if client.kind == "elasticsearch":
        with pytest.raises(EngineError):
            client.delete_index(f"{client.prefix}_*")
    for name in client.index_names(f"{client.prefix}_*"):
        client.delete_index(name)
    assert client.index_names(f"{client.prefix}_*") == []


def test_a_closed_port_is_an_engine_error_without_a_status():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = connect(
        f"http://127.0.0.1:{port}",
        kind=live_engine_kind() if live_engine_kind() != "auto" else "opensearch",
        timeout=1,
    )
    with pytest.raises(EngineError) as refused:
        client.search("anything", {"query": {"match_all": {}}})
    assert refused.value.status is None
