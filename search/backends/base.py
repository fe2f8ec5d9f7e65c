"""The small interface every search implementation offers."""

from __future__ import annotations

from ..query import SearchQuery
from ..results import SearchResults


class SearchBackend:
    """``search`` answers readers; the write hooks keep an implementation's own index fresh.

    The database implementation has no index of its own (Wagtail keeps its search index on every
    save), so its write hooks do nothing; the engine's index and remove one article.
    """

    name = ""

    def search(self, query: SearchQuery) -> SearchResults:
        raise NotImplementedError

    def index_object(self, app_label: str, model_name: str, pk: int) -> str:
        return "not indexed"

    def remove_object(self, app_label: str, model_name: str, pk: int) -> str:
        return "not indexed"

    def rebuild(self, log=print) -> dict:
        return {"failed": []}
