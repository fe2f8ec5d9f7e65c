import pytest


@pytest.fixture(autouse=True)
def _media_and_cache(settings, tmp_path):
    from django.core.cache import cache

    from website.api.caching import clear_process_memos

    settings.MEDIA_ROOT = str(tmp_path / "media")
    cache.clear()
    clear_process_memos()  # each test's database starts from the same generation token
    yield
    cache.clear()
    clear_process_memos()
