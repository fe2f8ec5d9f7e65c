"""The search-engine environment variables, read by ``website.settings.base`` in a fresh process."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from website.search_backend import engine_kind

READ = (
    "import json, website.settings.base as b; "
    "print(json.dumps({'wagtail': b.WAGTAILSEARCH_BACKENDS['default'], 'reco': b.WELLNESS}))"
)


def settings_with(**env) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.endswith(("_URL", "SEARCH_ENGINE", "INDEX_PREFIX"))}
    out = subprocess.run(
        [sys.executable, "-c", READ], env={**clean, **env}, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def test_no_engine_means_the_database_everywhere():
    s = settings_with()
    assert s["wagtail"] == {"BACKEND": "wagtail.search.backends.database"}
    assert s["reco"]["RECOMMENDATIONS_BACKEND"] == "database"


@pytest.mark.parametrize(
    "env, kind",
    [
        ({"SEARCH_ENGINE_URL": "http://search:9200"}, "auto"),
        ({"ELASTICSEARCH_URL": "http://search:9200"}, "auto"),
        ({"OPENSEARCH_URL": "http://search:9200"}, "opensearch"),
        ({"ELASTICSEARCH_URL": "http://search:9200", "SEARCH_ENGINE": "elasticsearch"}, "elasticsearch"),
    ],
)
def test_any_of_the_urls_switches_wagtail_and_recommendations_to_the_engine(env, kind):
    s = settings_with(**env, SEARCH_INDEX_PREFIX="mag")
    assert s["wagtail"]["BACKEND"] == "website.search_backend"
    assert s["wagtail"]["URLS"] == ["http://search:9200"] and s["wagtail"]["ENGINE"] == kind
    # modelsearch reads INDEX_PREFIX (an INDEX key would be ignored and the indexes left unprefixed)
    assert s["wagtail"]["INDEX_PREFIX"] == "mag_wagtail_" and "INDEX" not in s["wagtail"]
    assert s["reco"]["RECOMMENDATIONS_BACKEND"] == "elasticsearch"
    assert s["reco"]["RECOMMENDATIONS_ES_URL"] == "http://search:9200"
    assert s["reco"]["RECOMMENDATIONS_ENGINE"] == kind
    assert s["reco"]["RECOMMENDATIONS_ES_INDEX_PREFIX"] == "mag_reco"


def test_the_older_prefix_variable_still_works():
    s = settings_with(ELASTICSEARCH_URL="http://search:9200", ELASTICSEARCH_INDEX_PREFIX="old")
    assert s["wagtail"]["INDEX_PREFIX"] == "old_wagtail_"


def test_wagtail_backend_for_each_engine():
    from modelsearch.backends.elasticsearch8 import Elasticsearch8SearchBackend
    from modelsearch.backends.opensearch3 import OpenSearch3SearchBackend

    from website.search_backend import SearchBackend

    for kind, cls in (
        ("elasticsearch", Elasticsearch8SearchBackend),
        ("opensearch", OpenSearch3SearchBackend),
    ):
        backend = SearchBackend({"ENGINE": kind, "URLS": ["http://127.0.0.1:1"], "INDEX_PREFIX": "p_"})
        assert type(backend) is cls and backend.index_prefix == "p_"


def test_an_unknown_engine_name_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="elasticsearch, opensearch"):
        engine_kind("solr", "http://127.0.0.1:1")


def test_auto_with_no_answer_assumes_elasticsearch_and_asks_again_next_time(caplog):
    from website.search_backend import _detected

    remembered = _detected.cache_info().currsize
    assert engine_kind("auto", "http://127.0.0.1:1", timeout=0.2) == "elasticsearch"
    assert "could not tell which engine" in caplog.text
    assert _detected.cache_info().currsize == remembered  # the failure is not remembered
