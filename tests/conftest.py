import pytest


def pytest_collection_modifyitems(config, items):
    """Live search-engine tests run only with a node to run against (``make search-engine``)."""
    from tests.recommendations.live import live_engine_url

    if live_engine_url():
        return
    skip = pytest.mark.skip(
        reason="needs a search engine: make search-engine, then SEARCH_ENGINE_URL=http://127.0.0.1:9200"
    )
    for item in items:
        if "engine_live" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _media_and_cache(settings, tmp_path):
    from django.core.cache import cache

    from website.freshness import clear_process_memos

    settings.MEDIA_ROOT = str(tmp_path / "media")
    cache.clear()
    clear_process_memos()  # each test's database starts from the same generation token
    yield
    cache.clear()
    clear_process_memos()
